/**
 * Snapshots as every layer sees them: a copy of one sandbox's workspace disk
 * at a moment. A leaf: imports nothing of ours.
 */
export type SnapshotKind = 'manual' | 'checkpoint' | 'pre-restore';

export interface Snapshot {
  id: string;
  sandboxId: string;
  /** The life of the sandbox id it belongs to (its created_at). */
  sandboxCreatedAt: number;
  name: string | null;
  kind: SnapshotKind;
  /** Kept when its sandbox is purged; a source for new sandboxes. */
  template: boolean;
  /** The agent task it was taken before (kind checkpoint). */
  taskId: string | null;
  /** Bytes the copy takes on the data disk (allocated, not apparent). */
  sizeBytes: number;
  diskMb: number;
  createdAt: number;
}

/** Snapshot ids are lowercase ULIDs: safe as one path segment. */
export const SNAPSHOT_ID_PATTERN = /^[0-9a-z]{26}$/;
/** Names a user gives: short, printable, no path characters. */
export const SNAPSHOT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/** Taken by the daemon itself: pruned first, oldest first, when limits are hit. */
export function isAutomatic(s: Pick<Snapshot, 'kind'>): boolean {
  return s.kind !== 'manual';
}
