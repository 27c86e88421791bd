/**
 * Rows ↔ domain for task_grants: where a gateway task's model calls go, and
 * its provider key, sealed at rest. TaskStore.finish deletes a task's grant
 * in the transaction that ends the task.
 */
import type { Db } from './db.js';
import { seal, unseal } from './sealed.js';

export type GatewayApi = 'anthropic' | 'openai';
export type UpstreamAuth = 'x-api-key' | 'bearer' | 'none';

export interface Grant {
  taskId: string;
  sandboxId: string;
  api: GatewayApi;
  /** The provider's base URL; the agent's request path is appended to it. */
  upstream: string;
  auth: UpstreamAuth;
  /** The provider key (null with auth "none"). Never logged, never returned by the API. */
  key: string | null;
}

interface Row {
  task_id: string;
  sandbox_id: string;
  api: GatewayApi;
  upstream: string;
  auth: UpstreamAuth;
  key_sealed: string | null;
}

export class GrantStore {
  private readonly stmts;

  constructor(
    db: Db,
    private readonly key: Buffer,
  ) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO task_grants (task_id, sandbox_id, api, upstream, auth, key_sealed, created_at)
         VALUES (@taskId, @sandboxId, @api, @upstream, @auth, @keySealed, @now)`,
      ),
      get: db.prepare<[string], Row>('SELECT * FROM task_grants WHERE task_id = ?'),
      // Grants of tasks that ended some other way than finish() (none should exist): swept at boot.
      sweep: db.prepare("DELETE FROM task_grants WHERE task_id NOT IN (SELECT id FROM tasks WHERE status IN ('queued', 'running'))"),
    };
  }

  insert(g: Grant, now = Date.now()): void {
    this.stmts.insert.run({ ...g, keySealed: g.key === null ? null : seal(this.key, g.key), now });
  }

  get(taskId: string): Grant | undefined {
    const r = this.stmts.get.get(taskId);
    if (!r) return undefined;
    return {
      taskId: r.task_id,
      sandboxId: r.sandbox_id,
      api: r.api,
      upstream: r.upstream,
      auth: r.auth,
      key: r.key_sealed === null ? null : unseal(this.key, r.key_sealed),
    };
  }

  sweep(): number {
    return this.stmts.sweep.run().changes;
  }
}
