/**
 * The few shell lines that run inside the sandbox. The agent runs in the
 * container, not in the daemon: a detached exec starts the run script, which
 * leaves everything the daemon needs in the task dir of the workspace, so a
 * daemon restart loses nothing:
 *
 *   out.jsonl  the agent's stdout (JSON lines), tailed from the host
 *   err.log    its stderr
 *   prompt     its stdin
 *   pid        "<pid> <starttime>" of the `timeout` process that leads the
 *              agent's process group (starttime tells a live process from a
 *              reused pid after a container restart)
 *   exit       the exit code, written (atomically) once the agent has ended
 *              (126: the working directory or the prompt could not be set up)
 *
 * `setsid` detaches the script from the exec's session; coreutils `timeout`
 * enforces timeout_s on the agent's whole process group (exit 124).
 */
import { SANDBOX_HOME } from '../domain/layout.js';

/** Seconds between timeout's TERM and its KILL. */
export const KILL_AFTER_S = 10;

export type TaskFile = 'out.jsonl' | 'err.log' | 'pid' | 'exit';

/** Relative to the workspace root (the sandbox's HOME). */
export function taskDirSegments(taskId: string): string[] {
  return ['.sandboxed', 'tasks', taskId];
}

export function taskDirInContainer(taskId: string): string {
  return `${SANDBOX_HOME}/${taskDirSegments(taskId).join('/')}`;
}

/** Env var that carries the prompt to the run script (which writes it to `prompt`). */
export const PROMPT_ENV = 'SANDBOXED_TASK_PROMPT';

const RUN = `d=$1 w=$2 t=$3 k=$4
shift 4
mkdir -p "$d" || exit 1
# Nobody reads the exec's own streams: a write there (the shell's "Terminated") would kill us.
exec </dev/null >>"$d/err.log" 2>&1
finish() { echo "$1" >"$d/exit.tmp" && mv -f "$d/exit.tmp" "$d/exit"; exit 0; }
mkdir -p "$w" && cd "$w" || finish 126
printf '%s' "$${PROMPT_ENV}" >"$d/prompt" || finish 126
unset ${PROMPT_ENV}
timeout -k "$k" "$t" "$@" <"$d/prompt" >"$d/out.jsonl" 2>>"$d/err.log" &
p=$!
echo "$p $(awk '{print $22}' "/proc/$p/stat")" >"$d/pid.tmp" && mv -f "$d/pid.tmp" "$d/pid"
wait "$p"
finish "$?"
`;

// The group led by `timeout` plus every descendant of it (an agent may start
// children in their own groups or sessions), from one ps snapshot.
const SIGNAL = `d=$1 s=$2
read -r p st <"$d/pid" 2>/dev/null || exit 0
[ "$(awk '{print $22}' "/proc/$p/stat" 2>/dev/null)" = "$st" ] || exit 0
pids=$(ps -e -o pid= -o ppid= | awk -v r="$p" '{ par[$1] = $2 } END { keep[r] = 1; do { n = 0; for (q in par) if (!(q in keep) && (par[q] in keep)) { keep[q] = 1; n++ } } while (n > 0); for (q in keep) print q }')
kill -s "$s" -- "-$p" $pids 2>/dev/null
exit 0
`;

// Exit 0: running or finished; 3: not started yet; 1: gone without an exit code.
const ALIVE = `d=$1
[ -e "$d/exit" ] && exit 0
read -r p st <"$d/pid" 2>/dev/null || exit 3
[ "$(awk '{print $22}' "/proc/$p/stat" 2>/dev/null)" = "$st" ] && exit 0
[ -e "$d/exit" ] && exit 0
exit 1
`;

/** Runs `argv` in `cwd` (created when missing) with the prompt from PROMPT_ENV on stdin. */
export function runCommand(taskId: string, cwd: string, timeoutS: number, argv: string[]): string[] {
  return ['setsid', 'sh', '-c', RUN, 'sandboxed-task', taskDirInContainer(taskId), cwd, String(timeoutS), String(KILL_AFTER_S), ...argv];
}

export function signalCommand(taskId: string, signal: 'TERM' | 'KILL'): string[] {
  return ['sh', '-c', SIGNAL, 'sandboxed-task-signal', taskDirInContainer(taskId), signal];
}

export const ALIVE_EXIT = { alive: 0, dead: 1, notStarted: 3 } as const;

export function aliveCommand(taskId: string): string[] {
  return ['sh', '-c', ALIVE, 'sandboxed-task-alive', taskDirInContainer(taskId)];
}
