/**
 * Rows ↔ domain for the sandboxes table. snake_case stays in here. Injected
 * env values are sealed at rest (src/store/sealed.ts); rows written before
 * sealing are sealed when the store opens.
 */
import type { DesiredState, ObservedState, Sandbox, SandboxSpec } from '../domain/sandbox.js';
import type { Db } from './db.js';
import { isSealed, seal, unseal } from './sealed.js';

interface Row {
  id: string;
  desired_state: DesiredState;
  observed_state: ObservedState;
  container_id: string | null;
  spec_json: string;
  env_json: string;
  created_at: number;
  updated_at: number;
  last_active_at: number;
  last_error: string | null;
}

function toSandbox(row: Row, env: (row: Row) => Record<string, string>): Sandbox {
  return {
    id: row.id,
    spec: JSON.parse(row.spec_json) as SandboxSpec,
    desiredState: row.desired_state,
    observedState: row.observed_state,
    containerId: row.container_id,
    envNames: Object.keys(env(row)).sort(),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastActiveAt: row.last_active_at,
    lastError: row.last_error,
  };
}

export interface NewSandbox {
  id: string;
  spec: SandboxSpec;
  env: Record<string, string>;
  now: number;
}

export class SandboxStore {
  private readonly stmts;

  constructor(
    db: Db,
    private readonly key: Buffer,
  ) {
    this.stmts = {
      get: db.prepare<[string], Row>('SELECT * FROM sandboxes WHERE id = ?'),
      listLive: db.prepare<[], Row>("SELECT * FROM sandboxes WHERE desired_state IN ('running','stopped') ORDER BY created_at, id"),
      listAll: db.prepare<[], Row>('SELECT * FROM sandboxes ORDER BY created_at, id'),
      upsert: db.prepare(
        `INSERT INTO sandboxes (id, desired_state, observed_state, container_id, spec_json, env_json, created_at, updated_at, last_active_at, last_error)
         VALUES (@id, 'running', 'none', NULL, @spec, @env, @now, @now, @now, NULL)
         ON CONFLICT(id) DO UPDATE SET desired_state='running', observed_state='none', container_id=NULL, spec_json=@spec,
           env_json=@env, created_at=@now, updated_at=@now, last_active_at=@now, last_error=NULL
         WHERE desired_state IN ('destroyed','purged')`,
      ),
      env: db.prepare<[string], { env_json: string }>('SELECT env_json FROM sandboxes WHERE id = ?'),
      setDesired: db.prepare('UPDATE sandboxes SET desired_state = ?, updated_at = ? WHERE id = ?'),
      setObserved: db.prepare('UPDATE sandboxes SET observed_state = ?, container_id = ?, last_error = ?, updated_at = ? WHERE id = ?'),
      setError: db.prepare('UPDATE sandboxes SET last_error = ?, updated_at = ? WHERE id = ?'),
      setSpec: db.prepare('UPDATE sandboxes SET spec_json = ?, updated_at = ? WHERE id = ?'),
      touch: db.prepare('UPDATE sandboxes SET last_active_at = ? WHERE id = ? AND last_active_at < ?'),
      tombstone: db.prepare("UPDATE sandboxes SET desired_state = ?, env_json = '{}', updated_at = ? WHERE id = ?"),
      remove: db.prepare('DELETE FROM sandboxes WHERE id = ?'),
      plaintextEnv: db.prepare<[], { id: string; env_json: string }>("SELECT id, env_json FROM sandboxes WHERE env_json NOT LIKE 's1:%'"),
      setEnv: db.prepare('UPDATE sandboxes SET env_json = ? WHERE id = ?'),
      generation: db.prepare<[], number | null>('SELECT MAX(updated_at) FROM sandboxes').pluck(),
    };
    this.sealPlaintextEnv(db);
  }

  /** The migration to sealed env: rows from before it hold plaintext JSON. */
  private sealPlaintextEnv(db: Db): void {
    db.transaction(() => {
      for (const r of this.stmts.plaintextEnv.all()) this.stmts.setEnv.run(seal(this.key, r.env_json), r.id);
    })();
  }

  private readonly envOf = (row: Pick<Row, 'env_json'>): Record<string, string> =>
    JSON.parse(isSealed(row.env_json) ? unseal(this.key, row.env_json) : row.env_json) as Record<string, string>;

  private map = (row: Row): Sandbox => toSandbox(row, this.envOf);

  /** Changes whenever any row's state changes (a container started or stopped): address caches refresh on it. */
  generation(): number {
    return this.stmts.generation.get() ?? 0;
  }

  get(id: string): Sandbox | undefined {
    const row = this.stmts.get.get(id);
    return row ? this.map(row) : undefined;
  }

  /** Sandboxes that exist for the user (not destroyed or purged). */
  listLive(): Sandbox[] {
    return this.stmts.listLive.all().map(this.map);
  }

  /** Every row, tombstones included: the reconciler needs them. */
  listAll(): Sandbox[] {
    return this.stmts.listAll.all().map(this.map);
  }

  /** Inserts, or revives a tombstone of the same id; false when a live one exists. */
  insert(s: NewSandbox): boolean {
    const info = this.stmts.upsert.run({ id: s.id, spec: JSON.stringify(s.spec), env: seal(this.key, JSON.stringify(s.env)), now: s.now });
    return info.changes === 1;
  }

  env(id: string): Record<string, string> {
    const row = this.stmts.env.get(id);
    return row ? this.envOf(row) : {};
  }

  setDesired(id: string, state: DesiredState, now = Date.now()): void {
    this.stmts.setDesired.run(state, now, id);
  }

  setObserved(id: string, state: ObservedState, containerId: string | null, lastError: string | null = null, now = Date.now()): void {
    this.stmts.setObserved.run(state, containerId, lastError, now, id);
  }

  setError(id: string, message: string | null, now = Date.now()): void {
    this.stmts.setError.run(message, now, id);
  }

  setSpec(id: string, spec: SandboxSpec, now = Date.now()): void {
    this.stmts.setSpec.run(JSON.stringify(spec), now, id);
  }

  /** Moves last_active_at forward only; returns whether it changed. */
  touch(id: string, at: number): boolean {
    return this.stmts.touch.run(at, id, at).changes === 1;
  }

  /** Marks a sandbox deleted; its secrets are dropped, the row stays so the edge can answer 410. */
  tombstone(id: string, state: 'destroyed' | 'purged', now = Date.now()): void {
    this.stmts.tombstone.run(state, now, id);
  }

  remove(id: string): void {
    this.stmts.remove.run(id);
  }
}
