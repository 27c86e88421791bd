/**
 * Terminal sessions over WebSocket against real containers: typing, resizing,
 * reconnecting with `since`, several viewers, waking a stopped sandbox, caps,
 * and the end of a session. Also streamed exec output and followed logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { SseReader } from '../helpers/sse.js';
import { TermClient, wsUrl } from '../helpers/terminal.js';
import { until } from '../helpers/wait.js';

let d: TestDaemon;
const id = uniqueId('pty');
const clients: TermClient[] = [];

async function open(p: string, opts: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<TermClient> {
  const c = await TermClient.open(wsUrl(d.url, p), opts);
  clients.push(c);
  return c;
}

async function sh(sandbox: string, script: string): Promise<string> {
  const r = await d.api('POST', `/v1/sandboxes/${sandbox}/exec`, { cmd: ['sh', '-c', script] });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.stdout as string;
}

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_PTY_MAX_PER_SANDBOX: '4' } });
  expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await d?.dispose();
});

describe('a terminal session', () => {
  it('echoes what is typed, and `stty size` sees every resize', async () => {
    const t = await open(`/v1/sandboxes/${id}/pty?cols=100&rows=30`);
    expect(t.ws.protocol).toBe('sandboxed.pty.v1');
    expect(t.hello).toMatchObject({ type: 'hello', offset: 0, missed: 0, cols: 100, rows: 30 });
    t.type('echo hi-$((40+2))\r');
    await t.waitFor('hi-42');
    t.type('stty size; pwd\r');
    await t.waitFor(/30 100\r\n\/home\/sandbox\/workspace\/app/);

    t.control({ type: 'resize', cols: 120, rows: 40 });
    expect(await t.waitFrame('size')).toMatchObject({ cols: 120, rows: 40 });
    t.type('stty size\r');
    await t.waitFor('40 120');
    // Ctrl-C as a signal frame interrupts the foreground job, not the shell.
    t.type('sleep 600\r');
    await t.waitFor('sleep 600\r\n');
    t.control({ type: 'signal', name: 'INT' });
    t.type('echo after-$((1+1))\r');
    await t.waitFor('after-2');
    t.control({ type: 'ping' });
    await t.waitFrame('pong');
  });

  it('replays exactly the missed bytes on a reconnect with since, and several viewers see the same bytes', async () => {
    const a = await open(`/v1/sandboxes/${id}/pty`);
    const session = a.hello.session;
    a.type('while [ ! -f /tmp/go ]; do sleep 0.1; done; echo missed-$((6*7))-done\r');
    await a.waitFor('done\r\n');
    await a.close();
    const since = a.offset;

    await sh(id, 'touch /tmp/go');
    await until(async () => (await d.api('GET', `/v1/sandboxes/${id}/pty/${session}`)).body.end > since + 16, 'output while nobody watched');
    const b = await open(`/v1/sandboxes/${id}/pty/${session}?since=${since}`);
    expect(b.hello).toMatchObject({ session, offset: since, missed: 0 });
    await b.waitFor('missed-42-done');

    // A viewer from the start gets everything: the first viewer's bytes, then exactly the reconnect's.
    const c = await open(`/v1/sandboxes/${id}/pty/${session}?since=0`);
    expect(c.hello.offset).toBe(0);
    await c.waitFor('missed-42-done');
    expect(c.bytes.subarray(0, a.bytes.length).equals(a.bytes)).toBe(true);
    expect(c.bytes.subarray(since, since + b.bytes.length).equals(b.bytes)).toBe(true);
    expect(b.text).not.toContain('while [');

    b.type('echo both-$((1+1))\r');
    await b.waitFor('both-2');
    await c.waitFor('both-2');
    await until(async () => b.offset === c.offset && b.offset === (await d.api('GET', `/v1/sandboxes/${id}/pty/${session}`)).body.end, 'both viewers at the end');
    expect(c.bytes.subarray(since).equals(b.bytes)).toBe(true);
    expect((await d.api('GET', `/v1/sandboxes/${id}/pty/${session}`)).body.viewers).toBe(2);
  });

  it('says so when since is older than the buffer, and replays what remains', async () => {
    const t = await open(`/v1/sandboxes/${id}/pty`);
    t.type('head -c 1500000 /dev/zero | tr "\\0" x; echo; echo flood-$((2*5))-over\r');
    await t.waitFor('flood-10-over');
    const late = await open(`/v1/sandboxes/${id}/pty/${t.hello.session}?since=0`);
    expect(late.hello.missed).toBeGreaterThan(0);
    expect(late.hello.offset).toBe(late.hello.missed);
    expect(late.hello.end - late.hello.offset).toBe(1024 * 1024);
    await late.waitFor('flood-10-over');
  });

  it('wakes a stopped sandbox, is listed, and ends with DELETE (its processes killed)', async () => {
    const other = uniqueId('ptywake');
    expect((await d.api('POST', '/v1/sandboxes', { id: other })).status).toBe(201);
    expect((await d.api('POST', `/v1/sandboxes/${other}/stop`)).body.status).toBe('stopped');
    const t = await open(`/v1/sandboxes/${other}/pty?cmd=sleep&cmd=4242`);
    expect((await d.api('GET', `/v1/sandboxes/${other}`)).body.status).toBe('running');
    const list = await d.api('GET', `/v1/sandboxes/${other}/pty`);
    expect(list.body).toMatchObject({ count: 1, sessions: [{ id: t.hello.session, cmd: ['sleep', '4242'], viewers: 1, exited: false }] });
    expect(await sh(other, 'pgrep -fx "sleep 4242" || true')).not.toBe('');

    const del = await d.api('DELETE', `/v1/sandboxes/${other}/pty/${t.hello.session}`);
    expect(del.status).toBe(200);
    expect(del.body.ended).toBe(true);
    expect((await t.waitClosed()).code).toBe(1000);
    expect(t.frames.find((f) => f.type === 'exit')).toBeDefined();
    expect((await d.api('GET', `/v1/sandboxes/${other}/pty`)).body.count).toBe(0);
    await until(async () => (await sh(other, 'pgrep -fx "sleep 4242" || true')) === '', 'the session process to be gone');
    expect((await d.api('GET', `/v1/sandboxes/${other}/pty/${t.hello.session}`)).status).toBe(404);
  });

  it('an exited shell closes its viewers after the exit frame, and stays replayable', async () => {
    const t = await open(`/v1/sandboxes/${id}/pty`);
    t.type('echo bye-$((3*3)); exit 7\r');
    expect((await t.waitClosed()).code).toBe(1000);
    expect(t.frames.find((f) => f.type === 'exit')).toEqual({ type: 'exit', code: 7 });
    const again = await open(`/v1/sandboxes/${id}/pty/${t.hello.session}`);
    await again.waitClosed();
    expect(again.text).toContain('bye-9');
    expect(again.frames.find((f) => f.type === 'exit')).toEqual({ type: 'exit', code: 7 });
  });

  it('refuses sessions past the per-sandbox cap (429) and unknown sessions (404), before any upgrade', async () => {
    const capped = uniqueId('ptycap');
    expect((await d.api('POST', '/v1/sandboxes', { id: capped })).status).toBe(201);
    for (let i = 0; i < 4; i++) expect((await d.api('POST', `/v1/sandboxes/${capped}/pty`, { cmd: ['sleep', '600'] })).status).toBe(201);
    const over = await d.api('POST', `/v1/sandboxes/${capped}/pty`, {});
    expect(over.status).toBe(429);
    expect(over.body.error).toContain('SANDBOXD_PTY_MAX_PER_SANDBOX');
    await expect(open(`/v1/sandboxes/${capped}/pty`)).rejects.toMatchObject({ status: 429 });
    await expect(open(`/v1/sandboxes/${capped}/pty/01jzzzzzzzzzzzzzzzzzzzzzzz`)).rejects.toMatchObject({ status: 404 });
    await expect(open(`/v1/sandboxes/nosuchbox/pty`)).rejects.toMatchObject({ status: 404 });
    await expect(open(`/v1/sandboxes/${capped}/pty?cols=0`)).rejects.toMatchObject({ status: 400 });
  });
});

describe('streamed exec', () => {
  it('delivers the first chunk before the command ends, then stderr and the exit event', async () => {
    const s = await SseReader.open(`${d.url}/v1/sandboxes/${id}/exec`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stream: true, cmd: ['sh', '-c', 'echo first; while [ ! -f /tmp/go-exec ]; do sleep 0.1; done; echo second >&2; exit 3'] }),
    });
    await s.waitFor((e) => e.event === 'stdout' && String(e.data.text).includes('first'), 'the first chunk');
    // The command is still waiting for the file: nothing has ended.
    expect(s.events.some((e) => e.event === 'exit')).toBe(false);
    await sh(id, 'touch /tmp/go-exec');
    await s.waitDone();
    expect(s.text('stderr')).toBe('second\n');
    expect(s.events.at(-1)).toMatchObject({ event: 'exit', data: { exit_code: 3, timed_out: false, truncated: false } });
  });

  it('streams with Accept: text/event-stream too; a bad request is still a plain 4xx', async () => {
    const s = await SseReader.open(`${d.url}/v1/sandboxes/${id}/exec`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ cmd: ['echo', 'héllo'] }),
    });
    await s.waitDone();
    expect(s.text('stdout')).toBe('héllo\n');
    const bad = await d.api('POST', '/v1/sandboxes/nosuchbox/exec', { cmd: ['true'], stream: true });
    expect(bad.status).toBe(404);
    expect(bad.body.error).toContain('not found');
  });
});

describe('followed logs', () => {
  it("follows a background exec's log to its exit event; the tail and Last-Event-ID resume by byte offset", async () => {
    const bg = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'echo one; sleep 1; echo two; exit 5'], background: true });
    expect(bg.status).toBe(202);
    const s = await SseReader.open(`${d.url}${bg.body.logs_url}?follow=1`);
    await s.waitDone();
    expect(s.text('log')).toBe('one\ntwo\n');
    expect(s.events.at(-1)).toMatchObject({ event: 'exit', id: '8', data: { exit_code: 5 } });

    const tail = await fetch(`${d.url}${bg.body.logs_url}`);
    expect(await tail.text()).toBe('one\ntwo\n');
    expect(tail.headers.get('x-log-size')).toBe('8');
    const resumed = await SseReader.open(`${d.url}${bg.body.logs_url}?follow=1`, { headers: { 'last-event-id': '4' } });
    await resumed.waitDone();
    expect(resumed.text('log')).toBe('two\n');
  });

  it("follows a service's log through a stop and a wake of its sandbox", async () => {
    const svc = uniqueId('ptylog');
    const services = [{ name: 'boot', command: 'echo boot-$(cat /proc/sys/kernel/random/uuid); exec sleep infinity' }];
    expect((await d.api('POST', '/v1/sandboxes', { id: svc, services })).status).toBe(201);
    const s = await SseReader.open(`${d.url}/v1/sandboxes/${svc}/services/boot/logs?follow=1`);
    const lines = (): string[] => s.text('log').split('\n').filter((l) => l.startsWith('boot-'));
    await until(async () => lines().length === 1, 'the first boot line');
    expect((await d.api('POST', `/v1/sandboxes/${svc}/stop`)).body.status).toBe('stopped');
    expect((await d.api('POST', `/v1/sandboxes/${svc}/start`)).body.status).toBe('running');
    await until(async () => lines().length === 2, 'the boot line of the second start, on the same stream');
    expect(s.done).toBe(false);
    s.close();
    const tail = await d.api('GET', `/v1/sandboxes/${svc}/services/boot/logs`);
    expect((tail.body as string).split('\n').filter((l) => l.startsWith('boot-'))).toEqual(lines());
  });
});
