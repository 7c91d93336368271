import { useNavigate, useSearch } from '@tanstack/react-router';
import { Plus, X } from 'lucide-react';
import { type FormEvent, useEffect, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import type { ToolsResourceGroupsQuery } from '../../gql/graphql';
import { useReconnected } from '../../lib/client-context';
import { type FieldError, resultError } from '../../lib/errors';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorBanner } from '../../ui/ErrorBanner';
import { QueryError } from '../../ui/QueryError';
import { BulkResourcesForm } from './BulkResourcesForm';
import { useGroupItemConfirm } from './group-confirm';
import { GroupNav, NewGroupForm } from './groups';
import { ResourceTable } from './ResourceTable';
import {
  AddResourceMutation,
  CreateResourceGroupMutation,
  DeleteResourceGroupMutation,
  RemoveResourceMutation,
  ResourceGroupsQuery,
  ResourcePoolsChanged,
  UpdateResourceGroupMutation,
} from './resources.documents';

type Group = ToolsResourceGroupsQuery['resourceGroups'][number];

/** Tools → Resources: resource groups (allocation, locking, booking timeout), their numbers, live counts. */
export function ResourcesPage() {
  const search = useSearch({ from: '/shell/tools/resource-groups' });
  const navigate = useNavigate({ from: '/tools/resource-groups' });
  const [result, refetch] = useQuery({ query: ResourceGroupsQuery });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  useReconnected(reload);
  // Live counts: a light subscription (aggregates only), so 10,000 numbers are not re-sent every change.
  const [pools] = useSubscription({ query: ResourcePoolsChanged });
  // The newer of the two wins: a re-read after an edit is fresher than the last live push, and the
  // next push (an allocation elsewhere) is fresher than that re-read.
  const [stamps, setStamps] = useState({ query: 0, live: 0 });
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a new query result arrives
  useEffect(() => setStamps((s) => ({ ...s, query: Date.now() })), [result.data]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a new live push arrives
  useEffect(() => setStamps((s) => ({ ...s, live: Date.now() })), [pools.data]);
  const live = new Map(
    stamps.live > stamps.query
      ? (pools.data?.resourcePoolsChanged ?? []).map((p) => [p.group, p.health])
      : [],
  );
  const groups = result.data?.resourceGroups ?? [];
  const selected = groups.find((g) => g.name === search.group) ?? groups[0];
  const [, createGroup] = useMutation(CreateResourceGroupMutation);
  const [, deleteGroup] = useMutation(DeleteResourceGroupMutation);
  const [, removeResource] = useMutation(RemoveResourceMutation);
  const confirm = useGroupItemConfirm(
    'resource',
    {
      deleteGroup: (name) =>
        deleteGroup({ name }).then((r) => resultError(r.data?.deleteResourceGroup, r.error)),
      removeItem: (group, name) =>
        removeResource({ group, name }).then((r) => resultError(r.data?.removeResource, r.error)),
    },
    (t) => {
      if (t.kind === 'group') void navigate({ search: {} });
      reload();
    },
  );

  return (
    <section aria-labelledby="resources-title">
      <h2 id="resources-title">Resource groups</h2>
      {result.error && <QueryError error={result.error} retry={reload} />}
      <NewGroupForm
        kind="resource"
        placeholder="DNIS"
        create={(name) =>
          createGroup({ input: { name } }).then((r) => resultError(r.data?.createResourceGroup, r.error))
        }
        onCreated={(name) => void navigate({ search: { group: name } }).then(reload)}
      />
      {result.data && groups.length === 0 && (
        <p className="empty">No resource group yet: create one above (GMS's default is DNIS).</p>
      )}
      {!result.data && result.fetching && (
        <div className="panel" role="status" aria-busy="true" aria-label="Loading resource groups">
          <div className="skeleton" />
        </div>
      )}
      {groups.length > 0 && (
        <div className="split">
          <GroupNav
            label="Resource groups"
            path="/genesys/tools/resource-groups"
            groups={groups}
            selected={selected?.name}
            hint={(g) => {
              const h = live.get(g.name) ?? g.health;
              return `${h.booked} booked / ${h.free} free`;
            }}
            onSelect={(group) => void navigate({ search: { group } })}
          />
          {selected && (
            <GroupPanel
              key={selected.id}
              group={selected}
              health={live.get(selected.name) ?? selected.health}
              onChanged={reload}
              onDeleteGroup={() => confirm.askGroup(selected.name)}
              onRemoveResource={(name) => confirm.askItem(selected.name, name)}
            />
          )}
        </div>
      )}
      <ConfirmDialog {...confirm.dialog}>
        <p>A number with an active booking is refused: wait for the booking to end.</p>
      </ConfirmDialog>
    </section>
  );
}

function GroupPanel({
  group,
  health,
  onChanged,
  onDeleteGroup,
  onRemoveResource,
}: {
  group: Group;
  health: Group['health'];
  onChanged: () => void;
  onDeleteGroup: () => void;
  onRemoveResource: (name: string) => void;
}) {
  return (
    <div className="panel" style={{ flex: 1, minWidth: 0 }}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h3 style={{ margin: 0 }}>{group.name}</h3>
        <button type="button" onClick={onDeleteGroup}>
          <X size={16} aria-hidden="true" /> Delete group {group.name}
        </button>
      </div>
      <p role="status" aria-label={`Pool of ${group.name}`} className="counts">
        <span className="badge neutral">{health.total} numbers</span>{' '}
        <span className="badge down">{health.booked} booked</span>{' '}
        <span className="badge up">{health.free} free</span>
      </p>
      <GroupSettings group={group} onChanged={onChanged} />
      <ResourceTable group={group} onRemove={onRemoveResource} onChanged={onChanged} />
      <AddResourceForm group={group.name} onAdded={onChanged} />
      <BulkResourcesForm group={group.name} onChanged={onChanged} />
    </div>
  );
}

function GroupSettings({ group, onChanged }: { group: Group; onChanged: () => void }) {
  const [allocation, setAllocation] = useState(group.allocation);
  const [locking, setLocking] = useState(group.locking);
  const [timeout, setTimeoutValue] = useState(String(group.bookingExpirationTimeout));
  const [error, setError] = useState<FieldError | null>(null);
  const [saved, setSaved] = useState(false);
  const [state, update] = useMutation(UpdateResourceGroupMutation);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const r = await update({
      name: group.name,
      input: { allocation, locking, bookingExpirationTimeout: Number(timeout) },
    });
    const failure = resultError(r.data?.updateResourceGroup, r.error);
    setError(failure);
    if (!failure) {
      setSaved(true);
      onChanged();
    }
  }
  return (
    <form className="toolbar" onSubmit={submit} aria-label={`Settings of ${group.name}`}>
      <div className="field">
        <label htmlFor="rg-allocation">Allocation</label>
        <select
          id="rg-allocation"
          value={allocation}
          onChange={(e) => setAllocation(e.target.value as Group['allocation'])}
        >
          <option value="ROUND_ROBIN">Round robin</option>
          <option value="RANDOM">Random</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="rg-timeout">Booking timeout (s)</label>
        <input
          id="rg-timeout"
          type="number"
          min={1}
          value={timeout}
          onChange={(e) => setTimeoutValue(e.target.value)}
          aria-invalid={error?.field === 'bookingExpirationTimeout' || undefined}
        />
      </div>
      <label className="row" style={{ fontWeight: 400, marginBottom: '0.4rem' }}>
        <input type="checkbox" checked={locking} onChange={(e) => setLocking(e.target.checked)} /> Locking
        (one session per number)
      </label>
      <button type="submit" disabled={state.fetching}>
        Save settings
      </button>
      {saved && <span role="status">Saved.</span>}
      <ErrorBanner error={error} />
    </form>
  );
}

function AddResourceForm({ group, onAdded }: { group: string; onAdded: () => void }) {
  const [name, setName] = useState('');
  const [accessNumber, setAccessNumber] = useState('');
  const [error, setError] = useState<FieldError | null>(null);
  const [state, add] = useMutation(AddResourceMutation);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await add({ group, input: { name: name.trim(), accessNumber: accessNumber.trim() } });
    const failure = resultError(r.data?.addResource, r.error);
    setError(failure);
    if (failure) return;
    setName('');
    setAccessNumber('');
    onAdded();
  }
  return (
    <form className="toolbar" onSubmit={submit} aria-label="Add a resource" style={{ marginTop: '0.75rem' }}>
      <div className="field">
        <label htmlFor="res-name">Resource name</label>
        <input id="res-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      <div className="field">
        <label htmlFor="res-number">Access number</label>
        <input
          id="res-number"
          value={accessNumber}
          onChange={(e) => setAccessNumber(e.target.value)}
          required
          placeholder="1-800-1234"
        />
      </div>
      <button type="submit" className="primary" disabled={state.fetching}>
        <Plus size={16} aria-hidden="true" /> Add resource
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}
