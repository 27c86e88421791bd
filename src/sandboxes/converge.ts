/**
 * One reconcile action, applied by the lifecycle service under the sandbox's
 * lock. The row is re-read first: a request may have changed it since the
 * reconciler's snapshot, and then the action no longer applies.
 */
import type { Logger } from 'pino';
import { isDeleted } from '../domain/sandbox.js';
import type { SandboxStore } from '../store/sandboxes.js';
import type { Containers } from './containers.js';
import type { SandboxEvents } from './events.js';

export type ReconcileAction =
  | { type: 'create'; id: string }
  | { type: 'start'; id: string; containerId: string }
  | { type: 'stop'; id: string; containerId: string }
  | { type: 'remove'; id: string; containerId: string }
  | { type: 'remove-orphan'; containerId: string; sandboxId: string | null }
  | { type: 'observe'; id: string; containerId: string | null; running: boolean };

export type ConvergeOutcome = 'created' | 'started' | 'stopped' | 'removed' | 'observed' | 'unchanged';

/** The lock an action runs under: its sandbox, or the container for an orphan without one. */
export function lockKeyOf(action: ReconcileAction): string {
  return 'id' in action ? action.id : (action.sandboxId ?? action.containerId);
}

export async function applyAction(action: ReconcileAction, store: SandboxStore, containers: Containers, log: Logger, events: SandboxEvents): Promise<ConvergeOutcome> {
  if (action.type === 'remove-orphan') {
    const row = action.sandboxId ? store.get(action.sandboxId) : undefined;
    if (row && row.containerId === action.containerId && !isDeleted(row)) return 'unchanged';
    await containers.remove(action.containerId);
    log.warn({ sandboxId: action.sandboxId, containerId: action.containerId, reason: 'no row' }, 'reconcile: removed unknown container, workspace kept');
    return 'removed';
  }
  const row = store.get(action.id);
  if (!row) return 'unchanged';
  switch (action.type) {
    case 'create':
    case 'start': {
      if (row.desiredState !== 'running') return 'unchanged';
      const containerId = action.type === 'start' ? action.containerId : null;
      if (row.observedState === 'running') {
        // It ran and is gone or stopped, and nobody asked: it failed. Recorded first, so it is said once.
        events.failed(row.id, await containers.whyNotRunning(containerId));
        store.setObserved(row.id, containerId ? 'stopped' : 'none', containerId, row.lastError);
      }
      const outcome = await containers.start(store.get(row.id)!);
      if (outcome === 'already-running') return 'unchanged';
      log.info({ sandboxId: row.id, outcome, reason: action.type === 'create' ? 'container missing' : 'container not running' }, 'reconcile: started');
      events.started(row.id, 'reconcile');
      return outcome;
    }
    case 'stop':
      if (row.desiredState !== 'stopped') return 'unchanged';
      await containers.stop(row, 'reconcile: desired stopped', action.containerId);
      return 'stopped';
    case 'remove':
      if (!isDeleted(row)) return 'unchanged';
      await containers.remove(action.containerId);
      store.setObserved(row.id, 'none', null);
      log.info({ sandboxId: row.id, containerId: action.containerId, reason: `row ${row.desiredState}` }, 'reconcile: removed container');
      return 'removed';
    case 'observe':
      store.setObserved(row.id, action.running ? 'running' : action.containerId ? 'stopped' : 'none', action.containerId, row.lastError);
      // A change a crash kept from being said (the daemon died between Docker's answer and its own write).
      if (action.running && row.observedState !== 'running') events.started(row.id, 'observed');
      if (!action.running && row.observedState === 'running') events.stopped(row.id, 'observed');
      return 'observed';
  }
}
