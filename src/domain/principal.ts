/**
 * Who a request acts for: an API token (its name owns the sandboxes it
 * creates, its limits cap them) or the operator (auth off, or an admin token),
 * who sees and acts on every sandbox. A leaf: imports nothing of ours but the
 * metadata key the owner is kept under.
 */
import { OWNER_KEY, type Metadata } from './metadata.js';

/** A token's caps; absent means none. */
export interface TokenLimits {
  /** Live (running or stopped) sandboxes it owns. */
  maxSandboxes?: number;
  /** The memory_mb of its live sandboxes, added up. */
  maxMemoryMb?: number;
  /** Agent tasks queued or running in its sandboxes at once. */
  maxRunningTasks?: number;
}

export interface Principal {
  /** The token's name (kept as metadata sandboxed.owner); null with auth off. */
  owner: string | null;
  /** Sees and acts on every sandbox; otherwise only on those it owns. */
  admin: boolean;
  limits: TokenLimits;
}

/** Auth off: only this host's processes reach the API (config.ts refuses anything else). */
export const OPERATOR: Principal = Object.freeze({ owner: null, admin: true, limits: Object.freeze({}) });

export function ownerOf(md: Metadata): string | null {
  return md[OWNER_KEY] ?? null;
}

/** Whether the principal may see and act on a sandbox with this metadata (a tombstone's included). */
export function mayAct(p: Principal, md: Metadata): boolean {
  return p.admin || (p.owner !== null && ownerOf(md) === p.owner);
}
