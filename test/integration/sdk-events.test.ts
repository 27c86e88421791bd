/**
 * client.events.stream (the dashboard's live table): the lifecycle events of
 * a real daemon as they happen, filtered by type and sandbox; a replay from
 * `since`; and a stream the daemon drops (a restart) resumes after the last
 * event seen, each event once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandboxed, type LifecycleEvent } from '../../sdk/src/index.js';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/wait.js';

const TOKEN = `t-${uniqueId()}`;
let d: TestDaemon;
let client: Sandboxed;

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `sdk:${TOKEN}` } });
  client = new Sandboxed({ url: d.url, token: TOKEN });
});

afterAll(async () => {
  await d?.dispose();
});

/** Collects a stream's events in the background until `abort`. */
function collect(opts: Parameters<Sandboxed['events']['stream']>[0] = {}) {
  const abort = new AbortController();
  const events: LifecycleEvent[] = [];
  let opened = 0;
  const done = (async () => {
    try {
      for await (const e of client.events.stream({ ...opts, signal: abort.signal, onOpen: () => (opened += 1) })) events.push(e);
    } catch {
      /* aborted */
    }
  })();
  return { events, opened: () => opened, stop: async () => (abort.abort(), await done) };
}

describe('client.events.stream', () => {
  it('follows one sandbox’s lifecycle as it happens, and replays it from since=0', async () => {
    const id = uniqueId('ev');
    const other = uniqueId('evo');
    const live = collect({ sandboxId: id, types: ['sandbox.*'] });
    await until(async () => live.opened() === 1, 'the stream to open');
    const sb = await client.sandboxes.create({ id });
    await client.sandboxes.create({ id: other });
    await sb.stop();
    await until(async () => live.events.some((e) => e.type === 'sandbox.stopped'), 'sandbox.stopped');
    await live.stop();
    const types = live.events.map((e) => e.type);
    expect(types[0]).toBe('sandbox.created');
    expect(types.at(-1)).toBe('sandbox.stopped');
    expect(live.events.every((e) => 'sandbox_id' in e && e.sandbox_id === id)).toBe(true);

    const replay = collect({ since: 0, sandboxId: id, types: ['sandbox.*'] });
    await until(async () => replay.events.length >= live.events.length, 'the replay');
    await replay.stop();
    expect(replay.events).toEqual(live.events);
  });

  it('resumes after the daemon drops the stream: nothing lost, nothing twice', async () => {
    const stream = collect({ types: ['sandbox.created'] });
    await until(async () => stream.opened() === 1, 'the stream to open');
    const before = uniqueId('evb');
    await client.sandboxes.create({ id: before });
    await until(async () => stream.events.length === 1, 'the first event');
    await d.restart();
    const after = uniqueId('eva');
    await client.sandboxes.create({ id: after });
    await until(async () => stream.events.length === 2 && stream.opened() >= 2, 'the event after the restart');
    await stream.stop();
    expect(stream.events.map((e) => ('sandbox_id' in e ? e.sandbox_id : null))).toEqual([before, after]);
  });
});
