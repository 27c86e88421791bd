/**
 * The SDK (sdk/) against a real daemon with auth on: sandboxes, exec, files,
 * services, previews, snapshots and errors, each call typed from the OpenAPI
 * document and answered by the real API.
 */
import http from 'node:http';
import { inspect } from 'node:util';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandboxed, SandboxedError, type Sandbox } from '../../sdk/src/index.js';
import { freePort, startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const TOKEN = `t-${uniqueId()}`;
let d: TestDaemon;
let client: Sandboxed;
let sb: Sandbox;

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `sdk:${TOKEN}` } });
  client = new Sandboxed({ url: d.url, token: TOKEN });
  sb = await client.sandboxes.create({
    id: uniqueId('sdk'),
    ports: [3000],
    env: { GREETING: 'hello' },
    services: [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }],
  });
});

afterAll(async () => {
  await d?.dispose();
});

/** The error a promise is rejected with. */
async function failure(p: Promise<unknown>): Promise<SandboxedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxedError);
  return err as SandboxedError;
}

describe('sandboxes', () => {
  it('creates, reads, lists, updates and keeps the handle’s row current', async () => {
    expect(sb.info).toMatchObject({ id: sb.id, status: 'running', ports: [3000], env_names: ['GREETING'] });
    expect((await client.sandboxes.get(sb.id)).info?.id).toBe(sb.id);
    expect((await client.sandboxes.list()).map((s) => s.id)).toContain(sb.id);
    expect((await sb.update({ idle_policy: 'always_on' })).idle_policy).toBe('always_on');
    expect(sb.info?.idle_policy).toBe('always_on');
    expect((await sb.keepalive()).id).toBe(sb.id);
    expect((await client.sandbox(sb.id).refresh()).idle_policy).toBe('always_on');
  });

  it('labels sandboxes with metadata and lists them by it, by status and a page at a time', async () => {
    const suite = uniqueId('suite');
    const a = await client.sandboxes.create({ id: uniqueId('sdkmeta'), metadata: { suite, n: '1' }, ttl_s: 3600 });
    const b = await client.sandboxes.create({ id: uniqueId('sdkmeta'), metadata: { suite, n: '2' } });
    expect(a.info).toMatchObject({ metadata: { suite, n: '1', 'sandboxed.owner': 'sdk' }, ttl_s: 3600 });
    expect(a.info?.expires_at).not.toBe(null);
    const ids = (list: Sandbox[]) => list.map((s) => s.id);
    expect(ids(await client.sandboxes.list({ metadata: { suite } }))).toEqual([a.id, b.id]);
    expect(ids(await client.sandboxes.list({ metadata: { suite, n: '2' } }))).toEqual([b.id]);

    const first = await client.sandboxes.page({ metadata: { suite }, limit: 1 });
    expect(ids(first.sandboxes)).toEqual([a.id]);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await client.sandboxes.page({ metadata: { suite }, limit: 1, cursor: first.next_cursor! });
    expect([ids(second.sandboxes), second.next_cursor]).toEqual([[b.id], null]);
    const walked: string[] = [];
    for await (const s of client.sandboxes.each({ metadata: { suite }, pageSize: 1 })) walked.push(s.id);
    expect(walked).toEqual([a.id, b.id]);

    await b.stop();
    expect(ids(await client.sandboxes.list({ metadata: { suite }, status: 'stopped' }))).toEqual([b.id]);
    // A key set to null is removed; the others stay.
    expect((await a.update({ metadata: { n: null } })).metadata).toEqual({ suite, 'sandboxed.owner': 'sdk' });
    expect((await failure(client.sandboxes.list({ metadata: { 'bad key': 'x' } }))).status).toBe(400);
    await Promise.all([a.delete(), b.delete()]);
  });

  it('serialises a handle as its row, and never shows the token', () => {
    expect(JSON.parse(JSON.stringify(sb))).toEqual(sb.info);
    expect(JSON.parse(JSON.stringify(client.sandbox('x')))).toEqual({ id: 'x' });
    expect(inspect(client, { depth: 10 })).not.toContain(TOKEN);
    expect(inspect(sb, { depth: 10 })).not.toContain(TOKEN);
  });

  it('stops and starts (idempotent), and exec on a stopped sandbox starts it', async () => {
    expect((await sb.stop()).status).toBe('stopped');
    expect((await sb.stop()).status).toBe('stopped');
    expect((await sb.exec(['echo', 'woke'])).stdout).toBe('woke\n');
    expect((await sb.start()).status).toBe('running');
  });

  it('deletes (the workspace stays for the same id) and purges', async () => {
    const other = await client.sandboxes.create({ id: uniqueId('sdkdel') });
    await other.files.writeText('workspace/app/kept.txt', 'kept');
    expect(await other.delete()).toMatchObject({ status: 'destroyed', workspace: 'kept' });
    expect((await failure(other.refresh())).status).toBe(404);
    const again = await client.sandboxes.create({ id: other.id });
    expect(await again.files.readText('workspace/app/kept.txt')).toBe('kept');
    expect(await again.purge()).toMatchObject({ status: 'purged', workspace: 'removed' });
  });
});

describe('exec', () => {
  it('runs an argv or a shell line, with env, cwd and a timeout', async () => {
    expect(await sb.exec(['sh', '-c', 'echo $GREETING $EXTRA; pwd'], { env: { EXTRA: 'there' }, cwd: '/tmp' })).toMatchObject({
      exit_code: 0,
      stdout: 'hello there\n/tmp\n',
      timed_out: false,
    });
    expect(await sb.exec('echo one && exit 3')).toMatchObject({ exit_code: 3, stdout: 'one\n' });
    expect(await sb.exec(['sleep', '30'], { timeout_s: 1 })).toMatchObject({ timed_out: true });
  });

  it('starts a background command', async () => {
    const bg = await sb.exec.background(['sh', '-c', 'echo started']);
    expect(bg).toMatchObject({ background: true });
    expect(bg.log_path).toContain(bg.id);
  });
});

describe('files', () => {
  it('writes and reads text, appends, lists, makes directories and deletes', async () => {
    expect(await sb.files.writeText('workspace/app/a.txt', 'héllo')).toMatchObject({ path: '/home/sandbox/workspace/app/a.txt', size: 6 });
    await sb.files.writeText('workspace/app/a.txt', ' more', { append: true });
    expect(await sb.files.readText('workspace/app/a.txt')).toBe('héllo more');
    expect(await sb.files.mkdir('workspace/app/d/e', { parents: true })).toMatchObject({ created: true });
    const listing = await sb.files.list('workspace/app');
    expect(listing.entries.map((e) => `${e.name}:${e.type}`)).toEqual(expect.arrayContaining(['a.txt:file', 'd:directory']));
    expect((await sb.files.list('workspace/app', { recursive: true })).entries.map((e) => e.path)).toContain('/home/sandbox/workspace/app/d/e');
    expect(await sb.files.remove('workspace/app/d', { recursive: true })).toMatchObject({ deleted: true });
    expect((await failure(sb.files.readText('workspace/app/d/e'))).status).toBe(404);
  });

  it('round-trips bytes that are not UTF-8, and streams both ways', async () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    expect((await sb.files.writeBytes('workspace/app/all.bin', bytes)).size).toBe(256);
    expect(await sb.files.readBytes('workspace/app/all.bin')).toEqual(bytes);

    // 3 MiB in 64 KiB chunks as a stream (what `sandboxed cp` sends), and back as a stream.
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const source = Readable.toWeb(Readable.from((function* () { for (let i = 0; i < 48; i++) yield chunk; })())) as ReadableStream<Uint8Array>;
    expect((await sb.files.upload('workspace/app/big.bin', source)).size).toBe(48 * chunk.length);
    let received = 0;
    for await (const part of (await sb.files.downloadStream('workspace/app/big.bin')) as unknown as AsyncIterable<Uint8Array>) received += part.byteLength;
    expect(received).toBe(48 * chunk.length);
    const inside = await sb.exec(['sh', '-c', 'wc -c < big.bin; md5sum all.bin | cut -c1-8']);
    expect(inside.stdout).toBe(`${48 * chunk.length}\n${'e2c865db'}\n`);
  });
});

describe('services, previews and snapshots', () => {
  it('reads and sets services', async () => {
    expect((await sb.services()).declared.map((s) => s.name)).toEqual(['web']);
    const set = await sb.setServices([{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }]);
    expect(set.declared).toHaveLength(1);
  });

  it('gives the public preview URL, and a token URL the edge admits once the sandbox is private', async () => {
    expect(await sb.previewUrl(3000)).toBe(sb.info?.preview_urls['3000']);
    await expect(sb.previewUrl(4000)).rejects.toThrow(/port 4000 is not declared/);
    await sb.update({ visibility: 'private' });
    const url = new URL(await sb.previewUrl(3000));
    expect(url.searchParams.get('token')).toBeTruthy();
    // fetch() sends its own Host: the edge is asked with node:http, as a browser resolving *.localhost would.
    const edge = (token: string | null) =>
      new Promise<{ status: number }>((resolve, reject) => {
        const headers = { host: url.host, ...(token ? { 'x-sandboxed-preview-token': token } : {}) };
        http.get({ host: '127.0.0.1', port: d.edgePort, path: '/', headers, agent: false }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0 });
        }).on('error', reject);
      });
    expect((await edge(null)).status).toBe(401);
    expect((await edge(url.searchParams.get('token'))).status).not.toBe(401);
    expect(await sb.rotatePreviewTokens()).toMatchObject({ rotated: true });
    expect((await edge(url.searchParams.get('token'))).status).toBe(401);
    await sb.update({ visibility: 'public' });
  });

  it('takes, lists, restores and deletes snapshots; a template is listed by the client', async () => {
    await sb.files.writeText('workspace/app/state.txt', 'before');
    const snap = await sb.snapshots.take({ name: 'sdk-before' });
    expect(snap).toMatchObject({ name: 'sdk-before', kind: 'manual', template: false });
    await sb.files.writeText('workspace/app/state.txt', 'after');
    expect((await sb.snapshots.list()).map((s) => s.id)).toContain(snap.id);
    const restored = await sb.snapshots.restore(snap.id);
    expect(restored.saved_as.kind).toBe('pre-restore');
    expect(await sb.files.readText('workspace/app/state.txt')).toBe('before');
    expect((await sb.snapshots.setTemplate(snap.id, true)).template).toBe(true);
    expect((await client.templates()).map((s) => s.id)).toContain(snap.id);
    await sb.snapshots.setTemplate(snap.id, false);
    expect(await sb.snapshots.remove(snap.id)).toMatchObject({ deleted: true });
  });
});

describe('errors', () => {
  it('are one class carrying the status, the API’s message and the request id', async () => {
    const missing = await failure(client.sandbox('no-such-sandbox').refresh());
    expect(missing).toMatchObject({ status: 404, message: 'sandbox no-such-sandbox not found' });
    expect(missing.requestId).toMatch(/\S/);
    await d.waitForLog(`"reqId":"${missing.requestId}"`);

    const invalid = await failure(client.sandboxes.create({ ports: [3000, 3000] }));
    expect(invalid.status).toBe(400);
    expect(invalid.message).toContain('ports');

    const conflict = await failure(client.sandboxes.create({ id: sb.id }));
    expect(conflict.status).toBe(409);

    const unauthorized = await failure(new Sandboxed({ url: d.url, token: 'wrong' }).sandboxes.list());
    expect(unauthorized).toMatchObject({ status: 401, message: 'missing or invalid bearer token' });
  });

  it('has status 0 when no answer comes', async () => {
    const down = await failure(new Sandboxed({ url: `http://127.0.0.1:${await freePort()}` }).sandboxes.list());
    expect(down.status).toBe(0);
    expect(down.message).toMatch(/^GET \/v1\/sandboxes: /);
  });
});
