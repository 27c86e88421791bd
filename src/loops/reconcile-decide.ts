/**
 * What the reconciler should do, decided purely from the rows (SQLite, the
 * truth) and the managed containers Docker reports.
 */
import type { ContainerInfo } from '../docker/engine.js';
import { KIND_POOL, LABEL_KIND } from '../docker/labels.js';
import { isDeleted, type Sandbox } from '../domain/sandbox.js';
import type { ReconcileAction } from '../sandboxes/converge.js';

/**
 * A row finds its container by the id it names first (labels are fixed at
 * create, and a claimed warm-pool container keeps its pool entry's labels),
 * then by the sandbox id label. Pooled containers are the pool's to manage:
 * only a row that names one makes it the reconciler's.
 */
export function decideReconcile(rows: Sandbox[], containers: ContainerInfo[]): ReconcileAction[] {
  const actions: ReconcileAction[] = [];
  const byContainerId = new Map(containers.map((c) => [c.id, c]));
  const byId = new Map<string, ContainerInfo[]>();
  for (const c of containers) {
    if (c.labels[LABEL_KIND] === KIND_POOL) continue;
    const key = c.sandboxId ?? '';
    byId.set(key, [...(byId.get(key) ?? []), c]);
  }
  const rowIds = new Set(rows.map((r) => r.id));

  for (const row of rows) {
    const mine = byId.get(row.id) ?? [];
    const named = row.containerId ? byContainerId.get(row.containerId) : undefined;
    const keep = named ?? mine[0];
    for (const extra of mine) {
      if (extra !== keep) actions.push({ type: 'remove-orphan', containerId: extra.id, sandboxId: row.id });
    }
    if (isDeleted(row)) {
      if (keep) actions.push({ type: 'remove', id: row.id, containerId: keep.id });
      continue;
    }
    if (row.desiredState === 'running') {
      if (!keep) actions.push({ type: 'create', id: row.id });
      else if (!keep.running) actions.push({ type: 'start', id: row.id, containerId: keep.id });
      else if (row.observedState !== 'running' || row.containerId !== keep.id) {
        actions.push({ type: 'observe', id: row.id, containerId: keep.id, running: true });
      }
      continue;
    }
    // desired stopped
    if (keep?.running) actions.push({ type: 'stop', id: row.id, containerId: keep.id });
    else if (!keep && (row.observedState !== 'none' || row.containerId !== null)) {
      actions.push({ type: 'observe', id: row.id, containerId: null, running: false });
    } else if (keep && (row.observedState !== 'stopped' || row.containerId !== keep.id)) {
      actions.push({ type: 'observe', id: row.id, containerId: keep.id, running: false });
    }
  }

  for (const [sandboxId, list] of byId) {
    if (sandboxId !== '' && rowIds.has(sandboxId)) continue;
    for (const c of list) actions.push({ type: 'remove-orphan', containerId: c.id, sandboxId: c.sandboxId });
  }
  return actions;
}
