/**
 * The warm pool: create → first exec served from the pool (sequential, each
 * sample taken with the pool full), bursts larger than the pool (the rest
 * goes cold), and what an idle pooled container costs. The daemon runs with
 * the default pool size (2) for this group only. Raw: container create +
 * start + the same exec, as in the tti group. Hits are counted from
 * /metrics, so a row says how many of its creates the pool served.
 */
import type { BenchContext, BenchGroup } from '../lib/context.js';
import { bothSides } from '../lib/context.js';
import { sleep } from '../lib/daemon.js';
import { until } from '../lib/probe.js';
import { Series, type ResultRow } from '../lib/result.js';

const POOL_SIZE = 2;
const FIRST_EXEC_DEADLINE_MS = 30_000;
const REFILL_DEADLINE_MS = 120_000;
const IDLE_MS = 5000;

async function metric(ctx: BenchContext, re: RegExp): Promise<number> {
  const r = await ctx.daemon.api<string>('GET', '/metrics');
  return Number(re.exec(String(r.body))?.[1] ?? 0);
}

const ready = (ctx: BenchContext) => metric(ctx, /^sandboxed_pool_entries\{runtime="runc",state="ready"\} (\d+)/m);
const hits = (ctx: BenchContext) => metric(ctx, /^sandboxed_pool_claims_total\{result="hit"\} (\d+)/m);

/** Untimed: the pool back at its size before a sample. */
async function full(ctx: BenchContext): Promise<void> {
  await until('the warm pool to refill', async () => (await ready(ctx)) >= POOL_SIZE, REFILL_DEADLINE_MS, 50);
}

async function oursOnce(ctx: BenchContext, id: string, createOnly: Series | null): Promise<void> {
  const t0 = performance.now();
  await ctx.ours.create({ id });
  createOnly?.add(performance.now() - t0);
  await until('first exec of true', async () => (await ctx.ours.exec(id, ['true'])) === 0, FIRST_EXEC_DEADLINE_MS);
}

async function oursRun(ctx: BenchContext, ids: string[], series: Series, createOnly: Series | null = null): Promise<void> {
  await Promise.all(ids.map((id) => series.time(() => oursOnce(ctx, id, createOnly))));
  await Promise.all(ids.map((id) => ctx.ours.purge(id).catch(() => undefined)));
}

async function rawRun(ctx: BenchContext, ids: string[], series: Series, createOnly: Series | null = null): Promise<void> {
  const bodies = await Promise.all(ids.map((id) => ctx.raw.prepare(id)));
  await Promise.all(
    bodies.map((body) =>
      series.time(async () => {
        const t0 = performance.now();
        const c = await ctx.raw.createAndStart(body);
        createOnly?.add(performance.now() - t0);
        await until('first exec of true', async () => (await ctx.raw.exec(c, ['true'], ctx.execTimeoutS)) === 0, FIRST_EXEC_DEADLINE_MS);
      }),
    ),
  );
  await Promise.all(ids.map((id) => ctx.raw.remove(id).catch(() => undefined)));
}

/** Memory the engine charges each idle pooled container (cgroup usage less page cache), in MiB. */
async function idleMiB(ctx: BenchContext): Promise<number[]> {
  const list = await ctx.docker.listContainers({ filters: { label: [`sandboxed.instance=${ctx.daemon.instance}`, 'sandboxed.kind=pool'] } });
  const out: number[] = [];
  for (const c of list.filter((x) => x.Names[0]?.startsWith('/s-pool-'))) {
    const s = (await ctx.docker.getContainer(c.Id).stats({ stream: false })) as { memory_stats: { usage?: number; stats?: Record<string, number> } };
    const cache = s.memory_stats.stats?.inactive_file ?? s.memory_stats.stats?.total_inactive_file ?? 0;
    out.push(((s.memory_stats.usage ?? 0) - cache) / (1024 * 1024));
  }
  return out;
}

export const warmPool: BenchGroup = {
  name: 'pool',
  async run(ctx) {
    const { n, bursts, burstSize } = ctx.settings;
    const t = ctx.tag;
    await ctx.daemon.restart({ SANDBOXD_POOL_SIZE: String(POOL_SIZE) });
    try {
      ctx.progress('warm pool: filling');
      await full(ctx);
      await oursRun(ctx, [`p${t}-warm`], new Series());
      await rawRun(ctx, [`praw-${t}-warm`], new Series());

      const seqOurs = new Series();
      const seqRaw = new Series();
      const createOurs = new Series();
      const createRaw = new Series();
      const hitsBefore = await hits(ctx);
      for (let i = 0; i < n; i++) {
        ctx.progress(`warm pool, create → first exec: ${i + 1}/${n}`);
        await full(ctx);
        await bothSides(
          i,
          () => oursRun(ctx, [`p${t}-s${i}`], seqOurs, createOurs),
          () => rawRun(ctx, [`praw-${t}-s${i}`], seqRaw, createRaw),
        );
      }
      const seqHits = (await hits(ctx)) - hitsBefore;

      const burstOurs = new Series();
      const burstRaw = new Series();
      const burstHitsBefore = await hits(ctx);
      for (let b = 0; b < bursts; b++) {
        ctx.progress(`warm pool, bursts of ${burstSize}: ${b + 1}/${bursts}`);
        await full(ctx);
        const ids = (prefix: string): string[] => Array.from({ length: burstSize }, (_, k) => `${prefix}-b${b}x${k}`);
        await bothSides(
          b,
          () => oursRun(ctx, ids(`p${t}`), burstOurs),
          () => rawRun(ctx, ids(`praw-${t}`), burstRaw),
        );
      }
      const burstHits = (await hits(ctx)) - burstHitsBefore;

      ctx.progress('warm pool: idle cost');
      await full(ctx);
      await sleep(IDLE_MS);
      const idle = await idleMiB(ctx);

      const rows: ResultRow[] = [
        {
          kind: 'latency',
          op: 'create → first exec, warm pool hit (sequential)',
          ours: seqOurs,
          raw: seqRaw,
          note: `${seqHits} of ${n} creates served by the pool (size ${POOL_SIZE}, full before each)`,
        },
        { kind: 'latency', op: 'create alone, warm pool hit (POST answered)', ours: createOurs, raw: createRaw, rawNote: 'container create + start' },
        {
          kind: 'latency',
          op: `create → first exec, warm pool of ${POOL_SIZE} (${bursts}× burst of ${burstSize})`,
          ours: burstOurs,
          raw: burstRaw,
          note: `${burstHits} of ${bursts * burstSize} served by the pool, the rest cold; each request timed on its own`,
        },
        {
          kind: 'value',
          op: 'idle memory per pooled container',
          unit: 'MiB',
          ours: idle.length > 0 ? idle.reduce((a, b) => a + b, 0) / idle.length : null,
          raw: null,
          rawNote: 'n/a: the same container a cold create makes',
          note: `cgroup usage less inactive page cache, ${idle.length} containers after ${IDLE_MS / 1000} s idle: ${idle.map((m) => m.toFixed(1)).join(', ')} MiB`,
        },
      ];
      return rows;
    } finally {
      await ctx.daemon.restart({ SANDBOXD_POOL_SIZE: '0' });
    }
  },
};
