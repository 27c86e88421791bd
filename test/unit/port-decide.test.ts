/**
 * No pointless hold: what the supervisor and the container's sockets say
 * about a port, parsed from tenant-writable output, and the decision to keep
 * holding a request or answer it with what to do.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/domain/sandbox.js';
import { wakeFailed } from '../../src/edge/answers.js';
import { decidePortWait, parsePortFacts, PORT_GRACE_MS, portState, type PortFacts } from '../../src/edge/port-decide.js';
import { Upstreams } from '../../src/edge/upstreams.js';
import { Waker } from '../../src/edge/waker.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('parsePortFacts', () => {
  it('reads the supervisor list, states and listeners on the port (IPv4, IPv6, IPv4-mapped)', () => {
    const out = [
      `web 3000 - ${b64('python3 -m http.server 3000')}`,
      `worker - - ${b64('node worker.js')}`,
      '#state web running',
      '#state worker backoff',
      '#listen 0100007F:0BB8', // 127.0.0.1:3000
      '#listen 00000000:0BB9', // 0.0.0.0:3001
      '#listen 00000000000000000000000001000000:0BB8', // ::1:3000
      '#listen 0000000000000000FFFF00000100007F:0BB8', // ::ffff:127.0.0.1:3000
    ].join('\n');
    expect(parsePortFacts(out, 3000)).toEqual({
      supervisorReady: true,
      services: [
        { name: 'web', port: 3000, state: 'running' },
        { name: 'worker', port: null, state: 'backoff' },
      ],
      listeners: ['127.0.0.1', '::1', '127.0.0.1'],
    });
  });

  it('knows when the supervisor has not read its config yet, and skips what is malformed', () => {
    const f = parsePortFacts(['#none', '../etc 3000 - x', 'web 99999999 - x', '#listen nothex:0BB8', '#state', 'x'.repeat(10_000)].join('\n'), 3000);
    expect(f).toEqual({ supervisorReady: false, services: [], listeners: [] });
  });

  it('reads a bounded number of lines whatever the tenant writes', () => {
    const flood = Array.from({ length: 100_000 }, (_, i) => `s${i} 3000 - x`).join('\n');
    expect(parsePortFacts(flood, 3000).services.length).toBeLessThanOrEqual(100);
  });
});

describe('decidePortWait', () => {
  const facts = (over: Partial<PortFacts> = {}): PortFacts => ({ supervisorReady: true, services: [], listeners: [], ...over });
  const after = PORT_GRACE_MS;
  const cases: { name: string; f: PortFacts; port?: number; since?: number; want: string }[] = [
    { name: 'within the grace after a start', f: facts(), since: after - 1, want: 'wait' },
    { name: 'the supervisor has not read its config', f: facts({ supervisorReady: false }), want: 'wait' },
    { name: 'nothing declared, nothing listening', f: facts(), want: 'answer:closed' },
    { name: 'a service on the port is running (booting)', f: facts({ services: [{ name: 'web', port: 3000, state: 'running' }] }), want: 'wait' },
    { name: 'a service on the port is in backoff', f: facts({ services: [{ name: 'web', port: 3000, state: 'backoff' }] }), want: 'wait' },
    { name: 'the default dev script (no port) serves the first port', f: facts({ services: [{ name: 'dev', port: null, state: 'running' }] }), want: 'wait' },
    { name: 'a portless service does not serve the second port', f: facts({ services: [{ name: 'dev', port: null, state: 'running' }] }), port: 3001, want: 'answer:closed' },
    { name: 'a service on another port only', f: facts({ services: [{ name: 'api', port: 3001, state: 'running' }] }), want: 'answer:closed' },
    { name: 'the service on the port failed for good', f: facts({ services: [{ name: 'web', port: 3000, state: 'failed' }] }), want: 'answer:closed' },
    { name: 'the app listens on loopback only', f: facts({ services: [{ name: 'web', port: 3000, state: 'running' }], listeners: ['127.0.0.1'] }), want: 'answer:loopback-only' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = decidePortWait(c.f, c.port ?? 3000, 3000, c.since ?? after);
      expect(v.kind === 'answer' ? `answer:${v.portState}` : v.kind).toBe(c.want);
    });
  }

  it('classifies listeners', () => {
    expect(portState([])).toBe('closed');
    expect(portState(['127.0.0.1', '::1'])).toBe('loopback-only');
    expect(portState(['127.0.0.1', '0.0.0.0'])).toBe('listening');
  });
});

describe('Waker with a port check', () => {
  const log = pino({ level: 'silent' });
  const sandbox = (): Sandbox => ({
    id: 'a',
    spec: { ports: [3000, 3001], memoryMb: 512, cpus: 1, idlePolicy: 'sleep', visibility: 'public', services: [] },
    desiredState: 'running',
    observedState: 'running',
    containerId: 'c1',
    envNames: [],
    createdAt: 1,
    updatedAt: 1,
    lastActiveAt: 1,
    lastError: null,
    metadata: {},
    stoppedAt: null,
  });
  const closed = new Upstreams({ inspect: async () => ({ running: true, ip: '10.0.0.3' }) }, async () => false);

  it('answers after the grace, long before the wake timeout, when nothing is declared for the port', async () => {
    let now = 0;
    let checks = 0;
    const waker = new Waker({
      start: async () => sandbox(),
      upstreams: closed,
      checkPort: async () => (checks++, { supervisorReady: true, services: [{ name: 'api', port: 3001, state: 'running' }], listeners: [] }),
      timeoutMs: 60_000,
      pollMs: 1,
      log,
      now: () => (now += 50),
    });
    const outcome = await waker.wake('a', 3000);
    expect(outcome).toMatchObject({ ok: false, timedOut: false, idle: { kind: 'answer', portState: 'closed' } });
    expect(checks).toBe(1);
    expect(now).toBeLessThan(PORT_GRACE_MS + 1_000);
    const answer = wakeFailed(sandbox(), 3000, outcome as Exclude<typeof outcome, { ok: true }>);
    expect(answer.status).toBe(502);
    expect(answer.kind).toBe('no-app');
    expect(answer.json).toMatchObject({ port: 3000, port_state: 'closed', services: [{ name: 'api', port: 3001, state: 'running' }] });
    expect(answer.json.error).toMatch(/nothing listens on port 3000 of sandbox a and no service is declared for it/);
    expect(answer.json.hint).toMatch(/declare one.*"dev" script.*0\.0\.0\.0:3000/);
  });

  it('keeps holding until the timeout while a declared service is on its way up, checking ever less often', async () => {
    let now = 0;
    let checks = 0;
    const waker = new Waker({
      start: async () => sandbox(),
      upstreams: closed,
      checkPort: async () => (checks++, { supervisorReady: true, services: [{ name: 'web', port: 3000, state: 'running' }], listeners: [] }),
      timeoutMs: 60_000,
      pollMs: 1,
      log,
      now: () => (now += 50),
    });
    expect(await waker.wake('a', 3000)).toMatchObject({ ok: false, timedOut: true });
    expect(checks).toBeGreaterThan(1);
    expect(checks).toBeLessThan(12);
  });

  it('a check that cannot run changes nothing: the wake waits as before', async () => {
    let now = 0;
    const waker = new Waker({ start: async () => sandbox(), upstreams: closed, checkPort: async () => null, timeoutMs: 10_000, pollMs: 1, log, now: () => (now += 50) });
    expect(await waker.wake('a', 3000)).toMatchObject({ ok: false, timedOut: true });
  });
});
