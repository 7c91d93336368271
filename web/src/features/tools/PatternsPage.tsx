import * as Dialog from '@radix-ui/react-dialog';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { CircleHelp, Plus, X } from 'lucide-react';
import { type FormEvent, useDeferredValue, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { type FieldError, resultError } from '../../lib/errors';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorBanner } from '../../ui/ErrorBanner';
import { QueryError } from '../../ui/QueryError';
import { useGroupItemConfirm } from './group-confirm';
import { GroupNav, NewGroupForm } from './groups';
import {
  AddPatternMutation,
  CreatePatternGroupMutation,
  DeletePatternGroupMutation,
  PatternGroupsQuery,
  RemovePatternMutation,
  TestPatternGroupQuery,
} from './patterns.documents';

/** Tools → Patterns: pattern groups, their patterns, and the test field that highlights matching rows. */
export function PatternsPage() {
  const search = useSearch({ from: '/shell/tools/patterns' });
  const navigate = useNavigate({ from: '/tools/patterns' });
  const [result, refetch] = useQuery({ query: PatternGroupsQuery });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const groups = result.data?.patternGroups ?? [];
  const selected = groups.find((g) => g.name === search.group) ?? groups[0];
  const [, createGroup] = useMutation(CreatePatternGroupMutation);
  const [, deleteGroup] = useMutation(DeletePatternGroupMutation);
  const [, removePattern] = useMutation(RemovePatternMutation);
  const confirm = useGroupItemConfirm(
    'pattern',
    {
      deleteGroup: (name) =>
        deleteGroup({ name }).then((r) => resultError(r.data?.deletePatternGroup, r.error)),
      removeItem: (group, name) =>
        removePattern({ group, name }).then((r) => resultError(r.data?.removePattern, r.error)),
    },
    (t) => {
      if (t.kind === 'group') void navigate({ search: {} });
      reload();
    },
  );

  return (
    <section aria-labelledby="patterns-title">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="patterns-title">Pattern groups</h2>
        <PatternHelp />
      </div>
      {result.error && <QueryError error={result.error} retry={reload} />}
      <NewGroupForm
        kind="pattern"
        create={(name) => createGroup({ name }).then((r) => resultError(r.data?.createPatternGroup, r.error))}
        onCreated={(name) => void navigate({ search: { group: name } }).then(reload)}
      />
      {result.data && groups.length === 0 && <p className="empty">No pattern group yet: create one above.</p>}
      {groups.length > 0 && (
        <div className="split">
          <GroupNav
            label="Pattern groups"
            path="/genesys/tools/patterns"
            groups={groups}
            selected={selected?.name}
            hint={(g) => `(${g.patterns.length})`}
            onSelect={(group) => void navigate({ search: { group } })}
          />
          {selected && (
            <GroupPanel
              key={selected.id}
              group={selected}
              onChanged={reload}
              onDeleteGroup={() => confirm.askGroup(selected.name)}
              onRemovePattern={(name) => confirm.askItem(selected.name, name)}
            />
          )}
        </div>
      )}
      <ConfirmDialog {...confirm.dialog}>
        <p>Services that test values against this group see the change at once.</p>
      </ConfirmDialog>
    </section>
  );
}

type Group = { id: number; name: string; patterns: { id: number; name: string; regex: string }[] };

function GroupPanel({
  group,
  onChanged,
  onDeleteGroup,
  onRemovePattern,
}: {
  group: Group;
  onChanged: () => void;
  onDeleteGroup: () => void;
  onRemovePattern: (name: string) => void;
}) {
  const [value, setValue] = useState('');
  const tested = useDeferredValue(value);
  const [test] = useQuery({
    query: TestPatternGroupQuery,
    variables: { group: group.name, value: tested },
    pause: tested === '',
    requestPolicy: 'network-only',
  });
  const outcome = test.data?.testPatternGroup;
  const matched = new Set(
    tested !== '' && outcome?.__typename === 'QueryTestPatternGroupSuccess'
      ? outcome.data.rows.filter((r) => r.matched).map((r) => r.patternName)
      : [],
  );
  const testError =
    outcome && outcome.__typename !== 'QueryTestPatternGroupSuccess' ? resultError(outcome) : null;

  return (
    <div className="panel" style={{ flex: 1 }}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h3 style={{ margin: 0 }}>{group.name}</h3>
        <button type="button" onClick={onDeleteGroup}>
          <X size={16} aria-hidden="true" /> Delete group {group.name}
        </button>
      </div>
      <div className="field" style={{ marginTop: '0.75rem' }}>
        <label htmlFor="pattern-test">Test a value against every pattern of the group</label>
        <input
          id="pattern-test"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="e.g. 123"
        />
        <span className="hint" role="status">
          {tested === ''
            ? 'Type a value: matching rows are highlighted.'
            : matched.size === 0
              ? `No pattern matches “${tested}”.`
              : `${matched.size} matching: ${[...matched].join(', ')}`}
        </span>
        {testError && <span className="error">{testError.message}</span>}
      </div>
      <table className="data">
        <caption className="visually-hidden">Patterns of {group.name}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {group.patterns.map((p) => (
            <tr key={p.id} className={matched.has(p.name) ? 'highlight' : undefined}>
              <td>
                {p.name}
                {matched.has(p.name) && <span className="visually-hidden"> (matches)</span>}
              </td>
              <td>
                <code>{p.regex}</code>
              </td>
              <td style={{ textAlign: 'right' }}>
                <button
                  type="button"
                  className="icon"
                  aria-label={`Remove pattern ${p.name}`}
                  onClick={() => onRemovePattern(p.name)}
                >
                  <X size={16} aria-hidden="true" />
                </button>
              </td>
            </tr>
          ))}
          {group.patterns.length === 0 && (
            <tr>
              <td colSpan={3} className="hint">
                No pattern yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <AddPatternForm group={group.name} onAdded={onChanged} />
      <p className="hint">
        URL: <code>/genesys/1/patterns/group/{group.name}</code> · Post: <code>test_value=…</code>
      </p>
    </div>
  );
}

function AddPatternForm({ group, onAdded }: { group: string; onAdded: () => void }) {
  const [name, setName] = useState('');
  const [regex, setRegex] = useState('');
  const [error, setError] = useState<FieldError | null>(null);
  const [state, add] = useMutation(AddPatternMutation);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await add({ group, name: name.trim(), regex });
    const failure = resultError(r.data?.addPattern, r.error);
    setError(failure);
    if (failure) return;
    setName('');
    setRegex('');
    onAdded();
  }
  return (
    <form className="toolbar" onSubmit={submit} aria-label="Add a pattern" style={{ marginTop: '0.75rem' }}>
      <div className="field">
        <label htmlFor="pattern-name">Pattern name</label>
        <input id="pattern-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      <div className="field">
        <label htmlFor="pattern-regex">Pattern value (expression)</label>
        <input
          id="pattern-regex"
          value={regex}
          onChange={(e) => setRegex(e.target.value)}
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'pattern-error' : undefined}
        />
      </div>
      <button type="submit" className="primary" disabled={state.fetching}>
        <Plus size={16} aria-hidden="true" /> Add pattern
      </button>
      <ErrorBanner id="pattern-error" error={error} />
    </form>
  );
}

function PatternHelp() {
  return (
    <Dialog.Root>
      <Dialog.Trigger asChild>
        <button type="button">
          <CircleHelp size={16} aria-hidden="true" /> Help
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>Pattern syntax</Dialog.Title>
          <Dialog.Description asChild>
            <div>
              <p>
                A pattern is a regular expression (RE2 syntax, matched in linear time) that must match the
                <strong> whole</strong> value: <code>555.*</code> matches 5551234 but not 1555.
              </p>
              <ul>
                <li>
                  <code>.</code> any character, <code>*</code> repeat 0 or more, <code>+</code> 1 or more,{' '}
                  <code>?</code> optional
                </li>
                <li>
                  <code>[0-9]</code> one digit,{' '}
                  <code>
                    \d{'{'}3{'}'}
                  </code>{' '}
                  three digits, <code>(a|b)</code> either
                </li>
                <li>
                  <code>\+?1?800.*</code> North American toll-free numbers, with or without +1
                </li>
              </ul>
              <p>
                Services and <code>POST /genesys/1/patterns/group/{'{group}'}</code> with{' '}
                <code>test_value=…</code> answer the first matching pattern.
              </p>
            </div>
          </Dialog.Description>
          <div className="actions">
            <Dialog.Close asChild>
              <button type="button">Close</button>
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
