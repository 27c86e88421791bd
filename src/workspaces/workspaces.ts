/**
 * Every sandbox's workspace on the host: its disk (a quota'd ext4 image, see
 * disk.ts) or, with SANDBOXD_DISK_QUOTA=false, a plain directory; its seeding;
 * and the confined root that the files API and the task follower read through.
 * Every path operation inside a workspace goes through SafeRoot (fd-relative,
 * never following a link), because the tenant owns everything in it.
 */
import { chown, lstat, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { LOG_DIR_REL, disksDir, workspaceDir, workspacesDir } from '../domain/layout.js';
import { ConflictError, DomainError, UnavailableError } from '../errors.js';
import { DiskToolError, attach, copyImage, createImage, detach, findLoop, freeBytes, freeze, growImage, imageBytesUsed, mountAt, mountPoints, moveMount, thaw, unmount } from './disk.js';
import { DiskHolders } from './holders.js';
import { migrateLegacy, migrateOwner } from './migrate.js';
import { diskSelfTest } from './self-test.js';
import { SafeRoot, type Owner } from './safe-fs.js';

export type WorkspacesConfig = Pick<Config, 'dataDir' | 'diskQuota' | 'diskReserveMb' | 'sandboxUid' | 'sandboxGid'>;

export interface Prepared {
  /** The workspace did not exist before. */
  fresh: boolean;
  /** The loop device the container mounts (null without quotas: it binds the directory). */
  device: string | null;
}

const SEED_DIRS = [['workspace'], ['workspace', 'app'], ['.sandboxed'], LOG_DIR_REL.split('/')];

export class Workspaces {
  /** Why quotas cannot be applied right now (fail closed: nothing starts), or null. */
  private problem: string | null = null;
  /** Loop device per mounted workspace, so a start does not ask losetup again. */
  private readonly devices = new Map<string, string>();
  private readonly holders = new DiskHolders();

  constructor(
    private readonly cfg: WorkspacesConfig,
    private readonly log: Logger,
  ) {}

  private get owner(): Owner | undefined {
    return process.getuid?.() === 0 ? { uid: this.cfg.sandboxUid, gid: this.cfg.sandboxGid } : undefined;
  }

  image(id: string): string {
    return path.join(disksDir(this.cfg.dataDir), `${id}.ext4`);
  }

  /** The tenant's tree, confined; with quotas, refused unless the disk is mounted. */
  root(id: string): SafeRoot {
    return new SafeRoot(workspaceDir(this.cfg.dataDir, id), this.owner, this.cfg.diskQuota, () => this.holders.isReleased(id));
  }

  /** A reader that keeps files of the workspace open (a followed log) registers how it lets go of them; returns the removal. */
  hold(id: string, letGo: () => Promise<void>): () => void {
    return this.holders.hold(id, letGo);
  }

  /** Whether this id has a workspace (a disk image or a directory), e.g. kept from a deleted sandbox. */
  async exists(id: string): Promise<boolean> {
    return (await exists(this.image(id))) || (await exists(workspaceDir(this.cfg.dataDir, id)));
  }

  /** Readiness: null when workspaces can be prepared. */
  failure(): string | null {
    return this.problem;
  }

  /** At boot: a host that cannot make, attach and mount a disk is reported by /readyz before the first create fails. */
  async selfTest(): Promise<void> {
    if (!this.cfg.diskQuota) return;
    this.problem = await diskSelfTest(this.cfg.dataDir);
    if (this.problem) this.log.error({ problem: this.problem }, 'workspace disk self-test failed');
  }

  /** Refuses new work when the data disk (where SQLite lives too) is nearly full. */
  async admit(): Promise<void> {
    const freeMb = Math.floor((await freeBytes(this.cfg.dataDir)) / (1024 * 1024));
    if (freeMb < this.cfg.diskReserveMb) {
      throw new UnavailableError(`the data disk has ${freeMb} MiB free, below SANDBOXD_DISK_RESERVE_MB (${this.cfg.diskReserveMb}); free space first`, 60, 'disk_space');
    }
  }

  /**
   * Makes the workspace exist, mounted (with quotas) and seeded. Caller holds the
   * sandbox's lock. A failure of the quota mechanism is a 503 naming it.
   */
  async prepare(id: string, diskMb: number): Promise<Prepared> {
    if (this.problem && this.cfg.diskQuota) await this.selfTest();
    if (this.problem) throw new UnavailableError(`${this.problem}; no sandbox starts until they can`, 30, 'disk_quota');
    try {
      const prepared = this.cfg.diskQuota ? await this.prepareDisk(id, diskMb) : await this.prepareDir(id);
      await this.seed(id);
      this.problem = null;
      return prepared;
    } catch (err) {
      if (!(err instanceof DiskToolError)) throw err;
      this.problem = `workspace disks cannot be set up: ${err.message}`;
      this.log.error({ sandboxId: id, err }, 'workspace disk failed');
      throw new UnavailableError(`${this.problem}; no sandbox starts until they can`, 30, 'disk_quota');
    }
  }

  private async prepareDir(id: string): Promise<Prepared> {
    const dir = workspaceDir(this.cfg.dataDir, id);
    const fresh = !(await exists(dir));
    await mkdir(workspacesDir(this.cfg.dataDir), { recursive: true, mode: 0o700 });
    await mkdir(dir, { recursive: true, mode: 0o755 });
    // The directory is ours (workspaces/ is 0700 root): chowning it by path follows nothing the tenant made.
    if (fresh && this.owner) await chown(dir, this.owner.uid, this.owner.gid);
    return { fresh, device: null };
  }

  private async prepareDisk(id: string, diskMb: number): Promise<Prepared> {
    const image = this.image(id);
    const dir = workspaceDir(this.cfg.dataDir, id);
    const known = this.devices.get(id);
    if (known && (await mountPoints()).has(dir)) return { fresh: false, device: known };
    await mkdir(disksDir(this.cfg.dataDir), { recursive: true, mode: 0o700 });
    await mkdir(workspacesDir(this.cfg.dataDir), { recursive: true, mode: 0o700 });
    let fresh = false;
    if (!(await exists(image))) {
      const legacy = (await exists(dir)) && !(await mountPoints()).has(dir);
      await createImage(image, diskMb, { uid: this.cfg.sandboxUid, gid: this.cfg.sandboxGid });
      fresh = !legacy;
      if (legacy) {
        await migrateLegacy(this.cfg.dataDir, id, image, this.owner);
        this.log.info({ sandboxId: id }, 'workspace moved into its own disk');
      }
    }
    const device = await attach(image);
    this.devices.set(id, device);
    if (!(await mountPoints()).has(dir)) await mountAt(device, dir);
    this.holders.mounted(id);
    if (fresh) await rmdir(path.join(dir, 'lost+found')).catch(() => undefined);
    return { fresh, device };
  }

  /**
   * The dirs every workspace has. The tenant may have replaced one with a link
   * or a file: SafeRoot refuses to follow it, and the sandbox starts anyway with
   * the layout its owner chose (nothing outside the workspace is touched).
   */
  private async seed(id: string): Promise<void> {
    const root = this.root(id);
    for (const segments of SEED_DIRS) {
      try {
        await root.mkdir(segments, { parents: true });
      } catch (err) {
        if (!(err instanceof DomainError) || err.code === 'unavailable') throw err;
        this.log.warn({ sandboxId: id, path: segments.join('/'), reason: err.message }, 'workspace seeding skipped');
      }
    }
  }

  /**
   * Hands every file to the current sandbox user when the workspace belongs to
   * another (SANDBOXD_SANDBOX_UID changed). Only called while no container of
   * the sandbox exists, so no tenant process changes the tree meanwhile;
   * `chown -R --no-dereference` never follows a link.
   */
  async adoptOwner(id: string): Promise<void> {
    const owner = this.owner;
    if (!owner) return;
    const root = await this.root(id).stat([]);
    if (root.uid === owner.uid && root.gid === owner.gid) return;
    await migrateOwner(workspaceDir(this.cfg.dataDir, id), owner);
    this.log.info({ sandboxId: id, from: `${root.uid}:${root.gid}`, to: `${owner.uid}:${owner.gid}` }, 'workspace handed to the sandbox user');
  }

  /**
   * A consistent copy of the workspace's disk at `dst`: the filesystem is frozen
   * (writes wait, nothing fails) for the time of the copy. Returns the bytes the
   * copy takes. Caller holds the sandbox's lock.
   */
  async copyOut(id: string, dst: string): Promise<number> {
    this.requireDisks('snapshots');
    const dir = workspaceDir(this.cfg.dataDir, id);
    const mounted = (await mountPoints()).has(dir);
    if (mounted) await freeze(dir).catch(unavailable('the workspace could not be frozen for the copy'));
    try {
      await copyImage(this.image(id), dst).catch(unavailable('the workspace disk could not be copied'));
    } finally {
      if (mounted) await thaw(dir);
    }
    return imageBytesUsed(dst);
  }

  /** Moves the released disk aside (a rename: instant). */
  async moveOut(id: string, dst: string): Promise<void> {
    this.requireDisks('snapshots');
    await rename(this.image(id), dst);
  }

  /** Makes `src` (a snapshot image) the released workspace's disk, grown to `diskMb` when larger. */
  async copyIn(id: string, src: string, diskMb?: number): Promise<void> {
    this.requireDisks('snapshots');
    await mkdir(disksDir(this.cfg.dataDir), { recursive: true, mode: 0o700 });
    const staging = `${this.image(id)}.incoming`;
    await copyImage(src, staging).catch(unavailable('the snapshot could not be copied into the workspace'));
    if (diskMb !== undefined) await growImage(staging, diskMb).catch(unavailable('the workspace disk could not be grown'));
    await rename(staging, this.image(id));
  }

  /** Thaws every mounted workspace: a daemon that died mid-snapshot leaves none frozen. */
  async thawAll(): Promise<void> {
    if (!this.cfg.diskQuota) return;
    const prefix = `${workspacesDir(this.cfg.dataDir)}/`;
    for (const dir of await mountPoints()) if (dir.startsWith(prefix)) await thaw(dir).catch(() => undefined);
  }

  private requireDisks(what: string): void {
    if (!this.cfg.diskQuota) throw new ConflictError(`${what} need workspace disks (SANDBOXD_DISK_QUOTA=true)`);
  }

  /** Unmounts and detaches the disk (the image stays): a destroyed sandbox keeps its workspace. */
  async release(id: string): Promise<void> {
    if (!this.cfg.diskQuota) return;
    await this.holders.release(id);
    this.devices.delete(id);
    const dir = workspaceDir(this.cfg.dataDir, id);
    // Still mounted after a failure: its files may be opened again.
    if ((await mountPoints()).has(dir)) {
      await unmount(dir).catch((err: unknown) => {
        this.holders.mounted(id);
        throw err;
      });
    }
    const dev = await findLoop(this.image(id)).catch(() => null);
    if (dev) await detach(dev);
  }

  /**
   * Gives workspace `from` (a pooled one) to sandbox `to`: the image is renamed
   * (its loop device and the container's mount follow the file) and the
   * daemon's mount moved. Idempotent, for crash recovery: what was already
   * moved is left alone. Caller holds both ids.
   */
  async handOver(from: string, to: string): Promise<void> {
    const [fromDir, toDir] = [workspaceDir(this.cfg.dataDir, from), workspaceDir(this.cfg.dataDir, to)];
    // The id may have been released in an earlier life (a purged sandbox): its files open again.
    this.holders.mounted(to);
    if (!this.cfg.diskQuota) {
      if ((await exists(fromDir)) && !(await exists(toDir))) await rename(fromDir, toDir);
      return;
    }
    if ((await exists(this.image(from))) && !(await exists(this.image(to)))) await rename(this.image(from), this.image(to));
    const dev = this.devices.get(from);
    this.devices.delete(from);
    const mounts = await mountPoints();
    if (dev && mounts.has(fromDir) && !mounts.has(toDir)) {
      await moveMount(dev, fromDir, toDir);
      this.devices.set(to, dev);
    }
    await rmdir(fromDir).catch(() => undefined);
  }

  /** Whether the container's init has seeded the workspace (it has set up its signal handling by then). */
  async seeded(id: string): Promise<boolean> {
    return this.root(id)
      .stat(['.sandboxed', 'seeded'])
      .then(
        () => true,
        () => false,
      );
  }

  /** Removes the workspace for good: disk, image and mount point. The container must be gone. */
  async remove(id: string): Promise<void> {
    await this.release(id);
    await rm(this.image(id), { force: true });
    // fs.rm never follows symlinks: a planted link is unlinked, not traversed.
    await rm(workspaceDir(this.cfg.dataDir, id), { recursive: true, force: true });
  }

  /** Of these ids, those with a disk that the daemon has not mounted (one read of mountinfo). */
  async unmounted(ids: string[]): Promise<string[]> {
    if (!this.cfg.diskQuota) return [];
    const mounted = await mountPoints();
    return ids.filter((id) => !mounted.has(workspaceDir(this.cfg.dataDir, id)));
  }

  /** Mounts a workspace's existing disk again (boot, reconcile). Caller holds the sandbox's lock. */
  async remount(id: string): Promise<boolean> {
    const dir = workspaceDir(this.cfg.dataDir, id);
    if (!(await exists(this.image(id))) || (await mountPoints()).has(dir)) return false;
    const dev = await attach(this.image(id));
    this.devices.set(id, dev);
    await mountAt(dev, dir);
    this.holders.mounted(id);
    return true;
  }

  /** Images whose sandbox no longer exists (for the sweep); ids only. */
  async imageIds(): Promise<string[]> {
    const names = await readdir(disksDir(this.cfg.dataDir)).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.ext4')).map((n) => n.slice(0, -5));
  }
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

/** A disk tool failing (no space on the data disk, say) is the server's trouble, said plainly. */
function unavailable(what: string) {
  return (err: unknown): never => {
    if (err instanceof DiskToolError) throw new UnavailableError(`${what}: ${err.message}`, 30);
    throw err;
  };
}
