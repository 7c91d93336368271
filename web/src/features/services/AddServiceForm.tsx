import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import type { ServicesPageQuery as ServicesPageData } from '../../gql/graphql';
import { type FieldError, resultError } from '../../lib/errors';
import { ErrorBanner } from '../../ui/ErrorBanner';
import { CreateServiceMutation } from './documents';

type Template = ServicesPageData['serviceTemplates'][number];

/** The seed's drop-down of loaded templates (with the callback presets) and the new service's name. */
export function AddServiceForm({ templates, onAdded }: { templates: Template[]; onAdded: () => void }) {
  const [template, setTemplate] = useState('');
  const [preset, setPreset] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<FieldError | null>(null);
  const [added, setAdded] = useState<{ name: string; url: string; warnings: string[] } | null>(null);
  const [state, create] = useMutation(CreateServiceMutation);
  const presets = templates.find((t) => t.name === template)?.presets ?? [];

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setAdded(null);
    const r = await create({
      input: { name: name.trim(), template: template || null, preset: preset || null },
    });
    const payload = r.data?.createService;
    const failure = resultError(payload, r.error);
    if (failure) return setError(failure);
    if (payload?.__typename === 'MutationCreateServiceSuccess') {
      const { service, warnings } = payload.data;
      setAdded({
        name: service.name,
        url: service.url,
        warnings: warnings.map((w) => `${w.field}: ${w.message}`),
      });
    }
    setName('');
    onAdded();
  }

  const fieldError = (field: string) =>
    error?.field === field ? (
      <span className="error" role="alert" id={`add-${field}-error`}>
        {error.message}
      </span>
    ) : null;

  return (
    <form className="panel toolbar" onSubmit={submit} aria-label="Add a service">
      <div className="field">
        <label htmlFor="add-template">Template</label>
        <select
          id="add-template"
          value={template}
          onChange={(e) => {
            setTemplate(e.target.value);
            setPreset('');
          }}
          required
          aria-invalid={error?.field === 'template' || undefined}
          aria-describedby={error?.field === 'template' ? 'add-template-error' : undefined}
        >
          <option value="">Choose a template…</option>
          {templates.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name}
            </option>
          ))}
        </select>
        {fieldError('template')}
      </div>
      {presets.length > 0 && (
        <div className="field">
          <label htmlFor="add-preset">Preset</label>
          <select id="add-preset" value={preset} onChange={(e) => setPreset(e.target.value)}>
            <option value="">None (template defaults)</option>
            {presets.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
          {fieldError('preset')}
        </div>
      )}
      <div className="field">
        <label htmlFor="add-name">Service name</label>
        <input
          id="add-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          placeholder="e.g. match-interaction"
          aria-invalid={error?.field === 'name' || undefined}
          aria-describedby={error?.field === 'name' ? 'add-name-error' : undefined}
        />
        {fieldError('name')}
      </div>
      <button type="submit" className="primary" disabled={state.fetching}>
        {state.fetching ? 'Adding…' : 'Add service'}
      </button>
      {/* template, preset and name errors stand beside their field */}
      <ErrorBanner error={['template', 'preset', 'name'].includes(error?.field ?? '') ? null : error} />
      {added && (
        <div className="banner info" role="status" style={{ flexBasis: '100%' }}>
          Service {added.name} added: it answers at <code>{added.url}</code>.
          {added.warnings.map((w) => (
            <div key={w}>{w}</div>
          ))}
        </div>
      )}
    </form>
  );
}
