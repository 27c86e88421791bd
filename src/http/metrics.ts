/** Prometheus metrics on the API (behind its auth), and the API's own request timings. */
import type { FastifyInstance } from 'fastify';
import { metrics, registry } from '../telemetry/metrics.js';
import { op, replies } from './replies.js';

export function installRequestMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    // The route pattern, never the URL: ids would make a series per sandbox.
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.apiRequests.observe({ method: req.method, route, code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

export async function metricsRoutes(app: FastifyInstance): Promise<void> {
  const text = {
    description: 'Prometheus text exposition (version 0.0.4): sandboxed_* metrics and Node’s process_*/nodejs_* ones',
    content: { 'text/plain': { schema: { type: 'string' }, example: '# TYPE sandboxed_sandboxes gauge\nsandboxed_sandboxes{status="running"} 3\n' } },
  };
  app.get(
    '/metrics',
    { schema: { ...op('/metrics', 'getMetrics', 'system', 'Prometheus metrics', 'Behind the API token like every route; SANDBOXD_METRICS_BIND also serves them on a listener of their own without it.'), response: replies({ 200: text }) } },
    async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
