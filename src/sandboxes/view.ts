/**
 * Every sandbox row in memory, for the edge's hot path: a preview request for
 * a running sandbox is answered from here, without touching SQLite. Filled
 * once from the store at boot and kept in step by the store's change
 * notification (SandboxStore's `onChange`), which fires after every write that
 * changes a row's state — whoever makes it (the lifecycle service, converge,
 * teardown) — and resynced from the rows each reconcile reads. Activity touches do not notify: `lastActiveAt` here is the one
 * the row had at its last state change (ActivityTracker holds the live one).
 *
 * Tombstones keep only the fact that the id existed (for the edge's 410), so
 * deleted sandboxes cost a map entry each.
 */
import { isDeleted, type Sandbox } from '../domain/sandbox.js';

export type ViewEntry = Sandbox | 'gone' | 'unknown';

export class SandboxView {
  private readonly rows = new Map<string, Readonly<Sandbox> | 'gone'>();

  /** Boot: every row the store has. */
  fill(rows: Iterable<Sandbox>): void {
    for (const sb of rows) this.changed(sb.id, sb);
  }

  /**
   * Every row again, read in the same tick (the reconciler's snapshot): ids
   * not among them go. Only a write made behind the store's back (a database
   * restored under a running daemon) can make this change anything.
   */
  resync(rows: Sandbox[]): void {
    const ids = new Set(rows.map((sb) => sb.id));
    for (const id of this.rows.keys()) if (!ids.has(id)) this.rows.delete(id);
    this.fill(rows);
  }

  /** SandboxStore's change notification: the row as it now stands, or undefined once removed. */
  changed(id: string, row: Sandbox | undefined): void {
    if (!row) this.rows.delete(id);
    else if (isDeleted(row)) this.rows.set(id, 'gone');
    else this.rows.set(id, Object.freeze(row));
  }

  /** A map lookup. The row is shared: read it, never change it. */
  get(id: string): ViewEntry {
    return this.rows.get(id) ?? 'unknown';
  }

  get size(): number {
    return this.rows.size;
  }
}
