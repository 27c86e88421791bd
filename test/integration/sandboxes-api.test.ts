/**
 * The sandbox REST API against real Docker: every endpoint, both path
 * families, idempotency, hardening, secrets, and bad input.
 */
import Docker from 'dockerode';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, testRuntime, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const docker = new Docker();
let d: TestDaemon;

beforeAll(async () => {
  d = await startTestDaemon();
});

afterAll(async () => {
  await d?.dispose();
});

describe('lifecycle through the original paths and /v1', () => {
  const id = uniqueId('life');
  const secret = `s3cret-${uniqueId()}`;

  it('creates a hardened sandbox and returns the row', async () => {
    const r = await d.api('POST', '/sandbox', { id, ports: [3000, 5173], env: { API_KEY: secret } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      id,
      status: 'running',
      ports: [3000, 5173],
      idle_policy: 'sleep',
      env_names: ['API_KEY'],
      runtime: testRuntime(),
    });
    expect(r.body.preview_urls['3000']).toBe(`http://s-${id}-3000.preview.localhost:${d.edgePort}/`);
    expect(r.body.container_id).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(r.body)).not.toContain(secret);

    const info = await docker.getContainer(r.body.container_id).inspect();
    expect(info.Name).toBe(`/s-${id}`);
    // The default sandbox uid is no host admin's (SANDBOXD_SANDBOX_UID).
    expect(info.Config.User).toBe('100000:100000');
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
    expect(info.HostConfig.Init).toBe(true);
    expect(info.HostConfig.Memory).toBe(512 * 1024 * 1024);
    expect(info.HostConfig.MemorySwap).toBe(512 * 1024 * 1024);
    // gVisor's limit counts the sentry's host threads, not the tenant's processes (SANDBOXD_GVISOR_PIDS_LIMIT).
    expect(info.HostConfig.PidsLimit).toBe(testRuntime() === 'gvisor' ? 2048 : 512);
    expect(info.HostConfig.Runtime).toBe(testRuntime() === 'gvisor' ? 'runsc' : 'runc');
    expect(info.Config.Labels['sandboxed.managed']).toBe('true');
    expect(info.Config.Labels['sandboxed.id']).toBe(id);
    expect(JSON.stringify(info)).not.toContain(secret);
    // Sealed at rest: neither the database nor its write-ahead log holds the value.
    const stateDir = path.join(d.dataDir, 'state');
    for (const f of readdirSync(stateDir)) expect(readFileSync(path.join(stateDir, f)).includes(secret), f).toBe(false);
  });

  it('runs a command and gives the injected env to it', async () => {
    const r = await d.api('POST', `/sandbox/${id}/exec`, { cmd: ['sh', '-c', 'echo hi; echo "$API_KEY" | wc -c; id -u; id -un; echo err >&2'] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ exit_code: 0, stderr: 'err\n', timed_out: false, truncated: false });
    expect(r.body.stdout).toBe(`hi\n${secret.length + 1}\n100000\nsandbox\n`);
    expect(typeof r.body.duration_ms).toBe('number');
  });

  it('lists and gets it under both families', async () => {
    for (const p of ['/sandboxes', '/v1/sandboxes']) {
      const r = await d.api('GET', p);
      expect(r.status).toBe(200);
      expect(r.body.sandboxes.map((s: { id: string }) => s.id)).toContain(id);
    }
    for (const p of [`/sandbox/${id}`, `/v1/sandboxes/${id}`]) expect((await d.api('GET', p)).body.id).toBe(id);
  });

  it('stops idempotently, and exec on a stopped sandbox starts it first', async () => {
    const s1 = await d.api('POST', `/v1/sandboxes/${id}/stop`);
    expect(s1.status).toBe(200);
    expect(s1.body.status).toBe('stopped');
    expect((await docker.getContainer(s1.body.container_id).inspect()).State.Running).toBe(false);
    const s2 = await d.api('POST', `/v1/sandboxes/${id}/stop`);
    expect(s2.status).toBe(200);
    expect(s2.body.status).toBe('stopped');

    const e = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['true'] });
    expect(e.body.exit_code).toBe(0);
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).body.status).toBe('running');
  });

  it('starts idempotently and keeps alive', async () => {
    await d.api('POST', `/v1/sandboxes/${id}/stop`);
    const s = await d.api('POST', `/v1/sandboxes/${id}/start`);
    expect(s.body.status).toBe('running');
    expect((await d.api('POST', `/v1/sandboxes/${id}/start`)).status).toBe(200);
    const before = (await d.api('GET', `/v1/sandboxes/${id}`)).body.last_active_at;
    await new Promise((r) => setTimeout(r, 20));
    const k = await d.api('POST', `/sandbox/${id}/keepalive`, '', { 'content-type': 'application/json' });
    expect(k.status).toBe(200);
    expect(Date.parse(k.body.last_active_at)).toBeGreaterThan(Date.parse(before));
  });

  it('deletes (workspace kept), 404 the second time, and purges the workspace', async () => {
    const ws = path.join(d.dataDir, 'workspaces', id);
    const disk = path.join(d.dataDir, 'disks', `${id}.ext4`);
    const containerId = (await d.api('GET', `/v1/sandboxes/${id}`)).body.container_id;
    const del = await d.api('DELETE', `/sandbox/${id}`);
    expect(del.status).toBe(200);
    await expect(docker.getContainer(containerId).inspect()).rejects.toMatchObject({ statusCode: 404 });
    // The workspace is kept on its disk (unmounted while no sandbox has the id), and its volume is gone.
    expect(existsSync(disk)).toBe(true);
    expect(await docker.listVolumes({ filters: { label: [`sandboxed.id=${id}`] } })).toMatchObject({ Volumes: [] });
    expect((await d.api('DELETE', `/sandbox/${id}`)).status).toBe(404);
    expect((await d.api('GET', `/sandbox/${id}`)).status).toBe(404);
    expect((await d.api('POST', `/sandbox/${id}/purge`)).status).toBe(200);
    expect(existsSync(ws)).toBe(false);
    expect(existsSync(disk)).toBe(false);
    expect((await d.api('POST', `/sandbox/${id}/purge`)).status).toBe(404);
  });

  it('never logs the injected env value', async () => {
    await d.waitForLog('sandbox deleted');
    expect(d.log()).not.toContain(secret);
    expect(d.log()).toContain('API_KEY');
  });
});

describe('create', () => {
  it('generates a lowercase ULID id when none is given, and refuses a duplicate with 409', async () => {
    const r = await d.api('POST', '/v1/sandboxes');
    expect(r.status).toBe(201);
    const empty = await d.api('POST', '/v1/sandboxes', '', { 'content-type': 'application/json' });
    expect(empty.status).toBe(201);
    await d.api('POST', `/v1/sandboxes/${empty.body.id}/purge`);
    expect(r.body.id).toMatch(/^[0-9a-z]{26}$/);
    const dup = await d.api('POST', '/v1/sandboxes', { id: r.body.id });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatch(/already exists/);
    await d.api('POST', `/v1/sandboxes/${r.body.id}/purge`);
  });

  it('says which image is missing when the engine has not got it, in /readyz too', async () => {
    const bad = await startTestDaemon({ env: { SANDBOXD_IMAGE: 'sandboxed/no-such-image:never' } });
    try {
      const id = uniqueId('noimg');
      const r = await bad.api('POST', '/v1/sandboxes', { id });
      expect(r.status).toBe(503);
      expect(r.body.error).toBe('image "default" (sandboxed/no-such-image:never) is not on this host; build it with images/build.sh');
      const ready = await bad.api('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.error).toContain('image sandboxed/no-such-image:never (SANDBOXD_IMAGE) is not on this host');
      expect((await bad.api('GET', `/v1/sandboxes/${id}`)).status).toBe(404);
      expect(existsSync(path.join(bad.dataDir, 'workspaces', id))).toBe(false);
    } finally {
      await bad.dispose();
    }
  });
});

describe('bad input never writes anything and never gives a 500', () => {
  const cases: [string, string, string, unknown, RegExp][] = [
    ['id with a slash', 'POST', '/v1/sandboxes', { id: 'a/b' }, /body\.id/],
    ['id with dots', 'POST', '/v1/sandboxes', { id: '..' }, /body\.id/],
    ['uppercase id', 'POST', '/v1/sandboxes', { id: 'ABC' }, /body\.id/],
    ['id too long', 'POST', '/v1/sandboxes', { id: 'a'.repeat(41) }, /body\.id/],
    ['port out of range', 'POST', '/v1/sandboxes', { ports: [70000] }, /body\.ports\.0/],
    ['port zero', 'POST', '/v1/sandboxes', { ports: [0] }, /body\.ports\.0/],
    ['duplicate ports', 'POST', '/v1/sandboxes', { ports: [3000, 3000] }, /unique/],
    ['too many ports', 'POST', '/v1/sandboxes', { ports: Array.from({ length: 17 }, (_, i) => 3000 + i) }, /16/],
    ['ports not an array', 'POST', '/v1/sandboxes', { ports: '3000' }, /body\.ports/],
    ['invalid env name', 'POST', '/v1/sandboxes', { env: { 'BAD-NAME': 'x' } }, /env/],
    ['env value not a string', 'POST', '/v1/sandboxes', { env: { A: 1 } }, /body\.env\.A/],
    ['unknown field', 'POST', '/v1/sandboxes', { idd: 'x' }, /idd/],
    ['memory over the maximum', 'POST', '/v1/sandboxes', { memory_mb: 10_000_000 }, /memory_mb/],
    ['malformed JSON', 'POST', '/v1/sandboxes', '{"id": ', /JSON/],
  ];

  it.each(cases)('%s → 400 naming the field', async (_name, method, p, body, message) => {
    const before = readdirSync(path.join(d.dataDir, 'workspaces')).length;
    const r = await d.api(method, p, body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(message);
    expect(readdirSync(path.join(d.dataDir, 'workspaces')).length).toBe(before);
  });

  it('refuses exec bodies with the wrong shape', async () => {
    const id = uniqueId('badexec');
    await d.api('POST', '/v1/sandboxes', { id });
    for (const body of [{ cmd: 'echo hi' }, { cmd: [] }, { cmd: [1] }, { cmd: ['x'], timeout_s: 'soon' }, { cmd: ['x'], cwd: 'relative' }]) {
      const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatch(/body\./);
    }
    await d.api('POST', `/v1/sandboxes/${id}/purge`);
  });

  it.each(['%2E%2E', '..%2F..%2Fstate', '%2e%2e%2f', 'a%00b', 'UPPER'])(
    'rejects the encoded id %s before it reaches any path',
    async (raw) => {
      for (const [method, p] of [
        ['POST', `/sandbox/${raw}/purge`],
        ['DELETE', `/sandbox/${raw}`],
        ['GET', `/v1/sandboxes/${raw}`],
      ] as const) {
        const r = await d.api(method, p);
        expect([400, 404]).toContain(r.status);
        expect(r.body).toHaveProperty('error');
      }
      expect(existsSync(path.join(d.dataDir, 'state', 'sandboxd.db'))).toBe(true);
      expect(existsSync(path.join(d.dataDir, 'workspaces'))).toBe(true);
    },
  );

  it('refuses a body over the limit with 413 and keeps serving', async () => {
    const r = await d.api('POST', '/v1/sandboxes', { env: { BIG: 'x'.repeat(2 * 1024 * 1024) } });
    expect(r.status).toBe(413);
    expect(r.body).toHaveProperty('error');
    expect((await d.api('GET', '/healthz')).status).toBe(200);
  });

  it('answers unknown routes and sandboxes with JSON 404', async () => {
    expect((await d.api('GET', '/nope')).body).toEqual({ error: 'no route for GET /nope' });
    expect((await d.api('POST', '/v1/sandboxes/nosuch/stop')).status).toBe(404);
  });
});

describe('exec limits', () => {
  const id = uniqueId('execlim');
  beforeAll(async () => {
    expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
  });
  afterAll(async () => {
    await d.api('POST', `/v1/sandboxes/${id}/purge`);
  });

  it('kills a command at timeout_s and says so', async () => {
    const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'echo start; sleep 60'], timeout_s: 1 });
    expect(r.body.timed_out).toBe(true);
    expect(r.body.stdout).toBe('start\n');
    const ps = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'ps -eo args | grep -c "[s]leep 60" || true'] });
    expect(ps.body.stdout.trim()).toBe('0');
  });

  it('caps output at 1 MiB per stream and flags it', async () => {
    const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" a'] });
    expect(r.body.exit_code).toBe(0);
    expect(r.body.truncated).toBe(true);
    expect(r.body.stdout.length).toBe(1024 * 1024);
  });

  it('returns at once for a background server, which then answers', async () => {
    const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['python3', '-m', 'http.server', '3000'], background: true });
    expect(r.status).toBe(202);
    expect(r.body.log_path).toMatch(/^\/home\/sandbox\/\.sandboxed\/logs\/exec-.+\.log$/);
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      const c = await d.api('POST', `/v1/sandboxes/${id}/exec`, {
        cmd: ['python3', '-c', 'import urllib.request;print(urllib.request.urlopen("http://127.0.0.1:3000/").status)'],
      });
      ok = c.body.stdout.trim() === '200';
      if (!ok) await new Promise((res) => setTimeout(res, 200));
    }
    expect(ok).toBe(true);
  });

  it('returns when a foreground command leaves a background child holding stdout', async () => {
    const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'sleep 30 & echo started'], timeout_s: 20 });
    expect(r.body.exit_code).toBe(0);
    expect(r.body.timed_out).toBe(false);
    expect(r.body.stdout).toBe('started\n');
  });
});
