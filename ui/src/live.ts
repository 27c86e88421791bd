/**
 * Live updates of the sandboxes the dashboard shows, behind one function so
 * the transport can change without the views knowing: `onChange` is called
 * whenever sandboxes may have changed, and the view reads them again.
 *
 * Today this polls GET /v1/sandboxes every few seconds while the page is
 * visible (the API has no event stream yet).
 */
const POLL_MS = 3000;

export function watchSandboxes(onChange: () => void): () => void {
  const tick = () => {
    if (document.visibilityState === 'visible') onChange();
  };
  const timer = setInterval(tick, POLL_MS);
  // Coming back to the tab catches up at once.
  document.addEventListener('visibilitychange', tick);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', tick);
  };
}
