import { describe, expect, it } from 'vitest';
import type { ContainerInfo } from '../../src/docker/engine.js';
import { decideReconcile } from '../../src/loops/reconcile-decide.js';
import type { DesiredState, ObservedState, Sandbox } from '../../src/domain/sandbox.js';

function row(id: string, desiredState: DesiredState, containerId: string | null, observedState: ObservedState = 'running'): Sandbox {
  return {
    id,
    desiredState,
    observedState,
    containerId,
    spec: { ports: [], memoryMb: 512, cpus: 1, idlePolicy: 'sleep', visibility: 'public', services: [] },
    envNames: [],
    createdAt: 0,
    updatedAt: 0,
    lastActiveAt: 0,
    lastError: null,
    metadata: {},
    stoppedAt: null,
  };
}

function ctr(id: string, sandboxId: string | null, running: boolean, labels: Record<string, string> = {}): ContainerInfo {
  return { id, name: `s-${sandboxId}`, sandboxId, instance: 'default', running, status: running ? 'running' : 'exited', ip: null, exitCode: null, oomKilled: false, labels, homeVolume: null };
}

/** A warm-pool container: its labels name the pool entry, never the sandbox that claims it. */
const pooled = (id: string, poolId: string, running = true) => ctr(id, poolId, running, { 'sandboxed.kind': 'pool' });

describe('decideReconcile', () => {
  it.each([
    ['wants running, container missing → create', [row('a', 'running', 'c1')], [], [{ type: 'create', id: 'a' }]],
    ['wants running, container exited → start', [row('a', 'running', 'c1')], [ctr('c1', 'a', false)], [{ type: 'start', id: 'a', containerId: 'c1' }]],
    ['wants running, running → nothing', [row('a', 'running', 'c1')], [ctr('c1', 'a', true)], []],
    ['wants stopped, running → stop', [row('a', 'stopped', 'c1', 'stopped')], [ctr('c1', 'a', true)], [{ type: 'stop', id: 'a', containerId: 'c1' }]],
    ['wants stopped, exited → nothing', [row('a', 'stopped', 'c1', 'stopped')], [ctr('c1', 'a', false)], []],
    ['destroyed row, container present → remove', [row('a', 'destroyed', null, 'none')], [ctr('c1', 'a', true)], [{ type: 'remove', id: 'a', containerId: 'c1' }]],
    ['purged row, no container → nothing', [row('a', 'purged', null, 'none')], [], []],
    ['container without a row → remove it', [], [ctr('c9', 'ghost', true)], [{ type: 'remove-orphan', containerId: 'c9', sandboxId: 'ghost' }]],
    [
      'wants running, observed stale → record what Docker says',
      [row('a', 'running', null, 'none')],
      [ctr('c2', 'a', true)],
      [{ type: 'observe', id: 'a', containerId: 'c2', running: true }],
    ],
    [
      'wants stopped, container gone → record none',
      [row('a', 'stopped', 'c1', 'stopped')],
      [],
      [{ type: 'observe', id: 'a', containerId: null, running: false }],
    ],
    [
      'two containers claim one sandbox → keep the recorded one',
      [row('a', 'running', 'c1')],
      [ctr('c0', 'a', true), ctr('c1', 'a', true)],
      [{ type: 'remove-orphan', containerId: 'c0', sandboxId: 'a' }],
    ],
    ['pooled container nobody claimed → left to the pool', [], [pooled('p1', 'pool-x')], []],
    ['claimed pooled container, running → nothing', [row('a', 'running', 'p1')], [pooled('p1', 'pool-x')], []],
    ['claimed pooled container, exited → start it', [row('a', 'running', 'p1')], [pooled('p1', 'pool-x', false)], [{ type: 'start', id: 'a', containerId: 'p1' }]],
    ['claimed pooled container of a deleted sandbox → remove', [row('a', 'destroyed', 'p1', 'none')], [pooled('p1', 'pool-x')], [{ type: 'remove', id: 'a', containerId: 'p1' }]],
    [
      'claimed pooled container and a stray one labelled with the sandbox → keep the claimed one',
      [row('a', 'running', 'p1')],
      [pooled('p1', 'pool-x'), ctr('c0', 'a', true)],
      [{ type: 'remove-orphan', containerId: 'c0', sandboxId: 'a' }],
    ],
    ['a row that names no container never takes a pooled one', [row('a', 'running', null, 'none')], [pooled('p1', 'a')], [{ type: 'create', id: 'a' }]],
  ])('%s', (_name, rows, containers, expected) => {
    expect(decideReconcile(rows, containers as ContainerInfo[])).toEqual(expected);
  });
});
