/** A status as a coloured badge with its word (colour is never the only cue). */
const TONE: Record<string, string> = {
  running: 'ok',
  succeeded: 'ok',
  ready: 'ok',
  starting: 'busy',
  stopping: 'busy',
  queued: 'busy',
  backoff: 'warn',
  stopped: 'idle',
  cancelled: 'idle',
  error: 'bad',
  failed: 'bad',
  timed_out: 'bad',
};

export function Status({ value }: { value: string }) {
  return <span class={`badge ${TONE[value] ?? 'idle'}`}>{value.replace('_', ' ')}</span>;
}
