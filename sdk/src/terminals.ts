/** A sandbox's terminal sessions: create one and attach, attach again (replaying from an offset), list, end. */
import type { Http } from './http.js';
import { PTY_SUBPROTOCOL, Terminal } from './terminal.js';
import { handshake, resolveWebSocket, type WebSocketConstructor } from './websocket.js';

export interface TerminalOptions {
  /** The command (default: a login shell, `bash -l`, as the sandbox user in ~/workspace/app). */
  cmd?: string[];
  cwd?: string;
  env?: Record<string, string>;
  cols?: number;
  rows?: number;
}

/** A session as the API describes it (`start`/`end`: the byte offsets its buffer holds). */
export interface TerminalSession {
  id: string;
  sandbox_id: string;
  cmd: string[];
  cols: number;
  rows: number;
  created_at: string;
  viewers: number;
  start: number;
  end: number;
  exited: boolean;
  exit_code: number | null;
  attach_url: string;
}

export class Terminals {
  constructor(
    private readonly http: Http,
    private readonly id: string,
    private readonly webSocket: WebSocketConstructor | undefined,
  ) {}

  /** Starts a session (a stopped sandbox is woken) and attaches to it from its first byte. */
  async create(opts: TerminalOptions = {}): Promise<Terminal> {
    const res = await this.http.send('post', '/v1/sandboxes/{id}/pty', {
      path: { id: this.id },
      body: JSON.stringify(opts),
      headers: { 'content-type': 'application/json' },
    });
    const session = (await res.json()) as TerminalSession;
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
    const res = await this.http.send('get', '/v1/sandboxes/{id}/pty', { path: { id: this.id } });
    return ((await res.json()) as { sessions: TerminalSession[] }).sessions;
  }

  async get(session: string): Promise<TerminalSession> {
    const res = await this.http.send('get', '/v1/sandboxes/{id}/pty/{session}', { path: { id: this.id, session } });
    return (await res.json()) as TerminalSession;
  }

  /** Ends a session: its processes are killed, its viewers get the exit. */
  async end(session: string): Promise<TerminalSession & { ended: true }> {
    const res = await this.http.send('delete', '/v1/sandboxes/{id}/pty/{session}', { path: { id: this.id, session } });
    return (await res.json()) as TerminalSession & { ended: true };
  }
}
