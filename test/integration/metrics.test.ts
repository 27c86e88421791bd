/**
 * Prometheus metrics move with real activity: a daemon with auth on and its
 * own metrics listener, a sandbox serving a preview, an exec, a container
 * removed behind the daemon's back (a Docker API error), memory pressure (a
 * reaper stop, a refused wake, then a wake), a real agent task (its outcome and
 * tokens), and a write held up by another SQLite writer past busy_timeout
 * (a busy error, and the event loop it blocked).
 */
import Database from 'better-sqlite3';
import Docker from 'dockerode';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { sleep, until } from '../helpers/wait.js';

const TOKEN = `t-${uniqueId()}`;
const auth = { authorization: `Bearer ${TOKEN}` };
const docker = new Docker();

let d: TestDaemon;
let model: ModelServer;
let meminfo: string;
let metricsUrl: string;
const setAvailable = (mb: number) => writeFileSync(meminfo, `MemTotal:       ${8 * 1024 * 1024} kB\nMemFree:        0 kB\nMemAvailable:   ${mb * 1024} kB\n`);

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meminfo-'));
  meminfo = path.join(dir, 'meminfo');
  setAvailable(4000);
  model = await startModelServer();
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  d = await startTestDaemon({
    env: {
      SANDBOXD_API_TOKENS: `test:${TOKEN}`,
      SANDBOXD_METRICS_BIND: `127.0.0.1:${metricsPort}`,
      SANDBOXD_MEMINFO_PATH: meminfo,
      SANDBOXD_CGROUP_ROOT: dir,
      SANDBOXD_MEMORY_FLOOR_MB: '1000',
      SANDBOXD_WAKE_RESERVE_MB: '100',
      SANDBOXD_PRESSURE_CHECK_INTERVAL_SECONDS: '1',
      SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(model.port),
    },
  });
});

afterAll(async () => {
  await d?.dispose();
  await model?.close();
});

const api = (method: string, p: string, body?: unknown) => d.api(method, p, body, auth);

/** `name{labels}` → value, from the text exposition format. */
async function scrape(url = metricsUrl, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const r = await fetch(url, { headers });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toContain('text/plain');
  const out = new Map<string, number>();
  for (const line of (await r.text()).split('\n')) {
    const m = /^([a-z_:]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

const value = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

/** A GET with our own Host header (fetch does not let a caller set it). */
function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false, timeout: 90_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
  });
}

const preview = (id: string) => get(`${d.edgeUrl}/`, { host: `s-${id}-3000.preview.localhost`, accept: 'application/json' });

describe('metrics', () => {
  const id = uniqueId('met');

  it('are behind the API token on the API, and open on their own listener only under a name of ours', async () => {
    expect((await fetch(`${d.url}/metrics`)).status).toBe(401);
    expect((await scrape(`${d.url}/metrics`, auth)).has('sandboxed_sqlite_busy_total')).toBe(true);
    const other = await fetch(metricsUrl.replace('/metrics', '/v1/sandboxes'));
    expect(other.status).toBe(404);
    expect(await get(metricsUrl, { host: `rebind.example:${new URL(metricsUrl).port}` })).toBe(421);
    expect(await get(metricsUrl, { host: `localhost:${new URL(metricsUrl).port}` })).toBe(200);
    const m = await scrape();
    expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(m.has('process_cpu_seconds_total')).toBe(true);
  });

  it('move with creates, execs, previews, stops and Docker errors', async () => {
    const before = await scrape();
    const services = [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }];
    expect((await api('POST', '/v1/sandboxes', { id, ports: [3000], services })).status).toBe(201);
    expect((await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['true'] })).status).toBe(200);
    await until(async () => (await preview(id)) === 200, 'the preview app to answer');
    const running = await scrape();
    expect(value(running, 'sandboxed_sandboxes{status="running"}')).toBe(1);
    expect(value(running, 'sandboxed_sandbox_create_seconds_count{outcome="ok"}')).toBe(value(before, 'sandboxed_sandbox_create_seconds_count{outcome="ok"}') + 1);
    expect(value(running, 'sandboxed_exec_seconds_count{outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value(running, 'sandboxed_edge_responses_total{code="200"}')).toBeGreaterThanOrEqual(1);
    expect(value(running, 'sandboxed_edge_request_seconds_count{status="2xx"}')).toBeGreaterThanOrEqual(1);
    expect(value(running, 'sandboxed_api_request_seconds_count{method="POST",route="/v1/sandboxes",code="201"}')).toBe(1);

    // Removed behind the daemon's back: its stop meets Docker's 404, counted, and still answers "stopped".
    await docker.getContainer(`s-${id}`).remove({ force: true });
    expect((await api('POST', `/v1/sandboxes/${id}/stop`)).body.status).toBe('stopped');
    const after = await scrape();
    expect(value(after, 'sandboxed_docker_errors_total{operation="stop",status="404"}')).toBe(1);
    expect(value(after, 'sandboxed_sandbox_stop_seconds_count{outcome="ok"}')).toBe(1);
    expect(value(after, 'sandboxed_sandboxes{status="stopped"}')).toBe(1);
    expect((await api('POST', `/v1/sandboxes/${id}/start`)).body.status).toBe('running');
    expect(value(await scrape(), 'sandboxed_sandbox_start_seconds_count{outcome="ok"}')).toBeGreaterThanOrEqual(1);
  });

  it('count a memory-pressure stop, a wake refused for memory, and a wake', async () => {
    setAvailable(500);
    await until(async () => value(await scrape(), 'sandboxed_reaper_stops_total{reason="memory_pressure"}') >= 1, 'a pressure stop');
    expect(await preview(id)).toBe(503);
    const refused = await scrape();
    expect(value(refused, 'sandboxed_wake_refusals_total{reason="memory"}')).toBeGreaterThanOrEqual(1);
    expect(value(refused, 'sandboxed_wake_seconds_count{outcome="refused"}')).toBeGreaterThanOrEqual(1);
    expect(value(refused, 'sandboxed_edge_responses_total{code="503"}')).toBeGreaterThanOrEqual(1);

    setAvailable(4000);
    await until(async () => (await preview(id)) === 200, 'the woken preview');
    expect(value(await scrape(), 'sandboxed_wake_seconds_count{outcome="ok"}')).toBeGreaterThanOrEqual(1);
  });

  it('count a task by agent and outcome, and the tokens it used', async () => {
    const fields = { agent: 'claude-code', model: 'claude-sonnet-4-5', base_url: model.hostUrl, env: { ANTHROPIC_API_KEY: 'sk-test' } };
    const started = await api('POST', `/v1/sandboxes/${id}/tasks`, { prompt: 'FILE=/home/sandbox/workspace/app/t.txt CONTENT=hi', ...fields });
    expect(started.status).toBe(202);
    const m = await until(async () => {
      const s = await scrape();
      return value(s, 'sandboxed_tasks_total{agent="claude-code",status="succeeded"}') === 1 ? s : undefined;
    }, 'the task to be counted');
    expect(value(m, 'sandboxed_task_tokens_total{agent="claude-code",kind="input"}')).toBeGreaterThan(0);
    expect(value(m, 'sandboxed_task_tokens_total{agent="claude-code",kind="output"}')).toBeGreaterThan(0);
  });

  it('count a write that stayed busy past busy_timeout, and the event-loop lag it caused', async () => {
    await scrape(); // the lag histogram restarts at each scrape
    // Node's delay histogram measures from its previous tick (every 10 ms), which a reset forgets: a
    // block right after the scrape would be its first tick and go unrecorded. Let it tick first.
    await sleep(200);
    const db = new Database(path.join(d.dataDir, 'state', 'sandboxd.db'));
    try {
      db.exec('BEGIN IMMEDIATE');
      const r = await api('POST', `/v1/sandboxes/${id}/keepalive`);
      expect(r.status).toBe(500);
      expect(r.body.error).toBe('internal error; see the daemon log');
    } finally {
      db.exec('ROLLBACK');
      db.close();
    }
    const m = await scrape();
    expect(value(m, 'sandboxed_sqlite_busy_total')).toBe(1);
    // better-sqlite3 waits out busy_timeout (5 s) on the event loop.
    expect(value(m, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThan(1);
    expect((await api('POST', `/v1/sandboxes/${id}/keepalive`)).status).toBe(200);
  });
});
