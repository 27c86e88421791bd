/**
 * The one API client of the dashboard: the SDK on this page's own origin,
 * without a token (the session cookie goes with every same-origin request,
 * the terminal's WebSocket included).
 */
import { Sandboxed, SandboxedError } from '@sandboxed/sdk';

export const client = new Sandboxed({ url: location.origin });

/** Listeners for "the session is gone" (a 401 anywhere): the app shows the sign-in again. */
const signedOut = new Set<() => void>();

export function onSignedOut(fn: () => void): () => void {
  signedOut.add(fn);
  return () => signedOut.delete(fn);
}

/** What to tell the user about an error: the API's own message, with its status and request id. */
export function errorText(err: unknown): string {
  if (err instanceof SandboxedError) {
    if (err.status === 401) for (const fn of signedOut) fn();
    if (err.status === 0) return `The daemon did not answer (${err.message}).`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The request id of an API error, for the daemon's log; undefined for anything else. */
export function requestIdOf(err: unknown): string | undefined {
  return err instanceof SandboxedError ? err.requestId : undefined;
}
