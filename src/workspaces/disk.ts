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
 * (mkfs.ext4, losetup, mount, umount, mknod from e2fsprogs, util-linux, coreutils).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rm, stat, statfs } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every program call has a deadline: a wedged mount never wedges a request forever. */
const TOOL_TIMEOUT_MS = 60_000;

export class DiskToolError extends Error {}

async function tool(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { timeout: TOOL_TIMEOUT_MS, maxBuffer: 1 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string; code?: string };
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
export async function findLoop(file: string): Promise<string | null> {
  const out = await tool('losetup', ['--associated', file, '--noheadings', '--output', 'NAME']);
  return out.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? null;
}

/**
 * Attaches the image to a free loop device. In a container whose /dev was
 * populated at start, a device the kernel allocates later has no node yet:
 * it is created (block major 7) before use.
 */
export async function attach(file: string): Promise<string> {
  const existing = await findLoop(file);
  if (existing) return existing;
  for (let attempt = 0; attempt < 5; attempt++) {
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
  throw new DiskToolError(`losetup: no free loop device for ${file} after 5 attempts`);
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

export async function imageBytesUsed(file: string): Promise<number> {
  const st = await stat(file);
  return st.blocks * 512;
}
