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

// The pid file is the tenant's to rewrite: read at most 64 bytes of it, no glob,
// digits only; a process counts only when its start time matches.
const READ_PID = `set -f
set -- $(head -c 64 "$d/pid" 2>/dev/null)
p=\${1:-} st=\${2:-}
case $p in ''|*[!0-9]*) p= ;; esac
[ -n "$p" ] && [ -n "$st" ] && [ "$(awk '{print $22}' "/proc/$p/stat" 2>/dev/null)" = "$st" ] || p=`;

// The group led by `timeout` plus every descendant of it and of the run script
// (an agent may start children in their own groups or sessions), from one ps
// snapshot. The run script is found by its argv, so a rewritten pid file cannot
// hide the agent from us; the script itself is spared, to write the exit code.
const SIGNAL = `d=$1 s=$2
${READ_PID}
r=$(ps -ww -e -o pid= -o args= | awk -v m=" sandboxed-task $d " '$2 == "sh" && index($0 " ", m) { print $1 }')
[ -n "$p$r" ] || exit 0
pids=$(ps -e -o pid= -o ppid= | awk -v roots="$p $r" -v spare="$r" '{ par[$1] = $2 } END { n = split(roots, rs, " "); for (i = 1; i <= n; i++) keep[rs[i]] = 1; do { c = 0; for (q in par) if (!(q in keep) && (par[q] in keep)) { keep[q] = 1; c++ } } while (c > 0); n = split(spare, ss, " "); for (i = 1; i <= n; i++) delete keep[ss[i]]; for (q in keep) print q }')
[ -n "$p" ] && kill -s "$s" -- "-$p" 2>/dev/null
[ -n "$pids" ] && kill -s "$s" $pids 2>/dev/null
exit 0
`;

// Exit 0: running or finished; 3: not started yet; 1: gone without an exit code.
const ALIVE = `d=$1
[ -e "$d/exit" ] && exit 0
[ -e "$d/pid" ] || exit 3
${READ_PID}
[ -n "$p" ] && exit 0
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
