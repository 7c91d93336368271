import { useConfirm } from '../../ui/ConfirmDialog';

/** What Tools → Patterns and Resources ask to confirm: a whole group, or one item of a group. */
export type GroupOrItem = { kind: 'group'; name: string } | { kind: 'item'; group: string; name: string };

type Refusal = { message: string } | null;

/**
 * The one ConfirmDialog of a page of groups and their items (patterns, resources): "Delete <item>
 * group X?" or "Remove <item> X?", running the matching mutation. Spread `dialog` into
 * `<ConfirmDialog>`; `done` runs after a success (a deleted group is no longer selectable).
 */
export function useGroupItemConfirm(
  item: string,
  actions: {
    deleteGroup(name: string): Promise<Refusal>;
    removeItem(group: string, name: string): Promise<Refusal>;
  },
  done: (target: GroupOrItem) => void,
) {
  const confirm = useConfirm(
    (t: GroupOrItem) =>
      t.kind === 'group' ? actions.deleteGroup(t.name) : actions.removeItem(t.group, t.name),
    done,
  );
  const t = confirm.target;
  return {
    askGroup: (name: string) => confirm.ask({ kind: 'group', name }),
    askItem: (group: string, name: string) => confirm.ask({ kind: 'item', group, name }),
    dialog: {
      ...confirm.dialog,
      title: t?.kind === 'group' ? `Delete ${item} group ${t.name}?` : `Remove ${item} ${t?.name ?? ''}?`,
      confirmLabel: t?.kind === 'group' ? 'Delete group' : `Remove ${item}`,
    },
  };
}
