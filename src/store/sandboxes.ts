/** Rows ↔ domain for the sandboxes table. snake_case stays in here. */
import type { DesiredState, ObservedState, Sandbox, SandboxSpec } from '../domain/sandbox.js';
import type { Db } from './db.js';

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

function toSandbox(row: Row): Sandbox {
  return {
    id: row.id,
    spec: JSON.parse(row.spec_json) as SandboxSpec,
    desiredState: row.desired_state,
    observedState: row.observed_state,
    containerId: row.container_id,
    envNames: Object.keys(JSON.parse(row.env_json) as Record<string, string>).sort(),
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

/**
 * Told after every write that changes a row's state (not after activity
 * touches), with the row as it now stands (undefined once removed): the
 * edge's in-memory view (src/sandboxes/view.ts) stays in step through it.
 */
export type RowChanged = (id: string, row: Sandbox | undefined) => void;

export class SandboxStore {
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly onChange: RowChanged = () => undefined,
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
      touch: db.prepare<[number, string, number]>('UPDATE sandboxes SET last_active_at = ? WHERE id = ? AND last_active_at < ?'),
      tombstone: db.prepare("UPDATE sandboxes SET desired_state = ?, env_json = '{}', updated_at = ? WHERE id = ?"),
      remove: db.prepare('DELETE FROM sandboxes WHERE id = ?'),
    };
  }

  get(id: string): Sandbox | undefined {
    const row = this.stmts.get.get(id);
    return row ? toSandbox(row) : undefined;
  }

  /** Sandboxes that exist for the user (not destroyed or purged). */
  listLive(): Sandbox[] {
    return this.stmts.listLive.all().map(toSandbox);
  }

  /** Every row, tombstones included: the reconciler needs them. */
  listAll(): Sandbox[] {
    return this.stmts.listAll.all().map(toSandbox);
  }

  /** Inserts, or revives a tombstone of the same id; false when a live one exists. */
  insert(s: NewSandbox): boolean {
    const info = this.stmts.upsert.run({ id: s.id, spec: JSON.stringify(s.spec), env: JSON.stringify(s.env), now: s.now });
    if (info.changes === 1) this.changed(s.id);
    return info.changes === 1;
  }

  env(id: string): Record<string, string> {
    const row = this.stmts.env.get(id);
    return row ? (JSON.parse(row.env_json) as Record<string, string>) : {};
  }

  setDesired(id: string, state: DesiredState, now = Date.now()): void {
    this.stmts.setDesired.run(state, now, id);
    this.changed(id);
  }

  setObserved(id: string, state: ObservedState, containerId: string | null, lastError: string | null = null, now = Date.now()): void {
    this.stmts.setObserved.run(state, containerId, lastError, now, id);
    this.changed(id);
  }

  setError(id: string, message: string | null, now = Date.now()): void {
    this.stmts.setError.run(message, now, id);
    this.changed(id);
  }

  setSpec(id: string, spec: SandboxSpec, now = Date.now()): void {
    this.stmts.setSpec.run(JSON.stringify(spec), now, id);
    this.changed(id);
  }

  /** Moves last_active_at forward only; returns whether it changed. */
  touch(id: string, at: number): boolean {
    return this.stmts.touch.run(at, id, at).changes === 1;
  }

  /** Activity of many sandboxes in one transaction (ActivityTracker's batches). */
  touchMany(entries: Iterable<[string, number]>): void {
    this.db.transaction(() => {
      for (const [id, at] of entries) this.stmts.touch.run(at, id, at);
    })();
  }

  private changed(id: string): void {
    this.onChange(id, this.get(id));
  }

  /** Marks a sandbox deleted; its secrets are dropped, the row stays so the edge can answer 410. */
  tombstone(id: string, state: 'destroyed' | 'purged', now = Date.now()): void {
    this.stmts.tombstone.run(state, now, id);
    this.changed(id);
  }

  remove(id: string): void {
    this.stmts.remove.run(id);
    this.changed(id);
  }
}
