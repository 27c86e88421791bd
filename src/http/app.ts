/**
 * The control-plane API as a Fastify app, built from its dependencies.
 * main.ts/daemon.ts listen; tests may call app.inject().
 */
import { fastifySSE as fastifySse } from '@fastify/sse';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { installAuth } from './auth.js';
import { installBrowserGuard } from './browser-guard.js';
import type { HttpDeps } from './deps.js';
import { installErrorHandler } from './error-handler.js';
import { eventRoutes } from './events.js';
import { execRoutes } from './exec.js';
import { imageRoutes } from './images.js';
import { filesRoutes } from './files.js';
import { requestFields } from './log-fields.js';
import { logRoutes } from './logs.js';
import { installRequestMetrics } from './metrics.js';
import { installOpenApi } from './openapi.js';
import { installOwnership } from './ownership.js';
import { previewRoutes } from './previews.js';
import { ptyRoutes } from './pty.js';
import { installRequestIds, installUpgradeRequestIds, requestIdOptions } from './request-id.js';
import { requireResponseSchemas } from './route-check.js';
import { sandboxRoutes } from './sandboxes.js';
import { servicesRoutes } from './services.js';
import { sessionRoutes } from './session.js';
import { snapshotRoutes } from './snapshots.js';
import { HEARTBEAT_MS } from './sse.js';
import { systemInfoRoutes } from './system-info.js';
import { systemRoutes } from './system.js';
import { taskRoutes } from './tasks.js';
import { uiRoutes } from './ui.js';
import { usageRoutes } from './usage.js';
import { MAX_CLIENT_FRAME_BYTES, PTY_SUBPROTOCOL } from '../terminals/protocol.js';

export const JSON_BODY_LIMIT = 1024 * 1024;

export async function buildApi(deps: HttpDeps, log: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    // Request URLs are logged redacted: a WebSocket handshake may carry ?token= (auth.ts).
    // pino's Logger and Fastify's base logger differ only in generics; the app is typed with the base one.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: log.child({}, { serializers: { req: requestFields } }) as FastifyBaseLogger,
    bodyLimit: JSON_BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true },
    ...requestIdOptions,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // An empty JSON body (curl -X POST -H 'content-type: application/json') means "no fields".
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      const e = err as Error & { statusCode?: number };
      e.statusCode = 400;
      done(e, undefined);
    }
  });
  installRequestIds(app);
  installErrorHandler(app);
  requireResponseSchemas(app);
  // Before the routes: it collects them as they are registered.
  await installOpenApi(app);
  await app.register(fastifySse, { heartbeatInterval: HEARTBEAT_MS });
  // Before auth: the plugin marks WebSocket handshakes (req.ws), which auth.ts reads.
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: MAX_CLIENT_FRAME_BYTES,
      // Pick our protocol, never the token entry a browser offers beside it.
      handleProtocols: (offered: Set<string>) => (offered.has(PTY_SUBPROTOCOL) ? PTY_SUBPROTOCOL : false),
    },
  });
  installUpgradeRequestIds(app);
  // Before auth: a browser's preflight carries no token, and a refused page learns nothing about auth.
  installBrowserGuard(app, { allowedOrigins: deps.config.apiAllowedOrigins, hostnames: deps.config.apiHostnames });
  if (deps.config.authEnabled) installAuth(app, deps.config.tokens, deps.sessionKey);
  // After auth (it names the token), before the routes (it checks them as they are registered).
  installOwnership(app, deps);
  installRequestMetrics(app);
  await app.register(systemRoutes, deps);
  await app.register(sandboxRoutes, deps);
  await app.register(execRoutes, deps);
  await app.register(filesRoutes, deps);
  await app.register(servicesRoutes, deps);
  await app.register(previewRoutes, deps);
  await app.register(taskRoutes, deps);
  await app.register(snapshotRoutes, deps);
  await app.register(ptyRoutes, deps);
  await app.register(logRoutes, deps);
  // The dashboard: its sign-in, what it shows beyond the resources, and its pages.
  await app.register(sessionRoutes, deps);
  await app.register(systemInfoRoutes, deps);
  await app.register(usageRoutes, deps);
  if (deps.config.ui) await app.register(uiRoutes);
  await app.register(eventRoutes, deps);
  await app.register(imageRoutes, deps);
  return app;
}
