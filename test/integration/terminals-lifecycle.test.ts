/**
 * How terminal sessions live and end, with short settings: an attached
 * terminal keeps its sandbox from the idle reaper, a session nobody watches
 * ends after the grace period, and a daemon restart ends every session
 * cleanly (viewers told with 1001, the processes killed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { TermClient, wsUrl } from '../helpers/terminal.js';
import { sleep, until } from '../helpers/wait.js';

let d: TestDaemon;

async function status(id: string): Promise<string> {
  return (await d.api('GET', `/v1/sandboxes/${id}`)).body.status as string;
}

async function pgrep(id: string, pattern: string): Promise<string> {
  const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', `pgrep -fx "${pattern}" || true`] });
  return (r.body.stdout as string).trim();
}

beforeAll(async () => {
  d = await startTestDaemon({
    env: {
      SANDBOXD_IDLE_THRESHOLD_SECONDS: '3',
      SANDBOXD_IDLE_CHECK_INTERVAL_SECONDS: '1',
      SANDBOXD_PTY_GRACE_SECONDS: '2',
      SANDBOXD_PTY_MAX_PER_SANDBOX: '2',
      SANDBOXD_PTY_MAX_SESSIONS: '3',
    },
  });
});

afterAll(async () => {
  await d?.dispose();
});

describe('terminal sessions over time', () => {
  it('the global cap counts every sandbox; an ended session makes room', async () => {
    const [a, b] = [uniqueId('ptycapa'), uniqueId('ptycapb')];
    for (const id of [a, b]) expect((await d.api('POST', '/v1/sandboxes', { id, idle_policy: 'always_on' })).status).toBe(201);
    const made: [string, string][] = [];
    for (const id of [a, a, b]) {
      const r = await d.api('POST', `/v1/sandboxes/${id}/pty`, { cmd: ['sleep', '600'] });
      expect(r.status).toBe(201);
      made.push([id, r.body.id as string]);
    }
    const over = await d.api('POST', `/v1/sandboxes/${b}/pty`, {});
    expect(over.status).toBe(429);
    expect(over.body.error).toContain('SANDBOXD_PTY_MAX_SESSIONS');
    expect((await d.api('DELETE', `/v1/sandboxes/${a}/pty/${made[0][1]}`)).status).toBe(200);
    const fits = await d.api('POST', `/v1/sandboxes/${b}/pty`, { cmd: ['sleep', '600'] });
    expect(fits.status).toBe(201);
    made.push([b, fits.body.id as string]);
    for (const [id, session] of made.slice(1)) await d.api('DELETE', `/v1/sandboxes/${id}/pty/${session}`);
  });

  it('an attached terminal keeps its sandbox from the idle reaper; once detached, the session ends and the sandbox sleeps', async () => {
    const [watched, control] = [uniqueId('ptyidle'), uniqueId('ptyctl')];
    for (const id of [watched, control]) expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
    const t = await TermClient.open(wsUrl(d.url, `/v1/sandboxes/${watched}/pty`));
    await until(async () => (await status(control)) === 'stopped', 'the sandbox without a terminal to stop');
    await sleep(6000); // two thresholds past the watched sandbox's last request
    expect(await status(watched)).toBe('running');

    await t.close();
    await until(async () => (await d.api('GET', `/v1/sandboxes/${watched}/pty`)).body.count === 0, 'the session to end after the grace period');
    await until(async () => (await status(watched)) === 'stopped', 'the watched sandbox to stop once nobody watches');
  });

  it('a session with no viewer and no output ends after the grace period, and its process with it', async () => {
    const id = uniqueId('ptygrace');
    expect((await d.api('POST', '/v1/sandboxes', { id, idle_policy: 'always_on' })).status).toBe(201);
    const created = await d.api('POST', `/v1/sandboxes/${id}/pty`, { cmd: ['sleep', '4747'] });
    expect(created.status).toBe(201);
    expect(await pgrep(id, 'sleep 4747')).not.toBe('');
    await until(async () => (await d.api('GET', `/v1/sandboxes/${id}/pty`)).body.count === 0, 'the session to end');
    await until(async () => (await pgrep(id, 'sleep 4747')) === '', 'its process to be killed');
    await d.waitForLog(/"reason":"grace".*"msg":"terminal session ending"/);
  });

  it('a daemon restart ends sessions cleanly: viewers get 1001, processes are killed, none is listed after', async () => {
    const id = uniqueId('ptyboot');
    expect((await d.api('POST', '/v1/sandboxes', { id, idle_policy: 'always_on' })).status).toBe(201);
    const t = await TermClient.open(wsUrl(d.url, `/v1/sandboxes/${id}/pty?cmd=sleep&cmd=4848`));
    expect(await pgrep(id, 'sleep 4848')).not.toBe('');
    await d.restart();
    expect((await t.waitClosed()).code).toBe(1001);
    expect((await d.api('GET', `/v1/sandboxes/${id}/pty`)).body).toEqual({ sessions: [], count: 0 });
    await until(async () => (await pgrep(id, 'sleep 4848')) === '', 'the old session process to be gone');
  });
});
