/**
 * Many requests at once to a stopped sandbox's preview URL: the edge must
 * start it once and answer every request with the app's 200. Each request is
 * timed from its own start. Raw: one start, poll TCP, then the same number of
 * GETs at once straight to the container, each timed from the start call.
 * The app is a minimal Node server (see NODE_WEB_SERVICE).
 */
import { previewHost } from '../../src/edge/hosts.js';
import { bothSides, type BenchGroup } from '../lib/context.js';
import { Series, type ResultRow } from '../lib/result.js';
import { appAnswers, createWebPair, edgeUnavailable, expect200, NODE_WEB_SERVICE, WEB_PORT } from '../lib/web.js';

export const previewWakeBurst: BenchGroup = {
  name: 'wake-burst',
  unavailable: edgeUnavailable,
  async run(ctx) {
    const { wakeConcurrency: size, bursts } = ctx.settings;
    ctx.progress('wake burst: creating one sandbox each with a web service');
    const pair = await createWebPair(ctx, 'wakeb', { service: NODE_WEB_SERVICE });
    const host = previewHost(pair.oursId, WEB_PORT, ctx.daemon.config.previewDomain);
    const grace = ctx.daemon.config.stopGraceS;
    try {
      await Promise.all([appAnswers(ctx, await pair.oursContainer()), appAnswers(ctx, pair.raw)]);
      const ours = new Series();
      const raw = new Series();
      for (let b = 0; b < bursts; b++) {
        ctx.progress(`wake burst of ${size}: ${b + 1}/${bursts}`);
        await bothSides(
          b,
          async () => {
            await ctx.ours.stop(pair.oursId);
            await Promise.all(Array.from({ length: size }, () => ours.time(() => expect200(`${ctx.daemon.edgeUrl}/`, host))));
          },
          async () => {
            await pair.raw.stop({ t: grace });
            const t0 = performance.now();
            let ip: string;
            try {
              await pair.raw.start();
              ip = await appAnswers(ctx, pair.raw);
            } catch (err) {
              for (let k = 0; k < size; k++) raw.fail(err);
              return;
            }
            await Promise.all(
              Array.from({ length: size }, async () => {
                try {
                  await expect200(`http://${ip}:${WEB_PORT}/`);
                  raw.add(performance.now() - t0);
                } catch (err) {
                  raw.fail(err);
                }
              }),
            );
          },
        );
      }
      const rows: ResultRow[] = [
        {
          kind: 'latency',
          op: `wake, ${size} concurrent requests (${bursts}×)`,
          ours,
          raw,
          note: 'minimal Node app; raw: start + poll TCP, then the GETs at once, each timed from the start',
        },
      ];
      return rows;
    } finally {
      await pair.remove();
    }
  },
};
