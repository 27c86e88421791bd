/**
 * Attack: a tenant's token reading another tenant's lifecycle events, or
 * taking every event stream the daemon allows. Token b (scoped) follows
 * GET /v1/events live, replays it from the start, asks for a's sandbox by id,
 * and reads the operator's webhook deliveries and image list; then it opens
 * streams until it is refused. It sees only the events of its own sandbox
 * (every event carries its owner in its metadata), the operator routes are
 * 403, and past SANDBOXD_EVENTS_MAX_CLIENTS_PER_TOKEN it gets 429 while a and
 * the admin still open streams; a's sandbox and the daemon are unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { SseReader } from '../helpers/sse.js';
import { until } from '../helpers/wait.js';

const SECRET = { ops: `o-${uniqueId()}`, a: `a-${uniqueId()}`, b: `b-${uniqueId()}` };
const as = (who: keyof typeof SECRET) => ({ authorization: `Bearer ${SECRET[who]}` });
const PER_TOKEN = 2;
let d: TestDaemon;
const A = uniqueId('evo-a');
const B = uniqueId('evo-b');

beforeAll(async () => {
  d = await startTestDaemon({
    env: {
      SANDBOXD_API_TOKENS: `ops:${SECRET.ops},a;max_sandboxes=5:${SECRET.a},b;max_sandboxes=5:${SECRET.b}`,
      SANDBOXD_EVENTS_MAX_CLIENTS: '16',
      SANDBOXD_EVENTS_MAX_CLIENTS_PER_TOKEN: String(PER_TOKEN),
    },
  });
});

afterAll(async () => {
  await d?.dispose();
});

const follow = (who: keyof typeof SECRET, query = '') => SseReader.open(`${d.url}/v1/events${query}`, { headers: as(who) });
const stopped = (id: string) => (e: { data: any }) => e.data.sandbox_id === id && e.data.type === 'sandbox.stopped';

/** The sandbox ids of a finished replay (?follow=false), as `who` gets it. */
async function replayed(who: keyof typeof SECRET, query: string): Promise<string[]> {
  const r = await d.api('GET', `/v1/events?follow=false&${query}`, undefined, as(who));
  expect(r.status, String(r.body)).toBe(200);
  return ((r.body as string).match(/^data: .*$/gm) ?? []).map((line) => JSON.parse(line.slice(6)).sandbox_id as string);
}

describe('a token reading the event stream', () => {
  it('sees only its own sandboxes’ events, live and replayed, whatever it filters on', async () => {
    const [liveA, liveB, liveOps] = await Promise.all([follow('a'), follow('b'), follow('ops')]);
    try {
      expect((await d.api('POST', '/v1/sandboxes', { id: A, metadata: { user: 'alice' } }, as('a'))).status).toBe(201);
      expect((await d.api('POST', '/v1/sandboxes', { id: B }, as('b'))).status).toBe(201);
      expect((await d.api('POST', `/v1/sandboxes/${A}/stop`, undefined, as('a'))).status).toBe(200);
      expect((await d.api('POST', `/v1/sandboxes/${B}/stop`, undefined, as('b'))).status).toBe(200);
      await liveOps.waitFor(stopped(A), 'the admin to see a’s stop');
      await liveOps.waitFor(stopped(B), 'the admin to see b’s stop');
      await liveB.waitFor(stopped(B), 'b to see its own stop');
      await liveA.waitFor(stopped(A), 'a to see its own stop');
      // b's stop came after a's: had a's events reached b's stream, they would be there by now.
      expect(new Set(liveB.events.map((e) => e.data.sandbox_id))).toEqual(new Set([B]));
      expect(new Set(liveA.events.map((e) => e.data.sandbox_id))).toEqual(new Set([A]));
      expect(liveA.events[0].data).toMatchObject({ type: 'sandbox.created', metadata: { 'sandboxed.owner': 'a', user: 'alice' } });
    } finally {
      for (const s of [liveA, liveB, liveOps]) s.close();
    }
    expect(new Set(await replayed('b', 'since=0'))).toEqual(new Set([B]));
    expect(await replayed('b', `since=0&sandbox_id=${A}`)).toEqual([]);
    expect(await replayed('b', `since=0&types=sandbox.*&sandbox_id=${A}`)).toEqual([]);
    expect(new Set(await replayed('a', 'since=0'))).toEqual(new Set([A]));
    expect(new Set(await replayed('ops', 'since=0'))).toEqual(new Set([A, B]));
  });

  it('is refused the operator’s webhook deliveries and image list', async () => {
    for (const url of ['/v1/webhooks/deliveries', '/v1/images']) {
      const r = await d.api('GET', url, undefined, as('b'));
      expect(r.status).toBe(403);
      expect(r.body.error).toBe(`token "b" is not an admin token; ${url} is for admins`);
      expect((await d.api('GET', url, undefined, as('ops'))).status).toBe(200);
    }
  });

  it('cannot take every stream: past its own cap it gets 429, others still open theirs', async () => {
    const held = await Promise.all(Array.from({ length: PER_TOKEN }, () => follow('b')));
    const others: SseReader[] = [];
    try {
      const refused = await d.api('GET', '/v1/events', undefined, as('b'));
      expect(refused.status).toBe(429);
      expect(refused.body.error).toBe(`token "b" has ${PER_TOKEN} event streams open, the most SANDBOXD_EVENTS_MAX_CLIENTS_PER_TOKEN allows; close one first`);
      others.push(await follow('a'), await follow('ops'), await follow('ops'), await follow('ops'));
      // Still served: a's next change reaches a, and b's own streams carry on.
      expect((await d.api('POST', `/v1/sandboxes/${A}/start`, undefined, as('a'))).status).toBe(200);
      await others[0].waitFor((e) => e.data.sandbox_id === A && e.data.type === 'sandbox.started', 'a’s start on a’s stream');
      expect((await d.api('POST', `/v1/sandboxes/${B}/start`, undefined, as('b'))).status).toBe(200);
      for (const s of held) await s.waitFor((e) => e.data.sandbox_id === B && e.data.type === 'sandbox.started', 'b’s start on b’s streams');
    } finally {
      for (const s of [...held, ...others]) s.close();
    }
    // Closed streams give their slots back.
    await until(async () => (await d.api('GET', '/v1/events?follow=false', undefined, as('b'))).status === 200, 'b’s slots to come back');
    expect((await d.api('GET', `/v1/sandboxes/${A}`, undefined, as('a'))).body).toMatchObject({ status: 'running', metadata: { user: 'alice' } });
    expect((await d.api('GET', '/readyz')).status).toBe(200);
  });
});
