/**
 * The edge's HTTP server: a raw node:http server (not Fastify, for
 * throughput) that serves preview hosts only. In `proxy` mode (the built-in
 * edge) it streams requests, responses and WebSocket upgrades to the
 * container with http-proxy-3, waking stopped sandboxes on the way. In
 * `wake-only` mode (behind Traefik) it answers Traefik's catch-all router
 * (wake, warming page, 503 until the route exists) and the forward-auth check.
 * The control-plane API is a separate listener: no request here reaches it.
 */
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { GoneError, NotFoundError } from '../errors.js';
import type { ActivityTracker } from '../sandboxes/activity.js';
import type { Sandbox } from '../sandboxes/types.js';
import { parsePreviewHost, previewUrl, type PreviewTarget } from './hosts.js';
import { failedPage, gonePage, notFoundPage, undeclaredPortPage, unauthorizedPage, warmingPage } from './pages.js';
import {
  clearTokenCookie,
  parseCookies,
  queryToken,
  stripTokenCookie,
  TOKEN_COOKIE,
  TOKEN_HEADER,
  tokenCookie,
  withoutTokenParam,
  type PreviewTokens,
} from './tokens.js';
import {
  afterHold,
  decideAccess,
  decideWake,
  isBrowserNavigation,
  type AccessFacts,
  type Upstream,
  type Upstreams,
  type Waker,
} from './wake.js';

export const FORWARD_AUTH_PATH = '/_sandboxed/forward-auth';
/** Every answer the edge writes itself carries this header; the warming page's script relies on it. */
export const EDGE_HEADER = 'x-sandboxed-edge';

export type EdgeServerConfig = Pick<Config, 'previewDomain' | 'httpPort' | 'previewTls' | 'wakeTimeoutMs'>;

export interface EdgeServerDeps {
  mode: 'proxy' | 'wake-only';
  config: EdgeServerConfig;
  sandboxes: { getForEdge(id: string): Sandbox; touch(id: string): void; readonly activity: Pick<ActivityTracker, 'begin'> };
  tokens: PreviewTokens;
  upstreams: Upstreams;
  waker: Waker;
  log: Logger;
}

interface Answer {
  status: number;
  kind: string;
  json: Record<string, unknown>;
  html?: string;
  headers?: Record<string, string | string[]>;
}

type Out = ServerResponse | Duplex;

function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function send(req: IncomingMessage, out: Out, a: Answer): void {
  const html = a.html !== undefined && wantsHtml(req);
  const body = html ? a.html! : JSON.stringify(a.json);
  const headers: Record<string, string | string[]> = {
    ...a.headers,
    'content-type': html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    [EDGE_HEADER]: a.kind,
  };
  if ('writeHead' in out) {
    if (out.headersSent) return void out.destroy();
    out.writeHead(a.status, headers);
    out.end(body);
    return;
  }
  // An upgrade request: there is no ServerResponse, only the raw socket.
  const lines = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${x}\r\n`));
  out.end(`HTTP/1.1 ${a.status} ${STATUS_CODES[a.status]}\r\n${lines.join('')}connection: close\r\n\r\n${body}`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

type Admitted = { sb: Sandbox; port: number } | { answer: Answer };

export function createEdgeServer(deps: EdgeServerDeps): { server: http.Server; close(): Promise<void> } {
  const { mode, config, sandboxes, tokens, upstreams, waker, log } = deps;
  const canProxy = mode === 'proxy';
  // Keep-alive to the apps; no socket cap, since WebSockets and SSE hold theirs for long.
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000 });
  const proxy = new ProxyServer({ agent, xfwd: false, changeOrigin: false });
  proxy.on('error', (err) => log.debug({ err }, 'proxy socket error'));
  const upgraded = new Set<Duplex>();

  const urlsOf = (sb: Sandbox): Record<string, string> =>
    Object.fromEntries(sb.spec.ports.map((p) => [String(p), previewUrl(sb.id, p, config)]));

  const lookup = (id: string): Sandbox | 'unknown' | 'gone' => {
    try {
      return sandboxes.getForEdge(id);
    } catch (err) {
      if (err instanceof NotFoundError) return 'unknown';
      if (err instanceof GoneError) return 'gone';
      throw err;
    }
  };

  /** The first token offered (query, header, cookie), checked against this sandbox. */
  const findToken = (sb: Sandbox, url: string, req: IncomingMessage): AccessFacts['token'] => {
    const fromQuery = queryToken(url);
    if (fromQuery !== undefined) return { source: 'query', check: tokens.check(sb, fromQuery) };
    const fromHeader = header(req, TOKEN_HEADER);
    if (fromHeader) return { source: 'header', check: tokens.check(sb, fromHeader.trim()) };
    const fromCookie = parseCookies(req.headers.cookie).get(TOKEN_COOKIE);
    if (fromCookie) return { source: 'cookie', check: tokens.check(sb, fromCookie) };
    return null;
  };

  /** Who may reach what: decided before any wake. `absolute` builds redirects for Traefik's forward-auth. */
  const admit = (req: IncomingMessage, target: PreviewTarget, url: string, method: string, absolute?: string): Admitted => {
    const found = lookup(target.id);
    const sb = typeof found === 'string' ? null : found;
    const token = sb && sb.spec.visibility === 'private' ? findToken(sb, url, req) : null;
    const d = decideAccess({
      sandbox: sb ? { ports: sb.spec.ports, visibility: sb.spec.visibility } : (found as 'unknown' | 'gone'),
      port: target.port,
      method,
      token,
    });
    const id = target.id;
    switch (d.kind) {
      case 'not-found':
        return { answer: { status: 404, kind: 'not-found', json: { error: `sandbox ${id} not found` }, html: notFoundPage(id) } };
      case 'gone':
        return { answer: { status: 410, kind: 'gone', json: { error: `sandbox ${id} was deleted` }, html: gonePage(id) } };
      case 'unauthorized':
        return {
          answer: {
            status: 401,
            kind: 'unauthorized',
            json: { error: `${d.reason}; get one from POST /v1/sandboxes/${id}/preview-token` },
            html: unauthorizedPage({ id, reason: d.reason }),
            headers: d.clearCookie ? { 'set-cookie': clearTokenCookie(config.previewTls) } : undefined,
          },
        };
      case 'undeclared-port': {
        const urls = urlsOf(sb!);
        const hint = d.ports.length ? `declared ports: ${d.ports.join(', ')}` : 'this sandbox declares no ports';
        return {
          answer: {
            status: 404,
            kind: 'undeclared-port',
            json: { error: `port ${target.port} is not declared for sandbox ${id}; ${hint}`, ports: d.ports, preview_urls: urls },
            html: undeclaredPortPage({ id, port: target.port, urls }),
          },
        };
      }
      case 'set-cookie-redirect': {
        const check = token!.check;
        const maxAge = check.ok ? tokens.secondsLeft(check.claims) : 0;
        return {
          answer: {
            status: 302,
            kind: 'token-accepted',
            json: { redirect: true },
            headers: {
              location: `${absolute ?? ''}${withoutTokenParam(url)}`,
              'set-cookie': tokenCookie(queryToken(url)!, maxAge, config.previewTls),
            },
          },
        };
      }
      case 'allow':
        return { sb: sb!, port: target.port };
    }
  };

  /**
   * What the app sees: Host kept, our credentials removed, forwarding headers set by us (we are
   * the edge). `?token=` is ours only on private sandboxes; a public app may use it for itself.
   */
  const prepareUpstreamRequest = (req: IncomingMessage, sb: Sandbox, ws: boolean): void => {
    if (sb.spec.visibility === 'private') req.url = withoutTokenParam(req.url ?? '/');
    delete req.headers[TOKEN_HEADER];
    const cookie = stripTokenCookie(req.headers.cookie);
    if (cookie === undefined) delete req.headers.cookie;
    else req.headers.cookie = cookie;
    const scheme = config.previewTls ? 'https' : 'http';
    req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    req.headers['x-forwarded-proto'] = ws ? (config.previewTls ? 'wss' : 'ws') : scheme;
    req.headers['x-forwarded-host'] = req.headers.host ?? '';
  };

  const failedAnswer = (sb: Sandbox, port: number, reason: string, timedOut: boolean): Answer => {
    const services = sb.spec.services.filter((s) => s.port === port);
    const shown = services.length > 0 ? services : sb.spec.services;
    return {
      status: timedOut ? 504 : 502,
      kind: 'failed',
      json: { error: `sandbox ${sb.id}: ${reason}`, logs: shown.map((s) => `~/.sandboxed/logs/${s.name}.log`) },
      html: failedPage({ id: sb.id, port, reason, services: shown }),
    };
  };

  const retryLater = (sb: Sandbox): Answer => ({
    status: 503,
    kind: 'warming',
    json: { error: `sandbox ${sb.id} is starting; retry shortly` },
    headers: { 'retry-after': '1' },
  });

  const warming = (sb: Sandbox, port: number): Answer => ({
    status: 503,
    kind: 'warming',
    json: { error: `sandbox ${sb.id} is starting; retry shortly` },
    html: warmingPage({ id: sb.id, port, timeoutMs: config.wakeTimeoutMs }),
    headers: { 'retry-after': '1' },
  });

  const onProxyError = (sb: Sandbox, port: number, out: Out) => (err: Error) => {
    upstreams.invalidate(sb.id);
    log.warn({ sandboxId: sb.id, port, err: (err as NodeJS.ErrnoException).code ?? err.message }, 'proxy to the app failed');
    if ('writeHead' in out && !out.headersSent) {
      send(out.req, out, {
        status: 502,
        kind: 'upstream-error',
        json: { error: `could not reach the app on port ${port} of sandbox ${sb.id}` },
        html: failedPage({ id: sb.id, port, reason: `the connection to the app failed (${(err as NodeJS.ErrnoException).code ?? err.message})`, services: sb.spec.services }),
      });
    } else {
      out.destroy();
    }
  };

  const proxyWeb = (req: IncomingMessage, res: ServerResponse, sb: Sandbox, up: Upstream): void => {
    prepareUpstreamRequest(req, sb, false);
    proxy.web(req, res, { target: { host: up.ip, port: up.port, protocol: 'http:' } }, onProxyError(sb, up.port, res));
  };

  const serveWeb = async (req: IncomingMessage, res: ServerResponse, sb: Sandbox, port: number): Promise<void> => {
    sandboxes.touch(sb.id);
    const browser = isBrowserNavigation(req.method, req.headers.accept);
    const up = await upstreams.ready(sb, port);
    const decision = decideWake({ appUp: up !== null, canProxy, browser, wake: waker.state(sb.id, port) });
    switch (decision) {
      case 'proxy':
        return proxyWeb(req, res, sb, up!);
      case 'retry-later':
        return send(req, res, retryLater(sb));
      case 'warming-page':
        if (!up) void waker.wake(sb.id, port);
        return send(req, res, warming(sb, port));
      case 'failed-page': {
        const f = waker.takeFailure(sb.id, port) ?? { reason: 'the last start did not finish', timedOut: true };
        return send(req, res, failedAnswer(sb, port, f.reason, f.timedOut));
      }
      case 'hold': {
        const outcome = await waker.wake(sb.id, port);
        if (req.socket.destroyed) return;
        const next = afterHold(outcome.ok, canProxy);
        if (next === 'proxy' && outcome.ok) return proxyWeb(req, res, sb, outcome.upstream);
        if (next === 'retry-later') return send(req, res, retryLater(sb));
        if (!outcome.ok) return send(req, res, failedAnswer(sb, port, outcome.reason, outcome.timedOut));
      }
    }
  };

  /** Traefik asks here before every preview request (X-Forwarded-Host/Uri/Method describe it). */
  const forwardAuth = (req: IncomingMessage, res: ServerResponse): void => {
    const host = header(req, 'x-forwarded-host');
    const uri = header(req, 'x-forwarded-uri') ?? '/';
    const method = header(req, 'x-forwarded-method') ?? 'GET';
    const target = parsePreviewHost(host, config.previewDomain);
    if (!target) return send(req, res, { status: 403, kind: 'not-preview', json: { error: 'not a preview host' } });
    const proto = header(req, 'x-forwarded-proto') === 'https' ? 'https' : 'http';
    const admitted = admit(req, target, uri, method, `${proto}://${host}`);
    // Unknown, deleted and undeclared are answered by the wake endpoint behind the catch-all router.
    if ('answer' in admitted && [404, 410].includes(admitted.answer.status)) return void res.writeHead(200).end();
    if ('answer' in admitted) return send(req, res, admitted.answer);
    sandboxes.touch(target.id);
    // Traefik replaces the forwarded request's Cookie and token header with what we answer
    // (authResponseHeaders): nothing for the token, the cookies minus ours.
    const cookie = stripTokenCookie(req.headers.cookie);
    res.writeHead(200, cookie ? { cookie } : {}).end();
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = parsePreviewHost(req.headers.host, config.previewDomain);
    if (!target) {
      if (!canProxy && (req.url ?? '').split('?')[0] === FORWARD_AUTH_PATH) return forwardAuth(req, res);
      return send(req, res, {
        status: 404,
        kind: 'not-preview',
        json: { error: `not a preview host; previews live at s-<id>-<port>.preview.${config.previewDomain}` },
      });
    }
    const admitted = admit(req, target, req.url ?? '/', req.method ?? 'GET');
    if ('answer' in admitted) return send(req, res, admitted.answer);
    await serveWeb(req, res, admitted.sb, admitted.port);
  };

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => socket.destroy());
    const target = parsePreviewHost(req.headers.host, config.previewDomain);
    if (!target) return send(req, socket, { status: 404, kind: 'not-preview', json: { error: 'not a preview host' } });
    const admitted = admit(req, target, req.url ?? '/', 'UPGRADE');
    if ('answer' in admitted) return send(req, socket, admitted.answer);
    const { sb, port } = admitted;
    sandboxes.touch(sb.id);
    let up = await upstreams.ready(sb, port);
    if (!up) {
      const outcome = await waker.wake(sb.id, port);
      if (socket.destroyed) return;
      if (!outcome.ok) return send(req, socket, failedAnswer(sb, port, outcome.reason, outcome.timedOut));
      up = outcome.upstream;
    }
    if (!canProxy) return send(req, socket, retryLater(sb));
    prepareUpstreamRequest(req, sb, true);
    // An open WebSocket is activity for as long as it lives (Vite HMR keeps a tab's sandbox awake).
    const end = sandboxes.activity.begin(sb.id);
    upgraded.add(socket);
    socket.once('close', () => {
      upgraded.delete(socket);
      end();
    });
    proxy.ws(req, socket, head, { target: { host: up.ip, port: up.port, protocol: 'http:' } }, onProxyError(sb, port, socket));
  };

  const server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000 });
  const failSafe = (out: Out, req: IncomingMessage) => (err: unknown) => {
    log.error({ err }, 'edge request failed');
    send(req, out, { status: 500, kind: 'error', json: { error: 'internal error; see the daemon log' } });
  };
  server.on('request', (req, res) => void onRequest(req, res).catch(failSafe(res, req)));
  server.on('upgrade', (req, socket, head) => void onUpgrade(req, socket, head).catch(failSafe(socket, req)));

  return {
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of upgraded) s.destroy();
      agent.destroy();
      await closed;
    },
  };
}
