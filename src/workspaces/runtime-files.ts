/**
 * A sandbox's runtime dir (DATA_DIR/runtime/<id>): env, services and identity
 * files, written by the daemon and mounted read-only at /etc/sandboxed, so the
 * tenant can read but never change them. Only the daemon writes here (the
 * directory tree is root's), so plain path operations are safe.
 */
import { chown, cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ServiceSpec } from '../domain/sandbox.js';
import { runtimeDir } from '../domain/layout.js';

/** The sandbox user reads these; root owns the tree above them. */
async function chownIfRoot(p: string, owner: { uid: number; gid: number }): Promise<void> {
  if (process.getuid?.() === 0) await chown(p, owner.uid, owner.gid);
}

export interface RuntimeFiles {
  id: string;
  ports: number[];
  env: Record<string, string>;
  services: ServiceSpec[];
  extraCaCerts: string;
  owner: { uid: number; gid: number };
}

/** /etc/passwd and /etc/group of the sandbox: the image's names for the uid the operator chose. */
export function passwd(owner: { uid: number; gid: number }): string {
  return [
    'root:x:0:0:root:/root:/bin/bash',
    `sandbox:x:${owner.uid}:${owner.gid}:sandbox:/home/sandbox:/bin/bash`,
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    '',
  ].join('\n');
}

export function group(owner: { gid: number }): string {
  return ['root:x:0:', `sandbox:x:${owner.gid}:`, 'nogroup:x:65534:', ''].join('\n');
}

/** Writes the read-only runtime mount: env values base64-encoded, one per line. */
export async function writeRuntime(dataDir: string, files: RuntimeFiles): Promise<void> {
  const dir = runtimeDir(dataDir, files.id);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  await chownIfRoot(dir, files.owner);
  const envText = Object.entries(files.env)
    .map(([k, v]) => `${k}=${Buffer.from(v, 'utf8').toString('base64')}\n`)
    .join('');
  await writeFile(path.join(dir, 'env'), envText, { mode: 0o400 });
  await chownIfRoot(path.join(dir, 'env'), files.owner);
  await writeFile(path.join(dir, 'services.json'), JSON.stringify(files.services, null, 2) + '\n', { mode: 0o444 });
  await writeFile(path.join(dir, 'sandbox.json'), JSON.stringify({ id: files.id, ports: files.ports }) + '\n', { mode: 0o444 });
  await writeFile(path.join(dir, 'passwd'), passwd(files.owner), { mode: 0o444 });
  await writeFile(path.join(dir, 'group'), group(files.owner), { mode: 0o444 });
  if (files.extraCaCerts !== '') {
    await cp(files.extraCaCerts, path.join(dir, 'extra-ca.pem'));
  }
}

export async function removeRuntime(dataDir: string, id: string): Promise<void> {
  await rm(runtimeDir(dataDir, id), { recursive: true, force: true });
}

/**
 * A pooled container's runtime dir becomes its sandbox's: the container's bind
 * mount follows the directory. Whatever the sandbox id had there is stale (the
 * daemon wrote it for an earlier life of the id) and goes first.
 */
export async function moveRuntime(dataDir: string, from: string, to: string): Promise<void> {
  await removeRuntime(dataDir, to);
  await rename(runtimeDir(dataDir, from), runtimeDir(dataDir, to));
}
