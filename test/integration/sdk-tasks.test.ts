/**
 * Agent tasks through the SDK and the CLI, with the real OpenCode CLI in the
 * sandbox against the scripted model server: events() resumes by
 * Last-Event-ID after its connection is cut mid-stream (nothing lost, nothing
 * repeated), cancel and undo, a refused start, and `sandboxed task run -f`'s
 * live view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandboxed, SandboxedError, type Sandbox, type TaskEvent } from '../../sdk/src/index.js';
import { runCli } from '../helpers/cli.js';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/wait.js';

const TOKEN = `t-${uniqueId()}`;
const KEY = 'sk-scripted-key';
let d: TestDaemon;
let model: ModelServer;
let proxy: TcpProxy;
let sb: Sandbox;

beforeAll(async () => {
  model = await startModelServer();
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `sdk:${TOKEN}`, SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(model.port) } });
  proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(d.url).port) });
  // Every SDK call of this file goes through the proxy, so a test can cut them.
  sb = await new Sandboxed({ url: proxy.url, token: TOKEN }).sandboxes.create({ id: uniqueId('sdktask') });
});

afterAll(async () => {
  await proxy?.close();
  await d?.dispose();
  await model?.close();
});

const agent = () => ({ agent: 'opencode' as const, model: 'scripted-model', base_url: `${model.hostUrl}/v1`, env: { OPENAI_API_KEY: KEY } });
const writePrompt = (file: string, content: string) => `Create the file. FILE=/home/sandbox/workspace/app/${file} CONTENT=${content}`;

function expectContiguous(events: TaskEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

describe('tasks through the SDK', () => {
  it('events() resumes after its connection is cut: every event once, in order', async () => {
    const hold = model.holdFinal();
    const task = sb.tasks.run({ prompt: writePrompt('resumed.txt', 'resumed'), ...agent() });
    const events: TaskEvent[] = [];
    const it = task.events()[Symbol.asyncIterator]();
    try {
      // Read up to the tool's completion: the final answer is held, so the task is mid-flight.
      for (;;) {
        const next = await it.next();
        if (next.done) throw new Error('the stream ended before the tool completed');
        events.push(next.value);
        if (next.value.type === 'tool.completed') break;
      }
      const seenBeforeCut = events.length;
      const connections = proxy.requests.length;
      proxy.cut();
      hold.release();
      // The rest happens while nobody is connected (the generator only reads when asked).
      await until(async () => ['succeeded', 'failed'].includes((await task.info()).status) && true, 'the task to end');
      for (;;) {
        const next = await it.next();
        if (next.done) break;
        events.push(next.value);
      }
      expectContiguous(events);
      expect(events.at(-1), JSON.stringify(events.at(-1))).toMatchObject({ type: 'task.completed' });
      expect(events.length).toBeGreaterThan(seenBeforeCut);
      // The reconnect asked for what came after the last event it had (those read from the
      // cut connection's buffer included), and the rest came from the replay.
      const resumed = proxy.requests.slice(connections).join('').match(/^GET \/v1\/sandboxes\/[^ ]+\/events [\s\S]*?\r\n\r\n/gm) ?? [];
      expect(resumed).toHaveLength(1);
      const lastId = Number(/^last-event-id: (\d+)\r$/im.exec(resumed[0] ?? '')?.[1]);
      expect(lastId).toBeGreaterThanOrEqual(seenBeforeCut);
      expect(lastId).toBeLessThan(events.length);
    } finally {
      hold.release();
    }
    expect(await sb.files.readText('workspace/app/resumed.txt')).toContain('resumed');
  });

  it('cancels a running task, refuses a second one meanwhile (409 at the handle’s first use), and undoes the first', async () => {
    const hold = model.holdFinal();
    try {
      const task = sb.tasks.run({ prompt: writePrompt('undone.txt', 'gone'), ...agent() });
      await hold.held;
      const second = sb.tasks.run({ prompt: 'again', ...agent() });
      const refused = await second.started.catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SandboxedError);
      expect(refused).toMatchObject({ status: 409 });
      expect((refused as SandboxedError).message).toContain(await task.id());

      await until(async () => (await sb.files.list('workspace/app')).entries.some((e) => e.name === 'undone.txt'), 'the agent to write its file');
      expect(await task.cancel()).toMatchObject({ status: 'cancelled' });
      const final = await task.wait();
      expect(final.status).toBe('cancelled');
      const undone = await task.undo();
      expect(undone.task_id).toBe(await task.id());
      expect((await sb.files.list('workspace/app')).entries.map((e) => e.name)).not.toContain('undone.txt');
    } finally {
      hold.release();
    }
    // The refused one was never created.
    expect((await sb.tasks.list()).length).toBe(2);
  });
});

describe('sandboxed task', () => {
  it('run -f shows the agent’s steps live and exits 0 when it succeeded; ls, events and undo', async () => {
    const env = { SANDBOXED_URL: d.url, SANDBOXED_TOKEN: TOKEN };
    const a = agent();
    const run = await runCli(
      ['task', 'run', sb.id, '--agent', a.agent, '--model', a.model, '--base-url', a.base_url, '-e', `OPENAI_API_KEY=${KEY}`, '--prompt', writePrompt('cli.txt', 'from-cli'), '-f'],
      { env },
    );
    expect(run.code).toBe(0);
    const taskId = /^task (\S+)$/m.exec(run.stderr)?.[1];
    expect(taskId).toBeTruthy();
    expect(run.stdout).toMatch(/^▶ opencode \(scripted-model\) started$/m);
    expect(run.stdout).toMatch(/^ {2}→ write \/home\/sandbox\/workspace\/app\/cli\.txt$/m);
    expect(run.stdout).toMatch(/^ {2}~ cli\.txt$/m);
    expect(run.stdout).toMatch(/^✔ succeeded \(\d+\.\ds; 1 file changed, \d+ in \/ \d+ out tokens/m);
    expect(run.stdout).not.toContain(KEY);

    const listed = JSON.parse((await runCli(['task', 'ls', sb.id, '--json'], { env })).stdout);
    expect(listed.tasks.at(-1)).toMatchObject({ id: taskId, status: 'succeeded', env_names: ['OPENAI_API_KEY'] });
    const replay = await runCli(['task', 'events', sb.id, taskId!, '--json'], { env });
    const events = replay.stdout.trim().split('\n').map((l) => JSON.parse(l) as TaskEvent);
    expectContiguous(events);
    expect(events.at(-1)?.type).toBe('task.completed');

    const undo = await runCli(['task', 'undo', sb.id, taskId!], { env });
    expect(undo.stdout).toMatch(new RegExp(`^${sb.id} is back before task ${taskId}`));
    expect((await sb.files.list('workspace/app')).entries.map((e) => e.name)).not.toContain('cli.txt');
  });

  it('run without -f prints the task id; a failing task exits 1 with its reason', async () => {
    const env = { SANDBOXED_URL: d.url, SANDBOXED_TOKEN: TOKEN };
    model.rejectAuth = true;
    try {
      const a = agent();
      const started = await runCli(['task', 'run', sb.id, '--agent', a.agent, '--model', a.model, '--base-url', a.base_url, '-e', 'OPENAI_API_KEY=bad', '--prompt', 'hello'], { env });
      expect(started.stdout).toMatch(/^[0-9a-z]{26}\n$/);
      const followed = await runCli(['task', 'events', sb.id, started.stdout.trim()], { env });
      expect(followed.code).toBe(1);
      expect(followed.stdout).toMatch(/^✖ failed: .+/m);
    } finally {
      model.rejectAuth = false;
    }
  });
});
