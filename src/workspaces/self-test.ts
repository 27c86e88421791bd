/**
 * Proves that this host can give workspaces their disks: an image made,
 * attached to a loop device and mounted (root, loop devices, mkfs.ext4, mount).
 */
import { mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { disksDir, workspacesDir } from '../domain/layout.js';
import { attach, createImage, detach, mountAt, unmount } from './disk.js';

/** Null when it works, else the reason (SANDBOXD_DISK_QUOTA=true cannot be honoured). */
export async function diskSelfTest(dataDir: string): Promise<string | null> {
  const image = path.join(disksDir(dataDir), '.self-test.ext4');
  const dir = path.join(workspacesDir(dataDir), '.self-test');
  try {
    await mkdir(disksDir(dataDir), { recursive: true, mode: 0o700 });
    await mkdir(workspacesDir(dataDir), { recursive: true, mode: 0o700 });
    await unmount(dir);
    await rm(image, { force: true });
    await createImage(image, 16, { uid: 0, gid: 0 });
    const dev = await attach(image);
    try {
      await mountAt(dev, dir);
      await unmount(dir);
    } finally {
      await detach(dev);
    }
    return null;
  } catch (err) {
    return `workspace disks cannot be set up (SANDBOXD_DISK_QUOTA=true needs root, loop devices, mkfs.ext4 and mount): ${(err as Error).message}`;
  } finally {
    await rm(image, { force: true }).catch(() => undefined);
    await rmdir(dir).catch(() => undefined);
  }
}
