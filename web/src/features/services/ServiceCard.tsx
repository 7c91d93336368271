import { Lock, Pencil, Trash2, X } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { type FieldError, resultError } from '../../lib/errors';
import { Hint } from '../../ui/Hint';
import { UpdateServiceMutation } from './documents';
import { OfficeHoursPanel } from './OfficeHoursPanel';
import type { ServiceView } from './ServicesPage';

type OptionView = ServiceView['options'][number];
type TemplateParameter = Omit<OptionView, 'value' | 'locked'>;

/**
 * The rows to show: the template's parameters in template order (those not configured show as
 * "not specified", e.g. request parameters), then options the template does not know (custom).
 */
function optionRows(options: OptionView[], parameters: TemplateParameter[]): OptionView[] {
  const configured = new Map(options.map((o) => [o.name, o]));
  const rows: OptionView[] = parameters.map(
    (p) => configured.get(p.name) ?? { ...p, value: '', locked: p.kind === 'MANDATORY' },
  );
  const known = new Set(parameters.map((p) => p.name));
  return [...rows, ...options.filter((o) => !known.has(o.name))];
}

/** One configured service: collapsible, its options grouped by template category (each collapsible). */
export function ServiceCard({
  service,
  templateParameters,
  onChanged,
  onDelete,
}: {
  service: ServiceView;
  templateParameters: TemplateParameter[];
  onChanged: () => void;
  onDelete: () => void;
}) {
  const [error, setError] = useState<FieldError | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [, update] = useMutation(UpdateServiceMutation);
  const categories = new Map<string, OptionView[]>();
  for (const o of optionRows(service.options, templateParameters)) {
    const key = o.category ?? 'Custom';
    categories.set(key, [...(categories.get(key) ?? []), o]);
  }

  async function change(input: {
    set?: { name: string; value: string }[];
    remove?: string[];
  }): Promise<boolean> {
    setError(null);
    const r = await update({ input: { name: service.name, ...input } });
    const payload = r.data?.updateService;
    const failure = resultError(payload, r.error);
    if (failure) {
      setError(failure);
      return false;
    }
    setWarnings(
      payload?.__typename === 'MutationUpdateServiceSuccess'
        ? payload.data.warnings.map((w) => w.message)
        : [],
    );
    onChanged();
    return true;
  }

  return (
    <details className="panel service" open>
      <summary>
        <h2>{service.name}</h2>
        <span className="hint">
          {service.template ?? service.serviceType}
          {service.preset ? ` · ${service.preset}` : ''}
        </span>
      </summary>
      <div className="row" style={{ justifyContent: 'space-between', margin: '0.5rem 0' }}>
        <span>
          URL: <code>{service.url}</code>
        </span>
        <button type="button" onClick={onDelete}>
          <Trash2 size={16} aria-hidden="true" /> Delete service {service.name}
        </button>
      </div>
      {error && !error.field && (
        <div className="banner error" role="alert">
          {error.message}
        </div>
      )}
      {warnings.map((w) => (
        <div key={w} className="banner warning" role="status">
          {w}
        </div>
      ))}
      {[...categories].map(([category, options]) => (
        <details key={category} className="category" open>
          <summary>{category}</summary>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Value</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {options.map((o) => (
                <OptionRow
                  key={o.name}
                  service={service.name}
                  option={o}
                  error={error?.field === o.name ? error.message : null}
                  onSet={(value) => change({ set: [{ name: o.name, value }] })}
                  onRemove={() => change({ remove: [o.name] })}
                />
              ))}
            </tbody>
          </table>
        </details>
      ))}
      {service.serviceType === 'office-hours' && (
        <OfficeHoursPanel service={service} onSet={(name, value) => change({ set: [{ name, value }] })} />
      )}
    </details>
  );
}

function OptionRow({
  service,
  option,
  error,
  onSet,
  onRemove,
}: {
  service: string;
  option: OptionView;
  error: string | null;
  onSet: (value: string) => Promise<boolean>;
  onRemove: () => Promise<boolean>;
}) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(option.value);
  const label = option.label ?? option.name;
  const id = `opt-${service}-${option.name}`;
  const isRequest = option.kind === 'REQUEST';
  const specified = option.value !== '';

  async function save(e: FormEvent) {
    e.preventDefault();
    if (await onSet(value)) setEditing(false);
  }

  return (
    <tr className="option">
      <th scope="row" style={{ fontWeight: 500 }}>
        <span className="row" style={{ gap: '0.3rem' }}>
          {option.locked && <Lock size={14} aria-label="Mandatory" role="img" />}
          <span title={option.name}>{label}</span>
          {label !== option.name && <code className="hint">{option.name}</code>}
          {isRequest && (
            <Hint
              label={`About ${label}`}
              text={`Request parameter: usually sent with each request. ${option.description ?? ''}`.trim()}
            />
          )}
        </span>
      </th>
      <td>
        {editing ? (
          <form className="row" onSubmit={save}>
            <label htmlFor={id} className="visually-hidden">
              Value of {label}
            </label>
            <input
              id={id}
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              // biome-ignore lint/a11y/noAutofocus: the field the admin just asked to edit
              autoFocus
            />
            <button type="submit" className="primary">
              Save
            </button>
            <button
              type="button"
              onClick={() => {
                setEditing(false);
                setValue(option.value);
              }}
            >
              Cancel
            </button>
          </form>
        ) : (
          <span className="value">
            {specified ? option.value : <em className="hint">not specified</em>}
            <button
              type="button"
              className="icon edit"
              aria-label={`Edit ${label}`}
              onClick={() => {
                setValue(option.value);
                setEditing(true);
              }}
            >
              <Pencil size={14} aria-hidden="true" />
            </button>
          </span>
        )}
        {isRequest && specified && (
          <div className="hint warn-text" role="note">
            Set here, it overrides the value sent with each request.
          </div>
        )}
        {error && (
          <div className="error" role="alert" id={`${id}-error`}>
            {error}
          </div>
        )}
      </td>
      <td style={{ width: '3rem', textAlign: 'right' }}>
        {isRequest
          ? specified && (
              <button type="button" className="icon" aria-label={`Clear ${label}`} onClick={onRemove}>
                <Trash2 size={16} aria-hidden="true" />
              </button>
            )
          : !option.locked &&
            specified && (
              <button type="button" className="icon" aria-label={`Remove ${label}`} onClick={onRemove}>
                <X size={16} aria-hidden="true" />
              </button>
            )}
      </td>
    </tr>
  );
}
