/** Rows ↔ domain for the warm pool's table (migrations/0006_pool.sql). */
import { ConflictError } from '../errors.js';
import type { Db } from './db.js';
import type { NewSandbox, SandboxStore } from './sandboxes.js';

export type PoolState = 'filling' | 'ready' | 'claiming';

export interface PoolEntry {
  id: string;
  runtime: string;
  poolKey: string;
  state: PoolState;
  containerId: string | null;
  claimedBy: string | null;
  createdAt: number;
}

interface Row {
  id: string;
  runtime: string;
  pool_key: string;
  state: PoolState;
  container_id: string | null;
  claimed_by: string | null;
  created_at: number;
}

function toEntry(r: Row): PoolEntry {
  return { id: r.id, runtime: r.runtime, poolKey: r.pool_key, state: r.state, containerId: r.container_id, claimedBy: r.claimed_by, createdAt: r.created_at };
}

export class PoolStore {
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly sandboxes: SandboxStore,
  ) {
    this.stmts = {
      insert: db.prepare("INSERT INTO pool (id, runtime, pool_key, state, created_at) VALUES (?, ?, ?, 'filling', ?)"),
      ready: db.prepare("UPDATE pool SET state = 'ready', container_id = ? WHERE id = ? AND state = 'filling'"),
      // Oldest first: its container has been running longest, its init is surely up.
      take: db.prepare<[string, string], Row>("SELECT * FROM pool WHERE runtime = ? AND pool_key = ? AND state = 'ready' ORDER BY created_at, id LIMIT 1"),
      claim: db.prepare("UPDATE pool SET state = 'claiming', claimed_by = ? WHERE id = ? AND state = 'ready'"),
      remove: db.prepare('DELETE FROM pool WHERE id = ?'),
      removeReady: db.prepare("DELETE FROM pool WHERE id = ? AND state = 'ready'"),
      list: db.prepare<[], Row>('SELECT * FROM pool ORDER BY created_at, id'),
      get: db.prepare<[string], Row>('SELECT * FROM pool WHERE id = ?'),
    };
  }

  addFilling(id: string, runtime: string, poolKey: string, now = Date.now()): void {
    this.stmts.insert.run(id, runtime, poolKey, now);
  }

  markReady(id: string, containerId: string): boolean {
    return this.stmts.ready.run(containerId, id).changes === 1;
  }

  /**
   * Takes the oldest ready entry and inserts the sandbox's row, which names the
   * entry's container, in one transaction: either both happen or neither.
   * Undefined when no entry is ready or the id is taken by a live sandbox.
   */
  claim(runtime: string, poolKey: string, sandbox: NewSandbox): PoolEntry | undefined {
    try {
      return this.db.transaction(() => {
        const row = this.stmts.take.get(runtime, poolKey);
        if (!row || this.stmts.claim.run(sandbox.id, row.id).changes !== 1) return undefined;
        if (!this.sandboxes.insert(sandbox)) throw new ConflictError(`sandbox ${sandbox.id} already exists`);
        this.sandboxes.setObserved(sandbox.id, 'stopped', row.container_id, null, sandbox.now);
        return toEntry({ ...row, state: 'claiming', claimed_by: sandbox.id });
      }).immediate();
    } finally {
      // The row's writes told the view inside the transaction; tell it again now it is committed or rolled back.
      this.sandboxes.changed(sandbox.id);
    }
  }

  /** The claim is done: the sandbox runs in the entry's container, the entry is gone. */
  finishClaim(entryId: string, sandboxId: string, containerId: string): void {
    this.db.transaction(() => {
      this.sandboxes.setObserved(sandboxId, 'running', containerId);
      this.stmts.remove.run(entryId);
    })();
    this.sandboxes.changed(sandboxId);
  }

  remove(id: string): void {
    this.stmts.remove.run(id);
  }

  /** Takes a ready entry out of the pool (to discard it); false when a claim took it first. */
  removeIfReady(id: string): boolean {
    return this.stmts.removeReady.run(id).changes === 1;
  }

  get(id: string): PoolEntry | undefined {
    const row = this.stmts.get.get(id);
    return row ? toEntry(row) : undefined;
  }

  list(): PoolEntry[] {
    return this.stmts.list.all().map(toEntry);
  }
}
