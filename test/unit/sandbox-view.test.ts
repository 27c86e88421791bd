/**
 * The edge's in-memory view stays in step with the store (real SQLite): every
 * state write is seen at once, tombstones read as gone, removed rows as
 * unknown; and activity lives in memory until a batch reaches the store.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SandboxSpec } from '../../src/domain/sandbox.js';
import { ActivityTracker } from '../../src/sandboxes/activity.js';
import { SandboxView } from '../../src/sandboxes/view.js';
import { openDb } from '../../src/store/db.js';
import { PreviewEpochStore } from '../../src/store/preview.js';
import { SandboxStore } from '../../src/store/sandboxes.js';

const spec: SandboxSpec = { ports: [3000], memoryMb: 512, cpus: 1, idlePolicy: 'sleep', visibility: 'public', services: [] };

function setup() {
  const key = randomBytes(32);
  const db = openDb(path.join(mkdtempSync(path.join(os.tmpdir(), 'sbx-view-')), 'db.sqlite'));
  const view = new SandboxView();
  const store = new SandboxStore(db, key, (id, row) => view.changed(id, row));
  return { db, view, store, key };
}

describe('SandboxView', () => {
  it('is filled at boot and follows every state write of the store', () => {
    const { db, view, store, key } = setup();
    store.insert({ id: 'old', spec, env: {}, now: 1 });
    const fresh = new SandboxView();
    fresh.fill(new SandboxStore(db, key).listAll());
    expect(fresh.get('old')).toMatchObject({ id: 'old', desiredState: 'running' });

    store.insert({ id: 'a', spec, env: { SECRET: 'x' }, now: 1 });
    expect(view.get('a')).toMatchObject({ desiredState: 'running', observedState: 'none' });
    store.setObserved('a', 'running', 'c1', null, 2);
    expect(view.get('a')).toMatchObject({ observedState: 'running', containerId: 'c1', updatedAt: 2 });
    store.setSpec('a', { ...spec, visibility: 'private' }, { team: 'x' }, 3);
    expect(view.get('a')).toMatchObject({ metadata: { team: 'x' } });
    expect(view.get('a')).toMatchObject({ spec: { visibility: 'private' } });
    store.setDesired('a', 'stopped', 4);
    expect(view.get('a')).toMatchObject({ desiredState: 'stopped' });
    store.setError('a', 'boom', 5);
    expect(view.get('a')).toMatchObject({ lastError: 'boom' });
    store.tombstone('a', 'destroyed', 6);
    expect(view.get('a')).toBe('gone');
    store.remove('a');
    expect(view.get('a')).toBe('unknown');
    expect(view.get('never')).toBe('unknown');
  });

  it('hands out rows that cannot be changed by a reader', () => {
    const { view, store } = setup();
    store.insert({ id: 'a', spec, env: {}, now: 1 });
    const sb = view.get('a');
    expect(() => {
      if (typeof sb !== 'string') (sb as { desiredState: string }).desiredState = 'stopped';
    }).toThrow();
  });

  it('a resync from a full read drops rows deleted behind the store\'s back', () => {
    const { db, view, store } = setup();
    store.insert({ id: 'a', spec, env: {}, now: 1 });
    store.insert({ id: 'b', spec, env: {}, now: 1 });
    db.prepare('DELETE FROM sandboxes WHERE id = ?').run('a');
    expect(view.get('a')).not.toBe('unknown');
    view.resync(store.listAll());
    expect(view.get('a')).toBe('unknown');
    expect(view.get('b')).toMatchObject({ id: 'b' });
  });

  it('a revived tombstone is live again', () => {
    const { view, store } = setup();
    store.insert({ id: 'a', spec, env: {}, now: 1 });
    store.tombstone('a', 'purged', 2);
    expect(store.insert({ id: 'a', spec, env: {}, now: 3 })).toBe(true);
    expect(view.get('a')).toMatchObject({ desiredState: 'running', createdAt: 3 });
  });
});

describe('ActivityTracker', () => {
  it('keeps touches in memory, shows them to readers, and writes them in one batch', () => {
    const { store } = setup();
    store.insert({ id: 'a', spec, env: {}, now: 1 });
    store.insert({ id: 'b', spec, env: {}, now: 1 });
    let now = 100;
    const batches: [string, number][][] = [];
    const activity = new ActivityTracker(
      (batch) => {
        batches.push(batch);
        store.touchMany(batch);
      },
      { now: () => now },
    );
    for (let i = 0; i < 1000; i++) activity.touch('a');
    now = 200;
    activity.touch('b');
    expect(batches).toEqual([]);
    expect(store.get('a')!.lastActiveAt).toBe(1);
    expect(activity.current(store.get('a')!).lastActiveAt).toBe(100);
    activity.flush();
    expect(batches).toEqual([[['a', 100], ['b', 200]]]);
    expect(store.get('a')!.lastActiveAt).toBe(100);
    expect(store.get('b')!.lastActiveAt).toBe(200);
    activity.flush();
    expect(batches).toHaveLength(1);
  });

  it('never moves a time backwards, and forgets a deleted sandbox', () => {
    const { store } = setup();
    store.insert({ id: 'a', spec, env: {}, now: 500 });
    const activity = new ActivityTracker((batch) => store.touchMany(batch), { now: () => 100 });
    activity.touch('a');
    expect(activity.current(store.get('a')!).lastActiveAt).toBe(500);
    activity.flush();
    expect(store.get('a')!.lastActiveAt).toBe(500);
    activity.touch('a');
    activity.forget('a');
    activity.flush();
    expect(store.get('a')!.lastActiveAt).toBe(500);
  });
});

describe('PreviewEpochStore', () => {
  it('keeps epochs in memory once read, follows its own bumps, and forgets a removed sandbox', () => {
    const { db, store } = setup();
    store.insert({ id: 'a', spec, env: {}, now: 1 });
    const epochs = new PreviewEpochStore(db);
    expect(epochs.get('a')).toBe(0);
    expect(epochs.bump('a')).toBe(1);
    expect(epochs.get('a')).toBe(1);
    // What the daemon wires: the store's removal of the row (the epoch row cascades) reaches the cache.
    store.remove('a');
    expect(new PreviewEpochStore(db).get('a')).toBe(0);
    epochs.forget('a');
    expect(epochs.get('a')).toBe(0);
  });
});
