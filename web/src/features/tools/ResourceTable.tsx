import { useVirtualizer } from '@tanstack/react-virtual';
import { Pencil, X } from 'lucide-react';
import { type FormEvent, useRef, useState } from 'react';
import { useMutation } from 'urql';
import type { ToolsResourceGroupsQuery } from '../../gql/graphql';
import { resultError } from '../../lib/errors';
import { UpdateResourceMutation } from './resources.documents';

type Group = ToolsResourceGroupsQuery['resourceGroups'][number];
type Resource = Group['resources'][number];

/**
 * A real table whose body is virtualised: 10,000 numbers render only the rows in view. A number's
 * access number is changed in place with the pencil (the seed's "click here to set the value").
 */
export function ResourceTable({
  group,
  onRemove,
  onChanged,
}: {
  group: Group;
  onRemove: (name: string) => void;
  onChanged: () => void;
}) {
  const scroller = useRef<HTMLElement>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const rows = group.resources;
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 37,
    overscan: 12,
  });
  const items = virtual.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtual.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  if (rows.length === 0) return <p className="empty">No number in this group yet: add one below.</p>;
  return (
    <section
      ref={scroller}
      className="scroll-table"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1)
      tabIndex={0}
      aria-label={`Numbers of ${group.name}`}
    >
      <table className="data" aria-rowcount={rows.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col">Name</th>
            <th scope="col">Access number</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {padTop > 0 && (
            <tr>
              <td colSpan={4} style={{ height: padTop, padding: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const r = rows[item.index];
            if (!r) return null;
            return (
              <tr key={r.id} aria-rowindex={item.index + 2} style={{ height: 37 }}>
                <td>{r.name}</td>
                <td>
                  {editing === r.name ? (
                    <NumberEditor
                      group={group.name}
                      resource={r}
                      onDone={(saved) => {
                        setEditing(null);
                        if (saved) onChanged();
                      }}
                    />
                  ) : (
                    r.accessNumber
                  )}
                </td>
                <td>{r.booked ? 'Booked' : 'Free'}</td>
                <td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                  <button
                    type="button"
                    className="icon"
                    aria-label={`Edit access number of ${r.name}`}
                    onClick={() => setEditing(r.name)}
                  >
                    <Pencil size={14} aria-hidden="true" />
                  </button>
                  <button
                    type="button"
                    className="icon"
                    aria-label={`Remove resource ${r.name}`}
                    onClick={() => onRemove(r.name)}
                  >
                    <X size={16} aria-hidden="true" />
                  </button>
                </td>
              </tr>
            );
          })}
          {padBottom > 0 && (
            <tr>
              <td colSpan={4} style={{ height: padBottom, padding: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** The access number field of one row: Save asks the server (a number in use elsewhere is refused). */
function NumberEditor({
  group,
  resource,
  onDone,
}: {
  group: string;
  resource: Resource;
  onDone: (saved: boolean) => void;
}) {
  const [value, setValue] = useState(resource.accessNumber);
  const [error, setError] = useState<string | null>(null);
  const [state, update] = useMutation(UpdateResourceMutation);
  const id = `res-edit-${group}-${resource.name}`.replace(/[^A-Za-z0-9_-]/g, '_');

  async function save(e: FormEvent) {
    e.preventDefault();
    const r = await update({ group, name: resource.name, input: { accessNumber: value.trim() } });
    const failure = resultError(r.data?.updateResource, r.error);
    if (failure) return setError(failure.message);
    onDone(true);
  }

  return (
    <form className="row" onSubmit={save}>
      <label htmlFor={id} className="visually-hidden">
        Access number of {resource.name}
      </label>
      <input
        id={id}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        // biome-ignore lint/a11y/noAutofocus: the field the admin just asked to edit
        autoFocus
      />
      <button type="submit" className="primary" disabled={state.fetching}>
        Save
      </button>
      <button type="button" onClick={() => onDone(false)}>
        Cancel
      </button>
      {error && (
        <div className="error" role="alert" id={`${id}-error`} style={{ flexBasis: '100%' }}>
          {error}
        </div>
      )}
    </form>
  );
}
