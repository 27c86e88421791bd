/**
 * Secrets at rest and the gateway's bookkeeping in SQLite: env values and
 * task keys are sealed (rows from before sealing are sealed when the store
 * opens), a task's grant goes in the transaction that ends it, and usage adds
 * up on the task and the day.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initialState } from '../../src/domain/task.js';
import { openDb, type Db } from '../../src/store/db.js';
import { GrantStore } from '../../src/store/grants.js';
import { SandboxStore } from '../../src/store/sandboxes.js';
import { loadSecretKey, seal, unseal } from '../../src/store/sealed.js';
import { TaskStore } from '../../src/store/tasks.js';

let dir: string;
let db: Db;
let key: Buffer;
const spec = { ports: [], memoryMb: 512, cpus: 1, idlePolicy: 'sleep' as const, visibility: 'public' as const, services: [] };

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sealed-'));
  db = openDb(path.join(dir, 'state', 'db.sqlite'));
  key = loadSecretKey(dir);
});
afterEach(() => db.close());

describe('sealing', () => {
  it('keeps the key in state/secrets.key (0600), the same across opens, and refuses a changed or foreign value', () => {
    const file = path.join(dir, 'state', 'secrets.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(dir).equals(key)).toBe(true);
    const sealed = seal(key, 'sk-secret');
    expect(sealed).not.toContain('sk-secret');
    expect(unseal(key, sealed)).toBe('sk-secret');
    expect(() => unseal(Buffer.alloc(32, 1), sealed)).toThrow();
    const flipped = sealed.slice(0, -4) + (sealed.at(-4) === 'A' ? 'B' : 'A') + sealed.slice(-3);
    expect(() => unseal(key, flipped)).toThrow();
  });

  it('seals env values on insert, and seals plaintext rows from before sealing when the store opens', () => {
    const store = new SandboxStore(db, key);
    store.insert({ id: 'new', spec, env: { TOKEN: 'v-new' }, now: 1 });
    db.prepare(
      `INSERT INTO sandboxes (id, desired_state, spec_json, env_json, created_at, updated_at, last_active_at) VALUES ('old', 'running', ?, '{"TOKEN":"v-old"}', 1, 1, 1)`,
    ).run(JSON.stringify(spec));
    const reopened = new SandboxStore(db, key);
    expect(reopened.env('old')).toEqual({ TOKEN: 'v-old' });
    expect(reopened.env('new')).toEqual({ TOKEN: 'v-new' });
    expect(reopened.get('old')!.envNames).toEqual(['TOKEN']);
    const raw = db.prepare('SELECT env_json FROM sandboxes').pluck().all() as string[];
    expect(raw.every((v) => v.startsWith('s1:'))).toBe(true);
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(path.join(dir, 'state', 'db.sqlite')).includes('v-new')).toBe(false);
  });
});

describe('grants and usage', () => {
  const taskId = '01hzzzzzzzzzzzzzzzzzzzzzzz';
  let tasks: TaskStore;
  let grants: GrantStore;

  beforeEach(() => {
    tasks = new TaskStore(db);
    grants = new GrantStore(db, key);
    const base = { id: taskId, sandboxId: 'sb', agent: 'claude-code' as const, prompt: 'p', model: null, baseUrl: null, envNames: [] as string[], timeoutS: 60, continueFrom: null, sessionId: null };
    tasks.insert({ ...base, usageSource: 'gateway' as const, maxTokensTotal: null, maxCostUsd: null, apiToken: 'app1', state: initialState(), now: 1 });
    tasks.markRunning(taskId, 'c1', { type: 'task.started', agent: 'claude-code', model: null, continue_from: null, raw: null });
    grants.insert({ taskId, sandboxId: 'sb', api: 'anthropic', upstream: 'https://api.anthropic.com', auth: 'x-api-key', key: 'sk-task-key' });
  });

  it('keeps the task key sealed and hands it back while the task runs', () => {
    expect(grants.get(taskId)).toMatchObject({ key: 'sk-task-key', auth: 'x-api-key' });
    expect(JSON.stringify(db.prepare('SELECT * FROM task_grants').all())).not.toContain('sk-task-key');
  });

  it('adds each call to the task and the day, and the result of a gateway task is what the gateway counted', () => {
    tasks.addUsage(taskId, { input_tokens: 100, output_tokens: 20, cost_usd: 0.5 }, '2026-01-02');
    const { events, total } = tasks.addUsage(taskId, { input_tokens: 50, output_tokens: 5, cost_usd: 0.25 }, '2026-01-02');
    expect(events).toMatchObject([{ type: 'usage', input_tokens: 50, raw: null }]);
    expect(total).toEqual({ input_tokens: 150, output_tokens: 25, cost_usd: 0.75 });
    expect(tasks.spent('2026-01-02', 'app1')).toEqual({ tokens: 175, costUsd: 0.75 });
    expect(tasks.spent('2026-01-02', null)).toEqual({ tokens: 175, costUsd: 0.75 });
    expect(tasks.spent('2026-01-03', 'app1')).toEqual({ tokens: 0, costUsd: 0 });

    const agentSaid = { input_tokens: 1, output_tokens: 1, cost_usd: 99 };
    const result = { text: 'done', files_changed: [], files_changed_truncated: false, usage: agentSaid };
    const stored = tasks.finish(taskId, { status: 'succeeded', result, error: null, event: { type: 'task.completed', status: 'succeeded', result, raw: null }, now: 2 });
    expect(stored[0]).toMatchObject({ type: 'task.completed', result: { usage: total } });
    expect(tasks.get(taskId)!.result!.usage).toEqual(total);
    // Revoked in the same transaction.
    expect(grants.get(taskId)).toBeUndefined();
    // Spend after the end still counts for the day, but adds no event.
    expect(tasks.addUsage(taskId, { input_tokens: 1, output_tokens: 0, cost_usd: 0 }, '2026-01-02').events).toEqual([]);
  });

  it('the boot sweep drops grants of tasks that are not running', () => {
    expect(grants.sweep()).toBe(0);
    db.prepare("UPDATE tasks SET status = 'failed' WHERE id = ?").run(taskId);
    expect(grants.sweep()).toBe(1);
  });
});
