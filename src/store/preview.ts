/**
 * The preview_epochs table: the revocation counter behind preview tokens.
 * Every private preview request checks its token against the epoch, so epochs
 * are kept in memory once read; this store is the table's only writer.
 */
import type { Db } from './db.js';

export class PreviewEpochStore {
  private readonly stmts;
  private readonly cache = new Map<string, number>();

  constructor(db: Db) {
    this.stmts = {
      get: db.prepare<[string], number>('SELECT epoch FROM preview_epochs WHERE sandbox_id = ?').pluck(),
      bump: db
        .prepare<[{ id: string; now: number }], number>(
          `INSERT INTO preview_epochs (sandbox_id, epoch, updated_at) VALUES (@id, 1, @now)
           ON CONFLICT (sandbox_id) DO UPDATE SET epoch = epoch + 1, updated_at = @now
           RETURNING epoch`,
        )
        .pluck(),
    };
  }

  get(sandboxId: string): number {
    let epoch = this.cache.get(sandboxId);
    if (epoch === undefined) {
      epoch = this.stmts.get.get(sandboxId) ?? 0;
      this.cache.set(sandboxId, epoch);
    }
    return epoch;
  }

  /** Returns the new epoch. */
  bump(sandboxId: string, now = Date.now()): number {
    const epoch = this.stmts.bump.get({ id: sandboxId, now })!;
    this.cache.set(sandboxId, epoch);
    return epoch;
  }

  /** The sandbox row is gone, and its epoch row with it (ON DELETE CASCADE). */
  forget(sandboxId: string): void {
    this.cache.delete(sandboxId);
  }
}
