/**
 * Converges Docker to SQLite: at boot before the API listens, periodically,
 * and on demand. It decides purely (decideReconcile) from the service's
 * snapshot and asks the lifecycle service to converge each action; the
 * service re-checks it under the sandbox's lock and logs it as one line.
 */
import type { Logger } from 'pino';
import type { SandboxService } from '../sandboxes/service.js';
import { decideReconcile } from './reconcile-decide.js';

export interface ReconcileResult {
  created: number;
  started: number;
  stopped: number;
  removed: number;
  errors: { sandbox_id: string | null; action: string; error: string }[];
}

export class Reconciler {
  constructor(
    private readonly sandboxes: Pick<SandboxService, 'snapshot' | 'converge'>,
    private readonly log: Logger,
    /** Things that must exist before containers can (the network, its rules). */
    private readonly prepare: () => Promise<void> = async () => undefined,
  ) {}

  async reconcileOnce(): Promise<ReconcileResult> {
    await this.prepare();
    const result: ReconcileResult = { created: 0, started: 0, stopped: 0, removed: 0, errors: [] };
    const { rows, containers } = await this.sandboxes.snapshot();
    for (const action of decideReconcile(rows, containers)) {
      try {
        const outcome = await this.sandboxes.converge(action);
        if (outcome === 'created' || outcome === 'started' || outcome === 'stopped' || outcome === 'removed') result[outcome]++;
      } catch (err) {
        const sandboxId = 'id' in action ? action.id : action.sandboxId;
        result.errors.push({ sandbox_id: sandboxId, action: action.type, error: (err as Error).message });
        this.log.error({ sandboxId, action: action.type, err }, 'reconcile action failed');
      }
    }
    return result;
  }
}
