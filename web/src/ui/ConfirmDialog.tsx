import * as Dialog from '@radix-ui/react-dialog';
import { type ReactNode, useState } from 'react';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  /** Shown inside the dialog (e.g. the server refused). */
  error?: string | null;
  onConfirm: () => void;
  onOpenChange: (open: boolean) => void;
}

/** A confirmation for destructive actions: focus moves in, Escape cancels, focus returns after. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onOpenChange,
}: ConfirmDialogProps) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>{title}</Dialog.Title>
          <Dialog.Description asChild>
            <div>{children}</div>
          </Dialog.Description>
          {error && (
            <div className="banner error" role="alert">
              {error}
            </div>
          )}
          <div className="actions">
            <Dialog.Close asChild>
              <button type="button">Cancel</button>
            </Dialog.Close>
            <button type="button" className="danger" onClick={onConfirm} disabled={busy}>
              {busy ? 'Working…' : confirmLabel}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/**
 * The state of a ConfirmDialog about one target (a name, or `{ kind, name }`), so pages do not each
 * keep it: `ask(target)` opens the dialog; confirming runs `action`, whose refusal stays in the
 * dialog (read it, cancel or try again) while success closes it and calls `done`. Spread `dialog`
 * into `<ConfirmDialog>`; `target` is what is being confirmed (null when closed).
 */
export function useConfirm<T>(
  action: (target: T) => Promise<{ message: string } | null>,
  done: (target: T) => void,
) {
  const [target, setTarget] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function onConfirm() {
    if (target === null || busy) return;
    setBusy(true);
    const failure = await action(target).finally(() => setBusy(false));
    if (failure) return setError(failure.message);
    setTarget(null);
    done(target);
  }
  return {
    target,
    ask(next: T) {
      setError(null);
      setTarget(next);
    },
    dialog: {
      open: target !== null,
      busy,
      error,
      onConfirm,
      onOpenChange: (open: boolean) => {
        if (!open) setTarget(null);
      },
    },
  };
}
