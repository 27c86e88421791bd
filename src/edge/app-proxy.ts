/**
 * The built-in edge's hop to the app: http-proxy-3 over a keep-alive agent,
 * streamed both ways, WebSocket upgrades included. What the app sees is
 * decided here: Host kept, our credentials removed, forwarding headers set by
 * us (we are the edge).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import type { Logger } from 'pino';
import type { Sandbox } from '../domain/sandbox.js';
import type { ActivityTracker } from '../sandboxes/activity.js';
import { send, upstreamError, type Out } from './answers.js';
import { TOKEN_HEADER, stripTokenCookie, withoutTokenParam } from './credentials.js';
import type { Upstream, Upstreams } from './upstreams.js';

export interface AppProxyDeps {
  previewTls: boolean;
  activity: Pick<ActivityTracker, 'begin'>;
  upstreams: Pick<Upstreams, 'invalidate'>;
  log: Logger;
}

export class AppProxy {
  // Keep-alive to the apps; no socket cap, since WebSockets and SSE hold theirs for long.
  private readonly agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000 });
  private readonly proxy = new ProxyServer({ agent: this.agent, xfwd: false, changeOrigin: false });
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly deps: AppProxyDeps) {
    this.proxy.on('error', (err) => deps.log.debug({ err }, 'proxy socket error'));
  }

  web(req: IncomingMessage, res: ServerResponse, sb: Sandbox, up: Upstream): void {
    this.prepare(req, sb, false);
    this.proxy.web(req, res, { target: { host: up.ip, port: up.port, protocol: 'http:' } }, this.onError(sb, up.port, res));
  }

  ws(req: IncomingMessage, socket: Duplex, head: Buffer, sb: Sandbox, up: Upstream): void {
    this.prepare(req, sb, true);
    // An open WebSocket is activity for as long as it lives (Vite HMR keeps a tab's sandbox awake).
    const end = this.deps.activity.begin(sb.id);
    this.upgraded.add(socket);
    socket.once('close', () => {
      this.upgraded.delete(socket);
      end();
    });
    this.proxy.ws(req, socket, head, { target: { host: up.ip, port: up.port, protocol: 'http:' } }, this.onError(sb, up.port, socket));
  }

  close(): void {
    for (const s of this.upgraded) s.destroy();
    this.agent.destroy();
  }

  /** `?token=` is ours only on private sandboxes; a public app may use it for itself. */
  private prepare(req: IncomingMessage, sb: Sandbox, ws: boolean): void {
    if (sb.spec.visibility === 'private') req.url = withoutTokenParam(req.url ?? '/');
    delete req.headers[TOKEN_HEADER];
    const cookie = stripTokenCookie(req.headers.cookie);
    if (cookie === undefined) delete req.headers.cookie;
    else req.headers.cookie = cookie;
    const tls = this.deps.previewTls;
    req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    req.headers['x-forwarded-proto'] = ws ? (tls ? 'wss' : 'ws') : tls ? 'https' : 'http';
    req.headers['x-forwarded-host'] = req.headers.host ?? '';
  }

  private onError(sb: Sandbox, port: number, out: Out) {
    return (err: Error): void => {
      this.deps.upstreams.invalidate(sb.id);
      this.deps.log.warn({ sandboxId: sb.id, port, err: (err as NodeJS.ErrnoException).code ?? err.message }, 'proxy to the app failed');
      if ('writeHead' in out && !out.headersSent) send(out.req, out, upstreamError(sb, port, err));
      else out.destroy();
    };
  }
}
