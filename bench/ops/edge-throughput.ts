/**
 * Built-in edge throughput: autocannon against the preview URL (the daemon's
 * HTTP_PORT, Host header set) and straight against the same container's IP,
 * same connections and duration, against a minimal Node server (see
 * NODE_WEB_SERVICE). The load generator runs in this process on the same
 * machine, so both figures share its limits.
 */
import autocannon, { type Result } from 'autocannon';
import { previewHost } from '../../src/edge/hosts.js';
import type { BenchGroup } from '../lib/context.js';
import type { ResultRow } from '../lib/result.js';
import type { Summary } from '../lib/stats.js';
import { appAnswers, createWebPair, edgeUnavailable, expect200, NODE_WEB_SERVICE, WEB_PORT } from '../lib/web.js';

function latency(r: Result): Summary {
  const attempts = r.requests.total + r.errors + r.timeouts;
  return {
    attempts,
    ok: r['2xx'],
    successRate: attempts === 0 ? 0 : r['2xx'] / attempts,
    median: r.latency.p50,
    p95: null,
    p99: r.latency.p99,
    min: r.latency.min,
    max: r.latency.max,
  };
}

export const edgeThroughput: BenchGroup = {
  name: 'edge',
  unavailable: edgeUnavailable,
  async run(ctx) {
    const { throughputSeconds: duration, throughputConnections: connections } = ctx.settings;
    ctx.progress('edge throughput: creating a sandbox with a web service');
    const pair = await createWebPair(ctx, 'edge', { withRaw: false, service: NODE_WEB_SERVICE });
    try {
      const ip = await appAnswers(ctx, await pair.oursContainer());
      const host = previewHost(pair.oursId, WEB_PORT, ctx.daemon.config.previewDomain);
      await expect200(`${ctx.daemon.edgeUrl}/`, host);
      ctx.progress(`edge throughput: direct, ${duration} s`);
      const direct = await autocannon({ url: `http://${ip}:${WEB_PORT}/`, connections, duration });
      ctx.progress(`edge throughput: via the edge, ${duration} s`);
      const edge = await autocannon({ url: `${ctx.daemon.edgeUrl}/`, headers: { host }, connections, duration });
      const setup = `autocannon, ${connections} keep-alive connections, ${duration} s each, same container, minimal Node app`;
      const rows: ResultRow[] = [
        {
          kind: 'value',
          op: 'edge throughput (raw: container IP)',
          unit: 'req/s',
          ours: edge.requests.average,
          raw: direct.requests.average,
          note: `${setup}; for req/s a ratio below 1 means the edge is slower`,
        },
        {
          kind: 'summary',
          op: 'edge latency under load',
          ours: latency(edge),
          raw: latency(direct),
          note: 'autocannon reports p50 and p99 only, in whole ms; raw = container IP',
        },
      ];
      return rows;
    } finally {
      await pair.remove();
    }
  },
};
