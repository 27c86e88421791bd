/**
 * The edge at scale: the daemon's memory and the edge's latency with
 * BENCH_SCALE_ROUTES sandboxes known (their routes loaded), of which
 * BENCH_SCALE_RUNNING run the bench app, under BENCH_SCALE_CONNECTIONS
 * concurrent keep-alive connections spread round-robin over the running ones.
 * Loopback only; the bench daemon's per-client connection cap is raised for
 * it (bench/run.ts), since every connection comes from 127.0.0.1. Rows beyond
 * the running ones go straight into SQLite with the daemon stopped (stopped,
 * no container), as the list group does; they are removed at the end.
 * Restarts the daemon twice.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { stateDir } from '../../src/domain/layout.js';
import { previewHost } from '../../src/edge/hosts.js';
import { openDb } from '../../src/store/db.js';
import { SandboxStore } from '../../src/store/sandboxes.js';
import { loadSecretKey } from '../../src/store/sealed.js';
import { installBenchApp } from '../lib/bench-app.js';
import type { BenchContext, BenchGroup } from '../lib/context.js';
import { sleep } from '../lib/daemon.js';
import { load } from '../lib/load.js';
import type { ResultRow } from '../lib/result.js';
import { appAnswers, edgeUnavailable, expect200, WEB_PORT } from '../lib/web.js';

const SETTLE_MS = 1000;
const CREATE_CONCURRENCY = 4;

function withStore(ctx: BenchContext, fn: (store: SandboxStore, run: (f: () => void) => void) => void): void {
  const db = openDb(path.join(stateDir(ctx.daemon.config.dataDir), 'sandboxd.db'));
  try {
    fn(new SandboxStore(db, loadSecretKey(ctx.daemon.config.dataDir)), (f) => db.transaction(f)());
  } finally {
    db.close();
  }
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/** VmRSS and VmHWM (peak) of the daemon, in MiB. */
async function memory(ctx: BenchContext): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${ctx.daemon.pid()}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

export const edgeScale: BenchGroup = {
  name: 'edge-scale',
  unavailable: edgeUnavailable,
  async run(ctx) {
    const { scaleRoutes: routes, scaleRunning, scaleConnections: connections, throughputSeconds: seconds } = ctx.settings;
    const running = Math.min(scaleRunning, routes);
    const live = Array.from({ length: running }, (_, i) => `b${ctx.tag}-live${i}`);
    const rows = Array.from({ length: routes - running }, (_, i) => `b${ctx.tag}-route${i}`);
    try {
      await inParallel(live, CREATE_CONCURRENCY, async (id, i) => {
        ctx.progress(`edge-scale: creating running sandbox ${i + 1}/${running}`);
        await ctx.ours.create({ id, ports: [WEB_PORT] });
        await installBenchApp(ctx, id);
      });
      ctx.progress(`edge-scale: inserting ${rows.length} stopped sandboxes with the daemon stopped`);
      await ctx.daemon.stop();
      const cfg = ctx.daemon.config;
      const spec = { ports: [WEB_PORT], memoryMb: cfg.defaultMemoryMb, cpus: cfg.defaultCpus, idlePolicy: 'sleep' as const, visibility: 'public' as const, services: [] };
      const now = Date.now();
      withStore(ctx, (store, tx) =>
        tx(() => {
          rows.forEach((id, i) => {
            if (!store.insert({ id, spec, env: {}, now: now + i })) throw new Error(`row ${id} exists`);
            store.setDesired(id, 'stopped', now + i);
          });
        }),
      );
      await ctx.daemon.start();
      const hosts = live.map((id) => previewHost(id, WEB_PORT, cfg.previewDomain));
      for (const [i, id] of live.entries()) {
        ctx.progress(`edge-scale: waiting for app ${i + 1}/${running}`);
        const sb = (await ctx.daemon.api<{ container_id: string }>('GET', `/v1/sandboxes/${id}`)).body;
        await appAnswers(ctx, ctx.docker.getContainer(sb.container_id));
        await expect200(`${ctx.daemon.edgeUrl}/`, hosts[i]);
      }
      await sleep(SETTLE_MS);
      const idle = await memory(ctx);
      ctx.progress(`edge-scale: ${connections} connections over ${running} sandboxes, ${seconds} s`);
      const r = await load(`${ctx.daemon.edgeUrl}/`, { hosts, connections, seconds });
      const after = await memory(ctx);
      const setup = `${routes} sandboxes known, ${running} running the bench app, ${connections} keep-alive connections (autocannon) spread over them, ${seconds} s`;
      const out: ResultRow[] = [
        { kind: 'value', op: `daemon RSS, ${routes} routes loaded, idle`, unit: 'MiB', ours: idle.rss, raw: null },
        { kind: 'value', op: `daemon RSS after ${connections} connections`, unit: 'MiB', ours: after.rss, raw: null, note: `peak (VmHWM) ${after.peak.toFixed(1)} MiB` },
        {
          kind: 'value',
          op: `edge throughput, ${connections} connections`,
          unit: 'req/s',
          ours: r.reqPerS,
          raw: null,
          note: `${setup}; ${r.non2xx} non-2xx, ${r.errors} errors`,
        },
        {
          kind: 'summary',
          op: `edge latency, ${connections} connections`,
          ours: { attempts: 1, ok: 1, successRate: 1, median: r.p50, p95: null, p99: r.p99, min: null, max: null },
          raw: null,
          rawNote: 'n/a: the edge alone',
          note: 'autocannon p50 and p99, whole ms',
        },
      ];
      return out;
    } finally {
      ctx.progress('edge-scale: removing what it created');
      await inParallel(live, CREATE_CONCURRENCY, (id) => ctx.ours.purge(id).catch(() => undefined));
      if (rows.length > 0) {
        await ctx.daemon.stop();
        withStore(ctx, (store, tx) => tx(() => rows.forEach((id) => store.remove(id))));
        await ctx.daemon.start();
      }
    }
  },
};
