/**
 * The client: `new Sandboxed({ url, token })`. Works wherever fetch does
 * (Node ≥ 20, browsers); terminals also need a WebSocket (see ./websocket.ts).
 */
import { Events } from './events.js';
import { Http, type HttpOptions } from './http.js';
import { Sandbox } from './sandbox.js';
import { Session } from './session.js';
import type { CreateSandboxInput, ReconcileResult, SandboxUsage, Snapshot, SystemInfo } from './types.js';
import type { WebSocketConstructor } from './websocket.js';

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

  /** Every live sandbox. */
  async list(): Promise<Sandbox[]> {
    const { sandboxes } = await this.http.call('get', '/v1/sandboxes', {});
    return sandboxes.map((info) => new Sandbox(this.http, info.id, info, this.webSocket));
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
