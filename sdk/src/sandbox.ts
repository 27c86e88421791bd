/**
 * A handle on one sandbox. Made by `client.sandboxes.create/get` (with the row
 * the API answered in `info`) or `client.sandbox(id)` (no request). Lifecycle
 * calls keep `info` up to date; `refresh()` reads it again.
 */
import { makeExec, type Exec } from './exec.js';
import { Files } from './files.js';
import type { Http } from './http.js';
import { Logs } from './logs.js';
import { Snapshots } from './snapshots.js';
import { Tasks } from './tasks.js';
import { Terminals } from './terminals.js';
import type { PreviewToken, PreviewTokensRotated, SandboxDeleted, SandboxInfo, SandboxPurged, SandboxUsage, Services, ServiceSpec, UpdateSandboxInput } from './types.js';
import type { WebSocketConstructor } from './websocket.js';

export class Sandbox {
  /** The row as the API last answered it (undefined for a handle made without a request). */
  info: SandboxInfo | undefined;
  readonly exec: Exec;
  readonly files: Files;
  readonly logs: Logs;
  readonly tasks: Tasks;
  readonly snapshots: Snapshots;
  /** Terminal sessions (PTY over WebSocket). */
  readonly pty: Terminals;

  constructor(
    private readonly http: Http,
    readonly id: string,
    info: SandboxInfo | undefined,
    webSocket: WebSocketConstructor | undefined,
  ) {
    this.info = info;
    this.exec = makeExec(http, id);
    this.files = new Files(http, id);
    this.logs = new Logs(http, id);
    this.tasks = new Tasks(http, id);
    this.snapshots = new Snapshots(http, id);
    this.pty = new Terminals(http, id, webSocket);
  }

  /** JSON.stringify(sandbox): its row (or its id alone when none was read). */
  toJSON(): SandboxInfo | { id: string } {
    return this.info ?? { id: this.id };
  }

  private get path() {
    return { id: this.id };
  }

  private keep(info: SandboxInfo): SandboxInfo {
    this.info = info;
    return info;
  }

  async refresh(): Promise<SandboxInfo> {
    return this.keep(await this.http.call('get', '/v1/sandboxes/{id}', { path: this.path }));
  }

  /** Changes idle policy, visibility, services, lifetimes (`ttl_s`, `auto_delete_after_idle_s`) or metadata (merged; a key set to null is removed). */
  async update(input: UpdateSandboxInput): Promise<SandboxInfo> {
    return this.keep(await this.http.call('patch', '/v1/sandboxes/{id}', { path: this.path, body: input }));
  }

  /** Stops the container (idempotent); the workspace stays, a request to a preview wakes it. */
  async stop(): Promise<SandboxInfo> {
    return this.keep(await this.http.call('post', '/v1/sandboxes/{id}/stop', { path: this.path }));
  }

  async start(): Promise<SandboxInfo> {
    return this.keep(await this.http.call('post', '/v1/sandboxes/{id}/start', { path: this.path }));
  }

  /** Postpones the idle stop. */
  async keepalive(): Promise<SandboxInfo> {
    return this.keep(await this.http.call('post', '/v1/sandboxes/{id}/keepalive', { path: this.path }));
  }

  /** Removes the container and keeps the workspace (creating the id again reuses it). */
  async delete(): Promise<SandboxDeleted> {
    return this.http.call('delete', '/v1/sandboxes/{id}', { path: this.path });
  }

  /** Removes the container, the workspace and its snapshots (templates are kept). */
  async purge(): Promise<SandboxPurged> {
    return this.http.call('post', '/v1/sandboxes/{id}/purge', { path: this.path });
  }

  /** Memory and disk use now (memory null while it sleeps). */
  async usage(): Promise<SandboxUsage> {
    return this.http.call('get', '/v1/sandboxes/{id}/usage', { path: this.path });
  }

  async services(): Promise<Services> {
    return this.http.call('get', '/v1/sandboxes/{id}/services', { path: this.path });
  }

  /** Declares what the sandbox runs at every start (replacing the list). */
  async setServices(services: ServiceSpec[]): Promise<Services> {
    return this.http.call('put', '/v1/sandboxes/{id}/services', { path: this.path, body: { services } });
  }

  /** A token for a private preview (`port`: default the first declared; `ttl_s`); its `url` carries it. */
  async previewToken(opts: { port?: number; ttl_s?: number } = {}): Promise<PreviewToken> {
    return this.http.call('post', '/v1/sandboxes/{id}/preview-token', { path: this.path, body: opts });
  }

  /** Revokes every preview token issued so far. */
  async rotatePreviewTokens(): Promise<PreviewTokensRotated> {
    return this.http.call('post', '/v1/sandboxes/{id}/preview-token/rotate', { path: this.path });
  }

  /** The URL that opens the app on `port`: with a fresh token when the sandbox is private. */
  async previewUrl(port: number, opts: { ttl_s?: number } = {}): Promise<string> {
    const info = await this.refresh();
    if (info.visibility === 'private') return (await this.previewToken({ port, ttl_s: opts.ttl_s })).url;
    const url = info.preview_urls[String(port)];
    if (url === undefined) throw new RangeError(`port ${port} is not declared by sandbox ${this.id} (ports: ${info.ports.join(', ') || 'none'})`);
    return url;
  }
}
