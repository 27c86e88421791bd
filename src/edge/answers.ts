/**
 * Every answer the edge writes itself (instead of the app's): its status, a
 * JSON body for API clients and a page for browsers, written to a response or,
 * for an upgrade request, to the raw socket.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { LOG_DIR_REL } from '../domain/layout.js';
import type { Sandbox } from '../domain/sandbox.js';
import { failedPage, gonePage, noAppPage, notFoundPage, unavailablePage, undeclaredPortPage, unauthorizedPage, warmingPage } from './pages.js';
import { servesPort, type PortVerdict } from './port-decide.js';
import type { WakeFailure } from './waker.js';

/** Every answer the edge writes itself carries this header; the warming page's script relies on it. */
export const EDGE_HEADER = 'x-sandboxed-edge';

export interface Answer {
  status: number;
  kind: string;
  json: Record<string, unknown>;
  html?: string;
  headers?: Record<string, string | string[]>;
}

export type Out = ServerResponse | Duplex;

function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

export function send(req: IncomingMessage, out: Out, a: Answer): void {
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

export function notPreview(previewDomain?: string): Answer {
  const where = previewDomain ? `; previews live at s-<id>-<port>.preview.${previewDomain}` : '';
  return { status: 404, kind: 'not-preview', json: { error: `not a preview host${where}` } };
}

export function notFound(id: string): Answer {
  return { status: 404, kind: 'not-found', json: { error: `sandbox ${id} not found` }, html: notFoundPage(id) };
}

export function gone(id: string): Answer {
  return { status: 410, kind: 'gone', json: { error: `sandbox ${id} was deleted` }, html: gonePage(id) };
}

export function unauthorized(id: string, reason: string, headers?: Record<string, string>): Answer {
  return {
    status: 401,
    kind: 'unauthorized',
    json: { error: `${reason}; get one from POST /v1/sandboxes/${id}/preview-token` },
    html: unauthorizedPage({ id, reason }),
    headers,
  };
}

export function undeclaredPort(id: string, port: number, ports: number[], urls: Record<string, string>): Answer {
  const hint = ports.length ? `declared ports: ${ports.join(', ')}` : 'this sandbox declares no ports';
  return {
    status: 404,
    kind: 'undeclared-port',
    json: { error: `port ${port} is not declared for sandbox ${id}; ${hint}`, ports, preview_urls: urls },
    html: undeclaredPortPage({ id, port, urls }),
  };
}

export function tokenAccepted(location: string, cookie: string): Answer {
  return { status: 302, kind: 'token-accepted', json: { redirect: true }, headers: { location, 'set-cookie': cookie } };
}

/**
 * The wake ended without the app: 503 + Retry-After when the start was refused
 * for now (memory), else 502/504 naming the logs to read.
 */
export function wakeFailed(sb: Sandbox, port: number, f: WakeFailure): Answer {
  if (f.retryAfterS !== undefined) return unavailable(sb, port, f.reason, f.retryAfterS);
  if (f.idle) return noApp(sb, port, f.idle);
  const { reason, timedOut } = f;
  const services = sb.spec.services.filter((s) => s.port === port);
  const shown = services.length > 0 ? services : sb.spec.services;
  return {
    status: timedOut ? 504 : 502,
    kind: 'failed',
    json: { error: `sandbox ${sb.id}: ${reason}`, logs: shown.map((s) => `~/${LOG_DIR_REL}/${s.name}.log`) },
    html: failedPage({ id: sb.id, port, reason, services: shown }),
  };
}

/**
 * Nothing is on its way up on the port (port-decide.ts): 502 at once, with the
 * port's state, what the supervisor runs, and what to do about it.
 */
export function noApp(sb: Sandbox, port: number, v: Extract<PortVerdict, { kind: 'answer' }>): Answer {
  const serving = v.services.filter((s) => servesPort(s, port, sb.spec.ports[0]));
  const where = `port ${port} of sandbox ${sb.id}`;
  let error: string;
  let hint: string;
  if (v.portState === 'loopback-only') {
    error = `the app on ${where} listens on localhost only, which the edge cannot reach`;
    hint = `make it listen on 0.0.0.0:${port} (services get HOST=0.0.0.0; Vite needs --host 0.0.0.0)`;
  } else if (serving.length > 0) {
    error = `nothing listens on ${where}; ${serving.map((s) => `service ${s.name} is ${s.state}`).join(', ')}`;
    hint = `read ${serving.map((s) => `~/${LOG_DIR_REL}/${s.name}.log`).join(', ')}; a failed service starts again when its config changes (PATCH /v1/sandboxes/${sb.id} services) or with sandboxed-ctl restart <name>`;
  } else {
    error = `nothing listens on ${where} and no service is declared for it`;
    hint =
      `declare one (PATCH /v1/sandboxes/${sb.id} {"services":[{"name":"web","command":"…","port":${port}}]})` +
      (sb.spec.ports[0] === port ? ', add a "dev" script to package.json (it runs by itself on this port)' : '') +
      `, or start the dev server listening on 0.0.0.0:${port}`;
  }
  return {
    status: 502,
    kind: 'no-app',
    json: { error, hint, port, port_state: v.portState, services: v.services.map((s) => ({ name: s.name, port: s.port ?? sb.spec.ports[0] ?? null, state: s.state })) },
    html: noAppPage({ id: sb.id, port, error, hint }),
  };
}

/** Kind `unavailable`, not `warming`: the warming page's script reloads once instead of polling on. */
function unavailable(sb: Sandbox, port: number, reason: string, retryAfterS: number): Answer {
  return {
    status: 503,
    kind: 'unavailable',
    json: { error: `sandbox ${sb.id}: ${reason}` },
    html: unavailablePage({ id: sb.id, port, reason, retryAfterS }),
    headers: { 'retry-after': String(retryAfterS) },
  };
}

export function retryLater(sb: Sandbox): Answer {
  return {
    status: 503,
    kind: 'warming',
    json: { error: `sandbox ${sb.id} is starting; retry shortly` },
    headers: { 'retry-after': '1' },
  };
}

export function warming(sb: Sandbox, port: number, timeoutMs: number): Answer {
  return { ...retryLater(sb), html: warmingPage({ id: sb.id, port, timeoutMs }) };
}

export function upstreamError(sb: Sandbox, port: number, err: Error): Answer {
  const code = (err as NodeJS.ErrnoException).code ?? err.message;
  return {
    status: 502,
    kind: 'upstream-error',
    json: { error: `could not reach the app on port ${port} of sandbox ${sb.id}` },
    html: failedPage({ id: sb.id, port, reason: `the connection to the app failed (${code})`, services: sb.spec.services }),
  };
}

export function internalError(): Answer {
  return { status: 500, kind: 'error', json: { error: 'internal error; see the daemon log' } };
}
