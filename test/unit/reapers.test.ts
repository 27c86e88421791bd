import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideIdle } from '../../src/loops/idle.js';
import { cgroupRemainingMb, parseMeminfo, readMemory } from '../../src/sandboxes/memory.js';
import { decidePressureOrder } from '../../src/sandboxes/pressure.js';
import type { IdlePolicy, Sandbox } from '../../src/domain/sandbox.js';

function sb(id: string, lastActiveAt: number, idlePolicy: IdlePolicy = 'sleep', running = true): Sandbox {
  return {
    id,
    desiredState: running ? 'running' : 'stopped',
    observedState: running ? 'running' : 'stopped',
    containerId: `c-${id}`,
    spec: { ports: [], memoryMb: 512, cpus: 1, idlePolicy, visibility: 'public', services: [] },
    envNames: [],
    createdAt: 0,
    updatedAt: 0,
    lastActiveAt,
    lastError: null,
    metadata: {},
    stoppedAt: null,
  };
}

const none = () => 0;

describe('decideIdle', () => {
  const now = 10_000_000;
  const threshold = 60_000;
  it.each([
    ['idle past the threshold → stop', [sb('a', now - 60_000)], none, ['a'], []],
    ['active within the threshold → keep', [sb('a', now - 59_999)], none, [], []],
    ['always_on → never', [sb('a', 0, 'always_on')], none, [], []],
    ['already stopped → nothing', [sb('a', 0, 'sleep', false)], none, [], []],
    ['exec, task or WebSocket in flight → busy, not stopped', [sb('a', 0)], () => 1, [], ['a']],
  ])('%s', (_n, rows, busy, stop, busyOut) => {
    expect(decideIdle(rows, now, threshold, busy)).toEqual({ stop, busy: busyOut });
  });
});

describe('decidePressureOrder', () => {
  it('stops idle sleep sandboxes first (least recently active first), then busy ones, then always_on', () => {
    const rows = [sb('on', 1, 'always_on'), sb('busy', 2), sb('new', 300), sb('old', 100), sb('off', 0, 'sleep', false)];
    const busy = (id: string) => (id === 'busy' ? 1 : 0);
    expect(decidePressureOrder(rows, busy).map((s) => s.id)).toEqual(['old', 'new', 'busy', 'on']);
  });
});

describe('memory readings', () => {
  const meminfo = 'MemTotal:       24576000 kB\nMemFree:        1000 kB\nMemAvailable:    2048000 kB\n';

  it('parses MemAvailable in MiB', () => {
    expect(parseMeminfo(meminfo)).toEqual({ availableMb: 2000, totalMb: 24000 });
  });

  it('takes the cgroup limit into account (v2 and v1), and ignores "no limit"', () => {
    const v2 = mkdtempSync(path.join(os.tmpdir(), 'cg2-'));
    writeFileSync(path.join(v2, 'memory.max'), String(1024 * 1024 * 1024));
    writeFileSync(path.join(v2, 'memory.current'), String(900 * 1024 * 1024));
    expect(cgroupRemainingMb(v2)).toBe(124);

    const v1 = mkdtempSync(path.join(os.tmpdir(), 'cg1-'));
    mkdirSync(path.join(v1, 'memory'));
    writeFileSync(path.join(v1, 'memory/memory.limit_in_bytes'), '9223372036854771712');
    writeFileSync(path.join(v1, 'memory/memory.usage_in_bytes'), '1000');
    expect(cgroupRemainingMb(v1)).toBeNull();

    const file = path.join(v2, 'meminfo');
    writeFileSync(file, meminfo);
    expect(readMemory(file, v2).availableMb).toBe(124);
    expect(readMemory(file, v1).availableMb).toBe(2000);
  });
});
