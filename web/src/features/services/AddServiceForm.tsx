import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import type { ServicesPageQuery as ServicesPageData } from '../../gql/graphql';
import { type FieldError, resultError } from '../../lib/errors';
import { ErrorBanner } from '../../ui/ErrorBanner';
import { CreateServiceMutation } from './documents';

type Template = ServicesPageData['serviceTemplates'][number];

/**
 * The mandatory parameters a new service of `template` (with `preset`) has no value for: neither a
 * default nor a preset value. The server refuses the service without them (e.g. callback's _target
 * and _urs_virtual_queue), so the form asks for them.
 */
export function parametersToAsk(template: Template | undefined, preset: string) {
  if (!template) return [];
  const fromPreset = new Set(
    (template.presets.find((p) => p.name === preset)?.values ?? [])
      .filter((v) => v.value !== '')
      .map((v) => v.name),
  );
  return template.mandatory.filter(
    (p) => p.kind === 'MANDATORY' && p.defaultValue === '' && !fromPreset.has(p.name),
  );
}

/** The seed's drop-down of loaded templates (with the callback presets) and the new service's name. */
export function AddServiceForm({ templates, onAdded }: { templates: Template[]; onAdded: () => void }) {
  const [template, setTemplate] = useState('');
  const [preset, setPreset] = useState('');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<FieldError | null>(null);
  const [added, setAdded] = useState<{ name: string; url: string; warnings: string[] } | null>(null);
  const [state, create] = useMutation(CreateServiceMutation);
  const chosen = templates.find((t) => t.name === template);
  const presets = chosen?.presets ?? [];
  const asked = parametersToAsk(chosen, preset);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setAdded(null);
    const r = await create({
      input: {
        name: name.trim(),
        template: template || null,
        preset: preset || null,
        options: asked.map((p) => ({ name: p.name, value: (values[p.name] ?? '').trim() })),
      },
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
    setValues({});
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
      {asked.map((p) => (
        <div className="field" key={p.name}>
          <label htmlFor={`add-${p.name}`}>{p.label || p.name}</label>
          <input
            id={`add-${p.name}`}
            value={values[p.name] ?? ''}
            onChange={(e) => setValues((v) => ({ ...v, [p.name]: e.target.value }))}
            required
            title={p.description || undefined}
            placeholder={p.name}
            aria-invalid={error?.field === p.name || undefined}
            aria-describedby={error?.field === p.name ? `add-${p.name}-error` : undefined}
          />
          {fieldError(p.name)}
        </div>
      ))}
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
      {/* template, preset, name and asked-for parameter errors stand beside their field */}
      <ErrorBanner
        error={
          ['template', 'preset', 'name', ...asked.map((p) => p.name)].includes(error?.field ?? '')
            ? null
            : error
        }
      />
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
