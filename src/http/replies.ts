/**
 * How a route describes itself for the OpenAPI document (./openapi.ts):
 * `op()` names the operation, `replies()` lists every status it answers. A
 * route without responses does not start (./route-check.ts).
 *
 * Operation ids and tags are what a generated client is named after: keep
 * them stable. The original paths get the same id with `Legacy` appended.
 */
import type { z } from 'zod';
import { errorSchema } from './responses.js';

export const TAGS = [
  { name: 'sandboxes', description: 'Create, inspect, change, stop, start and delete sandboxes' },
  { name: 'exec', description: 'Run commands in a sandbox' },
  { name: 'files', description: 'The sandbox’s files, served from the host: they work while it sleeps and never wake it' },
  { name: 'services', description: 'What the sandbox runs at every start' },
  { name: 'previews', description: 'Tokens for private previews' },
  { name: 'terminals', description: 'Terminal sessions over WebSocket: attach, detach, reconnect and replay' },
  { name: 'logs', description: 'Logs of background execs and services: the tail, or followed live (SSE)' },
  { name: 'tasks', description: 'Coding agents (OpenCode, Claude Code) running in a sandbox, and their event streams' },
  { name: 'snapshots', description: 'Copies of a workspace: restore one, fork a sandbox from one, undo an agent task' },
  { name: 'events', description: 'Lifecycle events of every sandbox (SSE, replayable) and their webhook deliveries' },
  { name: 'images', description: 'The images sandboxes may run (SANDBOXD_IMAGES) and the builds they run' },
  { name: 'system', description: 'Health, readiness, this document, metrics, settings and resource use' },
  { name: 'session', description: 'The dashboard’s sign-in: an API token exchanged for a session cookie' },
  { name: 'admin', description: 'Operator actions' },
  { name: 'legacy', description: 'The original paths: same requests and answers as their /v1/sandboxes twins' },
];

/**
 * Pages for browsers, not API operations: the reference (HTML and assets from
 * @fastify/swagger-ui) and the dashboard's static files (./ui.ts). They hold
 * nothing of this installation, so they are open; the document leaves them out.
 */
export const DOC_PATHS = ['/docs', '/ui'];

/** Routes that answer without a token: probes, the description of the API itself, the pages, and the sign-in. */
export function isOpenRoute(pattern: string | undefined): boolean {
  if (pattern === undefined) return false;
  if (['/healthz', '/readyz', '/openapi.json', '/v1/session'].includes(pattern)) return true;
  return DOC_PATHS.some((p) => pattern === p || pattern.startsWith(`${p}/`));
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 421 | 429 | 500 | 502 | 503;

/** Statuses a route with a body can answer before its handler runs: malformed JSON, a body over the limit, a form or text body. */
export const BODY_ERRORS = [400, 413, 415] as const satisfies readonly ErrorStatus[];

export const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted: runs on in the background',
  '400': 'Invalid request: the message names the field',
  '401': 'No bearer token, or a wrong one (when the daemon has SANDBOXD_API_TOKENS)',
  '403': 'A browser request from an origin not in SANDBOXD_API_ALLOWED_ORIGINS, or a token without admin on an operator route',
  '404': 'No such sandbox, task, file or route (another token’s sandbox is not found either)',
  '409': 'Conflicts with the current state',
  '413': 'The body or the file is larger than allowed',
  '415': 'The body is not JSON (or bytes, where an upload takes them)',
  '421': 'The Host header does not name this API (SANDBOXD_API_HOSTNAMES)',
  '429': 'A cap is reached (terminal sessions, viewers of one) or a token quota (the message names it): end something first',
  '500': 'Internal error; the daemon log has the details under this request’s id',
  '502': 'The Docker engine failed; the message keeps its words',
  '503': 'Refused for now (memory, disk, network isolation): retry after Retry-After seconds',
};

const ERROR_EXAMPLES: Record<string, string> = {
  '400': 'body.ports: ports must be unique',
  '401': 'missing or invalid bearer token',
  '403': 'origin "https://evil.example" may not call this API; allow it in SANDBOXD_API_ALLOWED_ORIGINS',
  '404': 'sandbox demo not found',
  '409': 'sandbox demo already exists',
  '413': 'file is larger than SANDBOXD_MAX_FILE_BYTES (52428800)',
  '415': 'content type "text/plain" is not accepted; send JSON with content-type: application/json',
  '421': 'host "rebind.example:9090" is not a name of this API; add it to SANDBOXD_API_HOSTNAMES if it is one',
  '429': 'sandbox demo has 8 terminal sessions, the most SANDBOXD_PTY_MAX_PER_SANDBOX allows; end one first',
  '500': 'internal error; see the daemon log',
  '502': 'docker create: No such image: sandboxed/sandbox:latest',
  '503': 'not enough memory to start sandbox demo: 300 MiB available, 768 MiB needed; retry later',
};

export function errorExample(status: string): { example?: { error: string } } {
  const text = ERROR_EXAMPLES[status];
  return text === undefined ? {} : { example: { error: text } };
}

/** A response (or body) that is not plain JSON: SSE, bytes, JSON next to bytes, or none (101). Schemas are zod or JSON Schema. */
export interface ContentForm {
  description?: string;
  content?: Record<string, { schema: z.ZodType | Record<string, unknown>; example?: unknown }>;
}

export function isContentForm(x: unknown): x is ContentForm {
  return typeof x === 'object' && x !== null && !('_zod' in x) && ('content' in x || 'description' in x);
}

/**
 * A WebSocket route's answer: OpenAPI has no WebSocket object, so the route is a
 * GET that answers 101, and `description` says what the messages are.
 */
export function websocketUpgrade(description: string): ContentForm {
  return { description: `Switching Protocols: the connection becomes a WebSocket. ${description}` };
}

type Errors = Record<ErrorStatus, typeof errorSchema>;

/** The route's answers: its own, the errors it names, and those every route may give (auth, browser guard, internal). */
export function replies<T extends Record<number, z.ZodType | ContentForm>>(ok: T, ...errors: ErrorStatus[]): T & Errors {
  return openReplies(ok, 401, ...errors);
}

/** As replies(), for the routes that take no token. */
export function openReplies<T extends Record<number, z.ZodType | ContentForm>>(ok: T, ...errors: ErrorStatus[]): T & Errors {
  const all = new Set<ErrorStatus>([...errors, 403, 421, 500]);
  return { ...ok, ...Object.fromEntries([...all].sort().map((s) => [s, errorSchema])) } as unknown as T & Errors;
}

function isLegacy(path: string): boolean {
  return /^\/sandbox(es)?(\/|$)/.test(path);
}

/** The operation's names. On an original path: the same id + `Legacy`, tagged legacy. */
export function op(path: string, id: string, tag: string, summary: string, description?: string) {
  const legacy = isLegacy(path);
  return {
    operationId: legacy ? `${id}Legacy` : id,
    tags: [legacy ? 'legacy' : tag],
    summary,
    ...(description ? { description } : {}),
    ...(isOpenRoute(path) ? { security: [] } : {}),
  };
}
