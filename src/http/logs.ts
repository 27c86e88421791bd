/**
 * Logs of background execs and supervised services: the tail as text, or
 * with `?follow=1` a live SSE stream that resumes by byte offset
 * (`Last-Event-ID` or `?since=`). An exec's stream ends with its exit event.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EXEC_ID_PATTERN } from '../domain/layout.js';
import { TAIL_MAX_BYTES, type LogRef } from '../terminals/logs.js';
import type { HttpDeps } from './deps.js';
import { op, replies } from './replies.js';
import { sandboxIdSchema, serviceSchema } from './schemas.js';
import { SseStreams, sseCursor } from './sse.js';
import { logReply } from './stream-responses.js';

const logQuery = z.object({
  follow: z.enum(['1', 'true', '0', 'false']).optional().meta({ description: 'Stream the log live as SSE' }),
  /** Tail size: the answer without follow, and where a follow without a cursor starts. */
  bytes: z.coerce.number().int().min(0).max(TAIL_MAX_BYTES).optional().meta({ description: 'Size of the tail (default 64 KiB); with follow, where a stream without a cursor starts' }),
  since: z.coerce.number().int().min(0).optional().meta({ description: 'With follow: resume from this byte offset (Last-Event-ID wins)' }),
});
// Other headers pass through untouched: this only documents the one the route reads.
const logHeaders = z.looseObject({ 'last-event-id': z.string().optional().meta({ description: 'With follow: the byte offset to resume from (a reconnecting EventSource sends it)' }) });
const FOLLOW =
  'Read from the host: works while the sandbox sleeps and never wakes it. A truncated or replaced file (a snapshot restore too) sends a reset event; a link, directory or FIFO, or the sandbox deleted, ends the stream with an error event.';
const execParams = z.object({ id: sandboxIdSchema, execId: z.string().regex(EXEC_ID_PATTERN, 'must be an exec id (26 lowercase letters and digits)') });
const serviceParams = z.object({ id: sandboxIdSchema, name: serviceSchema.shape.name });

type LogQuery = z.infer<typeof logQuery>;

export async function logRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const streams = new SseStreams();
  app.addHook('preClose', async () => streams.closeAll());

  const answer = async (req: FastifyRequest, reply: FastifyReply, id: string, ref: LogRef, q: LogQuery): Promise<unknown> => {
    if (q.follow === '1' || q.follow === 'true') {
      const follower = deps.logs.follow(id, ref, q.bytes);
      // No cursor: -1, the tail.
      return streams.serve(reply, follower, sseCursor(req, q.since ?? -1));
    }
    const tail = await deps.logs.tail(id, ref, q.bytes);
    return reply
      .header('x-log-start', String(tail.start))
      .header('x-log-size', String(tail.size))
      .type('text/plain; charset=utf-8')
      .send(tail.data);
  };

  const execLog = {
    ...op('/v1/sandboxes/:id/exec/:execId/logs', 'getExecLogs', 'logs', 'A background exec’s log: its tail, or followed until the command ends (SSE)', FOLLOW),
    params: execParams,
    querystring: logQuery,
    headers: logHeaders,
    response: replies({ 200: logReply }, 400, 404, 503),
  };
  app.get('/v1/sandboxes/:id/exec/:execId/logs', { sse: 'manual', schema: execLog }, async (req, reply) =>
    answer(req, reply, req.params.id, { kind: 'exec', execId: req.params.execId }, req.query),
  );
  const serviceLog = {
    ...op('/v1/sandboxes/:id/services/:name/logs', 'getServiceLogs', 'logs', 'A service’s log: its tail, or followed live through stops and wakes (SSE)', FOLLOW),
    params: serviceParams,
    querystring: logQuery,
    headers: logHeaders,
    response: replies({ 200: logReply }, 400, 404, 503),
  };
  app.get('/v1/sandboxes/:id/services/:name/logs', { sse: 'manual', schema: serviceLog }, async (req, reply) =>
    answer(req, reply, req.params.id, { kind: 'service', name: req.params.name }, req.query),
  );
}
