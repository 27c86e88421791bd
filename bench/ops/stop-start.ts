/**
 * Stop, start (until Docker says running) and start until the app answers
 * (TCP connect to the container IP on the service port), on a sandbox that
 * declares a service. One cycle yields all three figures; stop always hits a
 * running app.
 */
import type Docker from 'dockerode';
import { bothSides, type BenchContext, type BenchGroup } from '../lib/context.js';
import { Series, type ResultRow } from '../lib/result.js';
import { appAnswers, createWebPair, WEB_PORT } from '../lib/web.js';

interface Side {
  stop: () => Promise<void>;
  start: () => Promise<Docker.Container>;
  stopS: Series;
  startS: Series;
  answerS: Series;
}

async function cycle(ctx: BenchContext, side: Side, appWorks: boolean): Promise<void> {
  await side.stopS.time(side.stop);
  const t0 = performance.now();
  let c: Docker.Container;
  try {
    c = await side.start();
    side.startS.add(performance.now() - t0);
  } catch (err) {
    side.startS.fail(err);
    if (appWorks) side.answerS.fail(err);
    return;
  }
  if (!appWorks) return;
  try {
    await appAnswers(ctx, c);
    side.answerS.add(performance.now() - t0);
  } catch (err) {
    side.answerS.fail(err);
  }
}

export const stopStart: BenchGroup = {
  name: 'lifecycle',
  async run(ctx) {
    const grace = ctx.daemon.config.stopGraceS;
    ctx.progress('stop/start: creating one sandbox each with a web service');
    const pair = await createWebPair(ctx, 'life');
    try {
      let appWorks = true;
      let appNote: string | undefined;
      try {
        ctx.progress('stop/start: waiting for both apps to answer once');
        await Promise.all([appAnswers(ctx, await pair.oursContainer()), appAnswers(ctx, pair.raw)]);
      } catch (err) {
        appWorks = false;
        appNote = `not measured: the service never answered (${(err as Error).message})`;
      }
      const ours: Side = {
        stop: async () => void (await ctx.ours.stop(pair.oursId)),
        start: async () => {
          const sb = await ctx.ours.start(pair.oursId);
          return ctx.docker.getContainer(sb.container_id!);
        },
        stopS: new Series(),
        startS: new Series(),
        answerS: new Series(),
      };
      const raw: Side = {
        stop: async () => void (await pair.raw.stop({ t: grace })),
        start: async () => {
          await pair.raw.start();
          return pair.raw;
        },
        stopS: new Series(),
        startS: new Series(),
        answerS: new Series(),
      };
      for (let i = 0; i < ctx.settings.cycles; i++) {
        ctx.progress(`stop/start: cycle ${i + 1}/${ctx.settings.cycles}`);
        await bothSides(i, () => cycle(ctx, ours, appWorks), () => cycle(ctx, raw, appWorks));
      }
      const rows: ResultRow[] = [
        { kind: 'latency', op: `stop (app running, grace ${grace} s)`, ours: ours.stopS, raw: raw.stopS },
        { kind: 'latency', op: 'start (until running)', ours: ours.startS, raw: raw.startS },
        {
          kind: 'latency',
          op: `start → app answers on :${WEB_PORT}`,
          ours: ours.answerS,
          raw: raw.answerS,
          note: appNote ?? 'TCP connect to the container IP; both sides inspect for the IP after start',
        },
      ];
      return rows;
    } finally {
      await pair.remove();
    }
  },
};
