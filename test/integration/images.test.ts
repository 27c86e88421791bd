/**
 * Images per sandbox: a second image, built offline from ours in the test,
 * runs beside the default, answers with its name and build, survives a
 * reconcile (its container removed behind the daemon's back comes back from
 * the same image) and moves to a rebuilt image at its next start. Names not
 * on the allowlist are refused; a listed image that is not on the host is a
 * 503 that says so.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, testRunId, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { BASE_IMAGE, buildImage, imageIdOf, removeImage } from '../helpers/images.js';
import { poolMetrics, poolReady } from '../helpers/pool.js';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });
const TAG = `sandboxed-test/derived:${testRunId()}-${uniqueId('i')}`;
const MISSING = 'sandboxed-test/never-built:none';
const dockerfile = (marker: string) => `FROM ${BASE_IMAGE}\nCOPY marker /etc/sandboxed-derived\nLABEL sandboxed.test.marker="${marker}"\n`;

let d: TestDaemon;
let derivedId: string;

beforeAll(async () => {
  derivedId = await buildImage(TAG, dockerfile('one'), { marker: 'derived build one\n' });
  d = await startTestDaemon({ env: { SANDBOXD_IMAGES: `derived=${TAG},ghost=${MISSING},alias=${BASE_IMAGE}`, SANDBOXD_POOL_SIZE: '1', SANDBOXD_POOL_CHECK_INTERVAL_SECONDS: '1' } });
});

afterAll(async () => {
  await d?.dispose();
  await removeImage(TAG);
});

const marker = async (id: string) => (await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['cat', '/etc/sandboxed-derived'] })).body;

describe('image per sandbox', () => {
  const id = uniqueId('img');

  it('runs the image a create names, and says which build its container runs', async () => {
    const created = await d.api('POST', '/v1/sandboxes', { id, image: 'derived' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ image: 'derived', image_id: derivedId, status: 'running' });
    expect((await docker.getContainer(created.body.container_id).inspect()).Image).toBe(derivedId);
    expect(await marker(id)).toMatchObject({ exit_code: 0, stdout: 'derived build one\n' });

    const plain = uniqueId('plain');
    const other = await d.api('POST', '/v1/sandboxes', { id: plain });
    expect(other.body).toMatchObject({ image: 'default', image_id: await imageIdOf(BASE_IMAGE) });
    expect((await marker(plain)).exit_code).not.toBe(0);
    await d.api('POST', `/v1/sandboxes/${plain}/purge`);
  });

  it('lists the allowlist with each image\'s id, and the sandboxes on it', async () => {
    const r = await d.api('GET', '/v1/images');
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body.images.map((i: any) => [i.name, i]));
    expect(byName.default).toMatchObject({ default: true, reference: BASE_IMAGE, id: await imageIdOf(BASE_IMAGE) });
    expect(byName.derived).toMatchObject({ default: false, reference: TAG, id: derivedId, sandboxes: 1, outdated: 0 });
    expect(byName.ghost).toMatchObject({ reference: MISSING, id: null, sandboxes: 0 });
    expect(byName.alias).toMatchObject({ reference: BASE_IMAGE, id: byName.default.id });
  });

  it('recreates a container removed behind its back from the same image', async () => {
    const before = (await d.api('GET', `/v1/sandboxes/${id}`)).body;
    await docker.getContainer(before.container_id).remove({ force: true });
    const r = await d.api('POST', '/v1/admin/reconcile');
    expect(r.body).toMatchObject({ created: 1, errors: [] });
    const after = (await d.api('GET', `/v1/sandboxes/${id}`)).body;
    expect(after.container_id).not.toBe(before.container_id);
    expect(after).toMatchObject({ status: 'running', image: 'derived', image_id: derivedId });
    expect((await docker.getContainer(after.container_id).inspect()).Image).toBe(derivedId);
    expect((await marker(id)).stdout).toBe('derived build one\n');
  });

  it('shows a running sandbox on an old build as outdated, and moves it at its next start', async () => {
    const rebuilt = await buildImage(TAG, dockerfile('two'), { marker: 'derived build two\n' });
    expect(rebuilt).not.toBe(derivedId);
    const listed = (await d.api('GET', '/v1/images')).body.images.find((i: any) => i.name === 'derived');
    expect(listed).toMatchObject({ id: rebuilt, sandboxes: 1, outdated: 1 });
    expect((await marker(id)).stdout).toBe('derived build one\n');

    expect((await d.api('POST', `/v1/sandboxes/${id}/stop`)).body.status).toBe('stopped');
    const started = await d.api('POST', `/v1/sandboxes/${id}/start`);
    expect(started.body).toMatchObject({ status: 'running', image_id: rebuilt });
    expect((await marker(id)).stdout).toBe('derived build two\n');
    expect((await d.api('GET', '/v1/images')).body.images.find((i: any) => i.name === 'derived').outdated).toBe(0);
    derivedId = rebuilt;
  });
});

describe('the warm pool', () => {
  it('serves only the default image, and a pooled sandbox says which build it runs', async () => {
    await poolReady(d, 1);
    const before = (await poolMetrics(d)).claims;
    const other = uniqueId('other');
    expect((await d.api('POST', '/v1/sandboxes', { id: other, image: 'derived' })).body).toMatchObject({ image: 'derived', image_id: derivedId });
    expect((await poolMetrics(d)).claims.ineligible).toBe((before.ineligible ?? 0) + 1);
    const pooled = uniqueId('pooled');
    expect((await d.api('POST', '/v1/sandboxes', { id: pooled })).body).toMatchObject({ image: 'default', image_id: await imageIdOf(BASE_IMAGE) });
    expect((await poolMetrics(d)).claims.hit).toBe((before.hit ?? 0) + 1);
    expect((await marker(other)).stdout).toBe('derived build two\n');
    for (const id of [other, pooled]) await d.api('POST', `/v1/sandboxes/${id}/purge`);
  });
});

describe('images that cannot be run', () => {
  it('refuses a name that is not on the allowlist with 400, writing nothing', async () => {
    const id = uniqueId('bad');
    const r = await d.api('POST', '/v1/sandboxes', { id, image: 'python' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/image: "python" is not one of default, derived, ghost, alias/);
    expect((await d.api('POST', '/v1/sandboxes', { id, image: 'Not An Image' })).status).toBe(400);
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).status).toBe(404);
  });

  it('answers 503 naming a listed image that is not on this host, and stays ready', async () => {
    const id = uniqueId('ghost');
    const r = await d.api('POST', '/v1/sandboxes', { id, image: 'ghost' });
    expect(r.status).toBe(503);
    expect(r.body.error).toContain(`image "ghost" (${MISSING}) is not on this host`);
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).status).toBe(404);
    expect((await d.api('GET', '/readyz')).status).toBe(200);
  });
});
