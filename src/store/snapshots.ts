/** Rows ↔ domain for snapshots and restores in flight. snake_case stays in here. */
import { OWNER_KEY } from '../domain/metadata.js';
import type { PageRequest } from '../domain/page.js';
import type { Snapshot, SnapshotKind } from '../domain/snapshot.js';
import type { Db } from './db.js';

interface Row {
  id: string;
  sandbox_id: string;
  sandbox_created_at: number;
  name: string | null;
  kind: SnapshotKind;
  template: number;
  task_id: string | null;
  size_bytes: number;
  disk_mb: number;
  created_at: number;
}

function toSnapshot(r: Row): Snapshot {
  return {
    id: r.id,
    sandboxId: r.sandbox_id,
    sandboxCreatedAt: r.sandbox_created_at,
    name: r.name,
    kind: r.kind,
    template: r.template === 1,
    taskId: r.task_id,
    sizeBytes: r.size_bytes,
    diskMb: r.disk_mb,
    createdAt: r.created_at,
  };
}

interface PageArgs {
  after: number;
  t: number;
  id: string;
  limit: number;
}

function pageArgs(page: PageRequest): PageArgs {
  return { after: page.after ? 1 : 0, t: page.after?.createdAt ?? 0, id: page.after?.id ?? '', limit: page.limit ?? -1 };
}

export interface RestoreIntent {
  sandboxId: string;
  snapshotId: string;
  savedId: string;
  wasRunning: boolean;
}

export class SnapshotStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO snapshots (id, sandbox_id, sandbox_created_at, name, kind, template, task_id, size_bytes, disk_mb, created_at)
         VALUES (@id, @sandboxId, @sandboxCreatedAt, @name, @kind, @template, @taskId, @sizeBytes, @diskMb, @createdAt)`,
      ),
      get: db.prepare<[string], Row>('SELECT * FROM snapshots WHERE id = ?'),
      ofLife: db.prepare<[string, number], Row>('SELECT * FROM snapshots WHERE sandbox_id = ? AND sandbox_created_at = ? ORDER BY created_at, id'),
      all: db.prepare<[], Row>('SELECT * FROM snapshots ORDER BY created_at, id'),
      templates: db.prepare<[], Row>('SELECT * FROM snapshots WHERE template = 1 ORDER BY created_at, id'),
      // Keyset pages (created_at, id); @after 0 starts at the first row, @limit -1 takes all.
      pageOfLife: db.prepare<[PageArgs & { sandboxId: string; createdAt: number }], Row>(
        `SELECT * FROM snapshots WHERE sandbox_id = @sandboxId AND sandbox_created_at = @createdAt
           AND (@after = 0 OR (created_at, id) > (@t, @id)) ORDER BY created_at, id LIMIT @limit`,
      ),
      sizeOfLife: db.prepare<[string, number], number>('SELECT coalesce(sum(size_bytes), 0) FROM snapshots WHERE sandbox_id = ? AND sandbox_created_at = ?').pluck(),
      // A token sees the templates of the sandboxes it owns (@owner null: every template).
      pageTemplates: db.prepare<[PageArgs & { owner: string | null }], Row>(
        `SELECT * FROM snapshots WHERE template = 1
           AND (@owner IS NULL OR sandbox_id IN (SELECT sandbox_id FROM sandbox_metadata WHERE key = '${OWNER_KEY}' AND value = @owner))
           AND (@after = 0 OR (created_at, id) > (@t, @id)) ORDER BY created_at, id LIMIT @limit`,
      ),
      setTemplate: db.prepare('UPDATE snapshots SET template = ? WHERE id = ?'),
      setSize: db.prepare('UPDATE snapshots SET size_bytes = ? WHERE id = ?'),
      remove: db.prepare('DELETE FROM snapshots WHERE id = ?'),
      intent: db.prepare<[string], { sandbox_id: string; snapshot_id: string; saved_id: string; was_running: number }>(
        'SELECT * FROM restores WHERE sandbox_id = ?',
      ),
      intents: db.prepare<[], { sandbox_id: string; snapshot_id: string; saved_id: string; was_running: number }>('SELECT * FROM restores'),
      addIntent: db.prepare('INSERT INTO restores (sandbox_id, snapshot_id, saved_id, was_running, started_at) VALUES (?, ?, ?, ?, ?)'),
      dropIntent: db.prepare('DELETE FROM restores WHERE sandbox_id = ?'),
    };
  }

  insert(s: Snapshot): void {
    this.stmts.insert.run({ ...s, template: s.template ? 1 : 0 });
  }

  get(id: string): Snapshot | undefined {
    const row = this.stmts.get.get(id);
    return row ? toSnapshot(row) : undefined;
  }

  /** A sandbox's snapshots of its current life, oldest first. */
  ofLife(sandboxId: string, sandboxCreatedAt: number): Snapshot[] {
    return this.stmts.ofLife.all(sandboxId, sandboxCreatedAt).map(toSnapshot);
  }

  /** A page of ofLife(). */
  pageOfLife(sandboxId: string, sandboxCreatedAt: number, page: PageRequest): Snapshot[] {
    return this.stmts.pageOfLife.all({ sandboxId, createdAt: sandboxCreatedAt, ...pageArgs(page) }).map(toSnapshot);
  }

  /** What the snapshots of the sandbox's current life take together. */
  sizeOfLife(sandboxId: string, sandboxCreatedAt: number): number {
    return this.stmts.sizeOfLife.get(sandboxId, sandboxCreatedAt)!;
  }

  /** A page of the templates, of one owner's sandboxes or (owner null) of all. */
  pageTemplates(owner: string | null, page: PageRequest): Snapshot[] {
    return this.stmts.pageTemplates.all({ owner, ...pageArgs(page) }).map(toSnapshot);
  }

  all(): Snapshot[] {
    return this.stmts.all.all().map(toSnapshot);
  }

  templates(): Snapshot[] {
    return this.stmts.templates.all().map(toSnapshot);
  }

  setTemplate(id: string, template: boolean): void {
    this.stmts.setTemplate.run(template ? 1 : 0, id);
  }

  setSize(id: string, sizeBytes: number): void {
    this.stmts.setSize.run(sizeBytes, id);
  }

  remove(id: string): void {
    this.stmts.remove.run(id);
  }

  intent(sandboxId: string): RestoreIntent | undefined {
    const r = this.stmts.intent.get(sandboxId);
    return r ? { sandboxId: r.sandbox_id, snapshotId: r.snapshot_id, savedId: r.saved_id, wasRunning: r.was_running === 1 } : undefined;
  }

  intents(): RestoreIntent[] {
    return this.stmts.intents.all().map((r) => ({ sandboxId: r.sandbox_id, snapshotId: r.snapshot_id, savedId: r.saved_id, wasRunning: r.was_running === 1 }));
  }

  /** The restore's intent and the snapshot that keeps what it replaces, in one transaction. */
  beginRestore(intent: RestoreIntent, saved: Snapshot): void {
    this.db.transaction(() => {
      this.insert(saved);
      this.stmts.addIntent.run(intent.sandboxId, intent.snapshotId, intent.savedId, intent.wasRunning ? 1 : 0, Date.now());
    })();
  }

  endRestore(sandboxId: string): void {
    this.stmts.dropIntent.run(sandboxId);
  }
}
