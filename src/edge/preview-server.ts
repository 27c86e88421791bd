/**
 * The edge's HTTP server: a raw node:http server (not Fastify, for
 * throughput) that serves preview hosts only. With an AppProxy (the built-in
 * edge) it proxies to the app, waking stopped sandboxes on the way. Without
 * one (behind Traefik) it answers Traefik's catch-all router — wake, warming
 * page, 503 until the route exists — the forward-auth check, and the routes
 * Traefik polls. The
 * control-plane API is a separate listener: no request here reaches it.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Sandbox } from '../domain/sandbox.js';
import { metrics } from '../telemetry/metrics.js';
import type { AccessGate } from './access.js';
import { internalError, notPreview, retryLater, send, wakeFailed, warming, type Out } from './answers.js';
import type { AppProxy } from './app-proxy.js';
import { ClientConnectionCap } from './client-cap.js';
import { FORWARD_AUTH_PATH, forwardAuth } from './forward-auth.js';
import { parsePreviewHost } from './hosts.js';
import { answerRoutes, TRAEFIK_ROUTES_PATH, type RoutesDeps } from './traefik-routes.js';
import type { Upstreams } from './upstreams.js';
import { afterHold, decideWake, isBrowserNavigation } from './wake-decide.js';
import type { Waker } from './waker.js';

export type PreviewServerConfig = Pick<Config, 'previewDomain' | 'wakeTimeoutMs' | 'edgeHeadersTimeoutMs' | 'edgeRequestTimeoutMs'>;

/** An idle keep-alive connection is closed after this long (browsers reuse theirs within seconds). */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/**
 * The server's timeouts. headersTimeout and requestTimeout bound how long a
 * client may take to *send* a request (slowloris, slow bodies); neither
 * applies to the response or to an upgraded socket, so SSE streams and
 * WebSockets live on. Node checks them every connectionsCheckingInterval.
 */
export function serverOptions(cfg: Pick<Config, 'edgeHeadersTimeoutMs' | 'edgeRequestTimeoutMs'>): http.ServerOptions {
  const shortest = Math.min(cfg.edgeHeadersTimeoutMs, cfg.edgeRequestTimeoutMs);
  return {
    headersTimeout: cfg.edgeHeadersTimeoutMs,
    requestTimeout: cfg.edgeRequestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: Math.min(5_000, Math.max(250, Math.floor(shortest / 4))),
  };
}

export interface PreviewServerDeps {
  config: PreviewServerConfig;
  sandboxes: { touch(id: string): void };
  access: AccessGate;
  upstreams: Upstreams;
  waker: Waker;
  /** Null behind Traefik: Traefik proxies once its route exists; this server only wakes. */
  proxy: AppProxy | null;
  /** Behind Traefik: the routes its HTTP provider polls. */
  routes: RoutesDeps | null;
  /** Open connections allowed per client address (0: no cap). */
  maxConnectionsPerClient: number;
  log: Logger;
}

/** One histogram observation and one counter per request: the hot path stays cheap. */
function countResponse(res: ServerResponse): void {
  const began = performance.now();
  res.once('close', () => {
    const code = res.headersSent ? res.statusCode : 0;
    metrics.edgeRequests.observe({ status: code === 0 ? 'aborted' : `${Math.floor(code / 100)}xx` }, (performance.now() - began) / 1000);
    if (code !== 0) metrics.edgeResponses.inc({ code: String(code) });
  });
}

export class PreviewServer {
  readonly server: http.Server;

  constructor(private readonly deps: PreviewServerDeps) {
    this.server = http.createServer(serverOptions(deps.config));
    const cap = new ClientConnectionCap(deps.maxConnectionsPerClient, deps.log);
    this.server.on('connection', (socket: Socket) => cap.admit(socket));
    const failSafe = (out: Out, req: IncomingMessage) => (err: unknown) => {
      deps.log.error({ err }, 'edge request failed');
      send(req, out, internalError());
    };
    this.server.on('request', (req, res) => {
      countResponse(res);
      void this.onRequest(req, res).catch(failSafe(res, req));
    });
    this.server.on('upgrade', (req, socket, head) => void this.onUpgrade(req, socket, head).catch(failSafe(socket, req)));
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await this.deps.proxy?.close();
    await closed;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { config, access, proxy } = this.deps;
    const target = parsePreviewHost(req.headers.host, config.previewDomain);
    if (!target) {
      const path = (req.url ?? '').split('?')[0];
      if (!proxy && path === FORWARD_AUTH_PATH) {
        return forwardAuth({ previewDomain: config.previewDomain, access, touch: (id) => this.deps.sandboxes.touch(id) }, req, res);
      }
      if (this.deps.routes && path === TRAEFIK_ROUTES_PATH) return answerRoutes(this.deps.routes, req, res);
      return send(req, res, notPreview(config.previewDomain));
    }
    const admitted = access.admit(req, target, req.url ?? '/', req.method ?? 'GET');
    if ('answer' in admitted) return send(req, res, admitted.answer);
    await this.serveWeb(req, res, admitted.sb, admitted.port);
  }

  /** An admitted request: proxy when the app is up, else a warming page or a held request while it wakes. */
  private async serveWeb(req: IncomingMessage, res: ServerResponse, sb: Sandbox, port: number): Promise<void> {
    const { sandboxes, upstreams, waker, proxy, config } = this.deps;
    sandboxes.touch(sb.id);
    const browser = isBrowserNavigation(req.method, req.headers.accept);
    const up = upstreams.cached(sb, port) ?? (await upstreams.ready(sb, port));
    switch (decideWake({ appUp: up !== null, canProxy: proxy !== null, browser, wake: waker.state(sb.id, port) })) {
      case 'proxy':
        return proxy!.web(req, res, sb, up!);
      case 'retry-later':
        return send(req, res, retryLater(sb));
      case 'warming-page':
        if (!up) void waker.wake(sb.id, port);
        return send(req, res, warming(sb, port, config.wakeTimeoutMs));
      case 'failed-page': {
        const f = waker.takeFailure(sb.id, port) ?? { reason: 'the last start did not finish', timedOut: true };
        return send(req, res, wakeFailed(sb, port, f));
      }
      case 'hold': {
        const outcome = await waker.wake(sb.id, port);
        if (req.socket.destroyed) return;
        const next = afterHold(outcome.ok, proxy !== null);
        if (next === 'proxy' && outcome.ok) return proxy!.web(req, res, sb, outcome.upstream);
        if (next === 'retry-later') return send(req, res, retryLater(sb));
        if (!outcome.ok) return send(req, res, wakeFailed(sb, port, outcome));
      }
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { config, access, sandboxes, upstreams, waker, proxy } = this.deps;
    socket.on('error', () => socket.destroy());
    const target = parsePreviewHost(req.headers.host, config.previewDomain);
    if (!target) return send(req, socket, notPreview());
    const admitted = access.admit(req, target, req.url ?? '/', 'UPGRADE');
    if ('answer' in admitted) return send(req, socket, admitted.answer);
    const { sb, port } = admitted;
    sandboxes.touch(sb.id);
    let up = await upstreams.ready(sb, port);
    if (!up) {
      const outcome = await waker.wake(sb.id, port);
      if (socket.destroyed) return;
      if (!outcome.ok) return send(req, socket, wakeFailed(sb, port, outcome));
      up = outcome.upstream;
    }
    if (!proxy) return send(req, socket, retryLater(sb));
    proxy.ws(req, socket, head, sb, up);
  }
}
