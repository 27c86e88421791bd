/**
 * The Files API against the real daemon and real Docker: round trips under
 * both path families, limits, and file access on a stopped sandbox that must
 * not start it. Escapes and planted symlinks: test/security/files-escape.test.ts.
 */
import Docker from 'dockerode';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const MAX = 2 * 1024 * 1024;
const docker = new Docker();
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

describe('round trips', () => {
  it('writes text with JSON and reads it back as bytes, as JSON, and inside the sandbox', async () => {
    const w = await d.api('PUT', files, { path: 'workspace/app/notes/hello.txt', content: 'héllo\n' });
    expect(w.status).toBe(200);
    expect(w.body).toEqual({ path: '/home/sandbox/workspace/app/notes/hello.txt', size: 7 });

    const bytes = await raw('GET', `${files}/content?path=${q('/home/sandbox/workspace/app/notes/hello.txt')}`);
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(bytes.headers.get('x-content-type-options')).toBe('nosniff');
    expect(bytes.bytes.toString('utf8')).toBe('héllo\n');

    const json = await d.api('GET', `${files}/content?path=workspace/app/notes/hello.txt&encoding=base64`);
    expect(json.body).toMatchObject({ encoding: 'base64', size: 7 });
    expect(Buffer.from(json.body.content, 'base64').toString('utf8')).toBe('héllo\n');

    const inside = await exec(id, ['sh', '-c', 'cat ~/workspace/app/notes/hello.txt; stat -c "%u:%g %a" ~/workspace/app/notes ~/workspace/app/notes/hello.txt']);
    expect(inside.stdout).toBe('héllo\n100000:100000 755\n100000:100000 644\n');
  });

  it('keeps the original shapes: PUT {path, content, append} and GET of a file or a directory', async () => {
    expect((await d.api('PUT', `/sandbox/${id}/files`, { path: 'legacy.txt', content: 'a' })).status).toBe(200);
    expect((await d.api('PUT', `/sandbox/${id}/files`, { path: 'legacy.txt', content: 'b', append: true })).status).toBe(200);
    const f = await d.api('GET', `/sandbox/${id}/files?path=legacy.txt`);
    expect(f.status).toBe(200);
    expect(f.body).toMatchObject({ path: '/home/sandbox/legacy.txt', content: 'ab' });
    const dir = await d.api('GET', `/sandbox/${id}/files?path=/home/sandbox`);
    expect(dir.body.entries.map((e: { name: string }) => e.name)).toContain('legacy.txt');
  });

  it('uploads and downloads binary raw, byte for byte', async () => {
    const blob = randomBytes(MAX - 1);
    for (const [url, type] of [
      [`${files}/raw?path=bin/a.bin`, 'application/octet-stream'],
      [`${files}?path=bin/b.bin`, 'application/octet-stream'],
      [`${files}/raw?path=bin/c.json`, 'application/json'],
    ]) {
      const up = await raw('PUT', url, blob, { 'content-type': type });
      expect(up.status, up.bytes.toString()).toBe(200);
    }
    for (const name of ['a.bin', 'b.bin', 'c.json']) {
      const down = await raw('GET', `${files}/raw?path=bin/${name}`);
      expect(down.headers.get('content-type')).toBe('application/octet-stream');
      expect(sha256(down.bytes)).toBe(sha256(blob));
    }
    const inside = await exec(id, ['sha256sum', '/home/sandbox/bin/a.bin']);
    expect(inside.stdout.split(' ')[0]).toBe(sha256(blob));
  });

  it('refuses writes over the limit with 413 and leaves the old file', async () => {
    const declared = await raw('PUT', `${files}/raw?path=bin/a.bin`, randomBytes(MAX + 1));
    expect(declared.status).toBe(413);
    const json = await d.api('PUT', files, { path: 'bin/a.bin', content: randomBytes(MAX + 1).toString('base64'), encoding: 'base64' });
    expect(json.status).toBe(413);
    expect((await raw('GET', `${files}/raw?path=bin/a.bin`)).bytes.length).toBe(MAX - 1);
    const left = await d.api('GET', `${files}?path=bin`);
    expect(left.body.entries.map((e: { name: string }) => e.name)).toEqual(['a.bin', 'b.bin', 'c.json']);
  });

  it('makes directories, lists them in pages, and deletes trees', async () => {
    expect((await d.api('POST', `${files}/mkdir`, { path: 'tree/a/b', parents: true })).status).toBe(201);
    expect((await d.api('POST', `${files}/mkdir`, { path: 'tree/a/b' })).status).toBe(409);
    for (const f of ['tree/1', 'tree/a/2', 'tree/a/b/3']) await d.api('PUT', files, { path: f, content: f });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await d.api('GET', `${files}?path=tree&recursive=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.entries.map((e: { path: string; type: string }) => `${e.type}:${e.path.replace('/home/sandbox/tree/', '')}`));
      cursor = page.body.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(['file:1', 'directory:a', 'file:a/2', 'directory:a/b', 'file:a/b/3']);
    expect((await d.api('DELETE', `${files}?path=tree`)).status).toBe(409);
    expect((await d.api('DELETE', `${files}?path=tree&recursive=true`)).status).toBe(200);
    expect((await d.api('GET', `${files}?path=tree`)).status).toBe(404);
  });
});

describe('a stopped sandbox', () => {
  it('serves every file operation from the host without starting it', async () => {
    const stopped = await d.api('POST', `/v1/sandboxes/${id}/stop`);
    expect(stopped.body.status).toBe('stopped');
    const before = Date.parse((await d.api('GET', `/v1/sandboxes/${id}`)).body.last_active_at);
    await new Promise((r) => setTimeout(r, 5_500)); // activity writes are throttled to one per 5 s

    expect((await d.api('PUT', files, { path: 'offline/x.txt', content: 'while stopped' })).status).toBe(200);
    expect((await raw('GET', `${files}/raw?path=offline/x.txt`)).bytes.toString()).toBe('while stopped');
    expect((await d.api('GET', `${files}?path=offline`)).body.entries).toHaveLength(1);
    expect((await d.api('POST', `${files}/mkdir`, { path: 'offline/d' })).status).toBe(201);
    expect((await d.api('DELETE', `${files}?path=offline&recursive=true`)).status).toBe(200);

    const after = (await d.api('GET', `/v1/sandboxes/${id}`)).body;
    expect(after.status).toBe('stopped');
    expect(Date.parse(after.last_active_at)).toBeGreaterThan(before);
    expect((await docker.getContainer(after.container_id).inspect()).State.Running).toBe(false);
  });

  it('answers 404 for a sandbox that does not exist', async () => {
    const r = await d.api('GET', `/v1/sandboxes/${uniqueId('nope')}/files?path=`);
    expect(r.status).toBe(404);
    expect((await d.api('PUT', `/sandbox/${uniqueId('nope')}/files`, { path: 'x', content: 'x' })).status).toBe(404);
  });
});
