/**
 * Agent tasks with the real OpenCode and Claude Code CLIs in the sandbox
 * image, offline: both talk to the scripted model server on the host (through
 * host.docker.internal). For each agent: the file appears, events arrive in
 * order in the common schema and replay, a session continues, a second task
 * is refused, cancel kills the agent, a 401 fails readably, and a kill -9 of
 * the daemon mid-task loses and repeats nothing.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fastifySSE as fastifySse } from '@fastify/sse';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseStreams, type SseItem } from '../../src/http/sse.js';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { until } from '../helpers/wait.js';

let d: TestDaemon;
let model: ModelServer;
const SECRET = `sk-secret-${uniqueId()}`;
const AGENTS = ['opencode', 'claude-code'] as const;
type Agent = (typeof AGENTS)[number];

beforeAll(async () => {
  model = await startModelServer();
  // Sandboxes reach the host only on ports the operator allows.
  d = await startTestDaemon({ env: { SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(model.port) } });
});

afterAll(async () => {
  await d?.dispose();
  await model?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Model selection as a user would send it: our scripted endpoint as a custom provider. Through the
 * model gateway (the default) the daemon calls base_url from the host.
 */
function agentFields(agent: Agent): Record<string, unknown> {
  return agent === 'opencode'
    ? { agent, model: 'scripted-model', base_url: `${model.hostUrl}/v1`, env: { OPENAI_API_KEY: SECRET } }
    : { agent, model: 'claude-sonnet-4-5', base_url: model.hostUrl, env: { ANTHROPIC_API_KEY: SECRET } };
}

const writePrompt = (file: string, content: string) => `Create the file. FILE=/home/sandbox/workspace/app/${file} CONTENT=${content}`;

async function waitTask(sandbox: string, taskId: string, until: (t: any) => boolean, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await d.api('GET', `/v1/sandboxes/${sandbox}/tasks/${taskId}`);
    if (r.status === 200 && until(r.body)) return r.body;
    if (Date.now() > deadline) throw new Error(`task ${taskId} never got there: ${JSON.stringify(r.body)}`);
    await sleep(250);
  }
}

const ended = (t: any) => !['queued', 'running'].includes(t.status);

interface Sse {
  status: number;
  events: any[];
  ids: number[];
  comments: string[];
}

/** Reads an SSE stream until the server ends it. */
async function readSse(url: string, headers: Record<string, string> = {}, timeoutMs = 120_000): Promise<Sse> {
  const r = await fetch(`${d.url}${url}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await r.text();
  const out: Sse = { status: r.status, events: [], ids: [], comments: [] };
  for (const frame of text.split('\n\n')) {
    for (const line of frame.split('\n')) {
      if (line.startsWith('id: ')) out.ids.push(Number(line.slice(4)));
      else if (line.startsWith('data: ')) out.events.push(JSON.parse(line.slice(6)));
      else if (line.startsWith(':')) out.comments.push(line);
    }
  }
  return out;
}

/** Follows a live stream until an event of `type` arrives, then leaves it. */
async function waitEvent(url: string, type: string, timeoutMs = 60_000): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const r = await fetch(`${d.url}${url}`, { signal: ac.signal });
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of r.body!) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes(`"type":"${type}"`)) return;
    }
    throw new Error(`stream ended without ${type}`);
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

async function execIn(sandbox: string, cmd: string[]): Promise<string> {
  const r = await d.api('POST', `/v1/sandboxes/${sandbox}/exec`, { cmd });
  return r.body.stdout as string;
}

async function agentProcesses(sandbox: string): Promise<string[]> {
  const out = await execIn(sandbox, ['ps', '-eo', 'args=']);
  // The exec that runs ps is itself under `timeout`.
  return out.split('\n').filter((l) => /\b(opencode|claude|timeout)\b/.test(l) && !l.includes('ps -eo'));
}

function expectContiguous(events: any[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

describe.each(AGENTS)('%s task', (agent) => {
  const sandbox = uniqueId(agent === 'opencode' ? 'oc' : 'cl');
  const ws = () => path.join(d.dataDir, 'workspaces', sandbox);
  let firstTask: string;

  beforeAll(async () => {
    expect((await d.api('POST', '/v1/sandboxes', { id: sandbox })).status).toBe(201);
  });

  it('runs headlessly as the sandbox user: the file appears and events arrive in order in the common schema', async () => {
    const start = await d.api('POST', `/v1/sandboxes/${sandbox}/tasks`, { prompt: writePrompt('hello.txt', `hello-${agent}`), ...agentFields(agent) });
    expect(start.status).toBe(202);
    expect(start.body).toMatchObject({ status: 'running', agent, sandbox_id: sandbox, env_names: [agent === 'opencode' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY'] });
    expect(start.body.events_url).toBe(`/v1/sandboxes/${sandbox}/tasks/${start.body.id}/events`);
    firstTask = start.body.id;

    const sse = await readSse(start.body.events_url);
    expect(sse.status).toBe(200);
    const { events } = sse;
    expect(sse.ids).toEqual(events.map((e) => e.seq));
    expectContiguous(events);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('task.started');
    expect(types.at(-1)).toBe('task.completed');
    const writeTool = agent === 'opencode' ? 'write' : 'Write';
    const iStarted = types.indexOf('tool.started');
    const iDone = types.indexOf('tool.completed');
    const iFile = types.indexOf('file.changed');
    const iMessage = types.lastIndexOf('agent.message');
    expect(iStarted).toBeGreaterThan(0);
    expect(iDone).toBeGreaterThan(iStarted);
    expect(iFile).toBeGreaterThan(iDone);
    expect(iMessage).toBeGreaterThan(iFile);
    expect(types).toContain('usage');
    expect(events[iDone]).toMatchObject({ name: writeTool, status: 'ok' });
    expect(events[iFile]).toMatchObject({ path: 'hello.txt' });
    expect(events[iMessage].text).toBe('DONE /home/sandbox/workspace/app/hello.txt');
    for (const e of events) {
      expect(Date.parse(e.ts)).not.toBeNaN();
      expect(e).toHaveProperty('raw');
      // The daemon's own events carry no agent line: the task's edges, and usage (counted by the gateway).
      if (!e.type.startsWith('task.') && e.type !== 'usage') expect(e.raw).not.toBeNull();
    }

    expect(readFileSync(path.join(ws(), 'workspace/app/hello.txt'), 'utf8')).toBe(`hello-${agent}`);
    const task = (await d.api('GET', `/v1/sandboxes/${sandbox}/tasks/${firstTask}`)).body;
    expect(task).toMatchObject({ status: 'succeeded', error: null, result: { text: 'DONE /home/sandbox/workspace/app/hello.txt', files_changed: ['hello.txt'] } });
    expect(task.result.usage.input_tokens).toBeGreaterThan(0);
    expect(task.result.usage.output_tokens).toBeGreaterThan(0);
    expect(task.session_id).toBeTruthy();
    expect(Date.parse(task.ended_at)).toBeGreaterThanOrEqual(Date.parse(task.started_at));
    // The key reached the model server, and nowhere it should not be.
    expect(model.requests.some((r) => r.authorization === `Bearer ${SECRET}` || r.apiKey === SECRET)).toBe(true);
    expect(d.log()).not.toContain(SECRET);
    const stateDir = path.join(d.dataDir, 'state');
    for (const f of readdirSync(stateDir)) expect(readFileSync(path.join(stateDir, f)).includes(SECRET)).toBe(false);
  });

  it('replays from Last-Event-ID and from ?after=, then ends', async () => {
    const all = (await readSse(`/v1/sandboxes/${sandbox}/tasks/${firstTask}/events`)).events;
    const fromHeader = await readSse(`/v1/sandboxes/${sandbox}/tasks/${firstTask}/events`, { 'last-event-id': '2' });
    expect(fromHeader.events).toEqual(all.slice(2));
    const fromQuery = await readSse(`/v1/sandboxes/${sandbox}/tasks/${firstTask}/events?after=${all.length - 1}`);
    expect(fromQuery.events).toEqual([all.at(-1)]);
    const pastEnd = await readSse(`/v1/sandboxes/${sandbox}/tasks/${firstTask}/events?after=${all.length}`);
    expect(pastEnd.events).toEqual([]);
  });

  it('continues the agent session with continue_from', async () => {
    const r = await d.api('POST', `/v1/sandboxes/${sandbox}/tasks`, { prompt: 'What did you just do?', continue_from: firstTask, ...agentFields(agent) });
    expect(r.status).toBe(202);
    const before = model.requests.length;
    const task = await waitTask(sandbox, r.body.id, ended);
    expect(task).toMatchObject({ status: 'succeeded', continue_from: firstTask });
    expect(task.result.text).toMatch(/^Follow-up answer after \d+ messages\.$/);
    // The model saw the earlier conversation in the follow-up request.
    const followUp = model.requests.slice(before).filter((q) => JSON.stringify(q.body).includes('What did you just do?') && (q.body.tools ?? []).length > 0);
    expect(followUp.length).toBeGreaterThan(0);
    expect(JSON.stringify(followUp[0].body.messages)).toContain(`CONTENT=hello-${agent}`);
  });

  it('refuses a second task while one runs (409 naming it), and cancel stops the agent', async () => {
    const hold = model.holdFinal();
    try {
      const r = await d.api('POST', `/v1/sandboxes/${sandbox}/tasks`, { prompt: writePrompt('cancel.txt', 'x'), ...agentFields(agent) });
      expect(r.status).toBe(202);
      await hold.held;
      expect((await agentProcesses(sandbox)).length).toBeGreaterThan(0);

      const second = await d.api('POST', `/v1/sandboxes/${sandbox}/tasks`, { prompt: 'again', ...agentFields(agent) });
      expect(second.status).toBe(409);
      expect(second.body.error).toContain(r.body.id);

      const c = await d.api('POST', `/v1/sandboxes/${sandbox}/tasks/${r.body.id}/cancel`);
      expect(c.status).toBe(200);
      expect(c.body).toMatchObject({ status: 'cancelled', error: 'cancelled by request' });
      expect(await agentProcesses(sandbox)).toEqual([]);
      const events = (await readSse(r.body.events_url)).events;
      expectContiguous(events);
      expect(events.at(-1)).toMatchObject({ type: 'task.failed', status: 'cancelled', reason: 'cancelled by request' });
      // Cancelling again changes nothing.
      expect((await d.api('POST', `/v1/sandboxes/${sandbox}/tasks/${r.body.id}/cancel`)).body.status).toBe('cancelled');
    } finally {
      hold.release();
    }
  });

  // OpenCode finishes while no daemon watches (the restarted one catches up from its
  // offset): its model calls cannot go through the gateway, which is down with the
  // daemon, so it runs with key_in_sandbox and calls the model server itself. Claude
  // Code is still waiting on the model, through the gateway, when the daemon is back:
  // its call was cut by the kill, it retries, and the restarted gateway honours the
  // same capability.
  const finishWhileDown = agent === 'opencode';
  const durableFields = (): Record<string, unknown> =>
    finishWhileDown
      ? { ...agentFields(agent), base_url: `${model.containerUrl}/v1`, key_in_sandbox: true }
      : agentFields(agent);

  it(`loses and repeats nothing when the daemon is killed -9 mid-task (agent ends ${finishWhileDown ? 'while it is down' : 'after the restart'})`, async () => {
    const hold = model.holdFinal();
    let taskId: string;
    try {
      const r = await d.api('POST', `/v1/sandboxes/${sandbox}/tasks`, { prompt: writePrompt('durable.txt', 'kept'), ...durableFields() });
      expect(r.status).toBe(202);
      taskId = r.body.id;
      await hold.held;
      // Mid-flight: the tool call is done and persisted, the final answer is pending.
      await waitEvent(r.body.events_url, 'tool.completed');
      await d.kill();
      if (finishWhileDown) {
        hold.release();
        // The agent really ends while no daemon watches: its exit code is on disk before the restart.
        const exitFile = path.join(ws(), '.sandboxed/tasks', taskId, 'exit');
        await until(async () => existsSync(exitFile), 'the agent to end while the daemon is down');
        expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
      }
      await d.restart();
      if (!finishWhileDown) {
        expect((await d.api('GET', `/v1/sandboxes/${sandbox}/tasks/${taskId}`)).body.status).toBe('running');
        hold.release();
      }
    } finally {
      hold.release();
    }
    const task = await waitTask(sandbox, taskId!, ended);
    expect(task.status).toBe('succeeded');
    const events = (await readSse(`/v1/sandboxes/${sandbox}/tasks/${taskId!}/events`)).events;
    expectContiguous(events);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect(count('task.started')).toBe(1);
    expect(count('tool.started')).toBe(1);
    expect(count('tool.completed')).toBe(1);
    expect(count('file.changed')).toBe(1);
    expect(count('task.completed')).toBe(1);
    expect(events.at(-1).type).toBe('task.completed');
    expect(task.result.files_changed).toEqual(['durable.txt']);
    expect(readFileSync(path.join(ws(), 'workspace/app/durable.txt'), 'utf8')).toBe('kept');
  });

  it('fails with a readable reason when the model API rejects the key', async () => {
    model.rejectAuth = true;
    try {
      const r = await d.api('POST', `/v1/sandboxes/${sandbox}/tasks`, { prompt: writePrompt('never.txt', 'x'), ...agentFields(agent) });
      expect(r.status).toBe(202);
      const task = await waitTask(sandbox, r.body.id, ended);
      expect(task.status).toBe('failed');
      expect(task.error).toMatch(/^model API rejected the API key \(HTTP 401\)/);
      const events = (await readSse(r.body.events_url)).events;
      expect(events.at(-1)).toMatchObject({ type: 'task.failed', status: 'failed', reason: task.error });
      expect(await agentProcesses(sandbox)).toEqual([]);
    } finally {
      model.rejectAuth = false;
    }
  });
});

describe('task edge cases', () => {
  const sandbox = uniqueId('tk');

  beforeAll(async () => {
    expect((await d.api('POST', '/v1/sandboxes', { id: sandbox })).status).toBe(201);
  });

  it('fails a task whose sandbox is stopped mid-task, and still streams its events', async () => {
    const hold = model.holdFinal();
    try {
      const r = await d.api('POST', `/v1/sandboxes/${sandbox}/tasks`, { prompt: writePrompt('stop.txt', 'x'), ...agentFields('claude-code') });
      expect(r.status).toBe(202);
      await hold.held;
      expect((await d.api('POST', `/v1/sandboxes/${sandbox}/stop`)).status).toBe(200);
      const task = await waitTask(sandbox, r.body.id, ended);
      expect(task).toMatchObject({ status: 'failed', error: `sandbox ${sandbox} was stopped while the task ran` });
      const sse = await readSse(r.body.events_url);
      expect(sse.status).toBe(200);
      expect(sse.events.at(-1)).toMatchObject({ type: 'task.failed', reason: task.error });
      expect((await d.api('GET', `/v1/sandboxes/${sandbox}`)).body.status).toBe('stopped');
    } finally {
      hold.release();
    }
  });

  it('ends a task at its timeout_s with a readable reason', async () => {
    const hold = model.holdFinal();
    try {
      const r = await d.api('POST', `/v1/sandboxes/${sandbox}/tasks`, { prompt: writePrompt('slow.txt', 'x'), timeout_s: 3, ...agentFields('claude-code') });
      expect(r.status).toBe(202);
      const task = await waitTask(sandbox, r.body.id, ended);
      expect(task).toMatchObject({ status: 'timed_out', error: 'timed out after 3 s' });
      expect(await agentProcesses(sandbox)).toEqual([]);
    } finally {
      hold.release();
    }
  });

  it('refuses bad input before anything runs', async () => {
    await d.api('POST', `/v1/sandboxes/${sandbox}/stop`);
    const post = (body: unknown) => d.api('POST', `/v1/sandboxes/${sandbox}/tasks`, body);
    expect((await post({ prompt: 'x', agent: 'aider' })).status).toBe(400);
    expect((await post({ prompt: '', agent: 'opencode' })).status).toBe(400);
    const noModel = await post({ prompt: 'x', agent: 'opencode', base_url: 'http://example.test/v1' });
    expect(noModel).toMatchObject({ status: 400, body: { error: expect.stringContaining('model: required with base_url') } });
    expect((await post({ prompt: 'x', agent: 'opencode', timeout_s: 10 ** 9 })).status).toBe(400);
    const unknown = await post({ prompt: 'x', agent: 'opencode', continue_from: '0'.repeat(26) });
    expect(unknown).toMatchObject({ status: 400, body: { error: expect.stringContaining('continue_from') } });
    expect((await d.api('GET', `/v1/sandboxes/${sandbox}/tasks/${'0'.repeat(26)}`)).status).toBe(404);
    expect((await d.api('GET', `/v1/sandboxes/nope-${uniqueId()}/tasks`)).status).toBe(404);
    // Nothing was started for any of them; the stopped sandbox stayed stopped.
    expect((await d.api('GET', `/v1/sandboxes/${sandbox}`)).body.status).toBe('stopped');
  });

  it('lists the tasks of a sandbox', async () => {
    const r = await d.api('GET', `/v1/sandboxes/${sandbox}/tasks`);
    expect(r.status).toBe(200);
    expect(r.body.tasks.map((t: any) => t.status)).toEqual(['failed', 'timed_out']);
    expect(r.body.tasks[0]).toMatchObject({ sandbox_id: sandbox, agent: 'claude-code' });
  });
});

describe('SSE helper', () => {
  /** Reads a streamed body until `done(text)` holds (no fixed sleeps: the box may be slow). */
  async function readUntil(body: ReadableStream<Uint8Array>, done: (text: string) => boolean): Promise<string> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!done(text)) {
      const { value, done: end } = await reader.read();
      if (end) break;
      text += decoder.decode(value, { stream: true });
    }
    reader.releaseLock();
    return text;
  }

  it('sends a heartbeat while idle, follows live items, ends after the last, and lets the app close with a stream open', async () => {
    const items: SseItem[] = [];
    let ended = false;
    const waiters = new Set<() => void>();
    const push = (item?: SseItem) => {
      if (item) items.push(item);
      else ended = true;
      for (const w of waiters) w();
      waiters.clear();
    };
    const streams = new SseStreams();
    const app = Fastify();
    await app.register(fastifySse, { heartbeatInterval: 50 });
    app.addHook('preClose', async () => streams.closeAll());
    app.get('/s', { sse: 'only' }, async (_req, reply) =>
      streams.serve(reply, {
        read: (after) => ({ items: items.filter((i) => i.id > after), ended }),
        changed: (signal) => new Promise<void>((resolve) => {
          waiters.add(resolve);
          signal.addEventListener('abort', () => resolve(), { once: true });
        }),
      }, 0),
    );
    const url = await app.listen({ port: 0, host: '127.0.0.1' });

    const res = await fetch(`${url}/s`);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const body = res.body!;
    // Idle: heartbeats arrive, however long the box takes to deliver two of them.
    let text = await readUntil(body, (t) => (t.match(/: heartbeat/g) ?? []).length >= 2);
    expect(text.match(/: heartbeat/g)!.length).toBeGreaterThanOrEqual(2);
    push({ id: 1, data: { n: 1 } });
    text += await readUntil(body, (t) => t.includes('id: 1\n'));
    push({ id: 2, data: { n: 2 } });
    push();
    text += await readUntil(body, () => false);
    expect(text).toContain('id: 1\ndata: {"n":1}\n\n');
    expect(text.indexOf('id: 2')).toBeGreaterThan(text.indexOf('id: 1'));

    ended = false;
    const open = await fetch(`${url}/s`);
    const opened = readUntil(open.body!, () => false);
    await app.close();
    expect(await opened).toContain('id: 2');
  });
});
