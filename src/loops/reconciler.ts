/**
 * Converges Docker to SQLite: at boot before the API listens, periodically,
 * and on demand. Each action is re-checked under the sandbox's lock (the row
 * may have changed since the snapshot) and logged as one line.
 */
import type { Logger } from 'pino';
import type { ContainerEngine } from '../docker/engine.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { SandboxStore } from '../store/sandboxes.js';
import { decideReconcile, type ReconcileAction } from './reconcile-decide.js';

export interface ReconcileResult {
  created: number;
  started: number;
  stopped: number;
  removed: number;
  errors: { sandbox_id: string | null; action: string; error: string }[];
}

export class Reconciler {
  constructor(
    private readonly instance: string,
    private readonly store: SandboxStore,
    private readonly engine: ContainerEngine,
    private readonly sandboxes: SandboxService,
    private readonly log: Logger,
    /** Things that must exist before containers can (the network, its rules). */
    private readonly prepare: () => Promise<void> = async () => undefined,
  ) {}

  async reconcileOnce(): Promise<ReconcileResult> {
    await this.prepare();
    const result: ReconcileResult = { created: 0, started: 0, stopped: 0, removed: 0, errors: [] };
    const containers = await this.engine.listManaged(this.instance);
    const actions = decideReconcile(this.store.listAll(), containers);
    for (const action of actions) {
      const key = 'id' in action ? action.id : (action.sandboxId ?? action.containerId);
      try {
        await this.sandboxes.locks.run(key, () => this.apply(action, result));
      } catch (err) {
        const sandboxId = 'id' in action ? action.id : action.sandboxId;
        result.errors.push({ sandbox_id: sandboxId, action: action.type, error: (err as Error).message });
        this.log.error({ sandboxId, action: action.type, err }, 'reconcile action failed');
        if ('id' in action) this.store.setError(action.id, (err as Error).message);
      }
    }
    return result;
  }

  private async apply(action: ReconcileAction, result: ReconcileResult): Promise<void> {
    if (action.type === 'remove-orphan') {
      const row = action.sandboxId ? this.store.get(action.sandboxId) : undefined;
      if (row && row.containerId === action.containerId && row.desiredState !== 'destroyed' && row.desiredState !== 'purged') return;
      await this.engine.remove(action.containerId);
      result.removed++;
      this.log.warn({ sandboxId: action.sandboxId, containerId: action.containerId, reason: 'no row' }, 'reconcile: removed unknown container, workspace kept');
      return;
    }
    const row = this.store.get(action.id);
    if (!row) return;
    switch (action.type) {
      case 'create':
      case 'start': {
        if (row.desiredState !== 'running') return;
        const outcome = await this.sandboxes.startContainer(row);
        if (outcome === 'created') result.created++;
        if (outcome === 'started') result.started++;
        if (outcome !== 'already-running') {
          this.log.info({ sandboxId: row.id, outcome, reason: action.type === 'create' ? 'container missing' : 'container not running' }, 'reconcile: started');
        }
        return;
      }
      case 'stop': {
        if (row.desiredState !== 'stopped') return;
        await this.sandboxes.stopContainer({ ...row, containerId: action.containerId }, 'reconcile: desired stopped');
        result.stopped++;
        return;
      }
      case 'remove': {
        if (row.desiredState !== 'destroyed' && row.desiredState !== 'purged') return;
        await this.engine.remove(action.containerId);
        this.store.setObserved(row.id, 'none', null);
        result.removed++;
        this.log.info({ sandboxId: row.id, containerId: action.containerId, reason: `row ${row.desiredState}` }, 'reconcile: removed container');
        return;
      }
      case 'observe': {
        this.store.setObserved(row.id, action.running ? 'running' : action.containerId ? 'stopped' : 'none', action.containerId, row.lastError);
        return;
      }
    }
  }
}
