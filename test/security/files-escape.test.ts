/**
 * Escaping the Files API: traversal in every encoding, NUL bytes, over-long
 * names, and symlinks a process inside the sandbox planted (to /etc, the
 * daemon's state, a peer's workspace, /proc/1/environ). Every attempt is a
 * 400, and a snapshot of what lies outside proves nothing was read or changed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const MAX = 2 * 1024 * 1024;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const q = (p: string) => encodeURIComponent(p);

let d: TestDaemon;
const id = uniqueId('files');
const other = uniqueId('peer');
let files: string;

async function exec(sandbox: string, cmd: string[]): Promise<{ exit_code: number; stdout: string; stderr: string }> {
  const r = await d.api('POST', `/v1/sandboxes/${sandbox}/exec`, { cmd });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function raw(method: string, p: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const r = await fetch(`${d.url}${p}`, { method, body: body ? new Uint8Array(body) : undefined, headers });
  return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()), headers: r.headers };
}

/** Host files a tenant must never read or change, as path → sha256. */
function hostSnapshot(): Record<string, string> {
  const out: Record<string, string> = { '/etc/passwd': sha256(fs.readFileSync('/etc/passwd')) };
  for (const dir of [path.join(d.dataDir, 'state'), path.join(d.dataDir, 'workspaces', other)]) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
      const p = path.join(e.parentPath, e.name);
      out[p] = e.isFile() && !p.endsWith('-wal') && !p.endsWith('-shm') && !p.endsWith('.db') ? sha256(fs.readFileSync(p)) : 'present';
    }
  }
  return out;
}

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_MAX_FILE_BYTES: String(MAX) } });
  files = `/v1/sandboxes/${id}/files`;
  for (const sb of [id, other]) expect((await d.api('POST', '/v1/sandboxes', { id: sb })).status).toBe(201);
  await d.api('PUT', `/v1/sandboxes/${other}/files`, { path: 'secret.txt', content: 'PEER-SECRET' });
  await d.api('POST', `/v1/sandboxes/${other}/stop`);
});

afterAll(async () => {
  for (const sb of [id, other]) await d?.api('POST', `/v1/sandboxes/${sb}/purge`);
  await d?.dispose();
});

describe('escapes and planted symlinks', () => {
  it.each([
    '%2E%2E%2F%2E%2E%2Fstate%2Fsandboxd.db',
    '..%2F..%2Fstate',
    '%252e%252e%252fstate',
    '%2Fetc%2Fpasswd',
    '%2Fhome%2Fsandbox%2F..%2F..%2Fetc%2Fpasswd',
    'a%00b',
    'x'.repeat(300),
  ])('refuses path=%s with 400', async (encoded) => {
    for (const [method, p] of [
      ['GET', `${files}?path=${encoded}`],
      ['GET', `${files}/content?path=${encoded}`],
      ['GET', `${files}/raw?path=${encoded}`],
      ['DELETE', `${files}?path=${encoded}&recursive=true`],
    ]) {
      const r = await d.api(method, p);
      expect(r.status, `${method} ${p}`).toBe(400);
      expect(r.body.error).toEqual(expect.any(String));
    }
  });

  it('never follows links a process in the sandbox planted', async () => {
    const before = hostSnapshot();
    const stateDir = path.join(d.dataDir, 'state');
    const peer = path.join(d.dataDir, 'workspaces', other);
    const planted = await exec(id, [
      'sh',
      '-c',
      `ln -s /etc ~/etc-link && ln -s /etc/passwd ~/passwd-link && ln -s ${stateDir} ~/state-link && ln -s ${peer} ~/peer-link && ln -s /proc/1/environ ~/environ-link && echo ok`,
    ]);
    expect(planted.stdout).toBe('ok\n');

    for (const p of ['etc-link/passwd', 'passwd-link', 'state-link/sandboxd.db', 'peer-link/secret.txt', 'environ-link']) {
      for (const url of [`${files}?path=${q(p)}`, `${files}/content?path=${q(p)}`, `${files}/raw?path=${q(p)}`, `/sandbox/${id}/files?path=${q(p)}`]) {
        const r = await d.api('GET', url);
        expect(r.status, url).toBe(400);
        expect(r.body.error).toMatch(/symbolic link/);
        expect(JSON.stringify(r.body)).not.toMatch(/root:|PEER-SECRET|SQLite/);
      }
      const w = await d.api('PUT', files, { path: p, content: 'owned\n' });
      expect(w.status, p).toBe(400);
      expect((await d.api('PUT', files, { path: p, content: 'owned\n', append: true })).status).toBe(400);
      expect((await raw('PUT', `${files}/raw?path=${q(p)}`, Buffer.from('owned'))).status).toBe(400);
    }
    for (const p of ['etc-link/sandboxed-owned', 'state-link/owned', 'peer-link/owned']) {
      expect((await d.api('PUT', files, { path: p, content: 'x' })).status).toBe(400);
      expect((await d.api('POST', `${files}/mkdir`, { path: `${p}/d`, parents: true })).status).toBe(400);
      expect((await d.api('DELETE', `${files}?path=${q(p)}&recursive=true`)).status).toBe(400);
    }
    for (const p of ['etc-link', 'state-link', 'peer-link']) {
      expect((await d.api('GET', `${files}?path=${p}&recursive=true`)).status).toBe(400);
    }

    const listing = await d.api('GET', `${files}?recursive=true`);
    const links = listing.body.entries.filter((e: { type: string }) => e.type === 'symlink').map((e: { name: string }) => e.name);
    expect(links.sort()).toEqual(['environ-link', 'etc-link', 'passwd-link', 'peer-link', 'state-link']);
    expect(JSON.stringify(listing.body)).not.toMatch(/sandboxd\.db|secret\.txt|"passwd"/);

    // Deleting a link removes the link, never what it points at.
    expect((await d.api('DELETE', `${files}?path=peer-link&recursive=true`)).status).toBe(200);
    expect(fs.existsSync('/etc/sandboxed-owned')).toBe(false);
    expect(hostSnapshot()).toEqual(before);
    expect(fs.readFileSync(path.join(peer, 'secret.txt'), 'utf8')).toBe('PEER-SECRET');
  });
});
