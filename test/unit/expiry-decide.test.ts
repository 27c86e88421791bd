/** decideExpiry as a table: which rows are past ttl_s or auto_delete_after_idle_s, at what moment, and which wait for in-flight work. */
import { describe, expect, it } from 'vitest';
import { decideExpiry, expiryOf } from '../../src/loops/expiry-decide.js';
import type { DesiredState, Sandbox, SandboxSpec } from '../../src/domain/sandbox.js';

const S = 1000;

function sb(over: Omit<Partial<Sandbox>, 'spec'> & { spec?: Partial<SandboxSpec> } = {}): Sandbox {
  const { spec, ...rest } = over;
  return {
    id: 'a',
    desiredState: 'running',
    observedState: 'running',
    containerId: 'c1',
    spec: { ports: [], memoryMb: 512, cpus: 1, idlePolicy: 'sleep', visibility: 'public', services: [], ...spec },
    envNames: [],
    createdAt: 0,
    updatedAt: 0,
    lastActiveAt: 0,
    lastError: null,
    metadata: {},
    stoppedAt: null,
    ...rest,
  };
}

const none = () => 0;
const busy = () => 1;
const stopped = (stoppedAt: number, lastActiveAt = 0, desiredState: DesiredState = 'stopped') => ({ desiredState, observedState: 'stopped' as const, containerId: null, stoppedAt, lastActiveAt });

describe('expiryOf', () => {
  it.each([
    ['no lifetimes', sb(), 10_000 * S, none, null],
    ['ttl not yet', sb({ spec: { ttlS: 60 } }), 59_999, none, null],
    ['ttl at the second', sb({ spec: { ttlS: 60 } }), 60 * S, none, 'ttl'],
    ['ttl counts from create, not from activity', sb({ createdAt: 1000, lastActiveAt: 100 * S, spec: { ttlS: 60 } }), 61 * S, none, 'ttl'],
    ['ttl whatever is in flight', sb({ spec: { ttlS: 60 } }), 61 * S, busy, 'ttl'],
    ['ttl of a stopped sandbox', sb({ ...stopped(5 * S), spec: { ttlS: 60 } }), 61 * S, none, 'ttl'],
    ['idle: a running sandbox never', sb({ spec: { idleDeleteS: 60 } }), 10_000 * S, none, null],
    ['idle: stopped, not long enough', sb({ ...stopped(10 * S), spec: { idleDeleteS: 60 } }), 69 * S, none, null],
    ['idle: stopped long enough', sb({ ...stopped(10 * S), spec: { idleDeleteS: 60 } }), 70 * S, none, 'idle'],
    ['idle: used while stopped postpones it', sb({ ...stopped(10 * S, 30 * S), spec: { idleDeleteS: 60 } }), 80 * S, none, null],
    ['idle: used while stopped, then long enough', sb({ ...stopped(10 * S, 30 * S), spec: { idleDeleteS: 60 } }), 90 * S, none, 'idle'],
    ['idle: something in flight', sb({ ...stopped(10 * S), spec: { idleDeleteS: 60 } }), 70 * S, busy, 'busy'],
    ['idle: no stop time recorded', sb({ ...stopped(0), stoppedAt: null, spec: { idleDeleteS: 60 } }), 10_000 * S, none, null],
    ['idle: wanted running again (starting)', sb({ ...stopped(10 * S, 0, 'running'), spec: { idleDeleteS: 60 } }), 10_000 * S, none, null],
    ['a tombstone never', sb({ desiredState: 'destroyed', spec: { ttlS: 1, idleDeleteS: 1 } }), 10_000 * S, none, null],
    ['a purged one never', sb({ desiredState: 'purged', spec: { ttlS: 1 } }), 10_000 * S, none, null],
    ['both: ttl wins', sb({ ...stopped(10 * S), spec: { ttlS: 20, idleDeleteS: 60 } }), 70 * S, busy, 'ttl'],
  ])('%s', (_name, row, now, inFlight, want) => {
    expect(expiryOf(row, now, inFlight)).toBe(want);
  });
});

describe('decideExpiry', () => {
  it('lists what to delete with its reason, and what waits for in-flight work', () => {
    const rows = [
      sb({ id: 'fresh', spec: { ttlS: 600 } }),
      sb({ id: 'old', spec: { ttlS: 60 } }),
      sb({ id: 'left', ...stopped(0), spec: { idleDeleteS: 30 } }),
      sb({ id: 'watched', ...stopped(0), spec: { idleDeleteS: 30 } }),
      sb({ id: 'forever' }),
    ];
    const d = decideExpiry(rows, 100 * S, (id) => (id === 'watched' ? 1 : 0));
    expect(d).toEqual({ expire: [{ id: 'old', reason: 'ttl' }, { id: 'left', reason: 'idle' }], busy: ['watched'] });
  });
});
