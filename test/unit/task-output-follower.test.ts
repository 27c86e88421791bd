/**
 * The follower of out.jsonl against a real file and a real SQLite store:
 * each batch is bounded (lines, bytes, events), and output past the caps is a
 * flood that stops reading and asks for the agent to be stopped, naming it.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initialState } from '../../src/domain/task.js';
import { openDb, type Db } from '../../src/store/db.js';
import { TaskStore } from '../../src/store/tasks.js';
import { claudeCodeAdapter } from '../../src/tasks/agents/claude-code.js';
import { TEXT_CUT_MARKER } from '../../src/tasks/agents/state.js';
import { MAX_BATCH_LINES, MAX_LINE_BYTES } from '../../src/tasks/files.js';
import { BATCH_WORK_BYTES, MAX_BATCH_EVENTS, MAX_LINE_EVENTS, MAX_TASK_EVENTS, OutputFollower, RAW_MAX_BYTES, type BatchResult } from '../../src/tasks/output.js';

const ID = '01hzzzzzzzzzzzzzzzzzzzzzzz';
let dir: string;
let db: Db;
let store: TaskStore;
let out: string;
let fh: FileHandle;
let notified = 0;

const text = (t: string, blocks = 1) => JSON.stringify({ type: 'assistant', message: { content: Array.from({ length: blocks }, () => ({ type: 'text', text: t })) } });

function follower(maxOutputBytes = 64 * 1024 * 1024): OutputFollower {
  return new OutputFollower(ID, { tasks: store, adapter: claudeCodeAdapter, maxOutputBytes, notify: () => notified++, log: pino({ level: 'silent' }) });
}

async function drain(f: OutputFollower): Promise<{ batches: number; last: BatchResult }> {
  let batches = 0;
  for (;;) {
    const last = await f.next(fh, () => true);
    if (last !== 'more') return { batches, last };
    batches++;
  }
}

const events = () => store.eventsAfter(ID, 0, 100_000).filter((e) => e.type !== 'task.started');

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'follower-'));
  db = openDb(path.join(dir, 'db.sqlite'));
  store = new TaskStore(db);
  const base = { id: ID, sandboxId: 'sb', agent: 'claude-code', prompt: 'p', model: null, baseUrl: null, envNames: [], timeoutS: 60, continueFrom: null, sessionId: null,
    usageSource: 'agent', maxTokensTotal: null, maxCostUsd: null, apiToken: '' } as const;
  expect(store.insert({ ...base, envNames: [], state: initialState(), now: Date.now() })).toBe(true);
  store.markRunning(ID, 'c1', { type: 'task.started', agent: 'claude-code', model: null, continue_from: null, raw: null });
  out = path.join(dir, 'out.jsonl');
  writeFileSync(out, '');
  fh = await open(out);
  notified = 0;
});

afterEach(async () => {
  await fh.close();
  db.close();
});

describe('OutputFollower', () => {
  it('stores well-formed lines as events, persists offset, state and count in one go, and resumes from them', async () => {
    appendFileSync(out, `${text('one')}\nnot json\n\n${text('two')}\n${text('partial').slice(0, 10)}`);
    await drain(follower());
    expect(events().map((e) => (e as { text?: string }).text)).toEqual(['one', 'two']);
    expect(notified).toBe(1);
    const cursor = store.cursor(ID);
    expect(cursor.state).toMatchObject({ finalText: 'two', eventCount: 2 });
    appendFileSync(out, `${text('partial').slice(10)}\n`);
    await drain(follower());
    expect(events().map((e) => (e as { text?: string }).text)).toEqual(['one', 'two', 'partial']);
    expect(store.cursor(ID).state.eventCount).toBe(3);
  });

  it(`handles at most ${MAX_BATCH_LINES} lines per batch`, async () => {
    const line = '{"type":"system","subtype":"noise"}\n';
    appendFileSync(out, `${line.repeat(MAX_BATCH_LINES * 2)}${text('last')}\n`);
    const f = follower();
    expect(await f.next(fh, () => true)).toBe('more');
    expect(store.cursor(ID).offset).toBe(MAX_BATCH_LINES * line.length);
    expect(await drain(f)).toEqual({ batches: 2, last: 'idle' });
    expect(events()).toHaveLength(1);
  });

  it(`ends a batch once it holds ${MAX_BATCH_EVENTS} events`, async () => {
    const perLine = 100;
    appendFileSync(out, `${text('x', perLine)}\n`.repeat(10));
    const f = follower();
    await f.next(fh, () => true);
    expect(events()).toHaveLength(Math.ceil(MAX_BATCH_EVENTS / perLine) * perLine);
  });

  it(`ends a batch before ${BATCH_WORK_BYTES} bytes of lines, but handles a longer line alone`, async () => {
    const line = `${text('w'.repeat(50_000))}\n`;
    appendFileSync(out, `${line.repeat(5)}${text('L'.repeat(900_000))}\n${line}`);
    const f = follower();
    const counts: number[] = [];
    while ((await f.next(fh, () => true)) === 'more') counts.push(events().length);
    expect(counts).toEqual([2, 4, 5, 6, 7]);
  });

  it.each([
    ['a line longer than 1 MiB', () => `${text('x'.repeat(MAX_LINE_BYTES))}\n`, 64, /^agent output flood: a line of 1048577\+ bytes exceeds the 1 MiB limit$/],
    ['a long line with no newline yet', () => 'x'.repeat(MAX_LINE_BYTES + 10), 64, /^agent output flood: a line of 1048577\+ bytes exceeds the 1 MiB limit$/],
    ['output past SANDBOXD_TASK_MAX_OUTPUT_MB', () => `${text('x')}\n`.repeat(40_000), 1, /^agent output flood: out.jsonl grew to \d+ bytes, past the 1 MiB limit \(SANDBOXD_TASK_MAX_OUTPUT_MB\)$/],
    ['a line that makes too many events', () => `${text('x', MAX_LINE_EVENTS + 1)}\n`, 64, new RegExp(`^agent output flood: one line made ${MAX_LINE_EVENTS + 1} events, over the limit of ${MAX_LINE_EVENTS}$`)],
    ['more events than a task may store', () => `${text('x')}\n`.repeat(MAX_TASK_EVENTS + 5), 64, new RegExp(`^agent output flood: more than ${MAX_TASK_EVENTS} events$`)],
  ])('fails the task on %s and reads nothing more', async (_name, content, mb, reason) => {
    appendFileSync(out, content());
    const f = follower(mb * 1024 * 1024);
    await drain(f);
    const task = store.get(ID)!;
    expect(task).toMatchObject({ status: 'running', stopStatus: 'failed' });
    expect(task.stopReason).toMatch(reason);
    const count = events().length;
    expect(count).toBeLessThanOrEqual(MAX_TASK_EVENTS);
    expect(store.cursor(ID).state.eventCount).toBe(count);
    appendFileSync(out, `${text('after')}\n`);
    expect(await f.next(fh, () => true)).toBe('idle');
    expect(events()).toHaveLength(count);
  });

  it('keeps the line under raw while it is small, serialisable and within the line budget', async () => {
    const big = text('b'.repeat(RAW_MAX_BYTES + 10));
    const mid = text('m'.repeat(RAW_MAX_BYTES / 4 - 100), 3);
    const deep = `{"type":"assistant","message":{"content":[{"type":"text","text":"deep"}]},"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    appendFileSync(out, `${text('small')}\n${big}\n${mid}\n${deep}\n`);
    await drain(follower());
    const raws = events().map((e) => e.raw as { type: string; truncated?: boolean });
    expect(raws[0]).toMatchObject({ type: 'assistant', message: expect.any(Object) });
    expect(raws[1]).toEqual({ type: 'assistant', truncated: true, bytes: big.length });
    expect(raws.slice(2, 5).map((r) => r.truncated === true)).toEqual([false, false, true]);
    expect(raws[5]).toMatchObject({ type: 'assistant', truncated: true });
  });

  it('keeps the persisted state small whatever the lines say', async () => {
    appendFileSync(out, `${text('t'.repeat(MAX_LINE_BYTES - 100))}\n`.repeat(3));
    await drain(follower());
    const state = store.cursor(ID).state;
    expect(state.finalText.endsWith(TEXT_CUT_MARKER)).toBe(true);
    expect(JSON.stringify(state).length).toBeLessThan(100 * 1024);
  });

  it('stores nothing once the task has ended elsewhere', async () => {
    appendFileSync(out, `${text('late')}\n`);
    expect(await follower().next(fh, () => false)).toBe('ended');
    expect(events()).toEqual([]);
    expect(store.cursor(ID).offset).toBe(0);
  });
});
