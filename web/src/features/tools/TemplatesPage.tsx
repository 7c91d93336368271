import { Trash2, Upload } from 'lucide-react';
import { type FormEvent, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { resultError } from '../../lib/errors';
import { ConfirmDialog, useConfirm } from '../../ui/ConfirmDialog';
import { ErrorBanner } from '../../ui/ErrorBanner';
import { QueryError } from '../../ui/QueryError';
import {
  DeleteServiceTemplateMutation,
  ServiceTemplatesQuery,
  UploadServiceTemplateMutation,
} from './templates.documents';

/** Tools → Service Templates: the loaded templates, upload (.zip or template file), parameters by category, delete. */
export function TemplatesPage() {
  const [result, refetch] = useQuery({ query: ServiceTemplatesQuery });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const [, deleteTemplate] = useMutation(DeleteServiceTemplateMutation);
  const confirm = useConfirm(
    (name: string) =>
      deleteTemplate({ name }).then((r) => resultError(r.data?.deleteServiceTemplate, r.error)),
    reload,
  );
  const templates = result.data?.serviceTemplates ?? [];

  return (
    <section aria-labelledby="templates-title">
      <h2 id="templates-title">Service templates</h2>
      <UploadForm onUploaded={reload} />
      {result.error && <QueryError error={result.error} retry={reload} />}
      {result.data && templates.length === 0 && (
        <p className="empty">No template is loaded: upload one above.</p>
      )}
      {templates.map((t) => (
        <details key={t.name} className="panel service">
          <summary>
            <h3 style={{ display: 'inline', margin: 0 }}>{t.name}</h3>
            <span className="hint">
              {t.service} · {t.origin === 'BUNDLED' ? 'bundled' : 'uploaded'}
              {t.usedBy.length > 0 ? ` · used by ${t.usedBy.join(', ')}` : ''}
            </span>
          </summary>
          <p>{t.description}</p>
          <button type="button" onClick={() => confirm.ask(t.name)}>
            <Trash2 size={16} aria-hidden="true" /> Delete template {t.name}
          </button>
          {t.categories.map((c) => (
            <table key={c.name} className="data" style={{ marginTop: '0.75rem' }}>
              <caption style={{ textAlign: 'left', fontWeight: 700, padding: '0.3rem 0' }}>{c.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Default value</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {c.parameters.map((p) => (
                  <tr key={p.name}>
                    <td>
                      {p.label} <code className="hint">{p.name}</code>
                      {p.kind !== 'OPTIONAL' && <span className="hint"> ({p.kind.toLowerCase()})</span>}
                    </td>
                    <td>{p.defaultValue}</td>
                    <td>{p.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </details>
      ))}
      <ConfirmDialog
        {...confirm.dialog}
        title={`Delete template ${confirm.target ?? ''}?`}
        confirmLabel="Delete template"
      >
        <p>
          A template that configured services still use is refused. A bundled template can be loaded again
          later.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function UploadForm({ onUploaded }: { onUploaded: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [replace, setReplace] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [state, upload] = useMutation(UploadServiceTemplateMutation);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return setError('Choose a .zip or template file first.');
    setError(null);
    setDone(null);
    // urql sends a File variable as a GraphQL multipart request.
    const r = await upload({ file, replace });
    const payload = r.data?.uploadServiceTemplate;
    const failure = resultError(payload, r.error);
    if (failure) return setError(failure.field ? `${failure.field}: ${failure.message}` : failure.message);
    if (payload?.__typename === 'MutationUploadServiceTemplateSuccess')
      setDone(`Template ${payload.data.name} loaded.`);
    if (input.current) input.current.value = '';
    onUploaded();
  }
  return (
    <form className="panel toolbar" onSubmit={submit} aria-label="Add a service template">
      <div className="field">
        <label htmlFor="template-file">Template (.zip or .yaml)</label>
        <input id="template-file" ref={input} type="file" accept=".zip,.yaml,.yml,.json" />
      </div>
      <label className="row" style={{ fontWeight: 400, marginBottom: '0.4rem' }}>
        <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace a
        template of the same name
      </label>
      <button type="submit" className="primary" disabled={state.fetching}>
        <Upload size={16} aria-hidden="true" /> Add service template
      </button>
      <ErrorBanner error={error} />
      {done && (
        <div className="banner info" role="status" style={{ flexBasis: '100%' }}>
          {done}
        </div>
      )}
    </form>
  );
}
