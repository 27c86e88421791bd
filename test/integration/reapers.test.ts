/**
 * Idle and pressure reapers against real containers, with short thresholds
 * and an injected memory reading (SANDBOXD_MEMINFO_PATH).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { sleep, until } from '../helpers/wait.js';

async function statusOf(d: TestDaemon, id: string): Promise<string> {
  return (await d.api('GET', `/v1/sandboxes/${id}`)).body.status;
}

describe('idle reaper', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({ env: { SANDBOXD_IDLE_THRESHOLD_SECONDS: '3', SANDBOXD_IDLE_CHECK_INTERVAL_SECONDS: '1' } });
  });
  afterAll(async () => {
    await d?.dispose();
  });

  it('stops idle sandboxes but not busy, always_on or kept-alive ones', async () => {
    const [idle, busy, always, kept] = ['idle', 'busy', 'always', 'kept'].map((p) => uniqueId(p));
    expect((await d.api('POST', '/v1/sandboxes', { id: idle })).status).toBe(201);
    expect((await d.api('POST', '/v1/sandboxes', { id: always, idle_policy: 'always_on' })).status).toBe(201);
    // Each kept busy from right after its create: another create may take longer than the threshold.
    expect((await d.api('POST', '/v1/sandboxes', { id: kept })).status).toBe(201);
    let keeping = true;
    const keeper = (async () => {
      while (keeping) {
        await d.api('POST', `/v1/sandboxes/${kept}/keepalive`);
        await sleep(1000);
      }
    })();
    expect((await d.api('POST', '/v1/sandboxes', { id: busy })).status).toBe(201);
    // A long exec keeps `busy` awake for its whole duration.
    const exec = d.api('POST', `/v1/sandboxes/${busy}/exec`, { cmd: ['sleep', '9'] });

    try {
      await until(async () => (await statusOf(d, idle)) === 'stopped', 'the idle sandbox to stop');
      await sleep(6000); // two thresholds past the others' last activity
      expect(await statusOf(d, busy)).toBe('running');
      expect(await statusOf(d, always)).toBe('running');
      expect(await statusOf(d, kept)).toBe('running');
    } finally {
      keeping = false;
      await keeper;
    }
    expect((await exec).body.exit_code).toBe(0);

    // Once the exec ended and keepalives stopped, both go idle too; always_on never does.
    await until(async () => (await statusOf(d, busy)) === 'stopped', 'busy to stop after its exec');
    await until(async () => (await statusOf(d, kept)) === 'stopped', 'kept to stop after keepalives end');
    expect(await statusOf(d, always)).toBe('running');
    await d.waitForLog(/"reason":"idle"/);
  });

  it('switches a sandbox to always_on through the API', async () => {
    const id = uniqueId('policy');
    await d.api('POST', '/v1/sandboxes', { id });
    const r = await d.api('PATCH', `/v1/sandboxes/${id}`, { idle_policy: 'always_on' });
    expect(r.status).toBe(200);
    expect(r.body.idle_policy).toBe('always_on');
    await sleep(5000);
    expect(await statusOf(d, id)).toBe('running');
  });
});

describe('pressure reaper and wake admission', () => {
  let d: TestDaemon;
  let meminfo: string;
  const setAvailable = (mb: number) =>
    writeFileSync(meminfo, `MemTotal:       ${8 * 1024 * 1024} kB\nMemFree:        0 kB\nMemAvailable:   ${mb * 1024} kB\n`);

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meminfo-'));
    meminfo = path.join(dir, 'meminfo');
    setAvailable(4000);
    d = await startTestDaemon({
      env: {
        SANDBOXD_MEMINFO_PATH: meminfo,
        SANDBOXD_CGROUP_ROOT: dir,
        SANDBOXD_MEMORY_FLOOR_MB: '1000',
        SANDBOXD_WAKE_RESERVE_MB: '100',
        SANDBOXD_PRESSURE_CHECK_INTERVAL_SECONDS: '1',
      },
    });
  });
  afterAll(async () => {
    await d?.dispose();
  });

  it('stops least recently active sleep sandboxes first, busy ones after, always_on last', async () => {
    const old = uniqueId('old');
    const recent = uniqueId('recent');
    const busy = uniqueId('busy');
    const always = uniqueId('always');
    for (const id of [always, busy, old, recent]) {
      const body = id === always ? { id, idle_policy: 'always_on' } : { id };
      expect((await d.api('POST', '/v1/sandboxes', body)).status).toBe(201);
    }
    await d.api('POST', `/v1/sandboxes/${old}/keepalive`);
    await sleep(50);
    await d.api('POST', `/v1/sandboxes/${recent}/keepalive`);
    const exec = d.api('POST', `/v1/sandboxes/${busy}/exec`, { cmd: ['sleep', '20'] });
    await sleep(500);

    setAvailable(500);
    await until(async () => (await statusOf(d, always)) === 'stopped', 'every sandbox to be stopped under pressure');
    setAvailable(4000);
    await d.waitForLog(new RegExp(`pressure reaper stopped sandbox.*${always}|${always}.*pressure reaper stopped sandbox`));
    const order = d
      .log()
      .split('\n')
      .filter((l) => l.includes('pressure reaper stopped sandbox'))
      .map((l) => JSON.parse(l).sandboxId);
    expect(order).toEqual([old, recent, busy, always]);
    expect(d.log()).toMatch(/last resort: always_on/);
    await exec;
  });

  it('refuses a wake that would go below the floor with 503 and Retry-After', async () => {
    const id = uniqueId('wake');
    expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
    await d.api('POST', `/v1/sandboxes/${id}/stop`);
    setAvailable(1050);
    const r = await d.api('POST', `/v1/sandboxes/${id}/start`);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('30');
    expect(r.body.error).toMatch(/not enough memory/);
    expect(await statusOf(d, id)).toBe('stopped');
    setAvailable(4000);
    expect((await d.api('POST', `/v1/sandboxes/${id}/start`)).body.status).toBe('running');
  });
});
