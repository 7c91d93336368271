import * as Dialog from '@radix-ui/react-dialog';
import { type FormEvent, useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { resultError } from '../../lib/errors';
import { dateTime } from '../../lib/time';
import { QueryError } from '../../ui/QueryError';
import { CallbackDetailsQuery, RescheduleCallbackMutation } from './documents';

const dash = (v: string | number | null | undefined) => (v == null || v === '' ? '—' : String(v));

/**
 * One callback, opened from its row (`?details=<id>` in the URL, so a reload keeps it open): every
 * field the server keeps, the legacy record, and a new desired time (the REST API's reschedule,
 * checked by the server against office hours and capacity; its refusal shows here).
 */
export function CallbackDetails({
  id,
  changes,
  onClose,
  onChanged,
}: {
  id: string | undefined;
  /** Counts the queue's change events: each re-reads the callback, so the dialog stays live. */
  changes: number;
  onClose: () => void;
  onChanged: () => void;
}) {
  const [result, refetch] = useQuery({
    query: CallbackDetailsQuery,
    variables: { id: id ?? '' },
    pause: !id,
    requestPolicy: 'cache-and-network',
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `changes` is the trigger
  useEffect(() => {
    if (id && changes > 0) refetch({ requestPolicy: 'network-only' });
  }, [changes]);
  const [state, reschedule] = useMutation(RescheduleCallbackMutation);
  const [when, setWhen] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const cb = id && result.data?.callback?.id === id ? result.data.callback : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!cb || !when) return;
    setError(null);
    setNotice(null);
    const r = await reschedule({ id: cb.id, desiredTime: new Date(when).toISOString() });
    const failure = resultError(r.data?.rescheduleCallback, r.error);
    if (failure) return setError(failure.message);
    const payload = r.data?.rescheduleCallback;
    if (payload?.__typename === 'MutationRescheduleCallbackSuccess' && payload.data.desiredTime)
      setNotice(`Rescheduled to ${dateTime(payload.data.desiredTime)}.`);
    setWhen('');
    refetch({ requestPolicy: 'network-only' });
    onChanged();
  }

  const fields: [string, string][] = cb
    ? [
        ['Id', cb.id],
        ['Service', cb.serviceName],
        ['State', cb.reason ? `${cb.state} (${cb.reason})` : cb.state],
        ['Customer number', dash(cb.customerNumber)],
        ['Desired time', cb.desiredTime ? dateTime(cb.desiredTime) : 'now'],
        ['Created', dateTime(cb.createdAt)],
        ['Updated', dateTime(cb.updatedAt)],
        ['Completed', cb.completedAt ? dateTime(cb.completedAt) : '—'],
        ['Media', `${cb.mediaType}, ${cb.callDirection.toLowerCase()}`],
        ['Target', dash(cb.target)],
        ['Virtual queue', cb.virtualQueue],
        ['Position', dash(cb.queuePosition?.position)],
        ['EWT (s)', dash(cb.queuePosition?.eta)],
        ['Agent', dash(cb.agentId)],
        ['Connects', `${cb.connectCount} of ${cb.connectLimit}`],
      ]
    : [];

  return (
    <Dialog.Root
      open={Boolean(id)}
      onOpenChange={(open) => {
        if (open) return;
        setError(null);
        setNotice(null);
        setWhen('');
        onClose();
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" style={{ maxWidth: '44rem' }}>
          <Dialog.Title>Callback {cb ? (cb.customerNumber ?? cb.id) : ''}</Dialog.Title>
          <Dialog.Description className="visually-hidden">
            The callback's details and a new desired time.
          </Dialog.Description>
          {result.error && (
            <QueryError error={result.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
          )}
          {!cb && result.fetching && (
            <p role="status" aria-busy="true">
              Loading the callback…
            </p>
          )}
          {!cb && !result.fetching && !result.error && (
            <p className="empty">There is no callback {id} (it may have been removed).</p>
          )}
          {cb && (
            <>
              <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '0.15rem 1rem' }}>
                {fields.map(([k, v]) => (
                  <div key={k} style={{ display: 'contents' }}>
                    <dt style={{ fontWeight: 600 }}>{k}</dt>
                    <dd style={{ margin: 0, overflowWrap: 'anywhere' }}>{v}</dd>
                  </div>
                ))}
              </dl>
              <details>
                <summary>Legacy record</summary>
                <pre style={{ maxHeight: '12rem', overflow: 'auto' }}>
                  {JSON.stringify(cb.record, null, 2)}
                </pre>
              </details>
              {cb.state !== 'COMPLETED' && (
                <form
                  className="row"
                  onSubmit={submit}
                  aria-label="Reschedule"
                  style={{ marginTop: '0.75rem' }}
                >
                  <div className="field">
                    <label htmlFor="cb-reschedule">New desired time</label>
                    <input
                      id="cb-reschedule"
                      type="datetime-local"
                      value={when}
                      onChange={(e) => setWhen(e.target.value)}
                      required
                    />
                  </div>
                  <button type="submit" className="primary" disabled={state.fetching}>
                    {state.fetching ? 'Rescheduling…' : 'Reschedule'}
                  </button>
                </form>
              )}
              {error && (
                <div className="banner error" role="alert">
                  {error}
                </div>
              )}
              {notice && (
                <div className="banner info" role="status">
                  {notice}
                </div>
              )}
            </>
          )}
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
