/**
 * The commands that run a session's process and signal it later. Closing the
 * engine's stream does not end an exec, so the session leader's pid is noted
 * in the container's own /tmp and the whole session (`pkill -s`) is signalled
 * from a second exec.
 */
import type { SessionSignal } from './protocol.js';

/** Runs `cmd` after noting its pid (the session leader's: a TTY exec starts a new session). */
export function wrapCommand(sessionId: string, cmd: string[]): string[] {
  return ['sh', '-c', 'echo $$ 2>/dev/null >"/tmp/.sandboxed-pty-$0.pid"; exec "$@"', sessionId, ...cmd];
}

// The pid file is the tenant's to change: only a plain number other than 0 and 1 is used,
// and whatever it names is the tenant's own process, signalled as the tenant's own user.
const SIGNAL_SCRIPT =
  'p=$(head -c 16 "/tmp/.sandboxed-pty-$1.pid" 2>/dev/null); case "$p" in ""|*[!0-9]*|0|1) exit 0;; esac; ' +
  'pkill -"$2" -s "$p"; [ "$2" != KILL ] || rm -f "/tmp/.sandboxed-pty-$1.pid"';

/** Signals every process of the session. */
export function signalCommand(sessionId: string, signal: SessionSignal | 'KILL'): string[] {
  return ['sh', '-c', SIGNAL_SCRIPT, 'sh', sessionId, signal];
}
