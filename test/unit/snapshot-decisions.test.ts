import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/domain/snapshot.js';
import type { Task } from '../../src/domain/task.js';
import { decidePrune } from '../../src/snapshots/prune.js';
import { recoverRestore } from '../../src/snapshots/recover.js';
import { decideUndo } from '../../src/snapshots/undo.js';
import { openDb } from '../../src/store/db.js';
import { SnapshotStore } from '../../src/store/snapshots.js';
import { Workspaces } from '../../src/workspaces/workspaces.js';


function snap(id: string, kind: Snapshot['kind'], createdAt: number, sizeBytes = 10): Snapshot {
  return { id, sandboxId: 'a', sandboxCreatedAt: 1, name: kind === 'manual' ? id : null, kind, template: false, taskId: null, sizeBytes, diskMb: 64, createdAt };
}

describe('decidePrune', () => {
  const limits = { maxCount: 3, maxBytes: 100 };
  it.each([
    ['within limits → nothing', [snap('m1', 'manual', 1), snap('c1', 'checkpoint', 2)], 'c1', [], false],
    ['over count → oldest automatic first, never the fresh one', [snap('c1', 'checkpoint', 1), snap('p1', 'pre-restore', 2), snap('m1', 'manual', 3), snap('c2', 'checkpoint', 4)], 'c2', ['c1'], false],
    ['over bytes → automatic until under', [snap('c1', 'checkpoint', 1, 60), snap('c2', 'checkpoint', 2, 30), snap('m1', 'manual', 3, 40)], 'm1', ['c1'], false],
    ['named ones alone over → refuse, prune what helps', [snap('m1', 'manual', 1), snap('m2', 'manual', 2), snap('c1', 'checkpoint', 3), snap('m3', 'manual', 4), snap('m4', 'manual', 5)], 'm4', ['c1'], true],
    ['a fresh automatic one over only-named → refused', [snap('m1', 'manual', 1), snap('m2', 'manual', 2), snap('m3', 'manual', 3), snap('c1', 'checkpoint', 4)], 'c1', [], true],
  ])('%s', (_n, snaps, fresh, prune, refuse) => {
    expect(decidePrune(snaps, fresh, limits)).toEqual({ prune, refuse });
  });
});

function task(id: string, createdAt: number, status: Task['status'], checkpointId: string | null = 'cp'): Task {
  return {
    id, sandboxId: 'a', agent: 'claude-code', status, prompt: 'p', model: null, baseUrl: null, envNames: [], timeoutS: 60,
    continueFrom: null, checkpointId, sessionId: null, containerId: null, result: null, error: null, stopStatus: null, stopReason: null,
    createdAt, startedAt: createdAt, endedAt: null, usageSource: 'gateway', gatewayUsage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
    maxTokensTotal: null, maxCostUsd: null, apiToken: '',
  };
}

describe('decideUndo', () => {
  const t1 = task('t1', 1, 'succeeded');
  it.each([
    ['the last task, ended → allowed', t1, [t1], false, null],
    ['no checkpoint → refused', task('t1', 1, 'succeeded', null), [t1], false, /no checkpoint/],
    ['still running → refused', task('t1', 1, 'running'), [t1], false, /still running/],
    ['a later task running → refused even with force', t1, [t1, task('t2', 2, 'running')], true, /t2, started after it, is running/],
    ['a later task ended → refused without force', t1, [t1, task('t2', 2, 'failed')], false, /t2 ran after it/],
    ['a later task ended, force → allowed', t1, [t1, task('t2', 2, 'failed')], true, null],
  ])('%s', (_n, t, all, force, want) => {
    const got = decideUndo(t, all, force);
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatch(want);
  });
});

describe('recoverRestore (a kill -9 at each step leaves fully old or fully new)', () => {
  function setup() {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'recover-'));
    mkdirSync(path.join(dataDir, 'disks'));
    mkdirSync(path.join(dataDir, 'snapshots'));
    const store = new SnapshotStore(openDb(path.join(dataDir, 'state', 'db')));
    const ws = new Workspaces({ dataDir, diskQuota: true, diskReserveMb: 0, sandboxUid: 1000, sandboxGid: 1000 }, pino({ level: 'silent' }));
    const live = path.join(dataDir, 'disks', 'a.ext4');
    const file = (id: string) => path.join(dataDir, 'snapshots', `${id}.ext4`);
    const src = '01aaaaaaaaaaaaaaaaaaaaaaaa';
    const saved = '01bbbbbbbbbbbbbbbbbbbbbbbb';
    writeFileSync(file(src), 'NEW');
    store.insert({ ...snap(src, 'manual', 1) });
    store.beginRestore({ sandboxId: 'a', snapshotId: src, savedId: saved, wasRunning: true }, snap(saved, 'pre-restore', 2));
    return { store, ws, live, file, src, saved, dataDir };
  }

  it('before the live disk moved: rolled back, the saved row gone', async () => {
    const s = setup();
    writeFileSync(s.live, 'OLD');
    expect(await recoverRestore(s.store.intent('a')!, s.dataDir, s.ws, s.store)).toBe('rolled back');
    expect(readFileSync(s.live, 'utf8')).toBe('OLD');
    expect(s.store.get(s.saved)).toBeUndefined();
    expect(s.store.intents()).toEqual([]);
  });

  it('after the move, mid-copy: finished from the snapshot, a half copy thrown away', async () => {
    const s = setup();
    writeFileSync(s.file(s.saved), 'OLD');
    writeFileSync(`${s.live}.incoming`, 'HALF');
    expect(await recoverRestore(s.store.intent('a')!, s.dataDir, s.ws, s.store)).toBe('finished');
    expect(readFileSync(s.live, 'utf8')).toBe('NEW');
    expect(readFileSync(s.file(s.saved), 'utf8')).toBe('OLD');
    expect(existsSync(`${s.live}.incoming`)).toBe(false);
    expect(s.store.intents()).toEqual([]);
  });

  it('after the copy landed: already done', async () => {
    const s = setup();
    writeFileSync(s.file(s.saved), 'OLD');
    writeFileSync(s.live, 'NEW');
    expect(await recoverRestore(s.store.intent('a')!, s.dataDir, s.ws, s.store)).toBe('already done');
    expect(readFileSync(s.live, 'utf8')).toBe('NEW');
  });

  it('the source snapshot gone meanwhile: the old disk is put back', async () => {
    const s = setup();
    writeFileSync(s.file(s.saved), 'OLD');
    const { rmSync } = await import('node:fs');
    rmSync(s.file(s.src));
    expect(await recoverRestore(s.store.intent('a')!, s.dataDir, s.ws, s.store)).toBe('rolled back');
    expect(readFileSync(s.live, 'utf8')).toBe('OLD');
  });
});
