/**
 * The OpenAPI document is true: it validates against the OpenAPI 3.1 schema
 * (@seriousme/openapi-schema-validator), its examples fit their schemas, every
 * operation is named and answers its errors, and real answers of a real
 * daemon (auth on, a real sandbox, a real agent task, streamed exec, followed
 * logs, terminal WebSockets) fit the schema the document gives for their
 * route, status and content type (Ajv, JSON Schema 2020-12; an SSE message's
 * data against the event schema). An answer with a status the document does
 * not list fails.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { DocumentCheck, pointer, sseMessages } from '../helpers/openapi-check.js';
import { until } from '../helpers/wait.js';

const TOKEN = `t-${uniqueId()}`;
const auth = { authorization: `Bearer ${TOKEN}` };
/** A token scoped to its own sandboxes, which may have none: its refusals are answers too. */
const SCOPED = { authorization: `Bearer s-${uniqueId()}` };

let d: TestDaemon;
let model: ModelServer;
let doc: any;
let checker: DocumentCheck;

beforeAll(async () => {
  model = await startModelServer();
  const tokens = `test:${TOKEN},scoped;max_sandboxes=0:${SCOPED.authorization.slice(7)}`;
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: tokens, SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(model.port) } });
  doc = (await d.api('GET', '/openapi.json')).body;
  checker = new DocumentCheck(doc, d.url, auth);
});

afterAll(async () => {
  await d?.dispose();
  await model?.close();
});

const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => checker.call(method, url, body, headers);
const validatorAt = (ptr: string) => checker.validatorAt(ptr);

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('names every operation once, tags it, and lists the errors any route may give', () => {
    const ids: string[] = [];
    for (const [path, methods] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) {
        ids.push(op.operationId);
        expect(op.tags?.length, `${method} ${path} tags`).toBe(1);
        expect(op.summary, `${method} ${path} summary`).toBeTruthy();
        const statuses = Object.keys(op.responses);
        expect(statuses.some((s) => /^2\d\d$/.test(s)), `${method} ${path} success`).toBe(true);
        for (const s of ['403', '421', '500']) expect(statuses, `${method} ${path}`).toContain(s);
        const open = ['/healthz', '/readyz', '/openapi.json', '/v1/session'].includes(path);
        // The sign-in is open, and answers 401 to a wrong token.
        if (path !== '/v1/session') expect(statuses.includes('401'), `${method} ${path} 401`).toBe(!open);
        expect(op.security === undefined ? 'token' : 'open').toBe(open ? 'open' : 'token');
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['createSandbox', 'execCommand', 'writeFile', 'createTask', 'streamTaskEvents', 'getMetrics']));
    expect(ids).toEqual(expect.arrayContaining(['listTerminals', 'createTerminal', 'getTerminal', 'deleteTerminal', 'getExecLogs', 'getServiceLogs']));
  });

  it('has examples that fit their schemas', () => {
    const bad: string[] = [];
    for (const [name, schema] of Object.entries<any>(doc.components.schemas)) {
      for (const [i, example] of (schema.examples ?? []).entries()) {
        const v = validatorAt(pointer('components', 'schemas', name));
        if (!v(example)) bad.push(`${name} example ${i}: ${checker.ajv.errorsText(v.errors)}`);
      }
    }
    for (const [name, r] of Object.entries<any>(doc.components.responses)) {
      const v = validatorAt(pointer('components', 'responses', name, 'content', 'application/json', 'schema'));
      if (!v(r.content['application/json'].example)) bad.push(`${name}: ${checker.ajv.errorsText(v.errors)}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('real answers fit the document', () => {
  const id = uniqueId('oa');

  it('for sandboxes, exec, files, services, previews and errors', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/readyz')).status).toBe(200);
    const created = await call('POST', '/v1/sandboxes', { id, ports: [3000], env: { SECRET_VALUE: 'hunter2' } });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain('hunter2');
    expect((await call('POST', '/v1/sandboxes', { id })).status).toBe(409);
    expect((await call('POST', '/v1/sandboxes', { ports: [1, 1] })).status).toBe(400);
    expect((await call('POST', '/v1/sandboxes', '{"id":', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await call('POST', '/v1/sandboxes', 'id=x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await call('GET', '/v1/sandboxes', undefined, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await call('GET', '/v1/sandboxes', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await call('GET', '/v1/sandboxes/nope-nope')).status).toBe(404);
    expect((await call('GET', '/v1/sandboxes/NOPE')).status).toBe(400);
    expect((await call('GET', '/v1/sandboxes')).body.count).toBeGreaterThanOrEqual(1);
    expect((await call('GET', `/v1/sandboxes/${id}`)).body.env_names).toEqual(['SECRET_VALUE']);
    expect((await call('PATCH', `/v1/sandboxes/${id}`, { idle_policy: 'always_on' })).status).toBe(200);
    expect((await call('POST', `/v1/sandboxes/${id}/keepalive`)).status).toBe(200);

    expect((await call('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'echo $SECRET_VALUE | wc -c'] })).body.stdout).toBe('8\n');
    expect((await call('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sleep', '5'], timeout_s: 1 })).body.timed_out).toBe(true);
    expect((await call('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['true'], background: true })).status).toBe(202);

    const files = `/v1/sandboxes/${id}/files`;
    expect((await call('PUT', files, { path: 'workspace/app/a.txt', content: 'hello' })).status).toBe(200);
    expect((await call('PUT', `${files}/raw?path=workspace/app/b.bin`, 'bytes', { 'content-type': 'application/octet-stream' })).status).toBe(200);
    expect((await call('GET', `${files}?path=workspace/app`)).body.entries.length).toBeGreaterThanOrEqual(2);
    expect((await call('GET', `${files}?path=workspace/app/a.txt`)).body.content).toBe('hello');
    expect((await call('GET', `${files}/content?path=workspace/app/a.txt`)).text).toBe('hello');
    expect((await call('GET', `${files}/content?path=workspace/app/a.txt&encoding=base64`)).body.content).toBe('aGVsbG8=');
    expect((await call('GET', `${files}/raw?path=workspace/app/b.bin`)).text).toBe('bytes');
    expect((await call('POST', `${files}/mkdir`, { path: 'workspace/app/d' })).status).toBe(201);
    expect((await call('POST', `${files}/mkdir`, { path: 'workspace/app/d', parents: true })).status).toBe(200);
    expect((await call('POST', `${files}/mkdir`, { path: 'workspace/app/d' })).status).toBe(409);
    expect((await call('GET', `${files}?path=workspace/app/missing`)).status).toBe(404);
    expect((await call('DELETE', `${files}?path=workspace/app/d`)).status).toBe(200);

    const services = [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }];
    expect((await call('PUT', `/v1/sandboxes/${id}/services`, { services })).body.declared).toEqual(services);
    expect((await call('GET', `/v1/sandboxes/${id}/services`)).status).toBe(200);
    expect((await call('PATCH', `/v1/sandboxes/${id}`, { visibility: 'private' })).status).toBe(200);
    expect((await call('POST', `/v1/sandboxes/${id}/preview-token`, { ttl_s: 600 })).status).toBe(200);
    expect((await call('POST', `/v1/sandboxes/${id}/preview-token/rotate`)).body.epoch).toBe(1);
    expect((await call('POST', '/v1/admin/reconcile')).status).toBe(200);
    expect((await call('GET', '/metrics')).text).toContain('sandboxed_sandboxes');
    expect((await call('POST', `/v1/sandboxes/${id}/stop`)).body.status).toBe('stopped');
    expect((await call('POST', `/sandbox/${id}/start`)).body.status).toBe('running');
  });

  it('for metadata, filters, pages, lifetimes, quotas and ownership', async () => {
    const other = uniqueId('oa');
    const created = await call('POST', '/v1/sandboxes', { id: other, metadata: { user: '42' }, ttl_s: 3600, auto_delete_after_idle_s: 600, purge_on_expiry: true });
    expect(created.body).toMatchObject({ metadata: { user: '42', 'sandboxed.owner': 'test' }, ttl_s: 3600, purge_on_expiry: true });
    expect((await call('PATCH', `/v1/sandboxes/${other}`, { metadata: { user: null, plan: 'pro' }, ttl_s: 60 })).body.metadata).toEqual({ plan: 'pro', 'sandboxed.owner': 'test' });
    expect((await call('GET', '/v1/sandboxes?metadata.plan=pro&status=running')).body.count).toBe(1);
    const page = await call('GET', '/v1/sandboxes?limit=1');
    expect(page.body.next_cursor).toEqual(expect.any(String));
    expect((await call('GET', `/v1/sandboxes?limit=1&cursor=${page.body.next_cursor}`)).body.next_cursor).toBeNull();
    expect((await call('GET', '/v1/sandboxes?colour=red')).status).toBe(400);
    expect((await call('POST', '/v1/sandboxes', { metadata: { 'sandboxed.owner': 'x' } })).status).toBe(400);
    expect((await call('GET', `/v1/sandboxes/${other}/tasks?limit=5`)).body.next_cursor).toBeNull();
    expect((await call('GET', `/v1/sandboxes/${other}/snapshots?limit=5`)).body.next_cursor).toBeNull();
    expect((await call('GET', '/v1/snapshots?limit=5')).status).toBe(200);
    expect((await call('GET', '/v1/snapshots?cursor=nope')).status).toBe(400);
    // The scoped token: over its quota, blind to the other token's sandboxes, kept from operator routes.
    expect((await call('POST', '/v1/sandboxes', {}, SCOPED)).status).toBe(429);
    expect((await call('GET', `/v1/sandboxes/${other}`, undefined, SCOPED)).status).toBe(404);
    expect((await call('GET', '/v1/sandboxes', undefined, SCOPED)).body).toEqual({ sandboxes: [], count: 0, next_cursor: null });
    expect((await call('POST', '/v1/admin/reconcile', undefined, SCOPED)).status).toBe(403);
    expect((await call('POST', `/v1/sandboxes/${other}/purge`)).status).toBe(200);
  });

  it('for streamed exec, exec and service logs, and terminals over HTTP and WebSocket', async () => {
    const exec = `/v1/sandboxes/${id}/exec`;
    const streamed = await call('POST', exec, { cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'] }, { accept: 'text/event-stream' });
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    expect(sseMessages(streamed.text).map((m) => m.event)).toEqual(expect.arrayContaining(['stdout', 'stderr']));
    expect(sseMessages(streamed.text).at(-1)).toMatchObject({ event: 'exit', data: { exit_code: 3, timed_out: false } });
    expect(sseMessages((await call('POST', exec, { cmd: ['echo', 'hi'], stream: true })).text).at(-1)?.event).toBe('exit');
    expect((await call('POST', exec, { cmd: ['true'], stream: true, background: true })).status).toBe(400);

    const bg = await call('POST', exec, { cmd: ['sh', '-c', 'echo building; echo built'], background: true });
    expect(bg.body.logs_url).toBe(`/v1/sandboxes/${id}/exec/${bg.body.id}/logs`);
    const followed = sseMessages((await call('GET', `${bg.body.logs_url}?follow=1`)).text);
    expect(followed.at(-1)).toMatchObject({ event: 'exit', data: { exit_code: 0 } });
    expect((await call('GET', bg.body.logs_url)).text).toBe('building\nbuilt\n');
    expect((await call('GET', `${exec}/01aaaaaaaaaaaaaaaaaaaaaaaa/logs`)).status).toBe(404);
    expect((await call('GET', `${bg.body.logs_url}?bytes=-1`)).status).toBe(400);

    // The service declared above writes a line per request to its log.
    const request = ['python3', '-c', "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/')"];
    await until(async () => (await call('POST', exec, { cmd: request })).body.exit_code === 0, 'the service to answer');
    const serviceLog = `/v1/sandboxes/${id}/services/web/logs`;
    expect((await call('GET', serviceLog)).text).toContain('GET / HTTP/1.1');
    const served = (t: string) => sseMessages(t.slice(0, t.lastIndexOf('\n\n') + 2)).some((m) => m.event === 'log' && (m.data as { text: string }).text.includes('GET / HTTP/1.1'));
    const live = await checker.read(`${serviceLog}?follow=1`, served, { 'last-event-id': '0' });
    expect(sseMessages(live.text)[0]).toMatchObject({ event: 'log', data: { offset: 0 } });
    expect((await call('GET', `/v1/sandboxes/${id}/services/nope/logs`)).status).toBe(404);

    const pty = `/v1/sandboxes/${id}/pty`;
    const created = await call('POST', pty, { cols: 100, rows: 30, cmd: ['sh'] });
    expect(created.status).toBe(201);
    expect((await call('POST', pty)).body.cmd).toEqual(['bash', '-l']);
    expect((await call('POST', pty, { cols: 0 })).status).toBe(400);
    expect((await call('GET', `${pty}/${created.body.id}`)).body).toMatchObject({ cols: 100, rows: 30, viewers: 0 });
    expect((await call('GET', `${pty}/01aaaaaaaaaaaaaaaaaaaaaaaa`)).status).toBe(404);
    const attached = await checker.upgrade(`${pty}/${created.body.id}?since=0`);
    const opened = await checker.upgrade(`${pty}?cols=90&rows=20`);
    expect([attached.status, opened.status]).toEqual([101, 101]);
    expect((await checker.upgrade(`${pty}/01aaaaaaaaaaaaaaaaaaaaaaaa`)).status).toBe(404);
    expect((await checker.upgrade(`${pty}?cols=0`)).status).toBe(400);
    await until(async () => (await call('GET', `${pty}/${created.body.id}`)).body.viewers === 1, 'the viewer to be attached');
    for (const s of [attached, opened]) s.socket?.close();
    const sessions = (await call('GET', pty)).body;
    expect(sessions.count).toBe(3);
    for (const s of sessions.sessions) expect((await call('DELETE', `${pty}/${s.id}`)).body).toMatchObject({ id: s.id, ended: true });
    expect((await call('DELETE', `${pty}/${created.body.id}`)).status).toBe(404);
  });

  it('for an agent task, its list and every event of its stream', async () => {
    const fields = { agent: 'claude-code', model: 'claude-sonnet-4-5', base_url: model.hostUrl, env: { ANTHROPIC_API_KEY: 'sk-test' } };
    const started = await call('POST', `/v1/sandboxes/${id}/tasks`, { prompt: 'FILE=/home/sandbox/workspace/app/t.txt CONTENT=hi', ...fields });
    expect(started.status).toBe(202);
    const r = await fetch(`${d.url}${started.body.events_url}`, { headers: auth, signal: AbortSignal.timeout(120_000) });
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    expect(r.headers.get('x-request-id')).toBeTruthy();
    const events = (await r.text())
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)));
    expect(events.at(-1).type).toBe('task.completed');
    const sse = validatorAt(pointer('paths', '/v1/sandboxes/{id}/tasks/{taskId}/events', 'get', 'responses', '200', 'content', 'text/event-stream', 'schema'));
    for (const e of events) if (!sse(e)) checker.problems.push(`event ${e.type}: ${checker.ajv.errorsText(sse.errors)}`);
    expect((await call('GET', `/v1/sandboxes/${id}/tasks/${started.body.id}`)).body.status).toBe('succeeded');
    expect((await call('GET', `/v1/sandboxes/${id}/tasks`)).body.count).toBe(1);
    expect((await call('POST', `/v1/sandboxes/${id}/tasks/${started.body.id}/cancel`)).status).toBe(200);
    // Snapshots: the task's checkpoint, taking, restoring, templates, undo.
    const snaps = `/v1/sandboxes/${id}/snapshots`;
    const taken = await call('POST', snaps, { name: 'doc' });
    expect(taken.status).toBe(201);
    expect((await call('POST', snaps, { name: 'doc' })).status).toBe(409);
    expect((await call('GET', snaps)).body.count).toBe(2);
    expect((await call('GET', `${snaps}/${taken.body.id}`)).body.name).toBe('doc');
    expect((await call('GET', `${snaps}/01aaaaaaaaaaaaaaaaaaaaaaaa`)).status).toBe(404);
    expect((await call('PATCH', `${snaps}/${taken.body.id}`, { template: true })).body.template).toBe(true);
    expect((await call('GET', '/v1/snapshots')).body.count).toBeGreaterThanOrEqual(1);
    expect((await call('POST', `${snaps}/${taken.body.id}/restore`)).body.saved_as.kind).toBe('pre-restore');
    expect((await call('POST', `/v1/sandboxes/${id}/tasks/${started.body.id}/undo`)).body.task_id).toBe(started.body.id);
    expect((await call('PATCH', `${snaps}/${taken.body.id}`, { template: false })).status).toBe(200);
    expect((await call('DELETE', `${snaps}/${taken.body.id}`)).body.deleted).toBe(true);
    expect((await call('DELETE', `/v1/sandboxes/${id}`)).body.workspace).toBe('kept');
    expect((await call('POST', `/v1/sandboxes/${id}/purge`)).body.workspace).toBe('removed');
  });

  it('for lifecycle events (the run above, replayed), webhook deliveries and images', async () => {
    const purged = (t: string) => sseMessages(t.slice(0, t.lastIndexOf('\n\n') + 2)).some((m) => (m.data as { type: string }).type === 'sandbox.purged');
    const replay = await checker.read(`/v1/events?since=0&sandbox_id=${id}`, purged);
    const types = sseMessages(replay.text).map((m) => (m.data as { type: string }).type);
    expect(types).toEqual(expect.arrayContaining(['sandbox.created', 'sandbox.stopped', 'sandbox.started', 'task.started', 'task.succeeded', 'sandbox.deleted', 'sandbox.purged']));
    expect((await call('GET', '/v1/events?types=nope')).status).toBe(400);
    expect((await call('GET', '/v1/webhooks/deliveries')).body).toEqual({ deliveries: [], count: 0, next_cursor: null });
    expect((await call('GET', '/v1/webhooks/deliveries?status=lost')).status).toBe(400);
    expect((await call('GET', '/v1/images')).body.images[0]).toMatchObject({ name: 'default', default: true });
    expect((await call('POST', '/v1/sandboxes', { image: 'nope' })).status).toBe(400);
  });

  it('for the dashboard: its sign-in, session, settings, usage', async () => {
    expect((await call('GET', '/v1/session')).body).toMatchObject({ auth: true, token_name: 'test', expires_at: null });
    expect((await call('POST', '/v1/session', { token: 'not-a-token' }, { authorization: '' })).status).toBe(401);
    expect((await call('POST', '/v1/session', { token: TOKEN })).body).toMatchObject({ auth: true, token_name: 'test' });
    expect((await call('DELETE', '/v1/session')).body).toEqual({ signed_out: true });
    expect((await call('GET', '/v1/system')).status).toBe(200);
    expect((await call('GET', '/v1/system', undefined, SCOPED)).status).toBe(403);
    const sb = uniqueId('usage');
    expect((await call('POST', '/v1/sandboxes', { id: sb })).status).toBe(201);
    expect((await call('GET', '/v1/usage')).body.sandboxes).toEqual(expect.arrayContaining([expect.objectContaining({ id: sb })]));
    expect((await call('GET', `/v1/sandboxes/${sb}/usage`)).body).toMatchObject({ id: sb, memory_limit_bytes: expect.any(Number) });
    expect((await call('GET', `/v1/sandboxes/${uniqueId('none')}/usage`)).status).toBe(404);
    expect((await call('POST', `/v1/sandboxes/${sb}/purge`)).status).toBe(200);
  });

  it('with no answer outside the document', () => {
    expect(checker.problems).toEqual([]);
    const wanted = ['createSandbox 201', 'createSandbox 409', 'createSandbox 415', 'listSandboxes 401', 'listSandboxes 403', 'execCommand 202', 'readFile 200', 'createTask 202', 'getTask 200'];
    wanted.push('createSandbox 429', 'createSandbox 400', 'listSandboxes 400', 'getSandbox 404', 'reconcile 403', 'listTemplates 400', 'updateSandbox 200');
    wanted.push('execCommand 200', 'execCommand 400', 'getExecLogs 200', 'getExecLogs 404', 'getServiceLogs 200', 'getServiceLogs 404');
    wanted.push('streamEvents 200', 'streamEvents 400', 'listWebhookDeliveries 200', 'listWebhookDeliveries 400', 'listImages 200');
    wanted.push('getSession 200', 'signIn 200', 'signIn 401', 'signOut 200', 'getSystem 200', 'getSystem 403', 'listUsage 200', 'getUsage 200', 'getUsage 404');
    wanted.push('createTerminal 201', 'createTerminal 400', 'listTerminals 101', 'listTerminals 200', 'listTerminals 400', 'getTerminal 101', 'getTerminal 200', 'getTerminal 404', 'deleteTerminal 200', 'deleteTerminal 404');
    expect([...checker.seen]).toEqual(expect.arrayContaining(wanted));
  });
});
