/**
 * Host-side preparation of a sandbox's directories. The daemon runs as root
 * and hands the workspace to uid 1000; the runtime dir (env, services) is
 * mounted read-only, so the tenant can read but never change it.
 */
import { chown, cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ServiceSpec } from '../domain/sandbox.js';
import { LOG_DIR_REL, SANDBOX_GID, SANDBOX_UID, runtimeDir, workspaceDir } from '../domain/layout.js';

async function chownIfRoot(p: string): Promise<void> {
  if (process.getuid?.() === 0) await chown(p, SANDBOX_UID, SANDBOX_GID);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Creates the workspace with `workspace/app` inside; never touches existing files. Returns whether it was new. */
export async function ensureWorkspace(dataDir: string, id: string): Promise<boolean> {
  const root = workspaceDir(dataDir, id);
  const fresh = !(await exists(root));
  await mkdir(root, { recursive: true, mode: 0o755 });
  if (fresh) await chownIfRoot(root);
  for (const rel of ['workspace', 'workspace/app', '.sandboxed', LOG_DIR_REL]) {
    const p = path.join(root, rel);
    if (await exists(p)) continue;
    await mkdir(p, { mode: 0o755 });
    await chownIfRoot(p);
  }
  return fresh;
}

export async function removeWorkspace(dataDir: string, id: string): Promise<void> {
  // fs.rm never follows symlinks: a planted link is unlinked, not traversed.
  await rm(workspaceDir(dataDir, id), { recursive: true, force: true });
}

export interface RuntimeFiles {
  id: string;
  ports: number[];
  env: Record<string, string>;
  services: ServiceSpec[];
  extraCaCerts: string;
}

/** Writes the read-only runtime mount: env values base64-encoded, one per line. */
export async function writeRuntime(dataDir: string, files: RuntimeFiles): Promise<void> {
  const dir = runtimeDir(dataDir, files.id);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  await chownIfRoot(dir);
  const envText = Object.entries(files.env)
    .map(([k, v]) => `${k}=${Buffer.from(v, 'utf8').toString('base64')}\n`)
    .join('');
  await writeFile(path.join(dir, 'env'), envText, { mode: 0o400 });
  await chownIfRoot(path.join(dir, 'env'));
  await writeFile(path.join(dir, 'services.json'), JSON.stringify(files.services, null, 2) + '\n', { mode: 0o444 });
  await writeFile(path.join(dir, 'sandbox.json'), JSON.stringify({ id: files.id, ports: files.ports }) + '\n', { mode: 0o444 });
  if (files.extraCaCerts !== '') {
    await cp(files.extraCaCerts, path.join(dir, 'extra-ca.pem'));
  }
}

export async function removeRuntime(dataDir: string, id: string): Promise<void> {
  await rm(runtimeDir(dataDir, id), { recursive: true, force: true });
}
