/**
 * The client: `new Sandboxed({ url, token })`. Works wherever fetch does
 * (Node ≥ 20, browsers); terminals also need a WebSocket (see ./websocket.ts).
 */
import { Events } from './events.js';
import { Http, type HttpOptions } from './http.js';
import { Sandbox } from './sandbox.js';
import { Session } from './session.js';
import type { operations } from './generated/api.js';
import type { CreateSandboxInput, ReconcileResult, SandboxFilter, SandboxPageOptions, SandboxUsage, Snapshot, SystemInfo } from './types.js';
import type { WebSocketConstructor } from './websocket.js';

/** One page of sandboxes; `next_cursor` (null on the last) is the `cursor` of the next. */
export interface SandboxPage {
  sandboxes: Sandbox[];
  next_cursor: string | null;
}

type ListQuery = NonNullable<operations['listSandboxes']['parameters']['query']>;

/** The list's query string: `metadata: {user: '42'}` is `metadata.user=42` (an exact match; several are ANDed). */
function listQuery(opts: SandboxPageOptions): Record<string, string | number | undefined> {
  const query: Record<string, string | number | undefined> = { status: opts.status, limit: opts.limit, cursor: opts.cursor };
  for (const [key, value] of Object.entries(opts.metadata ?? {})) query[`metadata.${key}`] = value;
  return query;
}

export interface SandboxedOptions extends HttpOptions {
  /** The WebSocket for terminals (default: the platform's, else the `ws` package). */
  WebSocket?: WebSocketConstructor;
}

class SandboxCollection {
  constructor(
    private readonly http: Http,
    private readonly webSocket: WebSocketConstructor | undefined,
  ) {}

  /** Creates a sandbox (201) and answers its handle; every field is optional. */
  async create(input: CreateSandboxInput = {}): Promise<Sandbox> {
    const info = await this.http.call('post', '/v1/sandboxes', { body: input });
    return new Sandbox(this.http, info.id, info, this.webSocket);
  }

  /** Reads one sandbox (404 when it does not exist or was deleted). */
  async get(id: string): Promise<Sandbox> {
    const info = await this.http.call('get', '/v1/sandboxes/{id}', { path: { id } });
    return new Sandbox(this.http, info.id, info, this.webSocket);
  }

  /** Every live sandbox the filter matches (all of them without one), oldest first. */
  async list(filter: SandboxFilter = {}): Promise<Sandbox[]> {
    return (await this.page({ ...filter, limit: undefined, cursor: undefined })).sandboxes;
  }

  /** A page of the list (`limit`, then `cursor: page.next_cursor` with the same filter). */
  async page(opts: SandboxPageOptions = {}): Promise<SandboxPage> {
    // The metadata filters are parameters the document cannot name one by one (`metadata.<key>`): the query is wider than its type.
    const query = listQuery(opts) as ListQuery;
    const { sandboxes, next_cursor } = await this.http.call('get', '/v1/sandboxes', { query, signal: opts.signal });
    return { sandboxes: sandboxes.map((info) => new Sandbox(this.http, info.id, info, this.webSocket)), next_cursor };
  }

  /** Every sandbox the filter matches, read a page (`pageSize`, default 100) at a time. */
  async *each(filter: SandboxFilter & { pageSize?: number } = {}): AsyncGenerator<Sandbox> {
    let cursor: string | undefined;
    do {
      const page = await this.page({ ...filter, limit: filter.pageSize ?? 100, cursor });
      yield* page.sandboxes;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }
}

export class Sandboxed {
  readonly sandboxes: SandboxCollection;
  /** The dashboard's sign-in (a session cookie instead of a token, in a browser on the daemon's own origin). */
  readonly session: Session;
  /** Lifecycle events of every sandbox as they happen (GET /v1/events). */
  readonly events: Events;
  private readonly http: Http;
  private readonly webSocket: WebSocketConstructor | undefined;

  constructor(opts: SandboxedOptions) {
    this.http = new Http(opts);
    this.webSocket = opts.WebSocket;
    this.sandboxes = new SandboxCollection(this.http, this.webSocket);
    this.session = new Session(this.http);
    this.events = new Events(this.http);
  }

  /** A handle on a sandbox by id, without a request (its calls answer 404 if it does not exist). */
  sandbox(id: string): Sandbox {
    return new Sandbox(this.http, id, undefined, this.webSocket);
  }

  /** Snapshots marked as templates (they outlive their sandbox; `from_snapshot` at create forks one). */
  async templates(): Promise<Snapshot[]> {
    return (await this.http.call('get', '/v1/snapshots', {})).snapshots;
  }

  /** Converges Docker to the daemon's state now (operators). */
  async reconcile(): Promise<ReconcileResult> {
    return this.http.call('post', '/v1/admin/reconcile', {});
  }

  /** The daemon's version and the settings that matter (limits, idle threshold, edge, memory). */
  async system(): Promise<SystemInfo> {
    return this.http.call('get', '/v1/system', {});
  }

  /** Memory and disk use of every live sandbox (samples up to 5 s old). */
  async usage(): Promise<SandboxUsage[]> {
    return (await this.http.call('get', '/v1/usage', {})).sandboxes;
  }

  /** The Prometheus metrics as text (the exposition format). */
  async metrics(): Promise<string> {
    return (await this.http.send('get', '/metrics', { headers: { accept: 'text/plain' } })).text();
  }

  /** Whether the daemon is ready (SQLite, Docker and network isolation); a 503 is thrown with its reason. */
  async ready(): Promise<{ status: 'ready' }> {
    return this.http.call('get', '/readyz', {});
  }
}
