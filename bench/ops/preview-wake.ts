/**
 * Wake through a preview URL: a request to a stopped sandbox's preview host
 * (not a page load, so the edge holds it) until it gets the app's 200. Raw
 * does what a client of the Engine API would: start, inspect for the IP, poll
 * TCP until the app accepts, then the same GET straight to the container.
 */
import { previewHost } from '../../src/edge/hosts.js';
import { bothSides, type BenchGroup } from '../lib/context.js';
import { tcpAccepts, until } from '../lib/probe.js';
import { Series, type ResultRow } from '../lib/result.js';
import { APP_DEADLINE_MS, appAnswers, createWebPair, edgeUnavailable, expect200, WEB_PORT } from '../lib/web.js';

export const previewWake: BenchGroup = {
  name: 'wake',
  unavailable: edgeUnavailable,
  async run(ctx) {
    ctx.progress('wake via preview: creating one sandbox each with a web service');
    const pair = await createWebPair(ctx, 'wake');
    const host = previewHost(pair.oursId, WEB_PORT, ctx.daemon.config.previewDomain);
    const grace = ctx.daemon.config.stopGraceS;
    try {
      await Promise.all([appAnswers(ctx, await pair.oursContainer()), appAnswers(ctx, pair.raw)]);
      await expect200(`${ctx.daemon.edgeUrl}/`, host);
      const ours = new Series();
      const raw = new Series();
      for (let i = 0; i < ctx.settings.cycles; i++) {
        ctx.progress(`wake via preview: ${i + 1}/${ctx.settings.cycles}`);
        await bothSides(
          i,
          async () => {
            await ctx.ours.stop(pair.oursId);
            await ours.time(() => expect200(`${ctx.daemon.edgeUrl}/`, host));
          },
          async () => {
            await pair.raw.stop({ t: grace });
            await raw.time(async () => {
              await pair.raw.start();
              const ip = await ctx.raw.ip(pair.raw);
              if (!ip) throw new Error('container has no IP');
              await until('app', () => tcpAccepts(ip, WEB_PORT), APP_DEADLINE_MS);
              await expect200(`http://${ip}:${WEB_PORT}/`);
            });
          },
        );
      }
      const rows: ResultRow[] = [
        {
          kind: 'latency',
          op: 'wake: stopped → first 200 via preview URL',
          ours,
          raw,
          note: 'raw: start + inspect + poll TCP + GET to the container IP',
        },
      ];
      return rows;
    } finally {
      await pair.remove();
    }
  },
};
