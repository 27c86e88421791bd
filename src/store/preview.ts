/** The preview_epochs table: the revocation counter behind preview tokens. */
import type { Db } from './db.js';

export class PreviewEpochStore {
  private readonly stmts;

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
    return this.stmts.get.get(sandboxId) ?? 0;
  }

  /** Returns the new epoch. */
  bump(sandboxId: string, now = Date.now()): number {
    return this.stmts.bump.get({ id: sandboxId, now })!;
  }
}
