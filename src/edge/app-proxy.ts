/**
 * The built-in edge's hop to the app: requests through the pooled undici
 * client (upstream-client.ts), WebSocket upgrades through http-proxy-3's
 * tunnel (an upgraded connection is never reused, so a pool buys nothing),
 * streamed both ways. What the app sees is decided here: Host kept, our
 * credentials removed, forwarding headers set by us (we are the edge).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import type { Logger } from 'pino';
import type { Sandbox } from '../domain/sandbox.js';
import type { ActivityTracker } from '../sandboxes/activity.js';
import { send, upstreamError, type Out } from './answers.js';
import { TOKEN_HEADER, stripTokenCookie, withoutTokenParam } from './credentials.js';
import { UpstreamClient } from './upstream-client.js';
import type { Upstream, Upstreams } from './upstreams.js';

export interface AppProxyDeps {
  previewTls: boolean;
  activity: Pick<ActivityTracker, 'begin'>;
  upstreams: Pick<Upstreams, 'invalidate'>;
  log: Logger;
}

export class AppProxy {
  private readonly client = new UpstreamClient();
  // Upgrades only: each WebSocket holds its own connection to the app for its life.
  private readonly agent = new http.Agent({ keepAlive: false });
  private readonly proxy = new ProxyServer({ agent: this.agent, xfwd: false, changeOrigin: false });
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly deps: AppProxyDeps) {
    this.proxy.on('error', (err) => deps.log.debug({ err }, 'proxy socket error'));
  }

  web(req: IncomingMessage, res: ServerResponse, sb: Sandbox, up: Upstream): void {
    this.prepare(req, sb, false);
    this.client.forward(req, res, up, this.onError(sb, up.port, res));
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

  async close(): Promise<void> {
    for (const s of this.upgraded) s.destroy();
    this.agent.destroy();
    await this.client.close();
  }

  /** `?token=` is ours only on private sandboxes; a public app may use it for itself. */
  private prepare(req: IncomingMessage, sb: Sandbox, ws: boolean): void {
    if (sb.spec.visibility === 'private') req.url = withoutTokenParam(req.url ?? '/');
    delete req.headers[TOKEN_HEADER];
    const cookie = stripTokenCookie(req.headers.cookie);
    if (cookie === undefined) delete req.headers.cookie;
    else req.headers.cookie = cookie;
    setForwardingHeaders(req, this.deps.previewTls, ws);
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

/** What the app may believe about the client: only what we saw. Client-sent values never pass. */
const FORWARDING = new Set(['forwarded', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port']);

/**
 * Replaces every forwarding header with the edge's own: X-Forwarded-*,
 * X-Real-IP (the peer address) and RFC 7239 Forwarded (`for`, `host`, `proto`).
 * Underscore spellings (`X_Real_IP`) go too: CGI-style servers read them as the same header.
 */
export function setForwardingHeaders(req: IncomingMessage, tls: boolean, ws: boolean): void {
  for (const name of Object.keys(req.headers)) {
    if (name.includes('_') && FORWARDING.has(name.replaceAll('_', '-'))) delete req.headers[name];
  }
  const peer = req.socket.remoteAddress ?? '';
  const host = req.headers.host ?? '';
  const proto = ws ? (tls ? 'wss' : 'ws') : tls ? 'https' : 'http';
  delete req.headers['x-forwarded-port'];
  req.headers['x-forwarded-for'] = peer;
  req.headers['x-forwarded-proto'] = proto;
  req.headers['x-forwarded-host'] = host;
  req.headers['x-real-ip'] = peer;
  // RFC 7239: an IPv6 node is bracketed and quoted; host is quoted (it may carry a port).
  const forNode = peer.includes(':') ? `"[${peer}]"` : peer || 'unknown';
  req.headers.forwarded = `for=${forNode};host=${JSON.stringify(host)};proto=${tls ? 'https' : 'http'}`;
}
