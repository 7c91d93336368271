import { Plus } from 'lucide-react';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ErrorBanner } from '../../ui/ErrorBanner';

/**
 * The parts Tools → Patterns and Tools → Resources share around their groups: the "New … group" form
 * and the side list that selects a group (the list's links are real URLs, `?group=<name>`).
 */

export function NewGroupForm({
  kind,
  placeholder,
  create,
  onCreated,
}: {
  kind: 'pattern' | 'resource';
  placeholder?: string;
  /** Creates the group; its refusal is shown under the form. */
  create: (name: string) => Promise<{ message: string } | null>;
  onCreated: (name: string) => void;
}) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const failure = await create(name.trim()).finally(() => setBusy(false));
    setError(failure?.message ?? null);
    if (failure) return;
    onCreated(name.trim());
    setName('');
  }
  const id = `new-${kind}-group`;
  return (
    <form className="toolbar" onSubmit={submit} aria-label={`Create a ${kind} group`}>
      <div className="field">
        <label htmlFor={id}>New {kind} group</label>
        <input
          id={id}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          placeholder={placeholder}
        />
      </div>
      <button type="submit" disabled={busy}>
        <Plus size={16} aria-hidden="true" /> New {kind} group
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}

export function GroupNav<G extends { id: number; name: string }>({
  label,
  path,
  groups,
  selected,
  hint,
  onSelect,
}: {
  /** The list's accessible name, e.g. "Pattern groups". */
  label: string;
  /** The page's path under /genesys. */
  path: string;
  groups: readonly G[];
  selected: string | undefined;
  /** Shown after a group's name. */
  hint: (group: G) => ReactNode;
  onSelect: (name: string) => void;
}) {
  return (
    <nav aria-label={label}>
      <ul className="side-list">
        {groups.map((g) => (
          <li key={g.id}>
            <a
              href={`${path}?group=${encodeURIComponent(g.name)}`}
              aria-current={g.name === selected ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                onSelect(g.name);
              }}
            >
              {g.name} <span className="hint">{hint(g)}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
