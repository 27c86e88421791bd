/** The states every view shows the same way: loading, an error (the API's message), nothing yet. */
import type { ComponentChildren } from 'preact';
import { errorText, requestIdOf } from '../api';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function ErrorNote({ error, title = 'Something went wrong', retry }: { error: unknown; title?: string; retry?: () => void }) {
  const id = requestIdOf(error);
  return (
    <div class="note error" role="alert">
      <strong>{title}</strong>
      <p class="message">{errorText(error)}</p>
      {id && <p class="muted small">Request id {id} (the daemon's log has it as reqId)</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}
