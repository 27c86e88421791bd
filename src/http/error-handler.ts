/**
 * The one place errors become HTTP: DomainError codes map to statuses, schema
 * failures to 400 naming the field, and 5xx details are logged, not sent.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../errors.js';
import { noteStoreError } from '../telemetry/metrics.js';

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  too_many: 429,
  upstream: 502,
  unavailable: 503,
};

interface ValidationItem {
  instancePath?: string;
  message?: string;
}

function validationMessage(err: FastifyError): string {
  const context = (err as { validationContext?: string }).validationContext ?? 'request';
  const items = (err.validation ?? []) as ValidationItem[];
  return items
    .slice(0, 5)
    .map((v) => {
      const field = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      return `${context}${field ? '.' + field : ''}: ${v.message ?? 'invalid'}`;
    })
    .join('; ');
}

export function sendError(reply: FastifyReply, status: number, message: string, retryAfterS?: number): FastifyReply {
  if (retryAfterS !== undefined) reply.header('retry-after', String(retryAfterS));
  return reply.code(status).type('application/json; charset=utf-8').send({ error: message });
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof DomainError) {
      const status = STATUS[err.code];
      if (status >= 500) req.log.warn({ err }, 'request failed');
      return sendError(reply, status, err.message, err.retryAfterS);
    }
    if (err.validation) return sendError(reply, 400, validationMessage(err));
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      return sendError(reply, 400, `malformed JSON body: ${err.message}`);
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendError(reply, status, err.message);
    noteStoreError(err);
    req.log.error({ err }, 'unhandled error');
    return sendError(reply, 500, 'internal error; see the daemon log');
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, `no route for ${req.method} ${req.url.split('?')[0]}`));
}
