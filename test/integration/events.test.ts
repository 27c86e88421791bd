/**
 * Lifecycle events on a real daemon: the SSE stream live and replayed after
 * Last-Event-ID, what the reconciler observes (a container that died), wake
 * refusals; and webhooks: receivers on the host get the same events signed
 * (HMAC checked here as a receiver would), in order per sandbox, while one
 * receiver hangs; a receiver that is down gets them once it is back, also
 * across a daemon restart.
 */
import Docker from 'dockerode';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { previewStatus } from '../helpers/probes.js';
import { SseReader } from '../helpers/sse.js';
import { until } from '../helpers/wait.js';
import { Receiver, signatureValid } from '../helpers/webhook-receiver.js';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });
const SECRET = { all: 'all-secret-0123456789', sandboxes: 'sandboxes-secret-0123456789', hang: 'hang-secret-0123456789' };

let d: TestDaemon;
let all: Receiver;
let sandboxesOnly: Receiver;
let hang: Receiver;
let meminfo: string;
const setAvailable = (mb: number) => writeFileSync(meminfo, `MemTotal:       ${8 * 1024 * 1024} kB\nMemFree:        0 kB\nMemAvailable:   ${mb * 1024} kB\n`);

beforeAll(async () => {
  all = await Receiver.start();
  sandboxesOnly = await Receiver.start();
  hang = await Receiver.start('hang');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meminfo-'));
  meminfo = path.join(dir, 'meminfo');
  setAvailable(4000);
  const hooks = [
    `name=all url=${all.url} secret=${SECRET.all}`,
    `name=sandboxes url=${sandboxesOnly.url} events=sandbox.* secret=${SECRET.sandboxes}`,
    `name=hang url=${hang.url} secret=${SECRET.hang}`,
  ];
  d = await startTestDaemon({
    env: {
      SANDBOXD_WEBHOOKS: hooks.join('; '),
      SANDBOXD_WEBHOOK_TIMEOUT_SECONDS: '2',
      SANDBOXD_WEBHOOK_RETRY_SECONDS: '600',
      SANDBOXD_MEMINFO_PATH: meminfo,
      SANDBOXD_CGROUP_ROOT: dir,
      SANDBOXD_MEMORY_FLOOR_MB: '1000',
      SANDBOXD_WAKE_RESERVE_MB: '100',
      SANDBOXD_EXPIRY_CHECK_INTERVAL_SECONDS: '1',
    },
  });
});

afterAll(async () => {
  await d?.dispose();
  await Promise.all([all?.close(), sandboxesOnly?.close(), hang?.close()]);
});

const ofSandbox = (r: SseReader, id: string) => r.events.filter((e) => e.data.sandbox_id === id).map((e) => e.data);
const typesOf = (events: any[]) => events.map((e) => e.type);

describe('GET /v1/events', () => {
  const id = uniqueId('ev');
  let createdId: number;

  it('streams every lifecycle change of a sandbox as it happens', async () => {
    const live = await SseReader.open(`${d.url}/v1/events`);
    try {
      expect((await d.api('POST', '/v1/sandboxes', { id, ports: [3000], metadata: { user: '42' } })).status).toBe(201);
      await d.api('POST', `/v1/sandboxes/${id}/stop`);
      await d.api('POST', `/v1/sandboxes/${id}/stop`);
      await d.api('POST', `/v1/sandboxes/${id}/start`);
      await d.api('POST', `/v1/sandboxes/${id}/start`);
      await live.waitFor((e) => e.data.sandbox_id === id && e.data.type === 'sandbox.started', 'the start event');
      const events = ofSandbox(live, id);
      expect(typesOf(events)).toEqual(['sandbox.created', 'sandbox.stopped', 'sandbox.started']);
      expect(events[0]).toEqual({ id: events[0].id, type: 'sandbox.created', time: expect.any(String), sandbox_id: id, metadata: { user: '42' }, image: 'default' });
      expect(events[1]).toMatchObject({ reason: 'request' });
      expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
      expect(live.events.filter((e) => e.data.sandbox_id === id).map((e) => Number(e.id))).toEqual(events.map((e) => e.id));
      createdId = events[0].id;
    } finally {
      live.close();
    }
  });

  it('replays what came after Last-Event-ID (or ?since=), filtered by type and sandbox, then follows', async () => {
    await d.api('DELETE', `/v1/sandboxes/${id}`);
    const replay = await SseReader.open(`${d.url}/v1/events`, { headers: { 'last-event-id': String(createdId) } });
    const filtered = await SseReader.open(`${d.url}/v1/events?since=0&sandbox_id=${id}&types=sandbox.stopped,sandbox.purged`);
    try {
      await replay.waitFor((e) => e.data.sandbox_id === id && e.data.type === 'sandbox.deleted', 'the replayed delete');
      await d.api('POST', `/v1/sandboxes/${id}/purge`);
      await replay.waitFor((e) => e.data.sandbox_id === id && e.data.type === 'sandbox.purged', 'the live purge');
      expect(typesOf(ofSandbox(replay, id))).toEqual(['sandbox.stopped', 'sandbox.started', 'sandbox.deleted', 'sandbox.purged']);
      expect(Number(replay.events[0].id)).toBeGreaterThan(createdId);
      await filtered.waitFor((e) => e.data.type === 'sandbox.purged', 'the filtered purge');
      expect(typesOf(filtered.events.map((e) => e.data))).toEqual(['sandbox.stopped', 'sandbox.purged']);
    } finally {
      replay.close();
      filtered.close();
    }
    expect((await d.api('GET', '/v1/events?types=sandbox.nope')).status).toBe(400);
    expect((await d.api('GET', '/v1/events', undefined, { 'last-event-id': 'x' })).status).toBe(400);
  });

  it('says when a container died and the reconciler brought it back, once', async () => {
    const died = uniqueId('died');
    const sb = (await d.api('POST', '/v1/sandboxes', { id: died })).body;
    const live = await SseReader.open(`${d.url}/v1/events?sandbox_id=${died}`);
    try {
      await docker.getContainer(sb.container_id).kill();
      expect((await d.api('POST', '/v1/admin/reconcile')).body).toMatchObject({ started: 1, errors: [] });
      await live.waitFor((e) => e.data.type === 'sandbox.started', 'the restart');
      const now = (await d.api('GET', `/v1/sandboxes/${died}`)).body;
      await docker.getContainer(now.container_id).remove({ force: true });
      expect((await d.api('POST', '/v1/admin/reconcile')).body).toMatchObject({ created: 1, errors: [] });
      expect((await d.api('POST', '/v1/admin/reconcile')).body).toMatchObject({ created: 0, started: 0 });
      await until(async () => live.events.length >= 4, 'the second restart');
      expect(live.events.map((e) => [e.data.type, e.data.error ?? e.data.reason])).toEqual([
        ['sandbox.failed', 'its container exited with code 137'],
        ['sandbox.started', 'reconcile'],
        ['sandbox.failed', 'its container was removed'],
        ['sandbox.started', 'reconcile'],
      ]);
    } finally {
      live.close();
    }
    await d.api('POST', `/v1/sandboxes/${died}/purge`);
  });

  it('says a wake was refused for memory, once a minute per sandbox', async () => {
    const sleepy = uniqueId('sleepy');
    await d.api('POST', '/v1/sandboxes', { id: sleepy, ports: [3000] });
    await d.api('POST', `/v1/sandboxes/${sleepy}/stop`);
    setAvailable(1050);
    try {
      expect(await previewStatus(d, sleepy, 3000)).toBe(503);
      expect(await previewStatus(d, sleepy, 3000)).toBe(503);
    } finally {
      setAvailable(4000);
    }
    const replay = await SseReader.open(`${d.url}/v1/events?since=0&sandbox_id=${sleepy}&types=wake.*`);
    try {
      const refused = await replay.waitFor((e) => e.data.type === 'wake.refused', 'the refusal');
      expect(refused.data).toMatchObject({ port: 3000, reason: 'memory', retry_after_s: 30, error: expect.stringMatching(/not enough memory/) });
      expect((await d.api('POST', `/v1/sandboxes/${sleepy}/start`)).status).toBe(200);
      expect(replay.events).toHaveLength(1);
    } finally {
      replay.close();
    }
    await d.api('POST', `/v1/sandboxes/${sleepy}/purge`);
  });
});

describe('expiry', () => {
  it('says a sandbox expired, and why, before the delete or purge that follows', async () => {
    const live = await SseReader.open(`${d.url}/v1/events?types=sandbox.expired,sandbox.deleted,sandbox.purged`);
    const ttl = uniqueId('ttl');
    const idle = uniqueId('idle');
    try {
      expect((await d.api('POST', '/v1/sandboxes', { id: ttl, ttl_s: 2, metadata: { user: '42' } })).status).toBe(201);
      expect((await d.api('POST', '/v1/sandboxes', { id: idle, auto_delete_after_idle_s: 1, purge_on_expiry: true })).status).toBe(201);
      expect((await d.api('POST', `/v1/sandboxes/${idle}/stop`)).status).toBe(200);
      await live.waitFor((e) => e.data.sandbox_id === ttl && e.data.type === 'sandbox.deleted', 'the ttl expiry’s delete');
      await live.waitFor((e) => e.data.sandbox_id === idle && e.data.type === 'sandbox.purged', 'the idle expiry’s purge');
    } finally {
      live.close();
    }
    const byTtl = ofSandbox(live, ttl);
    expect(typesOf(byTtl)).toEqual(['sandbox.expired', 'sandbox.deleted']);
    expect(byTtl[0]).toMatchObject({ reason: 'ttl', workspace: 'kept', metadata: { user: '42' } });
    expect(byTtl[1]).toMatchObject({ workspace: 'kept', metadata: { user: '42' } });
    const byIdle = ofSandbox(live, idle);
    expect(typesOf(byIdle)).toEqual(['sandbox.expired', 'sandbox.purged']);
    expect(byIdle[0]).toMatchObject({ reason: 'idle', workspace: 'removed' });
    expect((await d.api('GET', `/v1/sandboxes/${ttl}`)).status).toBe(404);
    await d.api('POST', `/v1/sandboxes/${ttl}/purge`);
  });
});

describe('webhooks', () => {
  it('get every event signed, in order per sandbox, while another receiver hangs', async () => {
    const id = uniqueId('hook');
    await d.api('POST', '/v1/sandboxes', { id });
    await d.api('POST', `/v1/sandboxes/${id}/stop`);
    await d.api('POST', `/v1/sandboxes/${id}/start`);
    await d.api('POST', `/v1/sandboxes/${id}/purge`);
    const expected = ['sandbox.created', 'sandbox.stopped', 'sandbox.started', 'sandbox.purged'];
    await until(async () => all.eventsOf(id).length >= 4 && sandboxesOnly.eventsOf(id).length >= 4, 'both receivers to get the events');
    for (const [receiver, secret] of [[all, SECRET.all], [sandboxesOnly, SECRET.sandboxes]] as const) {
      expect(typesOf(receiver.eventsOf(id))).toEqual(expected);
      for (const r of receiver.received) {
        expect(signatureValid(secret, r)).toBe(true);
        expect(r.headers['x-sandboxed-event-type']).toBe(r.json.type);
        expect(r.headers['x-sandboxed-event-id']).toBe(String(r.json.id));
      }
      expect(signatureValid('another-secret-0123456789', receiver.received[0])).toBe(false);
    }
    // The stream and the webhooks carry the same events.
    const stream = await SseReader.open(`${d.url}/v1/events?since=0&sandbox_id=${id}`);
    await stream.waitFor((e) => e.data.type === 'sandbox.purged', 'the replay');
    stream.close();
    expect(stream.events.map((e) => e.data)).toEqual(all.eventsOf(id));
    // Task events are not sandbox.*: only "all" gets them (none here); the hanging one holds up nothing but itself.
    expect(sandboxesOnly.received.every((r) => r.json.type.startsWith('sandbox.'))).toBe(true);
    const hung = await until(async () => {
      const r = await d.api('GET', '/v1/webhooks/deliveries?webhook=hang&limit=500');
      return r.body.deliveries.find((x: any) => x.attempts >= 1 && x.status === 'pending');
    }, 'the hanging receiver\'s deliveries to be tried');
    expect(hung.last_error).toBe('no answer within 2 s');
    expect(hung.last_status).toBeNull();
    expect((await d.api('GET', '/healthz')).status).toBe(200);
    const delivered = (await d.api('GET', `/v1/webhooks/deliveries?webhook=all&status=delivered&sandbox_id=${id}`)).body;
    expect(delivered.deliveries.map((x: any) => x.event_type)).toEqual([...expected].reverse());
    expect(delivered.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 1, last_status: 204, last_error: null, next_attempt_at: null });
  });

  it('reach a receiver that was down once it is back, in order, across a daemon restart', async () => {
    const id = uniqueId('down');
    await all.down();
    await d.api('POST', '/v1/sandboxes', { id });
    await d.api('POST', `/v1/sandboxes/${id}/stop`);
    await d.api('POST', `/v1/sandboxes/${id}/start`);
    const failing = await until(async () => {
      const r = await d.api('GET', `/v1/webhooks/deliveries?webhook=all&sandbox_id=${id}`);
      return r.body.deliveries.find((x: any) => x.attempts >= 1);
    }, 'a failed attempt to be recorded');
    expect(failing).toMatchObject({ status: 'pending', event_type: 'sandbox.created', last_status: null, last_error: expect.stringMatching(/ECONNREFUSED/) });
    const pending = (await d.api('GET', `/v1/webhooks/deliveries?webhook=all&sandbox_id=${id}&status=pending`)).body;
    expect(pending.count).toBe(3);

    await d.restart();
    await d.api('POST', `/v1/sandboxes/${id}/stop`);
    await all.up();
    await until(async () => new Set(all.eventsOf(id).map((e) => e.id)).size >= 4, 'the queued events after the receiver came back', 120_000);
    // At least once: an attempt cut short by the restart may come twice; never out of order.
    const ids = all.eventsOf(id).map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect([...new Map(all.eventsOf(id).map((e) => [e.id, e.type])).values()]).toEqual(['sandbox.created', 'sandbox.stopped', 'sandbox.started', 'sandbox.stopped']);
    await until(async () => (await d.api('GET', `/v1/webhooks/deliveries?webhook=all&sandbox_id=${id}&status=delivered`)).body.count === 4, 'all four to be recorded delivered');
    await d.api('POST', `/v1/sandboxes/${id}/purge`);
  });

  it('pages through deliveries, newest first, with a cursor', async () => {
    const first = (await d.api('GET', '/v1/webhooks/deliveries?webhook=sandboxes&limit=2')).body;
    expect(first.count).toBe(2);
    expect(first.next_cursor).toBe(String(first.deliveries[1].id));
    const second = (await d.api('GET', `/v1/webhooks/deliveries?webhook=sandboxes&limit=2&cursor=${first.next_cursor}`)).body;
    expect(second.deliveries[0].id).toBeLessThan(first.deliveries[1].id);
    expect((await d.api('GET', '/v1/webhooks/deliveries?limit=0')).status).toBe(400);
    expect((await d.api('GET', '/v1/webhooks/deliveries?cursor=abc')).status).toBe(400);
    const text = JSON.stringify((await d.api('GET', '/v1/webhooks/deliveries?limit=500')).body);
    for (const secret of Object.values(SECRET)) expect(text).not.toContain(secret);
    for (const secret of Object.values(SECRET)) expect(d.log()).not.toContain(secret);
  });
});
