/** One exec of `true` on a sandbox that is already running, request to result. */
import { bothSides, type BenchGroup } from '../lib/context.js';
import { Series } from '../lib/result.js';

const WARMUP = 3;

export const execRoundTrip: BenchGroup = {
  name: 'exec',
  async run(ctx) {
    const oursId = `b${ctx.tag}-exec`;
    const rawId = `braw-${ctx.tag}-exec`;
    ctx.progress('exec round trip: creating one sandbox each');
    await ctx.ours.create({ id: oursId });
    const c = await ctx.raw.createAndStart(await ctx.raw.prepare(rawId));
    const ours = new Series();
    const raw = new Series();
    const oursExec = async (): Promise<void> => {
      const code = await ctx.ours.exec(oursId, ['true']);
      if (code !== 0) throw new Error(`exit code ${code}`);
    };
    const rawExec = async (): Promise<void> => {
      const code = await ctx.raw.exec(c, ['true'], ctx.execTimeoutS);
      if (code !== 0) throw new Error(`exit code ${code}`);
    };
    try {
      for (let i = 0; i < WARMUP; i++) await bothSides(i, oursExec, rawExec);
      for (let i = 0; i < ctx.settings.execN; i++) {
        ctx.progress(`exec round trip: ${i + 1}/${ctx.settings.execN}`);
        await bothSides(
          i,
          async () => void (await ours.time(oursExec)),
          async () => void (await raw.time(rawExec)),
        );
      }
    } finally {
      await ctx.ours.purge(oursId).catch(() => undefined);
      await ctx.raw.remove(rawId).catch(() => undefined);
    }
    return [{ kind: 'latency', op: 'exec `true` round trip (running)', ours, raw, note: `${WARMUP} untimed warm-up execs each` }];
  },
};
