/**
 * Crash points for recovery tests: with SANDBOXD_FAULT_KILL_AT set to a step's
 * name (or `name#n`: the n-th time it is reached), the daemon kills itself
 * (SIGKILL, no cleanup, exactly like kill -9) when it gets there. Empty (the
 * default) makes every point a no-op.
 */
const reached = new Map<string, number>();

export function faultPoint(killAt: string, step: string): void {
  if (killAt === '' || !killAt.startsWith(step)) return;
  const n = (reached.get(step) ?? 0) + 1;
  reached.set(step, n);
  if (killAt === step || killAt === `${step}#${n}`) process.kill(process.pid, 'SIGKILL');
}
