/**
 * Attack: a client opens every event stream the daemon allows, asks each to
 * replay a long history (megabytes: weeks of events) and never reads. The
 * replay waits for the client (it reads the store page by page as the socket
 * drains), the live events queue for it up to SANDBOXD_EVENTS_CLIENT_BUFFER,
 * and then the daemon drops it: its connection is closed and its slot freed.
 * More streams than SANDBOXD_EVENTS_MAX_CLIENTS get 429. Meanwhile a client
 * that reads gets every live event in order, the API and a neighbour sandbox
 * answer, and the daemon's memory does not grow with the history.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { SseReader } from '../helpers/sse.js';
import { until } from '../helpers/wait.js';

const STUCK = 8;
const HISTORY = 20_000;
const BUFFER = 4;

let d: TestDaemon;
const neighbour = uniqueId('nb');

function memoryMb(): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d.pid()}/status`, 'utf8'))![1]) / 1024;
}

async function metric(name: string): Promise<number> {
  const text = (await d.api('GET', '/metrics')).body as string;
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

/** A stream that is asked for and then never read. */
function stuckStream(): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const url = new URL(d.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(`GET /v1/events?since=0 HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
      resolve({ socket, closed: new Promise((r) => socket.once('close', () => r())) });
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_EVENTS_MAX_CLIENTS: String(STUCK + 1), SANDBOXD_EVENTS_CLIENT_BUFFER: String(BUFFER), SANDBOXD_EVENTS_MAX_COUNT: '100000' } });
  expect((await d.api('POST', '/v1/sandboxes', { id: neighbour })).status).toBe(201);
  // A long history, as weeks of a busy daemon would leave (~10 MB of events), written to its store directly.
  const db = new Database(path.join(d.dataDir, 'state', 'sandboxd.db'));
  const insert = db.prepare('INSERT INTO events (type, sandbox_id, time, body_json) VALUES (?, ?, ?, ?)');
  const body = JSON.stringify({ metadata: { user: '42' }, details: { reason: `memory pressure: ${'x'.repeat(400)}` } });
  db.transaction(() => {
    for (let i = 0; i < HISTORY; i++) insert.run('sandbox.stopped', `old-${i % 100}`, Date.now(), body);
  })();
  db.close();
});

afterAll(async () => {
  await d?.dispose();
});

describe('event streams that are never read', () => {
  it('are capped, dropped once they fall behind, and cost the daemon nothing while a reader carries on', async () => {
    const before = memoryMb();
    const stuck = await Promise.all(Array.from({ length: STUCK }, () => stuckStream()));
    await until(async () => (await metric('sandboxed_event_streams')) === STUCK, 'the stuck streams to be open');
    const reader = await SseReader.open(`${d.url}/v1/events`);
    const refused = await d.api('GET', '/v1/events');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatch(/SANDBOXD_EVENTS_MAX_CLIENTS/);

    const id = uniqueId('live');
    await d.api('POST', '/v1/sandboxes', { id });
    for (let i = 0; i < 2; i++) {
      await d.api('POST', `/v1/sandboxes/${id}/stop`);
      await d.api('POST', `/v1/sandboxes/${id}/start`);
    }
    await reader.waitFor((e) => e.data.sandbox_id === id && reader.events.filter((x) => x.data.sandbox_id === id).length === 5, 'the reader\'s five events');
    expect(reader.events.filter((e) => e.data.sandbox_id === id).map((e) => e.data.type)).toEqual([
      'sandbox.created', 'sandbox.stopped', 'sandbox.started', 'sandbox.stopped', 'sandbox.started',
    ]);

    // Five live events behind a buffer of four: every stuck stream was dropped and its slot freed.
    await until(async () => (await metric('sandboxed_event_streams_dropped_total')) === STUCK, 'the stuck streams to be dropped');
    expect(await metric('sandboxed_event_streams')).toBe(1);
    for (const s of stuck) s.socket.resume();
    await Promise.all(stuck.map((s) => s.closed));
    const after = memoryMb();
    console.log(`stuck streams: ${STUCK} × ${HISTORY} events (~10 MB) asked for; daemon RSS ${before.toFixed(0)} MB before, ${after.toFixed(0)} MB after`);
    // Each stream held one replay page and its socket's buffer at a time; what grew is the garbage of pages already sent
    // (~4 MB per socket fit in the kernel's buffers before it stalled). Holding the history per stream would be ~300 MB.
    expect(after - before).toBeLessThan(150);

    expect((await d.api('GET', '/healthz')).status).toBe(200);
    expect((await d.api('POST', `/v1/sandboxes/${neighbour}/exec`, { cmd: ['echo', 'fine'] })).body.stdout).toBe('fine\n');
    const again = await SseReader.open(`${d.url}/v1/events?since=${HISTORY}&types=sandbox.created`);
    await again.waitFor((e) => e.data.sandbox_id === id, 'a new stream after the drops');
    // Streams that end by themselves (a catch-up without follow) give their slot back too.
    for (let i = 0; i < STUCK + 2; i++) {
      const caughtUp = await d.api('GET', `/v1/events?since=${HISTORY}&sandbox_id=${id}&follow=false`);
      expect(caughtUp.status).toBe(200);
      expect((caughtUp.body as string).match(/^data: /gm)).toHaveLength(5);
    }
    again.close();
    reader.close();

    // A stream stuck on its client does not hold up the daemon's stop.
    const last = await stuckStream();
    await until(async () => (await metric('sandboxed_event_streams')) === 1, 'the last stuck stream to be open');
    await Promise.race([d.stop(), new Promise((_, reject) => setTimeout(() => reject(new Error('the daemon did not stop within 60 s')), 60_000))]);
    last.socket.resume();
    await last.closed;
  });
});
