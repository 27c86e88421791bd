/**
 * Which snapshots go when a sandbox is over its limits (count and bytes), decided
 * purely: automatic ones (checkpoints, pre-restore), oldest first, never the one
 * just taken; a named (manual) snapshot is never pruned. When the limits cannot
 * be met without touching named ones, the fresh snapshot is refused instead.
 */
import { isAutomatic, type Snapshot } from '../domain/snapshot.js';

export interface Limits {
  maxCount: number;
  maxBytes: number;
}

export function decidePrune(snapshots: Snapshot[], freshId: string, limits: Limits): { prune: string[]; refuse: boolean } {
  let count = snapshots.length;
  let bytes = snapshots.reduce((n, s) => n + s.sizeBytes, 0);
  const over = (): boolean => count > limits.maxCount || bytes > limits.maxBytes;
  const prune: string[] = [];
  const candidates = snapshots
    .filter((s) => isAutomatic(s) && s.id !== freshId)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  for (const s of candidates) {
    if (!over()) break;
    prune.push(s.id);
    count--;
    bytes -= s.sizeBytes;
  }
  return { prune, refuse: over() };
}
