/**
 * The SDK's streams against a real daemon with auth on: exec.stream yields
 * output as it comes, a followed log resumes by byte offset after its
 * connection is cut, and terminals (PTY over WebSocket) type, resize, detach
 * and replay from an offset, whichever way the token travels in the handshake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Sandboxed, SandboxedError, type ExecChunk, type LogEvent, type Sandbox, type Terminal } from '../../sdk/src/index.js';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/wait.js';

const TOKEN = `t-${uniqueId()}`;
// A secret a subprotocol cannot carry ("/" and "="): it goes as ?token=.
const SLASHED = `s/${uniqueId()}=`;
let d: TestDaemon;
let proxy: TcpProxy;
let client: Sandboxed;
let sb: Sandbox;

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `sdk:${TOKEN},other:${SLASHED}` } });
  proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(d.url).port) });
  client = new Sandboxed({ url: d.url, token: TOKEN, WebSocket: WebSocket as never });
  sb = await client.sandboxes.create({ id: uniqueId('sdkstream') });
});

afterAll(async () => {
  await proxy?.close();
  await d?.dispose();
});

const gate = () => `/tmp/gate-${uniqueId()}`;
const waitGate = (file: string) => `while [ ! -f ${file} ]; do sleep 0.1; done`;

describe('exec.stream', () => {
  it('yields output while the command runs, then its exit', async () => {
    const g = gate();
    const chunks: ExecChunk[] = [];
    const it = sb.exec.stream(`echo first; echo oops >&2; ${waitGate(g)}; echo second; exit 5`)[Symbol.asyncIterator]();
    // The first lines come while the command still waits for the gate.
    while (!chunks.some((c) => c.type === 'stderr')) chunks.push((await it.next()).value as ExecChunk);
    await sb.exec(['touch', g]);
    for (let next = await it.next(); !next.done; next = await it.next()) chunks.push(next.value);
    const text = (type: string) => chunks.flatMap((c) => (c.type === type && 'text' in c ? [c.text] : [])).join('');
    expect(text('stdout')).toBe('first\nsecond\n');
    expect(text('stderr')).toBe('oops\n');
    expect(chunks.at(-1)).toMatchObject({ type: 'exit', exit_code: 5, timed_out: false });
  });

  it('throws the API’s refusal before any output', async () => {
    const err = await (async () => {
      for await (const _ of client.sandbox('no-such').exec.stream('true')) throw new Error('no output expected');
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxedError);
    expect(err).toMatchObject({ status: 404 });
  });
});

describe('logs', () => {
  it('follows a background exec’s log across a cut connection: every byte once, then the exit', async () => {
    const g = gate();
    const bg = await sb.exec.background(`for i in 1 2 3; do echo line-$i; done; ${waitGate(g)}; for i in 4 5 6; do echo line-$i; done`);
    const viaProxy = new Sandboxed({ url: proxy.url, token: TOKEN }).sandbox(sb.id);
    const events: LogEvent[] = [];
    const it = viaProxy.logs.follow({ exec: bg.id })[Symbol.asyncIterator]();
    const text = () => events.map((e) => (e.type === 'log' ? e.text : '')).join('');
    while (!text().includes('line-3\n')) events.push((await it.next()).value as LogEvent);
    const before = proxy.requests.length;
    proxy.cut();
    await sb.exec(['touch', g]);
    await until(async () => (await sb.logs.tail({ exec: bg.id })).text.includes('line-6'), 'the command to finish');
    for (let next = await it.next(); !next.done; next = await it.next()) events.push(next.value);
    expect(text()).toBe('line-1\nline-2\nline-3\nline-4\nline-5\nline-6\n');
    expect(events.at(-1)).toEqual({ type: 'exit', exit_code: 0 });
    expect(proxy.requests.slice(before).join('')).toMatch(/^last-event-id: 21\r$/im);
    expect(await sb.logs.tail({ exec: bg.id }, { bytes: 7 })).toEqual({ text: 'line-6\n', start: 35, size: 42 });
  });
});

describe('terminals', () => {
  const output = (t: Terminal) => {
    let text = '';
    t.onData((b) => (text += new TextDecoder().decode(b)));
    return () => text;
  };

  it('types, resizes, signals and ends; a viewer that left attaches again without repeats', async () => {
    const t = await sb.pty.create({ cols: 90, rows: 20 });
    const seen = output(t);
    t.write('stty size; echo "n=$((2*21))"\r');
    await until(async () => /20 90\r\nn=42\r\n/.test(seen()), 'the shell to answer');
    t.resize(132, 50);
    // The resize is a call to Docker that may land after the next keystrokes: ask until the shell sees it.
    await until(async () => {
      if (seen().includes('50 132\r\n')) return true;
      t.write('stty size\r');
      return false;
    }, 'the new size');
    t.write('sleep 600\r');
    await until(async () => seen().includes('sleep 600\r\n'), 'the sleep to start');
    t.signal('INT');
    t.write('echo "status=$?"\r');
    await until(async () => seen().includes('status=130'), 'the interrupted sleep');

    const offset = t.offset;
    t.close();
    expect((await t.closed).code).toBe(1000);
    expect((await sb.pty.get(t.session)).exited).toBe(false);
    // Output made while nobody watched is replayed from where the last viewer stopped, and nothing before it.
    await sb.pty.attach(t.session).then((v) => (v.write('echo "while=away"\r'), v.close()));
    const back = await sb.pty.attach(t.session, { since: offset });
    const again = output(back);
    expect(back.offset).toBeGreaterThanOrEqual(offset);
    await until(async () => again().includes('while=away'), 'the replay');
    expect(again()).not.toContain('status=130');

    const full = await sb.pty.attach(t.session, { since: 0 });
    const all = output(full);
    await until(async () => all().includes('n=42') && all().includes('while=away'), 'the whole buffer');

    back.write('exit 9\r');
    await until(async () => full.exitCode !== undefined, 'the exit frame');
    expect(full.exitCode).toBe(9);
    expect((await full.closed).code).toBe(1000);
    expect((await sb.pty.list()).find((s) => s.id === t.session)).toMatchObject({ exited: true, exit_code: 9 });
  });

  it('carries a token a subprotocol cannot hold in the query, and refuses a wrong one or an unknown session with the API’s error', async () => {
    const slashed = new Sandboxed({ url: d.url, token: SLASHED, WebSocket: WebSocket as never }).sandbox(sb.id);
    const t = await slashed.pty.create({ cmd: ['sh', '-c', 'echo via-query; exec cat'] });
    const seen = output(t);
    await until(async () => seen().includes('via-query'), 'the session');
    await slashed.pty.end(t.session);

    const unknown = await sb.pty.attach('0'.repeat(26)).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 404 });
    const wrong = new Sandboxed({ url: d.url, token: 'wrong', WebSocket: WebSocket as never }).sandbox(sb.id);
    expect(await wrong.pty.attach(t.session).catch((e: unknown) => e)).toMatchObject({ status: 401 });
  });
});
