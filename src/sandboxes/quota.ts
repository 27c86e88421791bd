/**
 * Per-token quotas (the limits in a token's SANDBOXD_API_TOKENS entry), decided
 * purely from what the token's sandboxes already take. The callers check and
 * write in one synchronous step, so two requests cannot both take the last
 * unit. The message names the limit: the API answers it as a 429.
 */
import type { TokenLimits } from '../domain/principal.js';

export interface SandboxUsage {
  sandboxes: number;
  memoryMb: number;
}

/** Why one more sandbox of `memoryMb` would pass a limit, or null. */
export function sandboxQuotaProblem(owner: string, limits: TokenLimits, usage: SandboxUsage, memoryMb: number): string | null {
  if (limits.maxSandboxes !== undefined && usage.sandboxes + 1 > limits.maxSandboxes) {
    return `quota max_sandboxes: token "${owner}" may have ${limits.maxSandboxes} live sandboxes and has ${usage.sandboxes}; delete one first`;
  }
  if (limits.maxMemoryMb !== undefined && usage.memoryMb + memoryMb > limits.maxMemoryMb) {
    return `quota max_memory_mb: token "${owner}" may have ${limits.maxMemoryMb} MiB in live sandboxes and has ${usage.memoryMb}; ${memoryMb} more is too many`;
  }
  return null;
}

/** Why one more agent task would pass the limit, or null. */
export function taskQuotaProblem(owner: string, limits: TokenLimits, active: number): string | null {
  if (limits.maxRunningTasks !== undefined && active + 1 > limits.maxRunningTasks) {
    return `quota max_running_tasks: token "${owner}" may have ${limits.maxRunningTasks} tasks queued or running and has ${active}; wait for one to end`;
  }
  return null;
}
