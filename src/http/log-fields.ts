/**
 * What the API logs of a request. A WebSocket handshake may carry the API
 * token as `?token=` (auth.ts): it is replaced before any URL reaches a log.
 */
import type { FastifyRequest } from 'fastify';

/** The URL with the value of every `token` query parameter replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  return url.slice(0, q) + url.slice(q).replace(/([?&;]token=)[^&;#]*/gi, '$1[redacted]');
}

/** Fastify's own request fields, with the URL redacted. */
export function requestFields(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
