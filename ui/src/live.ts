/**
 * Live updates of the sandboxes the dashboard shows: `onChange` is called
 * whenever sandboxes may have changed, and the view reads them again.
 *
 * One lifecycle event stream (GET /v1/events, through the SDK, which resumes
 * a dropped stream by Last-Event-ID) is shared by every view of the page. If
 * the stream is refused (a token scoped to its own sandboxes may not read
 * every sandbox's events; too many streams: 429) or gives up, the views poll
 * instead while the page is visible, and the stream is tried again later.
 */
import { client } from './api';

const POLL_MS = 5000;
const RETRY_STREAM_MS = 30_000;
/** Events come in bursts (a create is created then started): one reload per burst. */
const SETTLE_MS = 150;

export type LiveMode = 'connecting' | 'live' | 'polling';

const listeners = new Set<(sandboxId: string | null) => void>();
const modeListeners = new Set<(mode: LiveMode) => void>();
let mode: LiveMode = 'connecting';
let abort: AbortController | null = null;
let poll: ReturnType<typeof setInterval> | null = null;
let retry: ReturnType<typeof setTimeout> | null = null;

function setMode(next: LiveMode): void {
  mode = next;
  for (const fn of modeListeners) fn(next);
}

function notify(sandboxId: string | null): void {
  for (const fn of listeners) fn(sandboxId);
}

function pollTick(): void {
  if (document.visibilityState === 'visible') notify(null);
}

async function follow(signal: AbortSignal): Promise<void> {
  let pending: ReturnType<typeof setTimeout> | null = null;
  const touched = new Set<string>();
  try {
    // A (re)connect may have missed changes while it was down: every view reads again.
    const opened = () => (setMode('live'), notify(null));
    for await (const ev of client.events.stream({ types: ['sandbox.*', 'task.*'], signal, onOpen: opened })) {
      touched.add('sandbox_id' in ev ? ev.sandbox_id : '');
      pending ??= setTimeout(() => {
        pending = null;
        for (const id of touched) notify(id === '' ? null : id);
        touched.clear();
      }, SETTLE_MS);
    }
  } finally {
    if (pending !== null) clearTimeout(pending);
  }
}

function start(): void {
  abort = new AbortController();
  const { signal } = abort;
  setMode('connecting');
  follow(signal).catch(() => {
    if (signal.aborted) return;
    setMode('polling');
    poll ??= setInterval(pollTick, POLL_MS);
    retry = setTimeout(() => {
      retry = null;
      if (poll !== null) clearInterval(poll);
      poll = null;
      if (listeners.size > 0) start();
    }, RETRY_STREAM_MS);
  });
}

function stop(): void {
  abort?.abort();
  abort = null;
  if (poll !== null) clearInterval(poll);
  if (retry !== null) clearTimeout(retry);
  poll = retry = null;
}

/** Calls `onChange(sandboxId)` (null: any) when sandboxes may have changed; the stream runs while someone watches. */
export function watchSandboxes(onChange: (sandboxId: string | null) => void): () => void {
  listeners.add(onChange);
  if (listeners.size === 1) start();
  // Coming back to the tab catches up at once (a stream may have been cut while the machine slept).
  const visible = () => document.visibilityState === 'visible' && onChange(null);
  document.addEventListener('visibilitychange', visible);
  return () => {
    listeners.delete(onChange);
    document.removeEventListener('visibilitychange', visible);
    if (listeners.size === 0) stop();
  };
}

/** The live updates' state, for a small indicator. */
export function watchLiveMode(fn: (mode: LiveMode) => void): () => void {
  modeListeners.add(fn);
  fn(mode);
  return () => modeListeners.delete(fn);
}
