/**
 * When a failed delivery is tried again, decided purely: exponential backoff
 * from 1 s (doubling, at most 10 min, ±20 % jitter so receivers coming back
 * are not hit by every queue at once), for SANDBOXD_WEBHOOK_RETRY_SECONDS from
 * the event; one last attempt at that deadline, then it is given up.
 */
export const FIRST_RETRY_MS = 1000;
export const MAX_BACKOFF_MS = 10 * 60_000;

export type RetryDecision = { kind: 'retry'; at: number } | { kind: 'give-up' };

/** `attempts`: how many were made, the failed one included. `jitter` in [0, 1). */
export function decideRetry(attempts: number, createdAt: number, now: number, windowMs: number, jitter: number): RetryDecision {
  const deadline = createdAt + windowMs;
  if (now >= deadline) return { kind: 'give-up' };
  const backoff = Math.min(FIRST_RETRY_MS * 2 ** Math.min(attempts - 1, 30), MAX_BACKOFF_MS);
  const delay = Math.round(backoff * (0.8 + 0.4 * jitter));
  return { kind: 'retry', at: Math.min(now + delay, deadline) };
}
