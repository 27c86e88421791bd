/**
 * The list queries on a real SQLite file: the status filter in SQL agrees with
 * statusOf() for every combination of states, metadata filters AND, keyset
 * pages never skip or repeat a row while rows are inserted between them,
 * ownership and quota usage come from the owner label, and the API's cursor
 * is refused when it is not one of the list's.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { initialState } from '../../src/domain/task.js';
import { statusOf, type DesiredState, type ObservedState, type SandboxSpec } from '../../src/domain/sandbox.js';
import { decodeCursor, encodeCursor, pageOf, paging } from '../../src/http/pagination.js';
import { openDb, type Db } from '../../src/store/db.js';
import { SandboxStore, STATUS_SQL } from '../../src/store/sandboxes.js';
import { SnapshotStore } from '../../src/store/snapshots.js';
import { TaskStore } from '../../src/store/tasks.js';
import { InvalidError } from '../../src/errors.js';

const spec: SandboxSpec = { ports: [], memoryMb: 512, cpus: 1, idlePolicy: 'sleep', visibility: 'public', services: [] };
let db: Db;
let store: SandboxStore;

beforeEach(() => {
  db = openDb(path.join(mkdtempSync(path.join(os.tmpdir(), 'list-queries-')), 'db'));
  store = new SandboxStore(db, randomBytes(32));
});

function add(id: string, now: number, metadata: Record<string, string> = {}, memoryMb = 512): void {
  if (!store.insert({ id, spec: { ...spec, memoryMb }, env: {}, metadata, now })) throw new Error(`${id} exists`);
}

describe('the status filter', () => {
  it('is statusOf() in SQL, for every desired, observed and error state', () => {
    const desired: DesiredState[] = ['running', 'stopped'];
    const observed: ObservedState[] = ['none', 'stopped', 'running', 'unknown'];
    const errors = [null, '', 'boom'];
    let n = 0;
    for (const d of desired) for (const o of observed) for (const e of errors) {
      const id = `s${n++}`;
      add(id, n);
      store.setDesired(id, d);
      store.setObserved(id, o, o === 'none' ? null : `c-${id}`, e);
    }
    for (const status of Object.keys(STATUS_SQL) as (keyof typeof STATUS_SQL)[]) {
      const want = store.listLive().filter((sb) => statusOf(sb) === status).map((sb) => sb.id);
      expect(store.list({ status }).map((sb) => sb.id), status).toEqual(want);
    }
  });
});

describe('metadata filters and ownership', () => {
  beforeEach(() => {
    add('a1', 1, { user: '42', plan: 'free', 'sandboxed.owner': 'a' });
    add('a2', 2, { user: '42', plan: 'pro', 'sandboxed.owner': 'a' }, 1024);
    add('b1', 3, { user: '42', 'sandboxed.owner': 'b' });
    add('none', 4);
  });

  it('match exactly, AND together, and find nothing for a value nobody has', () => {
    expect(store.list({ labels: [['user', '42']] }).map((s) => s.id)).toEqual(['a1', 'a2', 'b1']);
    expect(store.list({ labels: [['user', '42'], ['plan', 'pro']] }).map((s) => s.id)).toEqual(['a2']);
    expect(store.list({ labels: [['user', '4']] })).toEqual([]);
    expect(store.list({ labels: [['user', '42'], ['sandboxed.owner', 'b']] }).map((s) => s.id)).toEqual(['b1']);
    expect(store.list({ labels: [['sandboxed.owner', 'a'], ['sandboxed.owner', 'b']] })).toEqual([]);
  });

  it('come back on every row, sorted by key', () => {
    expect(store.get('a1')!.metadata).toEqual({ plan: 'free', 'sandboxed.owner': 'a', user: '42' });
    expect(Object.keys(store.get('a1')!.metadata)).toEqual(['plan', 'sandboxed.owner', 'user']);
    expect(store.get('none')!.metadata).toEqual({});
  });

  it('count an owner’s live sandboxes and memory, and keep the owner on a tombstone', () => {
    expect(store.usageOf('a')).toEqual({ sandboxes: 2, memoryMb: 1536 });
    store.tombstone('a2', 'destroyed');
    expect(store.usageOf('a')).toEqual({ sandboxes: 1, memoryMb: 512 });
    expect(store.get('a2')!.metadata['sandboxed.owner']).toBe('a');
    expect(store.usageOf('nobody')).toEqual({ sandboxes: 0, memoryMb: 0 });
  });

  it('are replaced when a tombstone is created again, and go with a removed row', () => {
    store.tombstone('a1', 'destroyed');
    expect(store.insert({ id: 'a1', spec, env: {}, metadata: { 'sandboxed.owner': 'c' }, now: 10 })).toBe(true);
    expect(store.get('a1')!.metadata).toEqual({ 'sandboxed.owner': 'c' });
    expect(store.insert({ id: 'a1', spec, env: {}, metadata: {}, now: 11 })).toBe(false);
    store.remove('b1');
    expect(db.prepare("SELECT count(*) FROM sandbox_metadata WHERE sandbox_id = 'b1'").pluck().get()).toBe(0);
  });

  it('are set with the spec in a PATCH', () => {
    store.setSpec('a1', { ...spec, ttlS: 60 }, { plan: 'pro', 'sandboxed.owner': 'a' });
    expect(store.get('a1')).toMatchObject({ spec: { ttlS: 60 }, metadata: { plan: 'pro', 'sandboxed.owner': 'a' } });
  });
});

describe('keyset pages', () => {
  it('walk every row once while rows are inserted between pages', () => {
    for (let i = 0; i < 250; i++) add(`r${String(i).padStart(3, '0')}`, 1000 + (i % 50), { batch: i % 2 === 0 ? 'even' : 'odd' });
    const seen: string[] = [];
    let paged = paging('sandboxes', { limit: 40 });
    let inserted = 0;
    for (;;) {
      const page = pageOf('sandboxes', store.list({ ...paged.query }), paged);
      seen.push(...page.items.map((s) => s.id));
      // New rows arrive between the pages: created now, so after every row the walk began with.
      add(`new${inserted++}`, 5000 + inserted);
      if (page.next_cursor === null) break;
      paged = paging('sandboxes', { limit: 40, cursor: page.next_cursor });
    }
    const original = seen.filter((id) => id.startsWith('r'));
    expect(new Set(seen).size).toBe(seen.length);
    expect(original.length).toBe(250);
    expect(original).toEqual(store.list({}).filter((s) => s.id.startsWith('r')).map((s) => s.id));
  });

  it('combine with filters', () => {
    for (let i = 0; i < 30; i++) add(`f${i}`, i, { batch: i % 3 === 0 ? 'x' : 'y' });
    const first = store.list({ labels: [['batch', 'x']], limit: 4 });
    const rest = store.list({ labels: [['batch', 'x']], after: { createdAt: first[3].createdAt, id: first[3].id } });
    expect([...first, ...rest].map((s) => s.id)).toEqual(store.list({ labels: [['batch', 'x']] }).map((s) => s.id));
    expect(first.length + rest.length).toBe(10);
  });
});

describe('cursors', () => {
  it('round-trip, and only for their own list', () => {
    const c = encodeCursor('tasks', { createdAt: 123, id: 'abc' });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('tasks', c)).toEqual({ createdAt: 123, id: 'abc' });
    expect(() => decodeCursor('sandboxes', c)).toThrow(InvalidError);
  });

  it.each(['', 'x', '!!!', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["sandboxes","1","a"]').toString('base64url'), Buffer.from(`["sandboxes",1,"${'a'.repeat(65)}"]`).toString('base64url')])(
    'refuses %j with a 400 naming the cursor',
    (c) => {
      expect(() => paging('sandboxes', { cursor: c })).toThrowError(/^querystring.cursor: /);
    },
  );

  it('page by the default size when only a cursor is given, and not at all with neither', () => {
    expect(paging('sandboxes', {})).toEqual({ query: {}, size: null });
    const c = encodeCursor('sandboxes', { createdAt: 1, id: 'a' });
    expect(paging('sandboxes', { cursor: c })).toEqual({ query: { after: { createdAt: 1, id: 'a' }, limit: 101 }, size: 100 });
  });
});

describe('task and template lists', () => {
  it('page a sandbox’s tasks and count the ones an owner has running', () => {
    add('t1', 1, { 'sandboxed.owner': 'a' });
    add('t2', 2, { 'sandboxed.owner': 'b' });
    const tasks = new TaskStore(db);
    const task = (id: string, sandboxId: string, now: number) =>
      tasks.insert({ id, sandboxId, agent: 'opencode', prompt: 'p', model: null, baseUrl: null, envNames: [], timeoutS: 60, continueFrom: null, sessionId: null, usageSource: 'agent', maxTokensTotal: null, maxCostUsd: null, apiToken: '', state: initialState(), now });
    expect(task('01aaaaaaaaaaaaaaaaaaaaaaa1', 't1', 10)).toBe(true);
    expect(task('01aaaaaaaaaaaaaaaaaaaaaaa2', 't2', 11)).toBe(true);
    expect(tasks.activeOwnedBy('a')).toBe(1);
    expect(tasks.activeOwnedBy('c')).toBe(0);
    expect(tasks.pageBySandbox('t1', 0, { limit: 5 }).map((t) => t.id)).toEqual(['01aaaaaaaaaaaaaaaaaaaaaaa1']);
    expect(tasks.pageBySandbox('t1', 0, { after: { createdAt: 10, id: '01aaaaaaaaaaaaaaaaaaaaaaa1' } })).toEqual([]);
  });

  it('show an owner the templates of its own sandboxes only', () => {
    add('m1', 1, { 'sandboxed.owner': 'a' });
    add('m2', 2, { 'sandboxed.owner': 'b' });
    const snaps = new SnapshotStore(db);
    const snap = (id: string, sandboxId: string, createdAt: number) =>
      snaps.insert({ id, sandboxId, sandboxCreatedAt: 1, name: null, kind: 'manual', template: true, taskId: null, sizeBytes: 10, diskMb: 64, createdAt });
    snap('01bbbbbbbbbbbbbbbbbbbbbbb1', 'm1', 5);
    snap('01bbbbbbbbbbbbbbbbbbbbbbb2', 'm2', 6);
    expect(snaps.pageTemplates('a', {}).map((s) => s.sandboxId)).toEqual(['m1']);
    expect(snaps.pageTemplates(null, {}).map((s) => s.sandboxId)).toEqual(['m1', 'm2']);
    expect(snaps.pageTemplates(null, { limit: 1, after: { createdAt: 5, id: '01bbbbbbbbbbbbbbbbbbbbbbb1' } }).map((s) => s.sandboxId)).toEqual(['m2']);
    expect(snaps.sizeOfLife('m1', 1)).toBe(10);
  });
});
