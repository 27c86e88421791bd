/**
 * A terminal session in a sandbox over WebSocket (AGENTS.md, "Terminals"):
 * binary frames carry the bytes both ways, text frames JSON control messages.
 * The session outlives its viewers: `close()` detaches, and attaching again
 * with `since: terminal.offset` replays exactly what was missed.
 */
import { SandboxedError } from './errors.js';
import type { WebSocketLike } from './websocket.js';

export const PTY_SUBPROTOCOL = 'sandboxed.pty.v1';

/** Signals a viewer may send: INT, QUIT and TSTP are typed (^C, ^\, ^Z); HUP, TERM and KILL reach every process of the session. */
export type TerminalSignal = 'INT' | 'QUIT' | 'TSTP' | 'HUP' | 'TERM' | 'KILL';

interface Hello {
  type: 'hello';
  session: string;
  offset: number;
  end: number;
  missed: number;
  cols: number;
  rows: number;
}

type Control = Hello | { type: 'size'; cols: number; rows: number } | { type: 'exit'; code: number | null } | { type: 'error'; error: string } | { type: 'pong' };

type Listener<T> = (value: T) => void;

export class Terminal {
  readonly session: string;
  /** Where the bytes received so far end in the session's output: attach again with `since: offset` to miss nothing. */
  offset: number;
  /** Bytes of output the buffer no longer held when this viewer attached (its `since` was too old). */
  readonly missed: number;
  cols: number;
  rows: number;
  /** The process's exit code once it has ended (null: unknown); undefined while it runs. */
  exitCode: number | null | undefined;
  /** Resolves when the connection closes: 1000 the session ended, 1001 the daemon is stopping, 4008 this viewer read too slowly. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private readonly listeners = { data: new Set<Listener<Uint8Array>>(), exit: new Set<Listener<number | null>>(), size: new Set<Listener<{ cols: number; rows: number }>>(), error: new Set<Listener<string>>() };
  /** Output that came before anyone listened (frames may arrive in the same tick as the hello). */
  private early: Uint8Array[] = [];

  private constructor(
    private readonly socket: WebSocketLike,
    hello: Hello,
    closed: Promise<{ code: number; reason: string }>,
  ) {
    this.session = hello.session;
    this.offset = hello.offset;
    this.missed = hello.missed;
    this.cols = hello.cols;
    this.rows = hello.rows;
    this.closed = closed;
  }

  /** Opens the socket and waits for the session's hello; rejects when the handshake or the hello fails. */
  static connect(socket: WebSocketLike): Promise<Terminal> {
    socket.binaryType = 'arraybuffer';
    let terminal: Terminal | undefined;
    let closeResolve: (v: { code: number; reason: string }) => void = () => undefined;
    const closed = new Promise<{ code: number; reason: string }>((r) => (closeResolve = r));
    return new Promise<Terminal>((resolve, reject) => {
      socket.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data !== 'string') return terminal?.output(new Uint8Array(e.data as ArrayBuffer));
        let msg: Control;
        try {
          msg = JSON.parse(e.data) as Control;
        } catch {
          return;
        }
        if (msg.type === 'hello' && !terminal) {
          terminal = new Terminal(socket, msg, closed);
          resolve(terminal);
        } else terminal?.control(msg);
      });
      socket.addEventListener('close', (e: CloseEvent) => {
        closeResolve({ code: e.code, reason: e.reason });
        reject(new SandboxedError(0, `the terminal connection closed before its hello (${e.code}${e.reason ? ` ${e.reason}` : ''})`));
      });
      socket.addEventListener('error', () => undefined);
    });
  }

  private output(bytes: Uint8Array): void {
    this.offset += bytes.byteLength;
    if (this.listeners.data.size === 0) this.early.push(bytes);
    for (const l of this.listeners.data) l(bytes);
  }

  private control(msg: Control): void {
    if (msg.type === 'size') {
      this.cols = msg.cols;
      this.rows = msg.rows;
      for (const l of this.listeners.size) l({ cols: msg.cols, rows: msg.rows });
    } else if (msg.type === 'exit') {
      this.exitCode = msg.code;
      for (const l of this.listeners.exit) l(msg.code);
    } else if (msg.type === 'error') {
      for (const l of this.listeners.error) l(msg.error);
    }
  }

  /** Terminal output as it comes (what came before the first listener is handed to it first). Returns an unsubscribe. */
  onData(listener: Listener<Uint8Array>): () => void {
    this.listeners.data.add(listener);
    for (const bytes of this.early.splice(0)) listener(bytes);
    return () => this.listeners.data.delete(listener);
  }

  /** The process ended (its exit code; null: unknown); the connection closes next. */
  onExit(listener: Listener<number | null>): () => void {
    this.listeners.exit.add(listener);
    return () => this.listeners.exit.delete(listener);
  }

  /** A viewer (this one or another) resized the terminal. */
  onResize(listener: Listener<{ cols: number; rows: number }>): () => void {
    this.listeners.size.add(listener);
    return () => this.listeners.size.delete(listener);
  }

  /** A control message was refused (the session goes on). */
  onError(listener: Listener<string>): () => void {
    this.listeners.error.add(listener);
    return () => this.listeners.error.delete(listener);
  }

  /** Types into the terminal (keys, paste). At most 64 KiB a call. */
  write(data: string | Uint8Array): void {
    this.socket.send(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  /** Changes the terminal's size (1–1000 each); the process gets SIGWINCH. */
  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.socket.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  signal(name: TerminalSignal): void {
    this.socket.send(JSON.stringify({ type: 'signal', name }));
  }

  /** Detaches this viewer; the session goes on (until it ends or stays unwatched past the daemon's grace). */
  close(): void {
    this.socket.close(1000, 'detached');
  }
}
