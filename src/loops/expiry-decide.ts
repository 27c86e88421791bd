/**
 * Which sandboxes are past their lifetime, decided purely from their rows:
 * `ttl` when ttl_s has passed since create (whatever they are doing), `idle`
 * when auto_delete_after_idle_s has passed since they were stopped and last
 * used (a request through the files API, a keepalive) with nothing in flight.
 */
import { isDeleted, type Sandbox } from '../domain/sandbox.js';

export type ExpiryReason = 'ttl' | 'idle';

export interface ExpiryDecision {
  expire: { id: string; reason: ExpiryReason }[];
  /** Past auto_delete_after_idle_s, but something is in flight (a log follower, a file download). */
  busy: string[];
}

/** One row's verdict: a reason to delete it, busy, or null (not expired). */
export function expiryOf(sb: Sandbox, now: number, busyCount: (id: string) => number): ExpiryReason | 'busy' | null {
  if (isDeleted(sb)) return null;
  if (sb.spec.ttlS !== undefined && now >= sb.createdAt + sb.spec.ttlS * 1000) return 'ttl';
  if (sb.spec.idleDeleteS === undefined || sb.desiredState !== 'stopped' || sb.stoppedAt === null) return null;
  if (now < Math.max(sb.stoppedAt, sb.lastActiveAt) + sb.spec.idleDeleteS * 1000) return null;
  return busyCount(sb.id) > 0 ? 'busy' : 'idle';
}

export function decideExpiry(rows: Sandbox[], now: number, busyCount: (id: string) => number): ExpiryDecision {
  const out: ExpiryDecision = { expire: [], busy: [] };
  for (const sb of rows) {
    const verdict = expiryOf(sb, now, busyCount);
    if (verdict === 'busy') out.busy.push(sb.id);
    else if (verdict !== null) out.expire.push({ id: sb.id, reason: verdict });
  }
  return out;
}
