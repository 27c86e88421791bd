/**
 * Snapshots of workspaces: take, list, delete, restore, and the automatic
 * ones (a checkpoint before every agent task, what a restore replaced).
 * A snapshot is a copy of the sandbox's disk image (the lifecycle service
 * freezes the filesystem for the copy); a restore swaps images while the
 * sandbox is stopped, with an intent row in SQLite so a kill -9 at any point
 * ends fully old or fully new (recover(), at boot, before any container starts).
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ulid } from 'ulid';
import type { Config } from '../config.js';
import { snapshotImage, snapshotsDir } from '../domain/layout.js';
import type { Sandbox } from '../domain/sandbox.js';
import type { PageRequest } from '../domain/page.js';
import type { Task } from '../domain/task.js';
import { SNAPSHOT_NAME_PATTERN, type Snapshot, type SnapshotKind } from '../domain/snapshot.js';
import { ConflictError, InvalidError, NotFoundError } from '../errors.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { SnapshotStore } from '../store/snapshots.js';
import { imageBytesUsed } from '../workspaces/disk.js';
import type { Workspaces } from '../workspaces/workspaces.js';
import { decidePrune } from './prune.js';
import { decideUndo } from './undo.js';
import { recoverRestore } from './recover.js';

export type SnapshotsConfig = Pick<Config, 'dataDir' | 'snapshotMaxCount' | 'snapshotMaxMb'>;

export interface TakeInput {
  name?: string;
  template?: boolean;
  kind?: SnapshotKind;
  taskId?: string;
}

export class SnapshotService {
  constructor(
    private readonly cfg: SnapshotsConfig,
    private readonly store: SnapshotStore,
    private readonly sandboxes: Pick<SandboxService, 'get' | 'copyWorkspace' | 'replaceWorkspace'>,
    private readonly workspaces: Pick<Workspaces, 'moveOut' | 'copyIn' | 'image'>,
    private readonly log: Logger,
  ) {}

  /** The sandbox's snapshots of its current life, oldest first. */
  list(sandboxId: string): Snapshot[] {
    const sb = this.sandboxes.get(sandboxId);
    return this.store.ofLife(sb.id, sb.createdAt);
  }

  /** A page of list(), and what all of them take together. */
  page(sandboxId: string, page: PageRequest): { snapshots: Snapshot[]; sizeBytes: number } {
    const sb = this.sandboxes.get(sandboxId);
    return { snapshots: this.store.pageOfLife(sb.id, sb.createdAt, page), sizeBytes: this.store.sizeOfLife(sb.id, sb.createdAt) };
  }

  /** A snapshot by id alone, whoever's it is: for the API's ownership check. */
  peek(snapshotId: string): Snapshot | undefined {
    return this.store.get(snapshotId);
  }

  /** One of the sandbox's snapshots (or a template, which any sandbox may restore). */
  get(sandboxId: string, snapshotId: string): Snapshot {
    const sb = this.sandboxes.get(sandboxId);
    const s = this.store.get(snapshotId);
    if (!s || (!s.template && (s.sandboxId !== sb.id || s.sandboxCreatedAt !== sb.createdAt))) {
      throw new NotFoundError(`snapshot ${snapshotId} not found in sandbox ${sandboxId}`);
    }
    return s;
  }

  /** A snapshot a new sandbox may start from: a template, or one of a live sandbox. */
  forkSource(snapshotId: string): { snapshot: Snapshot; image: string } {
    const s = this.store.get(snapshotId);
    if (!s) throw new NotFoundError(`from_snapshot: snapshot ${snapshotId} not found`);
    if (!s.template) this.get(s.sandboxId, s.id);
    return { snapshot: s, image: snapshotImage(this.cfg.dataDir, s.id) };
  }

  templates(): Snapshot[] {
    return this.store.templates();
  }

  /** A page of the templates of one owner's sandboxes, or (owner null) of all. */
  templatesPage(owner: string | null, page: PageRequest): Snapshot[] {
    return this.store.pageTemplates(owner, page);
  }

  async take(sandboxId: string, input: TakeInput = {}): Promise<Snapshot> {
    const sb = this.sandboxes.get(sandboxId);
    const name = input.name ?? null;
    if (name !== null && !SNAPSHOT_NAME_PATTERN.test(name)) {
      throw new InvalidError('name: 1-64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit');
    }
    if (name !== null && this.store.ofLife(sb.id, sb.createdAt).some((s) => s.name === name)) {
      throw new ConflictError(`sandbox ${sandboxId} already has a snapshot named "${name}"`);
    }
    const id = ulid().toLowerCase();
    const file = snapshotImage(this.cfg.dataDir, id);
    const sizeBytes = await this.sandboxes.copyWorkspace(sb.id, file);
    const snapshot: Snapshot = {
      id,
      sandboxId: sb.id,
      sandboxCreatedAt: sb.createdAt,
      name,
      kind: input.kind ?? 'manual',
      template: input.template ?? false,
      taskId: input.taskId ?? null,
      sizeBytes,
      diskMb: sb.spec.diskMb ?? 0,
      createdAt: Date.now(),
    };
    this.store.insert(snapshot);
    this.log.info({ sandboxId: sb.id, snapshotId: id, kind: snapshot.kind, sizeBytes }, 'snapshot taken');
    await this.enforceLimits(sb, snapshot);
    return snapshot;
  }

  /**
   * Prunes automatic snapshots, oldest first, until the sandbox is within its
   * limits. A named one is never pruned: when they alone break the limits, the
   * snapshot just taken is undone and the call refused.
   */
  private async enforceLimits(sb: Sandbox, fresh: Snapshot): Promise<void> {
    const mine = this.store.ofLife(sb.id, sb.createdAt).filter((s) => !s.template || s.id === fresh.id);
    const plan = decidePrune(mine, fresh.id, { maxCount: this.cfg.snapshotMaxCount, maxBytes: this.cfg.snapshotMaxMb * 1024 * 1024 });
    for (const id of plan.prune) {
      await this.drop(id);
      this.log.info({ sandboxId: sb.id, snapshotId: id, reason: 'limits' }, 'automatic snapshot pruned');
    }
    if (plan.refuse) {
      await this.drop(fresh.id);
      throw new ConflictError(
        `snapshot limits reached (SANDBOXD_SNAPSHOT_MAX_COUNT=${this.cfg.snapshotMaxCount}, SANDBOXD_SNAPSHOT_MAX_MB=${this.cfg.snapshotMaxMb}) by named snapshots; delete one first`,
      );
    }
  }

  async remove(sandboxId: string, snapshotId: string): Promise<void> {
    this.get(sandboxId, snapshotId);
    await this.drop(snapshotId);
  }

  async setTemplate(sandboxId: string, snapshotId: string, template: boolean): Promise<Snapshot> {
    const s = this.get(sandboxId, snapshotId);
    this.store.setTemplate(s.id, template);
    return this.store.get(s.id)!;
  }

  private async drop(snapshotId: string): Promise<void> {
    this.store.remove(snapshotId);
    await rm(snapshotImage(this.cfg.dataDir, snapshotId), { force: true });
  }

  /**
   * Puts the workspace back as the snapshot was; what it replaces is kept as a
   * `pre-restore` snapshot, so a restore can itself be undone.
   */
  async restore(sandboxId: string, snapshotId: string): Promise<{ sandbox: Sandbox; saved: Snapshot }> {
    const source = this.get(sandboxId, snapshotId);
    let saved: Snapshot | undefined;
    const sandbox = await this.sandboxes.replaceWorkspace(sandboxId, async (sb) => {
      saved = {
        id: ulid().toLowerCase(),
        sandboxId: sb.id,
        sandboxCreatedAt: sb.createdAt,
        name: null,
        kind: 'pre-restore',
        template: false,
        taskId: null,
        sizeBytes: 0,
        diskMb: sb.spec.diskMb ?? 0,
        createdAt: Date.now(),
      };
      this.store.beginRestore({ sandboxId: sb.id, snapshotId: source.id, savedId: saved.id, wasRunning: sb.desiredState === 'running' }, saved);
      await this.workspaces.moveOut(sb.id, snapshotImage(this.cfg.dataDir, saved.id));
      this.store.setSize(saved.id, await imageBytesUsed(snapshotImage(this.cfg.dataDir, saved.id)));
      await this.workspaces.copyIn(sb.id, snapshotImage(this.cfg.dataDir, source.id), sb.spec.diskMb);
      this.store.endRestore(sb.id);
    });
    this.log.info({ sandboxId, snapshotId, savedAs: saved!.id }, 'workspace restored');
    await this.enforceLimits(sandbox, this.store.get(saved!.id)!).catch((err: unknown) => {
      // The restore happened; a named-only overflow just means the saved state is not kept.
      this.log.warn({ sandboxId, err }, 'the replaced state was not kept: snapshot limits');
    });
    return { sandbox, saved: saved! };
  }

  /**
   * Undo an agent task: restores the checkpoint taken right before it. Refused
   * while the task or a later one runs, and after a later task unless `force`
   * (that task's changes would be undone too).
   */
  async undoTask(sandboxId: string, taskId: string, force: boolean, tasksOf: (sandboxId: string) => Task[]): Promise<{ sandbox: Sandbox; saved: Snapshot }> {
    const all = tasksOf(sandboxId);
    const task = all.find((t) => t.id === taskId);
    if (!task) throw new NotFoundError(`task ${taskId} not found in sandbox ${sandboxId}`);
    const refusal = decideUndo(task, all, force);
    if (refusal) throw new ConflictError(refusal);
    return this.restore(sandboxId, task.checkpointId!);
  }

  /** Boot, before any container starts: restores a kill -9 interrupted end fully old or fully new. */
  async recover(): Promise<void> {
    for (const intent of this.store.intents()) {
      const outcome = await recoverRestore(intent, this.cfg.dataDir, this.workspaces, this.store);
      this.log.warn({ sandboxId: intent.sandboxId, snapshotId: intent.snapshotId, outcome }, 'interrupted restore recovered');
    }
  }

  /**
   * Boot, after recover(): a snapshot file without its row (a crash between the
   * copy and the row) and a row without its file go; so do the non-template
   * snapshots of an earlier life of the id (a purge the daemon died in).
   */
  async sweep(lookup: (sandboxId: string) => Sandbox | undefined): Promise<void> {
    const rows = this.store.all();
    const ids = new Set(rows.map((s) => s.id));
    for (const name of await readdir(snapshotsDir(this.cfg.dataDir)).catch(() => [] as string[])) {
      const id = name.replace(/\.ext4$/, '');
      if (!ids.has(id)) await rm(path.join(snapshotsDir(this.cfg.dataDir), name), { force: true });
    }
    for (const s of rows) {
      const life = lookup(s.sandboxId);
      const orphan = !s.template && (!life || life.desiredState === 'purged' || life.createdAt !== s.sandboxCreatedAt);
      if (orphan || !existsSync(snapshotImage(this.cfg.dataDir, s.id))) await this.drop(s.id);
    }
  }

  /** Purge: the sandbox's snapshots go, its templates stay. */
  async purgeFor(sandboxId: string): Promise<void> {
    for (const s of this.store.all()) if (s.sandboxId === sandboxId && !s.template) await this.drop(s.id);
  }
}
