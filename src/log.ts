/** Root logger. Redaction is a backstop: code never puts secrets in log fields. */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

/**
 * The API request that work runs for (src/http/request-id.ts enters it): every
 * line logged on its behalf carries its `reqId`, the services' lines too.
 */
export const requestContext = new AsyncLocalStorage<string>();

/** Set on a request's own logger (which already binds reqId); its children inherit it through their prototype. */
export const BINDS_REQ_ID = Symbol('bindsReqId');

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { svc: 'sandboxd' },
    redact: {
      paths: ['req.headers.authorization', 'env', '*.env', 'body.env', 'secret', '*.secret', 'token', '*.token'],
      censor: '[redacted]',
    },
    mixin(_obj, _level, logger) {
      const reqId = requestContext.getStore();
      if (reqId === undefined || (logger as unknown as Record<symbol, unknown>)[BINDS_REQ_ID] === true) return {};
      return { reqId };
    },
  });
}
