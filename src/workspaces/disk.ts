/**
 * A workspace's disk: a sparse ext4 image per sandbox (DATA_DIR/disks/<id>.ext4),
 * attached to a loop device. The filesystem is the quota: a tenant that fills
 * it gets ENOSPC, and nothing outside it (SQLite, other workspaces) notices.
 *
 * The daemon mounts the image for itself (nosuid,nodev,noexec: a tenant's
 * setuid file is inert on the host) at DATA_DIR/workspaces/<id>, where the files
 * API and the task follower read it; the container gets the same loop device
 * through a Docker volume, which dockerd mounts on the host, so no mount has to
 * propagate out of the daemon's own namespace (it may run in a container).
 *
 * Like iptables, these are the only external programs the daemon runs
 * (mkfs.ext4, e2fsck, resize2fs, losetup, mount, umount, fsfreeze, mknod, cp from
 * e2fsprogs, util-linux and coreutils).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, statfs, truncate } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every program call has a deadline: a wedged mount never wedges a request forever. */
const TOOL_TIMEOUT_MS = 60_000;

export class DiskToolError extends Error {}

/** Runs a tool; `okCodes` are exit codes that are not failures (e2fsck's 1: "corrected"). */
async function tool(cmd: string, args: string[], okCodes: number[] = []): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { timeout: TOOL_TIMEOUT_MS, maxBuffer: 1 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string; code?: string | number };
    if (typeof e.code === 'number' && okCodes.includes(e.code)) return e.stdout ?? '';
    const detail = (e.stderr ?? '').trim() || e.message;
    throw new DiskToolError(`${cmd}: ${detail.split('\n').slice(-3).join(' ')}`);
  }
}

/** Mount points in this mount namespace, from /proc/self/mountinfo (octal escapes decoded). */
export function parseMountPoints(mountinfo: string): Set<string> {
  const out = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const field = line.split(' ')[4];
    if (field) out.add(field.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

export async function mountPoints(): Promise<Set<string>> {
  return parseMountPoints(await readFile('/proc/self/mountinfo', 'utf8'));
}

/** A sparse file of `sizeMb` formatted as ext4 whose root belongs to the sandbox user. */
export async function createImage(file: string, sizeMb: number, owner: { uid: number; gid: number }): Promise<void> {
  const fh = await open(file, 'wx', 0o600);
  try {
    await fh.truncate(sizeMb * 1024 * 1024);
  } finally {
    await fh.close();
  }
  try {
    // No reserved blocks (the tenant may use all of it); lazy init keeps creation at tens of ms.
    await tool('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', `lazy_itable_init=1,lazy_journal_init=1,root_owner=${owner.uid}:${owner.gid}`, file]);
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}

/** The loop device the image is attached to, or null. */
/**
 * The loop device the image is attached to, or null, matched by the backing
 * file's inode and device (not its path: a device attached from another mount
 * namespace — a restarted daemon container — shows a path relative to a mount
 * that no longer exists, and missing it would attach the image twice: two
 * filesystems on one file). A device attached before this container started
 * has no node in its /dev: nodes are made first, so losetup can ask them.
 */
export async function findLoop(file: string): Promise<string | null> {
  const st = await stat(file);
  const want = `${Math.floor(st.dev / 256) & 0xfff}:${(st.dev & 0xff) | ((st.dev >> 12) & 0xfff00)}`;
  const bound = (await readdir('/sys/block').catch(() => [] as string[])).filter((n) => /^loop\d+$/.test(n) && existsSync(`/sys/block/${n}/loop`));
  if (bound.length === 0) return null;
  for (const name of bound) await ensureNode(name);
  const out = await tool('losetup', ['--list', '--json', '--output', 'NAME,BACK-INO,BACK-MAJ:MIN']);
  const list = out.trim() === '' ? [] : (JSON.parse(out) as { loopdevices?: { name: string; 'back-ino': number | string; 'back-maj:min': string }[] }).loopdevices ?? [];
  const hit = list.find((l) => Number(l['back-ino']) === st.ino && l['back-maj:min'].trim() === want);
  return hit ? hit.name : null;
}

/** /dev/loopN, made when this mount namespace's /dev lacks it (a daemon container started before it existed). */
async function ensureNode(name: string): Promise<string> {
  const dev = `/dev/${name}`;
  if (existsSync(dev)) return dev;
  const [major, minor] = (await readFile(`/sys/block/${name}/dev`, 'utf8')).trim().split(':');
  await tool('mknod', ['-m', '0660', dev, 'b', major, minor]);
  return dev;
}

/**
 * Attaches the image to a free loop device. In a container whose /dev was
 * populated at start, a device the kernel allocates later has no node yet:
 * it is created (block major 7) before use.
 */
export function attach(file: string): Promise<string> {
  // One attach at a time in this process: concurrent creates would all be
  // offered the same free device. Other processes' races are retried below.
  const next = attaching.then(() => attachNow(file));
  attaching = next.catch(() => undefined);
  return next;
}

let attaching: Promise<unknown> = Promise.resolve();

async function attachNow(file: string): Promise<string> {
  const existing = await findLoop(file);
  if (existing) return existing;
  for (let attempt = 0; attempt < 10; attempt++) {
    const dev = (await tool('losetup', ['--find'])).trim();
    const minor = /^\/dev\/loop(\d+)$/.exec(dev)?.[1];
    if (!minor) throw new DiskToolError(`losetup: unexpected free device "${dev}"`);
    if (!existsSync(dev)) await tool('mknod', ['-m', '0660', dev, 'b', '7', minor]);
    try {
      await tool('losetup', [dev, file]);
      return dev;
    } catch (err) {
      // Another process took that device between --find and the attach: take the next one.
      if (!/busy/i.test((err as Error).message)) throw err;
    }
  }
  throw new DiskToolError(`losetup: no free loop device for ${file} after 10 attempts`);
}

export async function detach(dev: string): Promise<void> {
  await tool('losetup', ['--detach', dev]).catch((err: Error) => {
    if (!/No such device|not a block device|ENXIO/i.test(err.message)) throw err;
  });
}

/** The daemon's own view of the workspace: never executes or honours setuid from it. */
export async function mountAt(dev: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await tool('mount', ['-t', 'ext4', '-o', 'nosuid,nodev,noexec', dev, dir]);
}

/**
 * Moves the daemon's mount of a workspace to another directory (a pooled
 * workspace handed to its sandbox). `mount --move` refuses under a shared
 * parent mount (systemd's default for /): then the device is mounted at the
 * new place and the old mount dropped.
 */
export async function moveMount(dev: string, from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  try {
    await tool('mount', ['--move', from, to]);
  } catch {
    await tool('mount', ['-t', 'ext4', '-o', 'nosuid,nodev,noexec', dev, to]);
    await unmount(from);
  }
}

export async function unmount(dir: string): Promise<void> {
  await tool('umount', [dir]).catch((err: Error) => {
    if (!/not mounted|no mount point|not found/i.test(err.message)) throw err;
  });
}

/** Bytes the filesystem holding `dir` has free for root (what SQLite may still write). */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** What df says of a mounted filesystem: bytes in use and its size. */
export async function fsUsage(dir: string): Promise<{ usedBytes: number; sizeBytes: number }> {
  const s = await statfs(dir);
  return { usedBytes: (s.blocks - s.bfree) * s.bsize, sizeBytes: s.blocks * s.bsize };
}

export async function imageBytesUsed(file: string): Promise<number> {
  const st = await stat(file);
  return st.blocks * 512;
}

/**
 * Stops writes to the filesystem (both mounts share it) until thaw: a copy of
 * the image taken meanwhile is consistent. Thaw is always called (finally);
 * boot thaws every workspace in case the daemon died in between.
 */
export async function freeze(dir: string): Promise<void> {
  await tool('fsfreeze', ['--freeze', dir]);
}

export async function thaw(dir: string): Promise<void> {
  await tool('fsfreeze', ['--unfreeze', dir]).catch((err: Error) => {
    if (!/Invalid argument|not frozen|EINVAL/i.test(err.message)) throw err;
  });
}

/**
 * Copies a disk image: a reflink where the data dir's filesystem has them
 * (XFS, btrfs: instant, copy-on-write), else only its allocated extents
 * (sparse). Written to a temp name, flushed, then renamed: `dst` is never half
 * a copy, whatever happens meanwhile.
 */
export async function copyImage(src: string, dst: string): Promise<void> {
  const tmp = `${dst}.tmp-${process.pid}`;
  try {
    await tool('cp', ['--sparse=always', '--reflink=auto', src, tmp]);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, dst);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Grows an unattached image to `sizeMb` (never shrinks). */
export async function growImage(file: string, sizeMb: number): Promise<void> {
  const want = sizeMb * 1024 * 1024;
  if ((await stat(file)).size >= want) return;
  await truncate(file, want);
  // resize2fs wants a freshly checked filesystem; -p repairs only what is safe without asking.
  await tool('e2fsck', ['-f', '-p', file], [1]);
  await tool('resize2fs', [file]);
}
