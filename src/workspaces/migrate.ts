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
import { promisify } from 'node:util';
import type { Owner } from './safe-fs.js';

const run = promisify(execFile);

export async function migrateTree(from: string, to: string, owner: Owner | undefined): Promise<void> {
  await run('cp', ['-a', '--no-dereference', `${from}/.`, `${to}/`], { timeout: 30 * 60_000, maxBuffer: 1 << 20 });
  if (owner) await migrateOwner(to, owner);
}

export async function migrateOwner(dir: string, owner: Owner): Promise<void> {
  await run('chown', ['-R', '--no-dereference', `${owner.uid}:${owner.gid}`, dir], { timeout: 30 * 60_000, maxBuffer: 1 << 20 });
}
