/**
 * The model gateway: an HTTP server on the sandbox bridge's host address
 * (admitted for sandboxes by the isolation rules). An agent calls it with a
 * capability as its key; the gateway checks the capability (signature, the
 * task's grant still there, the caller's address is the task's sandbox),
 * the path (model calls only), the budgets, then forwards the call with the
 * real key and records the usage the provider reports on the task.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isTerminal, type Task, type Usage } from '../domain/task.js';
import type { SandboxAddresses } from '../sandboxes/addresses.js';
import type { GrantStore, GatewayApi } from '../store/grants.js';
import { dayOf, overBudget, type BudgetConfig, type Spend } from './budget.js';
import { claimedTask, verifyCapability } from './capability.js';
import { forward } from './forward.js';
import type { Prices } from './prices.js';

/** Connections one address may hold open (an agent uses a handful); more are closed at once. */
export const MAX_CONNECTIONS_PER_SOURCE = 256;
/** A request must arrive (headers, then body) within these: answers may stream for as long as they take. */
const HEADERS_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 300_000;
/** A request body larger than this is refused (413): real model calls with long contexts are a few MiB. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/** Model calls only: no file uploads, batches, fine-tuning or admin endpoints with the operator's key. */
const MODEL_PATH = /^(\/v1)?\/(messages(\/count_tokens)?|chat\/completions|completions|responses|embeddings|models(\/[A-Za-z0-9._:-]{1,128})?)$/;

/** What the gateway needs of the task service (wired in the composition root). */
export interface GatewayTasks {
  get(taskId: string): Task | undefined;
  /** Adds one call's usage to the task (a `usage` event) and returns the task's total. */
  recordUsage(taskId: string, usage: Usage): Usage;
  /** Ends the task, failed, with this reason (the agent is stopped). */
  stopForBudget(taskId: string, reason: string): void;
  spent(day: string, apiToken: string | null): Spend;
}

export interface GatewayDeps {
  key: Buffer;
  grants: Pick<GrantStore, 'get'>;
  tasks: GatewayTasks;
  addresses: Pick<SandboxAddresses, 'whoIs'>;
  prices: Prices;
  budgets: BudgetConfig;
  log: Logger;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function errorBody(api: GatewayApi, status: number, message: string): string {
  const text = `sandboxed gateway: ${message}`;
  if (api === 'anthropic') {
    const type = status === 401 ? 'authentication_error' : status === 403 || status === 402 ? 'permission_error' : status === 404 ? 'not_found_error' : 'api_error';
    return JSON.stringify({ type: 'error', error: { type, message: text } });
  }
  return JSON.stringify({ error: { message: text, type: status === 402 ? 'insufficient_quota' : 'invalid_request_error', code: null } });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > MAX_REQUEST_BYTES) {
        req.destroy();
        reject(new Refused(413, `request body over ${MAX_REQUEST_BYTES} bytes`));
      } else chunks.push(c);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** OpenAI-compatible streams report usage only when asked: the gateway always asks, so no call goes uncounted. */
export function askForStreamUsage(path: string, body: Buffer): Buffer {
  if (!path.endsWith('/chat/completions') || !body.includes('"stream"')) return body;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (parsed.stream !== true) return body;
    const opts = parsed.stream_options && typeof parsed.stream_options === 'object' ? parsed.stream_options : {};
    parsed.stream_options = { ...opts, include_usage: true };
    return Buffer.from(JSON.stringify(parsed));
  } catch {
    return body;
  }
}

export class ModelGateway {
  private server: http.Server | null = null;
  private bound: string | null = null;
  private readonly open = new Map<string, number>();

  constructor(private readonly deps: GatewayDeps) {}

  /** The base URL agents are given, once listening. */
  url(): string | null {
    return this.bound;
  }

  async listen(address: string, port: number): Promise<void> {
    await this.close();
    const server = http.createServer(
      { noDelay: true, keepAlive: true, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
      (req, res) => void this.handle(req, res),
    );
    server.on('connection', (socket) => {
      const source = socket.remoteAddress ?? '';
      const count = (this.open.get(source) ?? 0) + 1;
      if (count > MAX_CONNECTIONS_PER_SOURCE) return void socket.destroy();
      this.open.set(source, count);
      socket.once('close', () => {
        const left = (this.open.get(source) ?? 1) - 1;
        if (left <= 0) this.open.delete(source);
        else this.open.set(source, left);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    this.server = server;
    this.bound = `http://${address}:${port}`;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    this.bound = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    let api: GatewayApi = req.headers['x-api-key'] !== undefined ? 'anthropic' : 'openai';
    let taskId: string | null = null;
    try {
      const token = String(req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '');
      taskId = claimedTask(token);
      if (!taskId) throw new Refused(401, 'not a capability token');
      const grant = this.deps.grants.get(taskId);
      const task = this.deps.tasks.get(taskId);
      if (!grant || !task || isTerminal(task.status)) throw new Refused(401, 'capability revoked: the task has ended');
      api = grant.api;
      if (!verifyCapability(this.deps.key, token, taskId, grant.sandboxId)) throw new Refused(401, 'not a capability token');
      const from = await this.deps.addresses.whoIs(req.socket.remoteAddress ?? '');
      if (from?.sandboxId !== grant.sandboxId) throw new Refused(403, "capability used from outside the task's sandbox");
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (!MODEL_PATH.test(url.pathname)) throw new Refused(404, `${url.pathname.slice(0, 100)} is not a model call`);
      this.checkBudget(task);
      const body = askForStreamUsage(url.pathname, await readBody(req));
      const out = await forward(req, res, grant, url.pathname + url.search, body);
      if (out.usage) this.record(task, out.usage);
      this.deps.log.debug({ taskId, sandboxId: grant.sandboxId, path: url.pathname, status: out.status, ms: Date.now() - started }, 'model call');
    } catch (err) {
      const refused = err instanceof Refused ? err : new Refused(502, `the provider could not be reached: ${(err as Error).message}`);
      if (refused.status !== 402) this.deps.log.info({ taskId, status: refused.status, reason: refused.message }, 'model call refused');
      if (!res.headersSent) res.writeHead(refused.status, { 'content-type': 'application/json' }).end(errorBody(api, refused.status, refused.message));
      else res.destroy();
    }
  }

  private checkBudget(task: Task): void {
    const day = dayOf(Date.now());
    const reason = overBudget(
      {
        task: task.gatewayUsage,
        maxTokensTotal: task.maxTokensTotal,
        maxCostUsd: task.maxCostUsd,
        token: this.deps.tasks.spent(day, task.apiToken),
        all: this.deps.tasks.spent(day, null),
      },
      this.deps.budgets,
    );
    if (!reason) return;
    this.deps.log.warn({ taskId: task.id, sandboxId: task.sandboxId, reason }, 'model call refused: over budget; ending the task');
    this.deps.tasks.stopForBudget(task.id, reason);
    throw new Refused(402, reason);
  }

  private record(task: Task, call: { model: string | null; inputTokens: number; outputTokens: number }): void {
    const cost = this.deps.prices.cost(call.model ?? task.model, call.inputTokens, call.outputTokens);
    this.deps.tasks.recordUsage(task.id, { input_tokens: call.inputTokens, output_tokens: call.outputTokens, cost_usd: cost });
  }
}
