import { useNavigate, useSearch } from '@tanstack/react-router';
import { RefreshCw } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import type { CallbackState } from '../../gql/graphql';
import { useReconnected } from '../../lib/client-context';
import { resultError } from '../../lib/errors';
import { dateTime } from '../../lib/time';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { QueryError } from '../../ui/QueryError';
import { CallbackDetails } from './CallbackDetails';
import {
  CallbackQueueChanged,
  CallbackQueueQuery,
  CallbackServicesQuery,
  CancelCallbacksMutation,
} from './documents';

export const PAGE_SIZE = 50;
const STATES: CallbackState[] = ['SCHEDULED', 'QUEUED', 'ROUTING', 'PROCESSING', 'COMPLETED'];

export interface CallbackSearch {
  service?: string;
  state?: CallbackState;
  from?: string;
  to?: string;
  page?: number;
  /** The callback whose details are open. */
  details?: string;
}

export function callbackSearch(s: Record<string, unknown>): CallbackSearch {
  const out: CallbackSearch = {};
  if (typeof s.service === 'string' && s.service) out.service = s.service;
  if (typeof s.state === 'string' && (STATES as string[]).includes(s.state))
    out.state = s.state as CallbackState;
  if (typeof s.from === 'string' && s.from) out.from = s.from;
  if (typeof s.to === 'string' && s.to) out.to = s.to;
  const page = Number(s.page);
  if (Number.isInteger(page) && page > 1) out.page = page;
  if (typeof s.details === 'string' && s.details) out.details = s.details;
  return out;
}

/** datetime-local value (local time, no zone) → ISO, or null. */
const toIso = (local: string | undefined) => (local ? new Date(local).toISOString() : null);

const eta = (seconds: number | null | undefined) =>
  seconds == null
    ? 'n/a'
    : seconds < 60
      ? `${seconds} s`
      : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;

/** Callback Management: the callback queue, filtered in the URL, live, with cancel (one or many). */
export function CallbacksPage() {
  const search = useSearch({ from: '/shell/callbacks' });
  const navigate = useNavigate({ from: '/callbacks' });
  const page = search.page ?? 1;
  const states = search.state ? [search.state] : null;
  const [result, refetch] = useQuery({
    query: CallbackQueueQuery,
    variables: {
      service: search.service ?? null,
      states,
      from: toIso(search.from),
      to: toIso(search.to),
      // One more than a page: tells whether a next page exists.
      limit: PAGE_SIZE + 1,
      offset: (page - 1) * PAGE_SIZE,
    },
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  // Each change re-reads the page shown, and the callback whose details are open (`changes`).
  const [changes, setChanges] = useState(0);
  const changed = () => {
    reload();
    setChanges((n) => n + 1);
  };
  useSubscription(
    { query: CallbackQueueChanged, variables: { service: search.service ?? null, states } },
    (_p, e) => {
      changed();
      return e;
    },
  );
  useReconnected(changed);
  const [services] = useQuery({ query: CallbackServicesQuery });
  const callbackServices = (services.data?.services ?? []).filter((s) => s.serviceType === 'callback');
  const rows = (result.data?.callbackQueue ?? []).slice(0, PAGE_SIZE);
  const hasNext = (result.data?.callbackQueue.length ?? 0) > PAGE_SIZE;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState<string[] | null>(null);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [cancelState, cancel] = useMutation(CancelCallbacksMutation);
  // Selections are of the rows shown: drop those that left the page.
  const shownIds = rows.map((r) => r.id).join(',');
  useEffect(() => {
    const shown = new Set(shownIds.split(','));
    setSelected((s) => new Set([...s].filter((id) => shown.has(id))));
  }, [shownIds]);

  const setFilter = (patch: Partial<CallbackSearch>) =>
    void navigate({
      search: (prev: CallbackSearch) => callbackSearch({ ...prev, ...patch, page: patch.page ?? undefined }),
    });

  const setDetails = (details: string | undefined) =>
    void navigate({ search: (prev: CallbackSearch) => callbackSearch({ ...prev, details }) });

  async function confirmCancel() {
    if (!confirm) return;
    const r = await cancel({ ids: confirm });
    const failure = resultError(r.data?.adminCancelCallbacks, r.error);
    if (failure) return setCancelError(failure.message);
    const payload = r.data?.adminCancelCallbacks;
    if (payload?.__typename === 'MutationAdminCancelCallbacksSuccess')
      setNotice(
        `${payload.data.cancelled.length} cancelled${payload.data.notCancelled.length ? `, ${payload.data.notCancelled.length} already finished` : ''}.`,
      );
    setConfirm(null);
    setSelected(new Set());
    reload();
  }

  const allShownSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  return (
    <section aria-labelledby="callbacks-title">
      <h1 id="callbacks-title">Callback management</h1>
      <form className="panel toolbar" aria-label="Filter callbacks" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="cb-service">Service</label>
          <select
            id="cb-service"
            value={search.service ?? ''}
            onChange={(e) => setFilter({ service: e.target.value })}
          >
            <option value="">All callback services</option>
            {callbackServices.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="cb-state">State</label>
          <select
            id="cb-state"
            value={search.state ?? ''}
            onChange={(e) => setFilter({ state: (e.target.value || undefined) as CallbackState | undefined })}
          >
            <option value="">Active (all but completed)</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="cb-from">Desired from</label>
          <input
            id="cb-from"
            type="datetime-local"
            value={search.from ?? ''}
            onChange={(e) => setFilter({ from: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="cb-to">Desired to</label>
          <input
            id="cb-to"
            type="datetime-local"
            value={search.to ?? ''}
            onChange={(e) => setFilter({ to: e.target.value })}
          />
        </div>
        <button type="button" onClick={reload} disabled={result.fetching}>
          <RefreshCw size={16} aria-hidden="true" /> Refresh
        </button>
        <button
          type="button"
          className="danger"
          disabled={selected.size === 0}
          onClick={() => {
            setCancelError(null);
            setConfirm([...selected]);
          }}
        >
          Cancel selected ({selected.size})
        </button>
      </form>
      {result.error && <QueryError error={result.error} retry={reload} />}
      {notice && (
        <div className="banner info" role="status">
          {notice}
        </div>
      )}
      {!result.data && result.fetching && (
        <div className="panel" role="status" aria-busy="true" aria-label="Loading callbacks">
          <div className="skeleton" />
        </div>
      )}
      {result.data && rows.length === 0 && <p className="empty">No callback matches these filters.</p>}
      {rows.length > 0 && (
        <div className="table-scroll" aria-busy={result.fetching || undefined}>
          <table className="data">
            <caption className="visually-hidden">Callback queue</caption>
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select every callback shown"
                    checked={allShownSelected}
                    onChange={(e) =>
                      setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())
                    }
                  />
                </th>
                <th scope="col">Service</th>
                <th scope="col">State</th>
                <th scope="col">Customer number</th>
                <th scope="col">Desired time</th>
                <th scope="col">Position</th>
                <th scope="col">EWT</th>
                <th scope="col">Agent</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((cb) => (
                <tr key={cb.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select callback ${cb.customerNumber ?? cb.id}`}
                      checked={selected.has(cb.id)}
                      onChange={(e) =>
                        setSelected((s) => {
                          const next = new Set(s);
                          if (e.target.checked) next.add(cb.id);
                          else next.delete(cb.id);
                          return next;
                        })
                      }
                    />
                  </td>
                  <td>{cb.serviceName}</td>
                  <td>{cb.state}</td>
                  <td>{cb.customerNumber ?? '—'}</td>
                  <td>
                    {cb.desiredTime ? (
                      dateTime(cb.desiredTime)
                    ) : (
                      <span className="hint">now ({dateTime(cb.createdAt)})</span>
                    )}
                  </td>
                  <td>{cb.queuePosition?.position ?? '—'}</td>
                  <td>{cb.queuePosition ? eta(cb.queuePosition.eta) : '—'}</td>
                  <td>{cb.agentId ?? '—'}</td>
                  <td style={{ whiteSpace: 'nowrap' }}>
                    <button type="button" onClick={() => setDetails(cb.id)}>
                      Details
                      <span className="visually-hidden"> of callback {cb.customerNumber ?? cb.id}</span>
                    </button>{' '}
                    {cb.state !== 'COMPLETED' && (
                      <button
                        type="button"
                        onClick={() => {
                          setCancelError(null);
                          setConfirm([cb.id]);
                        }}
                      >
                        Cancel<span className="visually-hidden"> callback {cb.customerNumber ?? cb.id}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(page > 1 || hasNext) && (
        <nav aria-label="Pages" className="row" style={{ marginTop: '0.75rem' }}>
          <button type="button" disabled={page <= 1} onClick={() => setFilter({ page: page - 1 })}>
            Previous page
          </button>
          <span>
            Page {page} (rows {(page - 1) * PAGE_SIZE + 1}–{(page - 1) * PAGE_SIZE + rows.length})
          </span>
          <button type="button" disabled={!hasNext} onClick={() => setFilter({ page: page + 1 })}>
            Next page
          </button>
        </nav>
      )}
      <CallbackDetails
        id={search.details}
        changes={changes}
        onClose={() => setDetails(undefined)}
        onChanged={reload}
      />
      <ConfirmDialog
        open={confirm !== null}
        title={confirm?.length === 1 ? 'Cancel this callback?' : `Cancel ${confirm?.length ?? 0} callbacks?`}
        confirmLabel="Cancel callbacks"
        busy={cancelState.fetching}
        error={cancelError}
        onConfirm={confirmCancel}
        onOpenChange={(open) => {
          if (!open) setConfirm(null);
        }}
      >
        <p>Each becomes COMPLETED (cancelled by an administrator); the customer is not called back.</p>
      </ConfirmDialog>
    </section>
  );
}
