/**
 * Per-token quotas on a real daemon: max_sandboxes (also under concurrent
 * creates), max_memory_mb (live sandboxes' memory added up) and
 * max_running_tasks (real agent tasks held mid-flight by the scripted model)
 * answer 429 naming the limit and free up when something ends; another
 * token's sandboxes never count. The tasks and snapshots the run leaves are
 * paged through with limit and cursor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { until } from '../helpers/wait.js';

const SECRET = { ops: `o-${uniqueId()}`, q1: `q1-${uniqueId()}`, q2: `q2-${uniqueId()}`, q3: `q3-${uniqueId()}` };
type Who = keyof typeof SECRET;
const as = (who: Who) => ({ authorization: `Bearer ${SECRET[who]}` });
let d: TestDaemon;
let model: ModelServer;

beforeAll(async () => {
  model = await startModelServer();
  const tokens = [`ops:${SECRET.ops}`, `q1;max_sandboxes=2:${SECRET.q1}`, `q2;max_memory_mb=1024:${SECRET.q2}`, `q3;max_running_tasks=1:${SECRET.q3}`];
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: tokens.join(','), SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(model.port), SANDBOXD_DEFAULT_MEMORY_MB: '256' } });
});

afterAll(async () => {
  await d?.dispose();
  await model?.close();
});

const create = (who: Who, body: Record<string, unknown> = {}) => d.api('POST', '/v1/sandboxes', { id: uniqueId(who), ...body }, as(who));
const agent = () => ({ agent: 'claude-code', model: 'claude-sonnet-4-5', base_url: model.hostUrl, env: { ANTHROPIC_API_KEY: 'sk-test' } });
const taskStatus = async (who: Who, sb: string, task: string) => (await d.api('GET', `/v1/sandboxes/${sb}/tasks/${task}`, undefined, as(who))).body.status;

describe('max_sandboxes', () => {
  it('lets exactly the limit through when creates race, answers 429 naming it, and frees up on delete', async () => {
    const ids = [uniqueId('q1'), uniqueId('q1'), uniqueId('q1')];
    const raced = await Promise.all(ids.map((id) => create('q1', { id })));
    expect(raced.map((r) => r.status).sort()).toEqual([201, 201, 429]);
    const refused = raced.findIndex((r) => r.status === 429);
    expect(raced[refused].body.error).toBe('quota max_sandboxes: token "q1" may have 2 live sandboxes and has 2; delete one first');
    // Nothing of the refused create remains.
    expect((await d.api('GET', `/v1/sandboxes/${ids[refused]}`, undefined, as('ops'))).status).toBe(404);
    const mine = ids.filter((_, i) => i !== refused);
    expect((await d.api('GET', '/v1/sandboxes', undefined, as('q1'))).body.sandboxes.map((s: any) => s.metadata['sandboxed.owner'])).toEqual(['q1', 'q1']);
    // A stopped sandbox still counts; a deleted one does not; another token's never do.
    expect((await d.api('POST', `/v1/sandboxes/${mine[0]}/stop`, undefined, as('q1'))).status).toBe(200);
    expect((await create('q1')).status).toBe(429);
    expect((await create('ops')).status).toBe(201);
    expect((await d.api('DELETE', `/v1/sandboxes/${mine[0]}`, undefined, as('q1'))).status).toBe(200);
    expect((await create('q1')).status).toBe(201);
    expect((await d.api('GET', '/readyz')).status).toBe(200);
  });
});

describe('max_memory_mb', () => {
  it('adds up memory_mb of the live sandboxes, the new one included', async () => {
    expect((await create('q2', { memory_mb: 512 })).status).toBe(201);
    const over = await create('q2', { memory_mb: 768 });
    expect(over.status).toBe(429);
    expect(over.body.error).toBe('quota max_memory_mb: token "q2" may have 1024 MiB in live sandboxes and has 512; 768 more is too many');
    const fits = await create('q2', { memory_mb: 512 });
    expect(fits.status).toBe(201);
    expect((await create('q2', { memory_mb: 64 })).status).toBe(429);
    expect((await d.api('POST', `/v1/sandboxes/${fits.body.id}/purge`, undefined, as('q2'))).status).toBe(200);
    expect((await create('q2', { memory_mb: 64 })).status).toBe(201);
  });
});

describe('max_running_tasks', () => {
  const s1 = uniqueId('t1');
  const s2 = uniqueId('t2');
  const tasks: string[] = [];

  it('refuses a second agent task across the token’s sandboxes while one runs, then lets it start', async () => {
    expect((await create('q3', { id: s1 })).status).toBe(201);
    expect((await create('q3', { id: s2 })).status).toBe(201);
    const hold = model.holdFinal();
    try {
      const first = await d.api('POST', `/v1/sandboxes/${s1}/tasks`, { prompt: 'FILE=/home/sandbox/workspace/app/a.txt CONTENT=a', ...agent() }, as('q3'));
      expect(first.status, JSON.stringify(first.body)).toBe(202);
      tasks.push(first.body.id);
      await hold.held;
      const second = await d.api('POST', `/v1/sandboxes/${s2}/tasks`, { prompt: 'hello', ...agent() }, as('q3'));
      expect(second.status).toBe(429);
      expect(second.body.error).toBe('quota max_running_tasks: token "q3" may have 1 tasks queued or running and has 1; wait for one to end');
      // Another token's task is not counted against q3, nor q3's against it.
      const opsBox = await create('ops');
      expect((await d.api('POST', `/v1/sandboxes/${opsBox.body.id}/tasks`, { prompt: 'hello', ...agent(), checkpoint: false }, as('ops'))).status).toBe(202);
      expect((await d.api('POST', `/v1/sandboxes/${s1}/tasks/${first.body.id}/cancel`, undefined, as('q3'))).body.status).toBe('cancelled');
    } finally {
      hold.release();
    }
    const again = await d.api('POST', `/v1/sandboxes/${s1}/tasks`, { prompt: 'FILE=/home/sandbox/workspace/app/b.txt CONTENT=b', ...agent() }, as('q3'));
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    tasks.push(again.body.id);
    await until(async () => (await taskStatus('q3', s1, again.body.id)) === 'succeeded', 'the second task to succeed', 150_000);
  });

  it('pages through the tasks and their checkpoints with limit and cursor', async () => {
    const first = await d.api('GET', `/v1/sandboxes/${s1}/tasks?limit=1`, undefined, as('q3'));
    expect(first.body).toMatchObject({ count: 1, tasks: [{ id: tasks[0] }] });
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await d.api('GET', `/v1/sandboxes/${s1}/tasks?limit=1&cursor=${first.body.next_cursor}`, undefined, as('q3'));
    expect(second.body).toMatchObject({ count: 1, tasks: [{ id: tasks[1] }], next_cursor: null });
    expect((await d.api('GET', `/v1/sandboxes/${s1}/tasks`, undefined, as('q3'))).body).toMatchObject({ count: 2, next_cursor: null });

    const all = (await d.api('GET', `/v1/sandboxes/${s1}/snapshots`, undefined, as('q3'))).body;
    expect(all.snapshots.map((s: any) => s.task_id)).toEqual(tasks);
    const page = (await d.api('GET', `/v1/sandboxes/${s1}/snapshots?limit=1`, undefined, as('q3'))).body;
    expect(page).toMatchObject({ count: 1, size_bytes: all.size_bytes, snapshots: [{ task_id: tasks[0] }] });
    const rest = (await d.api('GET', `/v1/sandboxes/${s1}/snapshots?cursor=${page.next_cursor}`, undefined, as('q3'))).body;
    expect(rest).toMatchObject({ count: 1, next_cursor: null, snapshots: [{ task_id: tasks[1] }] });
  });
});
