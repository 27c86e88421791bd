/**
 * The event bus over real SQLite: ids, metadata, the deliveries each event
 * owes, bounds and pruning; live listeners with bounded queues; and the
 * dispatcher against a local receiver: one at a time per sandbox, in order,
 * retried, bounded in flight, and cut short at stop.
 */
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { LifecycleEvent } from '../../src/domain/event.js';
import { EventBus } from '../../src/events/bus.js';
import { Subscription } from '../../src/events/subscription.js';
import { WebhookDispatcher } from '../../src/events/webhooks.js';
import { openDb, type Db } from '../../src/store/db.js';
import { DeliveryStore } from '../../src/store/deliveries.js';
import { EventStore } from '../../src/store/events.js';
import { until } from '../helpers/wait.js';

const log = pino({ level: 'silent' });
let db: Db;
let events: EventStore;
let deliveries: DeliveryStore;

beforeEach(() => {
  db = openDb(path.join(mkdtempSync(path.join(os.tmpdir(), 'sandboxed-events-')), 'db.sqlite'));
  events = new EventStore(db);
  deliveries = new DeliveryStore(db);
});
afterEach(() => db.close());

function bus(webhooks: { name: string; events: string[] }[] = [], maxPending = 100, metadata: Record<string, Record<string, string>> = {}): EventBus {
  return new EventBus({ store: events, lookup: (id) => (metadata[id] ? { id, metadata: metadata[id] } : { id }), webhooks, maxPending, log });
}

describe('EventBus and its store', () => {
  it('stores each event with a monotonic id, the sandbox\'s metadata, and the deliveries it owes', () => {
    const b = bus([{ name: 'all', events: [] }, { name: 'tasks', events: ['task.*'] }], 100, { a: { user: '42' } });
    b.emit('a', 'sandbox.created', { image: 'default' });
    b.emit('b', 'task.started', { task_id: 't1', agent: 'opencode' });
    const stored = b.after(0, 10);
    expect(stored.map((e) => [e.id, e.type, e.sandboxId])).toEqual([[1, 'sandbox.created', 'a'], [2, 'task.started', 'b']]);
    expect(stored[0]).toMatchObject({ metadata: { user: '42' }, details: { image: 'default' } });
    expect(stored[1].metadata).toEqual({});
    const owed = deliveries.list({ limit: 10 }).map((d) => [d.webhook, d.eventId, d.status]);
    expect(owed).toEqual([['tasks', 2, 'pending'], ['all', 2, 'pending'], ['all', 1, 'pending']]);
    const body = JSON.parse(deliveries.list({ webhook: 'all', limit: 1 })[0].body);
    expect(body).toEqual({ id: 2, type: 'task.started', time: expect.any(String), sandbox_id: 'b', metadata: {}, task_id: 't1', agent: 'opencode' });
  });

  it('records what is over a webhook\'s queue bound as failed instead of queueing it', () => {
    const b = bus([{ name: 'slow', events: [] }], 2);
    for (let i = 0; i < 4; i++) b.emit('a', 'sandbox.started', { reason: 'request' });
    expect(deliveries.list({ limit: 10 }).map((d) => d.status)).toEqual(['failed', 'failed', 'pending', 'pending']);
    expect(deliveries.list({ status: 'failed', limit: 1 })[0].lastError).toMatch(/2 deliveries were already waiting \(SANDBOXD_WEBHOOK_MAX_PENDING\)/);
  });

  it('prunes to its bounds and never reuses an id, even after pruning everything', () => {
    const b = bus();
    for (let i = 0; i < 10; i++) b.emit('a', 'sandbox.stopped', { reason: 'idle' });
    expect(events.prune(3, 86400_000)).toBe(7);
    expect(b.after(0, 100).map((e) => e.id)).toEqual([8, 9, 10]);
    expect(b.oldestId()).toBe(8);
    expect(events.prune(3, 1000, Date.now() + 5000)).toBe(3);
    b.emit('a', 'sandbox.started', { reason: 'request' });
    expect(b.after(0, 10).map((e) => e.id)).toEqual([11]);
  });

  it('never throws at the owner of a change when the event cannot be stored', () => {
    const b = bus();
    db.close();
    expect(() => b.emit('a', 'sandbox.created', { image: 'default' })).not.toThrow();
    db = openDb(path.join(mkdtempSync(path.join(os.tmpdir(), 'sandboxed-events-')), 'db.sqlite'));
  });

  it('hands live events to listeners, drops one that falls behind, and forgets ended ones', async () => {
    const b = bus();
    let dropped = 0;
    const reader = b.subscribe(5, () => true, () => dropped++);
    const stuck = b.subscribe(3, () => true, () => dropped++);
    const onlyB = b.subscribe(5, (e) => e.sandboxId === 'b', () => dropped++);
    expect(b.listening).toBe(3);
    for (let i = 0; i < 3; i++) b.emit('a', 'sandbox.started', { reason: 'request' });
    expect((await reader.take())!.map((e) => e.id)).toEqual([1, 2, 3]);
    b.emit('b', 'sandbox.stopped', { reason: 'request' });
    expect(stuck.dropped).toBe(true);
    expect(await stuck.take()).toBeNull();
    expect(dropped).toBe(1);
    expect((await onlyB.take())!.map((e) => e.id)).toEqual([4]);
    expect((await reader.take())!.map((e) => e.id)).toEqual([4]);
    reader.end();
    expect(b.listening).toBe(1);
    b.endAll();
    expect(await onlyB.take()).toBeNull();
    expect(b.listening).toBe(0);
  });
});

describe('Subscription', () => {
  it('waits for an event, and wakes with null when ended', async () => {
    const ended: Subscription[] = [];
    const s = new Subscription(2, () => true, (x) => ended.push(x));
    const waiting = s.take();
    s.offer({ id: 1, type: 'sandbox.created', time: 0, sandboxId: 'a', metadata: {}, details: {} } satisfies LifecycleEvent);
    expect((await waiting)!.map((e) => e.id)).toEqual([1]);
    const next = s.take();
    s.end();
    expect(await next).toBeNull();
    expect(ended).toEqual([s]);
    expect(s.dropped).toBe(false);
  });
});

interface Hit {
  sandbox: string;
  id: number;
}

describe('WebhookDispatcher', () => {
  let server: http.Server;
  let url: string;
  const hits: Hit[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let arrived = 0;
  let answer: (body: any) => { status: number; delayMs: number } | 'hang' = () => ({ status: 204, delayMs: 0 });

  beforeEach(async () => {
    hits.length = 0;
    inFlight = maxInFlight = arrived = 0;
    answer = () => ({ status: 204, delayMs: 0 });
    server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(text);
        arrived++;
        const a = answer(body);
        if (a === 'hang') return;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          if (a.status < 300) hits.push({ sandbox: body.sandbox_id, id: body.id });
          res.writeHead(a.status).end();
        }, a.delayMs);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  function dispatcher(over: Partial<Config> = {}): WebhookDispatcher {
    const cfg = { webhooks: [{ name: 'h', url, events: [], secret: 'unit-secret-0123456789' }], webhookTimeoutMs: 2000, webhookRetryMs: 60_000, webhookConcurrency: 3, ...over };
    return new WebhookDispatcher(cfg, deliveries, log, 'test');
  }

  it('sends one at a time per sandbox, in order, several sandboxes at once, at most the concurrency', async () => {
    const b = bus([{ name: 'h', events: [] }], 1000);
    const w = dispatcher();
    b.onQueued((names) => w.wake(names));
    answer = () => ({ status: 204, delayMs: Math.floor(Math.random() * 15) });
    w.start();
    for (let i = 0; i < 12; i++) for (const sb of ['a', 'b', 'c', 'd', 'e']) b.emit(sb, 'sandbox.started', { reason: 'request' });
    await until(async () => hits.length === 60, 'every delivery', 30_000);
    await w.stop();
    for (const sb of ['a', 'b', 'c', 'd', 'e']) {
      const ids = hits.filter((h) => h.sandbox === sb).map((h) => h.id);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(ids).toHaveLength(12);
    }
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(deliveries.list({ status: 'delivered', limit: 100 })).toHaveLength(60);
  });

  it('retries a failed delivery before sending the next of its sandbox', async () => {
    const b = bus([{ name: 'h', events: [] }], 1000);
    const w = dispatcher();
    b.onQueued((names) => w.wake(names));
    let failures = 2;
    answer = (body) => (body.id === 1 && failures-- > 0 ? { status: 500, delayMs: 0 } : { status: 200, delayMs: 0 });
    w.start();
    b.emit('a', 'sandbox.created', { image: 'default' });
    b.emit('a', 'sandbox.stopped', { reason: 'request' });
    await until(async () => hits.length === 2, 'both deliveries', 30_000);
    await w.stop();
    expect(hits.map((h) => h.id)).toEqual([1, 2]);
    const first = deliveries.list({ limit: 10 }).find((d) => d.eventId === 1)!;
    expect(first).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200, lastError: null });
  });

  it('gives up after the retry window, and sends the sandbox\'s next event', async () => {
    const b = bus([{ name: 'h', events: [] }], 1000);
    const w = dispatcher({ webhookRetryMs: 1500 });
    b.onQueued((names) => w.wake(names));
    answer = (body) => (body.id === 1 ? { status: 410, delayMs: 0 } : { status: 204, delayMs: 0 });
    w.start();
    b.emit('a', 'sandbox.created', { image: 'default' });
    b.emit('a', 'sandbox.stopped', { reason: 'request' });
    await until(async () => hits.length === 1, 'the second delivery', 30_000);
    await w.stop();
    const first = deliveries.list({ limit: 10 }).find((d) => d.eventId === 1)!;
    expect(first.status).toBe('failed');
    expect(first.lastStatus).toBe(410);
    expect(first.attempts).toBeGreaterThanOrEqual(2);
  });

  it('cuts a hanging attempt short at stop and leaves it pending; fails deliveries of removed webhooks', async () => {
    const b = bus([{ name: 'h', events: [] }, { name: 'gone', events: [] }], 1000);
    const w = dispatcher({ webhookTimeoutMs: 60_000 });
    b.onQueued((names) => w.wake(names));
    answer = () => 'hang';
    w.start();
    b.emit('a', 'sandbox.created', { image: 'default' });
    await until(async () => arrived === 1, 'the attempt to reach the receiver');
    await w.stop();
    expect(deliveries.list({ webhook: 'h', limit: 10 })[0]).toMatchObject({ status: 'pending', attempts: 0 });
    const restarted = dispatcher();
    restarted.start();
    await restarted.stop();
    expect(deliveries.list({ webhook: 'gone', limit: 10 })[0]).toMatchObject({ status: 'failed', lastError: 'the webhook is no longer in SANDBOXD_WEBHOOKS' });
  });
});
