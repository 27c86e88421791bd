/**
 * The built-in edge beside its anchors, in one run against one app in one
 * sandbox: straight to the container's IP (direct), HAProxy and nginx (plain
 * keep-alive reverse proxies, bench/lib/proxies.ts) and the built-in edge.
 * Each gets the same keep-alive load (autocannon), WebSocket echo round trips
 * and a 50 MB download. The load generator shares the machine with all of
 * them, so the figures are for comparison within one run only. Rounds
 * (BENCH_EDGE_ROUNDS) go through the four in turn and are averaged, so drift
 * on a busy box hits all alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { previewHost } from '../../src/edge/hosts.js';
import { BIG_BYTES, installBenchApp } from '../lib/bench-app.js';
import type { BenchGroup } from '../lib/context.js';
import { download, load, wsRoundTrips, type LoadFigures } from '../lib/load.js';
import { ensureProxies, startProxy, type RunningProxy } from '../lib/proxies.js';
import type { AnchorsRow, ResultRow } from '../lib/result.js';
import { median, percentile } from '../lib/stats.js';
import { appAnswers, edgeUnavailable, expect200, WEB_PORT } from '../lib/web.js';

interface Target {
  name: string;
  url: string;
  host?: string;
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

function goal(label: string, ok: boolean | null, detail: string): string {
  return ok === null ? `${label} (no figure)` : `${label}: ${detail} ${ok ? 'met' : 'missed'}`;
}

export const edgeThroughput: BenchGroup = {
  name: 'edge',
  unavailable: edgeUnavailable,
  async run(ctx) {
    const { throughputSeconds: seconds, throughputConnections: connections, edgeRounds: rounds, wsRoundTrips: wsN, downloads } = ctx.settings;
    const id = `b${ctx.tag}-edge`;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sandboxed-bench-proxies-'));
    const proxies: RunningProxy[] = [];
    const notMeasured: string[] = [];
    try {
      ctx.progress('edge: creating a sandbox with the bench app');
      await ctx.ours.create({ id, ports: [WEB_PORT] });
      await installBenchApp(ctx, id);
      const sb = (await ctx.daemon.api<{ container_id: string }>('GET', `/v1/sandboxes/${id}`)).body;
      const ip = await appAnswers(ctx, ctx.docker.getContainer(sb.container_id));
      const upstream = `${ip}:${WEB_PORT}`;
      const why = ensureProxies((m) => process.stderr.write(`${m}\n`));
      const targets: Target[] = [{ name: 'direct', url: `http://${upstream}` }];
      for (const name of ['haproxy', 'nginx'] as const) {
        if (why[name]) {
          notMeasured.push(`${name}: ${why[name]}`);
          continue;
        }
        const p = await startProxy(name, upstream, dir);
        proxies.push(p);
        targets.push({ name, url: p.url });
      }
      const host = previewHost(id, WEB_PORT, ctx.daemon.config.previewDomain);
      targets.push({ name: 'edge', url: ctx.daemon.edgeUrl, host });
      for (const t of targets) await expect200(`${t.url}/`, t.host);

      const loads = new Map<string, LoadFigures[]>(targets.map((t) => [t.name, []]));
      const rtts = new Map<string, number[]>(targets.map((t) => [t.name, []]));
      const downs = new Map<string, number[]>(targets.map((t) => [t.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const t of targets) {
          ctx.progress(`edge: round ${round + 1}/${rounds}, ${t.name}: load ${seconds} s`);
          loads.get(t.name)!.push(await load(`${t.url}/`, { hosts: t.host ? [t.host] : [], connections, seconds }));
        }
        for (const t of targets) {
          ctx.progress(`edge: round ${round + 1}/${rounds}, ${t.name}: ${wsN} WebSocket round trips`);
          rtts.get(t.name)!.push(...(await wsRoundTrips(t.url.replace(/^http/, 'ws') + '/ws', t.host, wsN)));
        }
        for (const t of targets) {
          for (let i = 0; i < downloads; i++) {
            ctx.progress(`edge: round ${round + 1}/${rounds}, ${t.name}: 50 MB download ${i + 1}/${downloads}`);
            downs.get(t.name)!.push(await download(t.url, '/big', t.host, BIG_BYTES));
          }
        }
      }

      const per = (f: (name: string) => number | null): Record<string, number | null> => Object.fromEntries(targets.map((t) => [t.name, f(t.name)]));
      const avg = (pick: (l: LoadFigures) => number) => per((n) => mean(loads.get(n)!.map(pick)));
      const sorted = (m: Map<string, number[]>, n: string) => [...m.get(n)!].sort((a, b) => a - b);
      const reqs = avg((l) => l.reqPerS);
      const p99 = avg((l) => l.p99);
      const wsMedian = per((n) => median(sorted(rtts, n)));
      const h = (v: Record<string, number | null>) => v.haproxy ?? null;
      const e = (v: Record<string, number | null>) => v.edge ?? null;
      const both = (v: Record<string, number | null>) => (h(v) !== null && e(v) !== null ? [h(v)!, e(v)!] : null);
      const rq = both(reqs);
      const lp = both(p99);
      const ws = both(wsMedian);
      const failures = targets.flatMap((t) => loads.get(t.name)!.filter((l) => l.non2xx + l.errors > 0).map((l) => `${t.name}: ${l.non2xx} non-2xx, ${l.errors} errors`));
      const setup = `autocannon, ${connections} keep-alive connections, ${seconds} s, ${rounds} round(s) averaged; ${proxies.map((p) => p.describe).join('; ')}`;
      const rows: AnchorsRow[] = [
        {
          kind: 'anchors',
          op: 'keep-alive throughput',
          unit: 'req/s',
          values: reqs,
          goal: goal('≥ 0.5× HAProxy', rq && rq[1] >= 0.5 * rq[0], rq ? `${(rq[1] / rq[0]).toFixed(2)}×` : ''),
          note: setup + (failures.length ? `; failures: ${failures.join(', ')}` : ''),
        },
        { kind: 'anchors', op: 'latency under load p50', unit: 'ms', values: avg((l) => l.p50), note: 'autocannon reports whole ms' },
        {
          kind: 'anchors',
          op: 'latency under load p99',
          unit: 'ms',
          values: p99,
          goal: goal('≤ HAProxy + 2 ms', lp && lp[1] <= lp[0] + 2, lp ? `${signed(lp[1] - lp[0], 1)} ms` : ''),
        },
        {
          kind: 'anchors',
          op: 'WebSocket echo round trip p50',
          unit: 'ms',
          values: wsMedian,
          goal: goal('≤ HAProxy + 1 ms', ws && ws[1] <= ws[0] + 1, ws ? `${signed(ws[1] - ws[0], 2)} ms` : ''),
          note: `${wsN} round trips of 32 bytes per round on one connection, one in flight`,
        },
        { kind: 'anchors', op: 'WebSocket echo round trip p99', unit: 'ms', values: per((n) => percentile(sorted(rtts, n), 99)) },
        {
          kind: 'anchors',
          op: '50 MB download, median',
          unit: 'ms',
          values: per((n) => median(sorted(downs, n))),
          note: `${downloads} per round, each on a fresh connection`,
        },
      ];
      if (notMeasured.length) rows[0].note += `; not measured: ${notMeasured.join('; ')}`;
      const out: ResultRow[] = rows;
      return out;
    } finally {
      for (const p of proxies) await p.stop();
      await rm(dir, { recursive: true, force: true });
      await ctx.ours.purge(id).catch(() => undefined);
    }
  },
};
