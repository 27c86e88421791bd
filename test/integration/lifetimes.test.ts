/**
 * Lifetimes on a real daemon with short settings (the expiry loop ticks every
 * second): ttl_s deletes a sandbox that long after create, keeping its
 * workspace, or purging it with purge_on_expiry; auto_delete_after_idle_s
 * deletes a sandbox stopped and unused that long and leaves a running one
 * alone; the operator's maximum and default apply; each expiry is logged with
 * its reason.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/wait.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startTestDaemon({
    env: {
      SANDBOXD_EXPIRY_CHECK_INTERVAL_SECONDS: '1',
      SANDBOXD_DEFAULT_TTL_SECONDS: '3600',
      SANDBOXD_MAX_TTL_SECONDS: '7200',
      SANDBOXD_MAX_AUTO_DELETE_AFTER_IDLE_SECONDS: '600',
      SANDBOXD_DEFAULT_AUTO_DELETE_AFTER_IDLE_SECONDS: '600',
    },
  });
});

afterAll(async () => {
  await d?.dispose();
});

const gone = (id: string) => async () => (await d.api('GET', `/v1/sandboxes/${id}`)).status === 404;
const diskImage = (id: string) => path.join(d.dataDir, 'disks', `${id}.ext4`);

async function createWithFile(body: Record<string, unknown>): Promise<string> {
  const r = await d.api('POST', '/v1/sandboxes', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect((await d.api('PUT', `/v1/sandboxes/${r.body.id}/files`, { path: 'workspace/app/kept.txt', content: 'still here' })).status).toBe(200);
  return r.body.id as string;
}

describe('lifetimes', () => {
  it('apply the operator defaults and show when a sandbox expires', async () => {
    const r = await d.api('POST', '/v1/sandboxes', { id: uniqueId('lt') });
    expect(r.body).toMatchObject({ ttl_s: 3600, auto_delete_after_idle_s: 600, purge_on_expiry: false });
    expect(Date.parse(r.body.expires_at) - Date.parse(r.body.created_at)).toBe(3600 * 1000);
    expect((await d.api('DELETE', `/v1/sandboxes/${r.body.id}`)).status).toBe(200);
  });

  it.each([
    [{ ttl_s: 7201 }, /^ttl_s: 1 to 7200 seconds \(SANDBOXD_MAX_TTL_SECONDS\)/],
    [{ ttl_s: 0 }, /^ttl_s: 1 to 7200 seconds.*never \(0\) is not allowed/],
    [{ auto_delete_after_idle_s: 601 }, /^auto_delete_after_idle_s: 1 to 600 seconds/],
    [{ ttl_s: -1 }, /^body.ttl_s/],
    [{ ttl_s: 1.5 }, /^body.ttl_s/],
    [{ purge_on_expiry: 'yes' }, /^body.purge_on_expiry/],
  ])('refuse %j with a 400, before anything is created', async (body, problem) => {
    const id = uniqueId('lt');
    const r = await d.api('POST', '/v1/sandboxes', { id, ...body });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(problem);
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).status).toBe(404);
  });

  it('ttl_s deletes the sandbox that long after create and keeps its workspace, like DELETE', async () => {
    const id = await createWithFile({ id: uniqueId('ttl'), ttl_s: 2, auto_delete_after_idle_s: 600 });
    await until(gone(id), 'the ttl to delete the sandbox', 60_000);
    expect(d.log()).toMatch(new RegExp(`"sandboxId":"${id}","reason":"ttl","state":"destroyed".*"msg":"sandbox expired"`));
    expect(existsSync(diskImage(id))).toBe(true);
    // Created again, the id finds its workspace as a deleted sandbox's.
    expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
    expect((await d.api('GET', `/v1/sandboxes/${id}/files/content?path=workspace/app/kept.txt`)).body).toBe('still here');
    expect((await d.api('POST', `/v1/sandboxes/${id}/purge`)).status).toBe(200);
  });

  it('purge_on_expiry removes the workspace and the snapshots too', async () => {
    const id = await createWithFile({ id: uniqueId('ttp'), ttl_s: 7200, purge_on_expiry: true });
    const snap = await d.api('POST', `/v1/sandboxes/${id}/snapshots`, { name: 'before' });
    expect(snap.status).toBe(201);
    // A PATCH shortens the lifetime; ttl_s still counts from create.
    const patched = await d.api('PATCH', `/v1/sandboxes/${id}`, { ttl_s: 1 });
    expect(patched.body).toMatchObject({ ttl_s: 1, purge_on_expiry: true });
    await until(gone(id), 'the ttl to purge the sandbox', 60_000);
    await until(async () => !existsSync(diskImage(id)), 'the disk image to go');
    expect(d.log()).toMatch(new RegExp(`"sandboxId":"${id}","reason":"ttl","state":"purged"`));
    await until(async () => !existsSync(path.join(d.dataDir, 'snapshots', `${snap.body.id}.ext4`)), 'the snapshot to go');
    expect((await d.api('POST', `/v1/sandboxes/${id}/purge`)).status).toBe(404);
  });

  it('auto_delete_after_idle_s deletes a stopped sandbox, never a running one', async () => {
    const running = await d.api('POST', '/v1/sandboxes', { id: uniqueId('idr'), auto_delete_after_idle_s: 1 });
    const stopped = await d.api('POST', '/v1/sandboxes', { id: uniqueId('ids'), auto_delete_after_idle_s: 2 });
    expect([running.status, stopped.status]).toEqual([201, 201]);
    expect((await d.api('POST', `/v1/sandboxes/${stopped.body.id}/stop`)).body.status).toBe('stopped');
    await until(gone(stopped.body.id), 'the idle stopped sandbox to be deleted', 60_000);
    expect(d.log()).toMatch(new RegExp(`"sandboxId":"${stopped.body.id}","reason":"idle","state":"destroyed"`));
    // The running one has been up longer than its 1 s, and the loop has run since: still there.
    expect((await d.api('GET', `/v1/sandboxes/${running.body.id}`)).body.status).toBe('running');
    // Stopped, its own second starts counting, then it goes too.
    expect((await d.api('POST', `/v1/sandboxes/${running.body.id}/stop`)).status).toBe(200);
    await until(gone(running.body.id), 'the second sandbox to be deleted once stopped', 60_000);
  });

  it('a PATCH changes lifetimes within the operator maximum, where "never" is refused', async () => {
    const r = await d.api('POST', '/v1/sandboxes', { id: uniqueId('idp') });
    const off = await d.api('PATCH', `/v1/sandboxes/${r.body.id}`, { auto_delete_after_idle_s: 0 });
    expect(off.status).toBe(400);
    expect(off.body.error).toMatch(/never \(0\) is not allowed/);
    expect((await d.api('PATCH', `/v1/sandboxes/${r.body.id}`, { auto_delete_after_idle_s: 30, ttl_s: 60 })).body).toMatchObject({ auto_delete_after_idle_s: 30, ttl_s: 60 });
    expect((await d.api('DELETE', `/v1/sandboxes/${r.body.id}`)).status).toBe(200);
  });
});
