/**
 * Request ids. Every response carries `x-request-id`: the client's own when it
 * sent a usable one (1–128 characters of A–Z a–z 0–9 . _ : -; anything else is
 * replaced, never echoed, since tenants' backends may pass through what users
 * send), else a new UUID. Every log line of the request has it as `reqId`:
 * Fastify's request logger binds it, and the services' lines get it from
 * requestContext (log.ts), entered again after body parsing (which resumes on
 * the socket's events, outside the request's async context).
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BINDS_REQ_ID, requestContext } from '../log.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const USABLE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && USABLE.test(given) ? given : randomUUID();
}

/** Each request's id by its Node request: a WebSocket's 101 is written by ws, which sees only that. */
const idsOfRaw = new WeakMap<IncomingMessage, string>();

/** Fastify's own header handling would take any value as is: the header is read (and checked) here instead. */
export const requestIdOptions: Pick<FastifyServerOptions, 'requestIdHeader' | 'genReqId' | 'childLoggerFactory'> = {
  requestIdHeader: false,
  genReqId: (req: IncomingMessage) => {
    const id = requestIdOf(req.headers[REQUEST_ID_HEADER]);
    idsOfRaw.set(req, id);
    return id;
  },
  childLoggerFactory(logger: FastifyBaseLogger, bindings, opts) {
    const child = logger.child(bindings, opts);
    (child as unknown as Record<symbol, boolean>)[BINDS_REQ_ID] = true;
    return child;
  },
};

/** First of the onRequest hooks, so refusals (browser guard, auth) carry the id too. */
export function installRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', (req, reply, done) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    requestContext.run(req.id, done);
  });
  app.addHook('preValidation', (req, _reply, done) => requestContext.run(req.id, done));
}

/** The 101 of a WebSocket upgrade carries the id too: ws writes it, Fastify's reply headers never reach it. */
export function installUpgradeRequestIds(app: FastifyInstance): void {
  app.websocketServer.on('headers', (headers: string[], req: IncomingMessage) => {
    const id = idsOfRaw.get(req);
    if (id !== undefined) headers.push(`${REQUEST_ID_HEADER}: ${id}`);
  });
}
