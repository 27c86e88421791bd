/** Rows ↔ domain for snapshots and restores in flight. snake_case stays in here. */
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
