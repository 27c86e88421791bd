/**
 * Create → first successful exec of `true`: how long until a new sandbox is
 * usable. Ours: POST /v1/sandboxes then POST …/exec. Raw: container create +
 * start, then exec create / start / read to the end / inspect, exactly what our
 * exec does. Raw excludes the host-side dir preparation (mkdir, chown, runtime
 * files), which ours does inside the create call.
 */
import { bothSides, type BenchContext, type BenchGroup } from '../lib/context.js';
import { until } from '../lib/probe.js';
import { Series, type ResultRow } from '../lib/result.js';

const FIRST_EXEC_DEADLINE_MS = 30_000;

async function oursOnce(ctx: BenchContext, id: string): Promise<void> {
  await ctx.ours.create({ id });
  await until('first exec of true', async () => (await ctx.ours.exec(id, ['true'])) === 0, FIRST_EXEC_DEADLINE_MS);
}

async function oursCleanup(ctx: BenchContext, ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => ctx.ours.purge(id).catch(() => undefined)));
}

async function rawRun(ctx: BenchContext, ids: string[], series: Series): Promise<void> {
  const bodies = await Promise.all(ids.map((id) => ctx.raw.prepare(id)));
  await Promise.all(
    bodies.map((body) =>
      series.time(async () => {
        const c = await ctx.raw.createAndStart(body);
        await until('first exec of true', async () => (await ctx.raw.exec(c, ['true'], ctx.execTimeoutS)) === 0, FIRST_EXEC_DEADLINE_MS);
      }),
    ),
  );
  await Promise.all(ids.map((id) => ctx.raw.remove(id).catch(() => undefined)));
}

async function oursRun(ctx: BenchContext, ids: string[], series: Series): Promise<void> {
  await Promise.all(ids.map((id) => series.time(() => oursOnce(ctx, id))));
  await oursCleanup(ctx, ids);
}

export const timeToInteractive: BenchGroup = {
  name: 'tti',
  async run(ctx) {
    const { n, bursts, burstSize } = ctx.settings;
    const t = ctx.tag;

    // One untimed round each: the first container of a run pays for cold caches.
    ctx.progress('create → first exec: warm-up');
    await oursRun(ctx, [`b${t}-warm`], new Series());
    await rawRun(ctx, [`braw-${t}-warm`], new Series());

    const seqOurs = new Series();
    const seqRaw = new Series();
    for (let i = 0; i < n; i++) {
      ctx.progress(`create → first exec, sequential: ${i + 1}/${n}`);
      await bothSides(
        i,
        () => oursRun(ctx, [`b${t}-s${i}`], seqOurs),
        () => rawRun(ctx, [`braw-${t}-s${i}`], seqRaw),
      );
    }

    const burstOurs = new Series();
    const burstRaw = new Series();
    for (let b = 0; b < bursts; b++) {
      ctx.progress(`create → first exec, bursts of ${burstSize}: ${b + 1}/${bursts}`);
      const ids = (prefix: string): string[] => Array.from({ length: burstSize }, (_, k) => `${prefix}-b${b}x${k}`);
      await bothSides(
        b,
        () => oursRun(ctx, ids(`b${t}`), burstOurs),
        () => rawRun(ctx, ids(`braw-${t}`), burstRaw),
      );
    }

    const rows: ResultRow[] = [
      { kind: 'latency', op: 'create → first exec (sequential)', ours: seqOurs, raw: seqRaw },
      {
        kind: 'latency',
        op: `create → first exec (${bursts}× burst of ${burstSize})`,
        ours: burstOurs,
        raw: burstRaw,
        note: 'each request timed on its own; all of a burst start together',
      },
    ];
    return rows;
  },
};
