/**
 * The pooled HTTP client behind the built-in edge: undici keeps keep-alive
 * connections per app address (one pool per ip:port, dropped when its last
 * connection closes) and the request and response stream through without
 * buffering, backpressure both ways. No pipelining: a streamed response (SSE,
 * a download) would hold every request queued behind it on that connection,
 * and in bench/proxy-clients.ts it helped only with many more connections
 * than a preview gets (README, Benchmarks).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import type { Upstream } from './upstreams.js';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never
 * forwarded; `expect` is answered by our own server (Node sends the 100 Continue).
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'http2-settings']);

/** Header names `Connection` lists: hop-by-hop too. */
function connectionNames(v: string | string[] | undefined): string[] {
  // The usual values name no header: no split per request for them.
  if (v === undefined || v === 'keep-alive' || v === 'close' || v === 'Keep-Alive') return [];
  return (Array.isArray(v) ? v.join(',') : v).toLowerCase().split(',').map((s) => s.trim());
}

/** The headers minus hop-by-hop ones, both ways, as a new object (deleting from the parsed one is slower). */
export function endToEndHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = connectionNames(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined || HOP_BY_HOP.has(name) || (named.length > 0 && named.includes(name))) continue;
    out[name] = v;
  }
  return out;
}

/**
 * A kept-alive connection the app closed while our request was on its way
 * (the usual race of idle keep-alive): the app never saw the request, so a
 * request without a body that changes nothing may go again, once, on a fresh
 * connection, before anything was answered (as nginx's proxy_next_upstream does).
 */
const STALE_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
const REPEATABLE = new Set(['GET', 'HEAD', 'OPTIONS']);

function repeatable(req: IncomingMessage, err: Error): boolean {
  return REPEATABLE.has(req.method ?? 'GET') && !hasBody(req) && STALE_CONNECTION.has((err as NodeJS.ErrnoException).code ?? '');
}

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

export class UpstreamClient {
  private readonly agent = new Agent({
    keepAliveTimeout: 10_000,
    pipelining: 1,
    // Apps may think for long and stream forever (SSE): no time limit here, as before undici.
    headersTimeout: 0,
    bodyTimeout: 0,
  });

  /**
   * Sends the request to the app and streams its answer into `res`. `onError`
   * gets failures before the answer started (the caller answers 502); after
   * that the client's connection is cut, as a proxy must.
   */
  forward(req: IncomingMessage, res: ServerResponse, up: Upstream, onError: (err: Error) => void, attempt = 0): void {
    let controller: Dispatcher.DispatchController | null = null;
    let started = false;
    const cut = (): void => controller?.abort(new Error('client went away'));
    res.once('close', () => {
      if (!res.writableFinished) cut();
    });
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart: (c) => {
        controller = c;
        if (res.destroyed) cut();
      },
      onResponseStart: (c, status, headers, statusMessage) => {
        if (status < 200) return; // 1xx informational: Node's server speaks its own.
        try {
          res.writeHead(status, statusMessage || undefined, endToEndHeaders(headers));
        } catch (err) {
          // A header Node refuses to write: the client gets our 502, not a broken answer.
          return c.abort(err as Error);
        }
        started = true;
        res.on('drain', () => c.resume());
      },
      onResponseData: (c, chunk) => {
        if (!res.write(chunk)) c.pause();
      },
      onResponseEnd: () => {
        res.end();
      },
      onResponseError: (_c, err) => {
        if (started || res.headersSent) res.destroy(err);
        else if (attempt === 0 && !res.destroyed && repeatable(req, err)) this.forward(req, res, up, onError, 1);
        else onError(err);
      },
    };
    this.agent.dispatch(
      {
        origin: `http://${up.ip}:${up.port}`,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: endToEndHeaders(req.headers),
        body: hasBody(req) ? req : null,
      },
      handler,
    );
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}
