/**
 * Moves a workspace from before quotas (a plain directory) into its new disk.
 * Runs once per sandbox, while none of its processes run (the container is
 * gone), so nothing changes the tree under the copy. `cp -a` never follows a
 * symbolic link in the source (it copies links as links) and keeps modes and
 * times; ownership is then given to the current sandbox user, whatever uid
 * the old tree used. Setuid bits survive the copy but the disk is mounted
 * nosuid, on the host and in the container.
 */
import { execFile } from 'node:child_process';
import { rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { workspaceDir, workspacesDir } from '../domain/layout.js';
import { attach, mountAt, unmount } from './disk.js';
import type { Owner } from './safe-fs.js';

const run = promisify(execFile);

export async function migrateTree(from: string, to: string, owner: Owner | undefined): Promise<void> {
  await run('cp', ['-a', '--no-dereference', `${from}/.`, `${to}/`], { timeout: 30 * 60_000, maxBuffer: 1 << 20 });
  if (owner) await migrateOwner(to, owner);
}

export async function migrateOwner(dir: string, owner: Owner): Promise<void> {
  await run('chown', ['-R', '--no-dereference', `${owner.uid}:${owner.gid}`, dir], { timeout: 30 * 60_000, maxBuffer: 1 << 20 });
}

/** Copies the plain-directory workspace `id` into its new, unattached disk `image`, then removes the directory. */
export async function migrateLegacy(dataDir: string, id: string, image: string, owner: Owner | undefined): Promise<void> {
  const dir = workspaceDir(dataDir, id);
  const staging = path.join(workspacesDir(dataDir), `.migrating-${id}`);
  const device = await attach(image);
  await mountAt(device, staging);
  try {
    await rmdir(path.join(staging, 'lost+found')).catch(() => undefined);
    await migrateTree(dir, staging, owner);
  } finally {
    await unmount(staging);
    await rmdir(staging).catch(() => undefined);
  }
  const old = path.join(workspacesDir(dataDir), `.pre-quota-${id}`);
  await rename(dir, old);
  await rm(old, { recursive: true, force: true });
}
