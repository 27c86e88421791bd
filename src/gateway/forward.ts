/**
 * One model call forwarded to the provider: the agent's path under the
 * grant's base URL, the agent's headers minus hop-by-hop ones and its
 * capability, plus the real key; the response streamed back untouched while
 * a UsageMeter reads a copy. Keep-alive agents keep the provider's TLS
 * session warm, so a call costs no new handshake.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Grant } from '../store/grants.js';
import { UsageMeter, type CallUsage } from './usage.js';

// noDelay: a request's or an SSE frame's bytes go out at once, never held for an ACK (Nagle).
const AGENTS = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256, noDelay: true }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256, noDelay: true }),
};

/** Never forwarded: hop-by-hop headers, the agent's credentials and the host it dialled. */
const DROP_REQUEST = new Set([
  'host', 'connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'authorization', 'x-api-key', 'content-length', 'accept-encoding', 'forwarded', 'x-forwarded-for', 'x-real-ip',
]);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'trailer', 'upgrade', 'proxy-connection']);

export function upstreamHeaders(given: IncomingHttpHeaders, grant: Pick<Grant, 'auth' | 'key'>, bodyBytes: number): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(given)) if (v !== undefined && !DROP_REQUEST.has(k)) out[k] = v;
  // Identity: the usage meter reads the body as it passes; compression buys nothing on the host's own link.
  out['accept-encoding'] = 'identity';
  out['content-length'] = String(bodyBytes);
  if (grant.key !== null && grant.auth === 'x-api-key') out['x-api-key'] = grant.key;
  if (grant.key !== null && grant.auth === 'bearer') out.authorization = `Bearer ${grant.key}`;
  return out;
}

export interface Forwarded {
  status: number;
  usage: CallUsage | null;
}

/** Sends `body` to the provider and streams its answer to `res`; resolves when the answer has ended (or either side went away). */
export function forward(req: IncomingMessage, res: ServerResponse, grant: Grant, pathAndQuery: string, body: Buffer): Promise<Forwarded> {
  const base = new URL(grant.upstream);
  const protocol = base.protocol === 'https:' ? 'https:' : 'http:';
  const mod = protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const up = mod.request(
      {
        protocol,
        hostname: base.hostname,
        port: base.port || (protocol === 'https:' ? 443 : 80),
        method: req.method,
        path: base.pathname.replace(/\/+$/, '') + pathAndQuery,
        headers: upstreamHeaders(req.headers, grant, body.length),
        agent: AGENTS[protocol],
      },
      (ures) => {
        const headers: http.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(ures.headers)) if (v !== undefined && !DROP_RESPONSE.has(k)) headers[k] = v;
        res.writeHead(ures.statusCode ?? 502, headers);
        res.flushHeaders();
        const meter = new UsageMeter(String(ures.headers['content-type'] ?? '').includes('text/event-stream'));
        ures.on('data', (chunk: Buffer) => meter.feed(chunk));
        ures.pipe(res);
        const done = (): void => resolve({ status: ures.statusCode ?? 502, usage: meter.result() });
        ures.once('end', done);
        ures.once('error', done);
        // The agent went away mid-answer: stop reading the provider (the socket is not reused).
        res.once('close', () => {
          if (!ures.complete) ures.destroy();
          done();
        });
      },
    );
    up.on('error', reject);
    // Before any answer: the agent gave up; cancel the call. After a complete answer the socket goes back to the pool.
    res.once('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    up.end(body);
  });
}
