/**
 * A button whose action asks first, in a modal <dialog> (focus moves into it,
 * Esc cancels, focus returns to the button). `confirmText` makes the user
 * type a word (the sandbox id) before a destructive action runs.
 */
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { errorText } from '../api';

interface Props {
  label: string;
  title: string;
  children?: ComponentChildren;
  action: () => Promise<unknown>;
  danger?: boolean;
  confirmText?: string;
  disabled?: boolean;
  /** The dialog's confirming button (default: label). */
  verb?: string;
}

export function ConfirmButton({ label, title, children, action, danger, confirmText, disabled, verb }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = () => {
    setTyped('');
    setError(null);
    dialog.current?.showModal();
  };
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
      dialog.current?.close();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const ready = confirmText === undefined || typed === confirmText;
  return (
    <>
      <button type="button" class={danger ? 'danger' : ''} onClick={open} disabled={disabled}>
        {label}
      </button>
      <dialog ref={dialog} aria-label={title}>
        <form method="dialog" onSubmit={run}>
          <h2>{title}</h2>
          {children}
          {confirmText !== undefined && (
            <label>
              Type <code>{confirmText}</code> to confirm
              <input value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autocomplete="off" spellcheck={false} />
            </label>
          )}
          {error && (
            <p class="note error" role="alert">
              {error}
            </p>
          )}
          <div class="actions">
            <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>
              Cancel
            </button>
            <button type="submit" class={danger ? 'danger' : 'primary'} disabled={!ready || busy}>
              {busy ? 'Working…' : (verb ?? label)}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
