/**
 * Snapshots meet live streams: a restore swaps the workspace disk under a
 * followed service log and an attached terminal. The restore must not be
 * held up by them, the log stream goes on with the restored file, and the
 * terminal ends as on any stop. Purge, which removes the disk, likewise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { SseReader } from '../helpers/sse.js';
import { TermClient, wsUrl } from '../helpers/terminal.js';
import { until } from '../helpers/wait.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.dispose();
});

const services = [{ name: 'boot', command: 'echo boot-$(cat /proc/sys/kernel/random/uuid); exec sleep infinity' }];

describe('a restore under live streams', () => {
  it('goes through while a service log is followed and a terminal attached; the log follows the restored file', async () => {
    const id = uniqueId('snapstr');
    expect((await d.api('POST', '/v1/sandboxes', { id, services })).status).toBe(201);
    const log = await SseReader.open(`${d.url}/v1/sandboxes/${id}/services/boot/logs?follow=1`);
    const boots = (): string[] => log.text('log').split('\n').filter((l) => l.startsWith('boot-'));
    await until(async () => boots().length === 1, 'the first boot line');
    const snap = await d.api('POST', `/v1/sandboxes/${id}/snapshots`, { name: 'one boot' });
    expect(snap.status).toBe(201);
    const term = await TermClient.open(wsUrl(d.url, `/v1/sandboxes/${id}/pty`));

    const restored = await d.api('POST', `/v1/sandboxes/${id}/snapshots/${snap.body.id}/restore`);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.sandbox.status).toBe('running');

    // The restored file is another file: the stream starts it again from 0, then the new start's line follows.
    await log.waitFor((e) => e.event === 'reset', 'a reset event');
    const afterReset = (): string[] => {
      const i = log.events.findIndex((e) => e.event === 'reset');
      return log.events.slice(i).filter((e) => e.event === 'log').map((e) => e.data.text as string).join('').split('\n').filter((l) => l.startsWith('boot-'));
    };
    await until(async () => afterReset().length === 2, 'the snapshot’s boot line and the restart’s, after the reset');
    expect(afterReset()[0]).toBe(boots()[0]);
    expect(log.done).toBe(false);
    log.close();

    // The terminal's process went with the old container: exit frame, then a normal close.
    expect((await term.waitClosed()).code).toBe(1000);
    expect(term.frames.some((f) => f.type === 'exit')).toBe(true);
    expect((await d.api('GET', `/v1/sandboxes/${id}/pty`)).body.sessions.every((s: { exited: boolean }) => s.exited)).toBe(true);
  });

  it('deletes and purges a sandbox whose log is being followed, and ends that stream saying so', async () => {
    const id = uniqueId('snappur');
    expect((await d.api('POST', '/v1/sandboxes', { id, services })).status).toBe(201);
    const log = await SseReader.open(`${d.url}/v1/sandboxes/${id}/services/boot/logs?follow=1`);
    await log.waitFor((e) => e.event === 'log', 'the first log event');
    expect((await d.api('DELETE', `/v1/sandboxes/${id}`)).status).toBe(200);
    const purged = await d.api('POST', `/v1/sandboxes/${id}/purge`);
    expect(purged.status, JSON.stringify(purged.body)).toBe(200);
    expect(purged.body.workspace).toBe('removed');
    await log.waitDone();
    expect(log.events.at(-1)).toMatchObject({ event: 'error', data: { error: `sandbox ${id} was deleted` } });
    expect((await d.api('GET', '/v1/sandboxes')).status).toBe(200);
  });
});
