/** A sandbox's terminal sessions: create one and attach, attach again (replaying from an offset), list, end. */
import type { Http } from './http.js';
import { PTY_SUBPROTOCOL, Terminal } from './terminal.js';
import type { CreateTerminalInput, TerminalEnded, TerminalSession } from './types.js';
import { handshake, resolveWebSocket, type WebSocketConstructor } from './websocket.js';

/** What a new session runs: `cmd` (default a login shell, `bash -l`, as the sandbox user in ~/workspace/app), `cwd`, `env`, `cols`, `rows`. */
export type TerminalOptions = CreateTerminalInput;

export class Terminals {
  constructor(
    private readonly http: Http,
    private readonly id: string,
    private readonly webSocket: WebSocketConstructor | undefined,
  ) {}

  /** Starts a session (a stopped sandbox is woken) and attaches to it from its first byte. */
  async create(opts: TerminalOptions = {}): Promise<Terminal> {
    const session = await this.http.call('post', '/v1/sandboxes/{id}/pty', { path: { id: this.id }, body: opts });
    return this.attach(session.id, { since: 0 });
  }

  /** Attaches to a session; `since` replays from that offset (default: all the buffer still holds). */
  async attach(session: string, opts: { since?: number } = {}): Promise<Terminal> {
    const WS = await resolveWebSocket(this.webSocket);
    const path = this.http.url('/v1/sandboxes/{id}/pty/{session}', { id: this.id, session }, { since: opts.since });
    const { url, protocols } = handshake(path, PTY_SUBPROTOCOL, this.http.handshakeToken());
    try {
      return await Terminal.connect(new WS(url, protocols));
    } catch (err) {
      // A WebSocket refused before its upgrade tells no status: ask over HTTP why.
      await this.get(session);
      throw err;
    }
  }

  async list(): Promise<TerminalSession[]> {
    return (await this.http.call('get', '/v1/sandboxes/{id}/pty', { path: { id: this.id } })).sessions;
  }

  async get(session: string): Promise<TerminalSession> {
    return this.http.call('get', '/v1/sandboxes/{id}/pty/{session}', { path: { id: this.id, session } });
  }

  /** Ends a session: its processes are killed, its viewers get the exit. */
  async end(session: string): Promise<TerminalEnded> {
    return this.http.call('delete', '/v1/sandboxes/{id}/pty/{session}', { path: { id: this.id, session } });
  }
}
