/**
 * Attack: one API token reaching another token's sandbox. Token b holds a
 * valid secret but did not create sandbox A; it tries every route the OpenAPI
 * document lists with a sandbox id (read from the running daemon's own
 * document, so a route added later is covered or fails this test), both
 * terminal WebSockets, the templates reached through its own sandbox's
 * paths, a fork from a's template, the id of a's deleted sandbox, the
 * list filters and the operator routes. Every attempt fails (404 like a
 * sandbox that does not exist, 409 for the id, 403 for operator routes), and
 * a's sandbox, files, task, snapshots, terminal, service and preview tokens
 * are untouched; the daemon and an admin token see everything.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { until } from '../helpers/wait.js';

const SECRET = { ops: `o-${uniqueId()}`, a: `a-${uniqueId()}`, b: `b-${uniqueId()}` };
const as = (who: keyof typeof SECRET) => ({ authorization: `Bearer ${SECRET[who]}` });
let d: TestDaemon;
let model: ModelServer;
const A = uniqueId('own');
const B = uniqueId('oth');
/** Ids of a's things, for the routes' other parameters. */
const ids: Record<string, string> = { id: A, name: 'web' };
let template: string;

beforeAll(async () => {
  model = await startModelServer();
  d = await startTestDaemon({
    env: {
      SANDBOXD_API_TOKENS: `ops:${SECRET.ops},a;max_sandboxes=10:${SECRET.a},b;max_sandboxes=10:${SECRET.b}`,
      SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(model.port),
    },
  });
  const services = [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }];
  const created = await d.api('POST', '/v1/sandboxes', { id: A, ports: [3000], services, visibility: 'private', metadata: { user: 'alice' } }, as('a'));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.metadata).toEqual({ 'sandboxed.owner': 'a', user: 'alice' });
  expect((await d.api('POST', '/v1/sandboxes', { id: B }, as('b'))).status).toBe(201);
  expect((await d.api('PUT', `/v1/sandboxes/${A}/files`, { path: 'workspace/app/kept.txt', content: 'alice data' }, as('a'))).status).toBe(200);
  const bg = await d.api('POST', `/v1/sandboxes/${A}/exec`, { cmd: ['echo', 'bg'], background: true }, as('a'));
  ids.execId = bg.body.id;
  const task = await d.api('POST', `/v1/sandboxes/${A}/tasks`, { prompt: 'FILE=/home/sandbox/workspace/app/t.txt CONTENT=hi', ...agent() }, as('a'));
  expect(task.status, JSON.stringify(task.body)).toBe(202);
  ids.taskId = task.body.id;
  await until(async () => (await d.api('GET', `/v1/sandboxes/${A}/tasks/${ids.taskId}`, undefined, as('a'))).body.status === 'succeeded', 'a’s task to succeed', 150_000);
  const snap = await d.api('POST', `/v1/sandboxes/${A}/snapshots`, { name: 'mine', template: true }, as('a'));
  expect(snap.status).toBe(201);
  ids.snap = template = snap.body.id;
  const pty = await d.api('POST', `/v1/sandboxes/${A}/pty`, { cmd: ['sh'] }, as('a'));
  expect(pty.status).toBe(201);
  ids.session = pty.body.id;
});

afterAll(async () => {
  await d?.dispose();
  await model?.close();
});

function agent(): Record<string, unknown> {
  return { agent: 'claude-code', model: 'claude-sonnet-4-5', base_url: model.hostUrl, env: { ANTHROPIC_API_KEY: 'sk-test' }, checkpoint: false };
}

/** A valid request for each operation, so that only ownership can refuse it. */
function requestFor(operationId: string): { query?: string; body?: unknown; bytes?: string } {
  const op = operationId.replace(/Legacy$/, '');
  const table: Record<string, { query?: string; body?: unknown; bytes?: string }> = {
    updateSandbox: { body: { idle_policy: 'always_on', metadata: { user: 'mallory' } } },
    execCommand: { body: { cmd: ['sh', '-c', 'echo pwned > /home/sandbox/workspace/app/kept.txt'] } },
    listFiles: { query: 'path=workspace/app' },
    readFile: { query: 'path=workspace/app/kept.txt' },
    downloadFile: { query: 'path=workspace/app/kept.txt' },
    deleteFile: { query: 'path=workspace/app/kept.txt' },
    writeFile: { body: { path: 'workspace/app/kept.txt', content: 'pwned' } },
    uploadFile: { query: 'path=workspace/app/kept.txt', bytes: 'pwned' },
    makeDirectory: { body: { path: 'workspace/app/evil' } },
    setServices: { body: { services: [] } },
    createPreviewToken: { body: { port: 3000 } },
    createTask: { body: { prompt: 'steal', ...agent() } },
    takeSnapshot: { body: { name: 'evil' } },
    updateSnapshot: { body: { template: false } },
    undoTask: { body: { force: true } },
    createTerminal: { body: { cmd: ['sh'] } },
    getExecLogs: { query: 'bytes=100' },
  };
  return table[op] ?? {};
}

async function call(method: string, url: string, who: keyof typeof SECRET, req: { body?: unknown; bytes?: string } = {}) {
  const headers: Record<string, string> = { ...as(who) };
  let body: string | undefined;
  if (req.bytes !== undefined) [body, headers['content-type']] = [req.bytes, 'application/octet-stream'];
  else if (req.body !== undefined) [body, headers['content-type']] = [JSON.stringify(req.body), 'application/json'];
  const r = await fetch(`${d.url}${url}`, { method, headers, body, signal: AbortSignal.timeout(60_000) });
  const text = await r.text();
  return { status: r.status, text };
}

function upgradeStatus(url: string, who: keyof typeof SECRET): Promise<number> {
  const ws = new WebSocket(`${d.url.replace(/^http/, 'ws')}${url}`, ['sandboxed.pty.v1'], { headers: as(who) });
  ws.on('error', () => undefined);
  return new Promise((resolve) => {
    ws.once('upgrade', (res) => {
      resolve(res.statusCode ?? 0);
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
  });
}

describe('a token reaching another token’s sandbox', () => {
  it('gets 404 on every route of the document that takes a sandbox id, as if it did not exist', async () => {
    const doc = (await d.api('GET', '/openapi.json')).body;
    const tried: string[] = [];
    const leaks: string[] = [];
    for (const [template_, methods] of Object.entries<any>(doc.paths)) {
      if (!template_.includes('{id}')) continue;
      for (const [method, op] of Object.entries<any>(methods)) {
        const url = template_.replace(/\{(\w+)\}/g, (_, p: string) => {
          if (!(p in ids)) throw new Error(`no value of a's for {${p}} in ${template_}: add one to this test`);
          return ids[p];
        });
        const req = requestFor(op.operationId);
        const r = await call(method.toUpperCase(), `${url}${req.query ? `?${req.query}` : ''}`, 'b', req);
        tried.push(op.operationId);
        if (r.status !== 404 || !/^\{"error":"(sandbox|snapshot) [^"]* not found[^"]*"\}$/.test(r.text)) leaks.push(`${method.toUpperCase()} ${url} → ${r.status} ${r.text.slice(0, 200)}`);
      }
    }
    expect(leaks).toEqual([]);
    // Every family: lifecycle, exec, files, services, previews, tasks, snapshots, terminals, logs, the original paths.
    expect(tried.length).toBeGreaterThanOrEqual(57);
    expect(tried).toEqual(expect.arrayContaining(['deleteSandbox', 'purgeSandboxLegacy', 'execCommand', 'uploadFile', 'setServices', 'rotatePreviewTokens', 'streamTaskEvents', 'restoreSnapshot', 'undoTask', 'createTerminal', 'getServiceLogs']));
  });

  it('gets 404 before any WebSocket upgrade to its terminals, and opens no session', async () => {
    expect(await upgradeStatus(`/v1/sandboxes/${A}/pty?cols=80&rows=24`, 'b')).toBe(404);
    expect(await upgradeStatus(`/v1/sandboxes/${A}/pty/${ids.session}`, 'b')).toBe(404);
    expect(await upgradeStatus(`/v1/sandboxes/${A}/pty/${ids.session}?token=${SECRET.b}`, 'b')).toBe(404);
    // The same handshake with the owner's token opens.
    expect(await upgradeStatus(`/v1/sandboxes/${A}/pty/${ids.session}`, 'a')).toBe(101);
  });

  it('leaves the owner’s sandbox exactly as it was', async () => {
    const sb = await d.api('GET', `/v1/sandboxes/${A}`, undefined, as('a'));
    expect(sb.body).toMatchObject({ status: 'running', idle_policy: 'sleep', metadata: { 'sandboxed.owner': 'a', user: 'alice' } });
    expect(sb.body.services).toHaveLength(1);
    expect((await d.api('GET', `/v1/sandboxes/${A}/files/content?path=workspace/app/kept.txt`, undefined, as('a'))).body).toBe('alice data');
    expect((await d.api('GET', `/v1/sandboxes/${A}/files?path=workspace/app/evil`, undefined, as('a'))).status).toBe(404);
    expect((await d.api('GET', `/v1/sandboxes/${A}/tasks`, undefined, as('a'))).body.count).toBe(1);
    expect((await d.api('GET', `/v1/sandboxes/${A}/snapshots`, undefined, as('a'))).body.snapshots.map((s: any) => s.name)).toEqual(['mine']);
    expect((await d.api('GET', `/v1/sandboxes/${A}/snapshots/${template}`, undefined, as('a'))).body.template).toBe(true);
    expect((await d.api('GET', `/v1/sandboxes/${A}/pty`, undefined, as('a'))).body.count).toBe(1);
    // b's rotate did not happen: a's first rotate is epoch 1.
    expect((await d.api('POST', `/v1/sandboxes/${A}/preview-token/rotate`, undefined, as('a'))).body.epoch).toBe(1);
    expect((await d.api('GET', '/readyz')).status).toBe(200);
  });

  it('does not see it in lists, by any filter', async () => {
    const listed = async (who: keyof typeof SECRET, q = '') => (await d.api('GET', `/v1/sandboxes${q}`, undefined, as(who))).body.sandboxes.map((s: any) => s.id);
    expect(await listed('b')).toEqual([B]);
    expect(await listed('b', '?metadata.user=alice')).toEqual([]);
    expect(await listed('b', '?metadata.sandboxed.owner=a')).toEqual([]);
    expect(await listed('b', '?limit=1000')).toEqual([B]);
    expect((await d.api('GET', '/sandboxes', undefined, as('b'))).body.count).toBe(1);
    expect(await listed('a')).toEqual([A]);
    expect((await listed('ops')).sort()).toEqual([A, B].sort());
    expect(await listed('ops', '?metadata.sandboxed.owner=a')).toEqual([A]);
  });

  it('cannot reach its template through its own sandbox, list it, or fork from it', async () => {
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { template: false }],
      ['POST', '/restore', undefined],
      ['DELETE', '', undefined],
    ] as const) {
      const r = await call(method, `/v1/sandboxes/${B}/snapshots/${template}${suffix}`, 'b', { body });
      expect(r.status, `${method} ${suffix}: ${r.text}`).toBe(404);
    }
    const templates = async (who: keyof typeof SECRET) => (await d.api('GET', '/v1/snapshots', undefined, as(who))).body.snapshots.map((s: any) => s.id);
    expect(await templates('b')).toEqual([]);
    expect(await templates('a')).toEqual([template]);
    expect(await templates('ops')).toEqual([template]);
    const fork = await d.api('POST', '/v1/sandboxes', { id: uniqueId('fork'), from_snapshot: template }, as('b'));
    expect(fork.status).toBe(404);
    expect(fork.body.error).toBe(`from_snapshot: snapshot ${template} not found`);
    expect((await d.api('GET', `/v1/sandboxes/${A}/snapshots/${template}`, undefined, as('a'))).body.template).toBe(true);
    expect((await d.api('GET', `/v1/sandboxes/${B}/files?path=workspace/app`, undefined, as('b'))).body.entries).toEqual([]);
  });

  it('cannot take over the id of its deleted sandbox, nor the workspace it kept', async () => {
    const gone = uniqueId('del');
    expect((await d.api('POST', '/v1/sandboxes', { id: gone }, as('a'))).status).toBe(201);
    expect((await d.api('PUT', `/v1/sandboxes/${gone}/files`, { path: 'workspace/app/secret.txt', content: 'kept' }, as('a'))).status).toBe(200);
    expect((await d.api('DELETE', `/v1/sandboxes/${gone}`, undefined, as('a'))).status).toBe(200);
    const taken = await d.api('POST', '/v1/sandboxes', { id: gone }, as('b'));
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe(`sandbox id ${gone} is taken; pick another`);
    expect((await d.api('POST', `/v1/sandboxes/${gone}/purge`, undefined, as('b'))).status).toBe(404);
    // Its owner gets it back, workspace and all.
    expect((await d.api('POST', '/v1/sandboxes', { id: gone }, as('a'))).status).toBe(201);
    expect((await d.api('GET', `/v1/sandboxes/${gone}/files/content?path=workspace/app/secret.txt`, undefined, as('a'))).body).toBe('kept');
    expect((await d.api('POST', `/v1/sandboxes/${gone}/purge`, undefined, as('a'))).status).toBe(200);
  });

  it('cannot claim an owner through metadata, nor use the operator routes', async () => {
    const claim = await d.api('POST', '/v1/sandboxes', { metadata: { 'sandboxed.owner': 'a' } }, as('b'));
    expect(claim.status).toBe(400);
    expect(claim.body.error).toMatch(/reserved/);
    expect((await d.api('PATCH', `/v1/sandboxes/${B}`, { metadata: { 'SANDBOXED.owner': 'a' } }, as('b'))).status).toBe(400);
    expect((await d.api('GET', `/v1/sandboxes/${B}`, undefined, as('b'))).body.metadata).toEqual({ 'sandboxed.owner': 'b' });
    for (const [method, url] of [['POST', '/v1/admin/reconcile'], ['GET', '/metrics']] as const) {
      const r = await d.api(method, url, undefined, as('b'));
      expect(r.status).toBe(403);
      expect(r.body.error).toBe(`token "b" is not an admin token; ${url} is for admins`);
      expect((await d.api(method, url, undefined, as('ops'))).status).toBe(200);
    }
  });
});
