import { type ChangeEvent, type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { type FieldError, resultError } from '../../lib/errors';
import { ErrorBanner } from '../../ui/ErrorBanner';
import { AddResourcesMutation, RemoveResourcesMutation } from './resources.documents';

/**
 * Tools → Resources, numbers in bulk: a range (`18001110000-18001119999`) and/or CSV lines, typed,
 * pasted or read from an uploaded file. The server checks the whole input first and names the bad
 * line; nothing is written then.
 */
export function BulkResourcesForm({ group, onChanged }: { group: string; onChanged: () => void }) {
  const [range, setRange] = useState('');
  const [csv, setCsv] = useState('');
  const [force, setForce] = useState(false);
  const [error, setError] = useState<FieldError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [adding, add] = useMutation(AddResourcesMutation);
  const [removing, remove] = useMutation(RemoveResourcesMutation);
  const busy = adding.fetching || removing.fetching;

  async function readFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (file) setCsv(await file.text());
  }

  async function submit(kind: 'add' | 'remove') {
    setDone(null);
    const input = { range: range.trim() || null, csv: csv.trim() ? csv : null };
    const r = kind === 'add' ? await add({ group, input }) : await remove({ group, input, force });
    const payload = r.data && ('addResources' in r.data ? r.data.addResources : r.data.removeResources);
    const failure = resultError(payload, r.error);
    setError(failure);
    if (failure || !payload || !('data' in payload)) return;
    const { count, total } = payload.data;
    setDone(
      `${kind === 'add' ? 'Added' : 'Removed'} ${count.toLocaleString('en-US')} number${count === 1 ? '' : 's'}; ${group} has ${total.toLocaleString('en-US')}.`,
    );
    setRange('');
    setCsv('');
    onChanged();
  }

  return (
    <form
      className="panel"
      aria-label="Numbers in bulk"
      style={{ marginTop: '0.75rem' }}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void submit('add');
      }}
    >
      <h4 style={{ marginTop: 0 }}>Numbers in bulk</h4>
      <div className="field">
        <label htmlFor="bulk-range">Range</label>
        <input
          id="bulk-range"
          value={range}
          onChange={(e) => setRange(e.target.value)}
          placeholder="18001110000-18001119999"
          aria-describedby="bulk-hint"
          aria-invalid={error?.field === 'range' || undefined}
        />
      </div>
      <div className="field">
        <label htmlFor="bulk-csv">CSV (one a line: number, or name,number)</label>
        <textarea
          id="bulk-csv"
          value={csv}
          rows={4}
          onChange={(e) => setCsv(e.target.value)}
          placeholder={'Key1,1-800-1234\n18005550000'}
          aria-invalid={error?.field === 'csv' || undefined}
        />
      </div>
      <div className="field">
        <label htmlFor="bulk-file">Upload a CSV file</label>
        <input id="bulk-file" type="file" accept=".csv,.txt,text/csv,text/plain" onChange={readFile} />
      </div>
      <p id="bulk-hint" className="hint">
        A range names each number by itself; at most 100,000 numbers at once. Removing goes by access number.
      </p>
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          Add numbers
        </button>
        <button type="button" disabled={busy} onClick={() => void submit('remove')}>
          Remove numbers
        </button>
        <label className="row" style={{ fontWeight: 400 }}>
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Also booked
          ones (their bookings end)
        </label>
      </div>
      {done && <p role="status">{done}</p>}
      <ErrorBanner error={error} />
    </form>
  );
}
