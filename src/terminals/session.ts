/**
 * One terminal session: a process on a TTY inside a sandbox, the ring of its
 * recent output, and the viewers attached to it. The session outlives its
 * viewers (a reconnect replays from an offset) until it has had no viewer and
 * no output for the grace period.
 *
 * Every byte of output is the tenant's, so nothing here grows with it: the
 * ring is fixed, a viewer that falls more than its bound behind is dropped
 * (never waited for), and the output is read at most OUTPUT_BYTES_PER_S; past
 * that the stream is paused, which blocks the writer inside the sandbox as a
 * real terminal would.
 */
import type { Logger } from 'pino';
import type { ContainerEngine, PtyExec } from '../docker/engine.js';
import { ByteRing } from './ring.js';
import { signalCommand } from './process.js';
import { CLOSE, TYPED_SIGNALS, parseClientText, type SessionSignal } from './protocol.js';

/** What a session needs of a connected client (a WebSocket has all of it). */
export interface Viewer {
  send(data: Buffer | string): void;
  /** Bytes queued for this viewer and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
  /** Stops and resumes reading the viewer's input (the process is not reading its terminal). */
  pause(): void;
  resume(): void;
}

/** How far behind a viewer may fall beyond one whole replay of the buffer. */
export const VIEWER_SLACK_BYTES = 1024 * 1024;
/** Terminal output read per session per second; the writer inside the sandbox blocks past it. */
export const OUTPUT_BYTES_PER_S = 8 * 1024 * 1024;
const METER_WINDOW_MS = 100;
/** Replay goes out in frames of this size. */
const REPLAY_FRAME_BYTES = 64 * 1024;

export interface SessionDeps {
  engine: Pick<ContainerEngine, 'resizeExec' | 'execExitCode' | 'execDetached'>;
  containerId: string;
  /** Marks the sandbox busy while someone watches (the idle reaper leaves it alone); returns the release. */
  hold: () => () => void;
  bufferBytes: number;
  graceMs: number;
  log: Logger;
  /** Called once when the session should leave the registry. */
  onGone: (s: PtySession) => void;
  now?: () => number;
}

export interface SessionInfo {
  id: string;
  sandboxId: string;
  cmd: string[];
  cols: number;
  rows: number;
  createdAt: number;
  viewers: number;
  start: number;
  end: number;
  exited: boolean;
  exitCode: number | null;
}

export class PtySession {
  readonly createdAt: number;
  cols: number;
  rows: number;
  private readonly ring: ByteRing;
  private readonly viewers = new Set<Viewer>();
  private readonly paused = new Set<Viewer>();
  /** undefined while the process runs. */
  private exitCode: number | null | undefined = undefined;
  /** The process's stream ended; its exit code is being read. */
  private finishing = false;
  private release: (() => void) | null = null;
  private quietSince: number;
  private graceTimer: NodeJS.Timeout | null = null;
  private meterStart = 0;
  private meterBytes = 0;
  private gone = false;
  private readonly now: () => number;

  constructor(
    readonly id: string,
    readonly sandboxId: string,
    readonly cmd: string[],
    private readonly exec: PtyExec,
    size: { cols: number; rows: number },
    private readonly deps: SessionDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.createdAt = this.now();
    this.quietSince = this.createdAt;
    this.cols = size.cols;
    this.rows = size.rows;
    this.ring = new ByteRing(deps.bufferBytes);
    exec.stream.on('data', (chunk: Buffer) => this.onOutput(chunk));
    exec.stream.on('drain', () => this.resumeInput());
    const finished = (): void => void this.finish();
    exec.stream.once('end', finished);
    exec.stream.once('close', finished);
    exec.stream.once('error', finished);
    this.armGrace(deps.graceMs);
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  info(): SessionInfo {
    return {
      id: this.id,
      sandboxId: this.sandboxId,
      cmd: this.cmd,
      cols: this.cols,
      rows: this.rows,
      createdAt: this.createdAt,
      viewers: this.viewers.size,
      start: this.ring.start,
      end: this.ring.end,
      exited: this.exited,
      exitCode: this.exitCode ?? null,
    };
  }

  /**
   * Greets the viewer with where its bytes start, replays the buffer from
   * `since` (everything kept when absent), then streams live output.
   */
  attach(viewer: Viewer, since?: number): void {
    const { from, bytes } = this.ring.read(since ?? 0);
    const missed = since !== undefined && since < from ? from - since : 0;
    viewer.send(JSON.stringify({ type: 'hello', session: this.id, offset: from, end: this.ring.end, missed, cols: this.cols, rows: this.rows }));
    for (let at = 0; at < bytes.length; at += REPLAY_FRAME_BYTES) viewer.send(bytes.subarray(at, at + REPLAY_FRAME_BYTES));
    if (this.exited) {
      viewer.send(JSON.stringify({ type: 'exit', code: this.exitCode }));
      viewer.close(CLOSE.ended, 'session ended');
      return;
    }
    this.viewers.add(viewer);
    if (this.viewers.size === 1) this.release = this.deps.hold();
    if (this.graceTimer) clearTimeout(this.graceTimer);
  }

  detach(viewer: Viewer): void {
    if (!this.viewers.delete(viewer)) return;
    this.paused.delete(viewer);
    if (this.viewers.size > 0) return;
    this.release?.();
    this.release = null;
    this.quietSince = this.now();
    this.armGrace(this.deps.graceMs);
  }

  /** A frame from a viewer: binary is typed, text is a control message. */
  receive(viewer: Viewer, data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.input(viewer, data);
    const msg = parseClientText(data.toString('utf8'));
    if ('error' in msg) return viewer.send(JSON.stringify({ type: 'error', error: msg.error }));
    if (msg.type === 'ping') return viewer.send('{"type":"pong"}');
    if (msg.type === 'resize') return void this.resize(msg.cols, msg.rows);
    const typed = Object.hasOwn(TYPED_SIGNALS, msg.name) ? TYPED_SIGNALS[msg.name] : undefined;
    if (typed) this.input(viewer, typed);
    else void this.signal(msg.name as SessionSignal);
  }

  async resize(cols: number, rows: number): Promise<void> {
    if (this.finishing) return;
    this.cols = cols;
    this.rows = rows;
    for (const v of this.viewers) v.send(JSON.stringify({ type: 'size', cols, rows }));
    await this.deps.engine.resizeExec(this.exec.id, cols, rows).catch((err: unknown) => this.deps.log.debug({ err, sessionId: this.id }, 'resize failed'));
  }

  /** Signals every process of the session (HUP, TERM, KILL). */
  async signal(name: SessionSignal): Promise<void> {
    if (this.exited) return;
    await this.deps.engine
      .execDetached(this.deps.containerId, { cmd: signalCommand(this.id, name) })
      .catch((err: unknown) => this.deps.log.warn({ err, sessionId: this.id, signal: name }, 'signalling the session failed'));
  }

  /**
   * Ends the session for good: its processes are killed, it leaves the
   * registry, and viewers get the exit frame (or 1001 when the daemon stops).
   */
  async end(reason: 'deleted' | 'grace' | 'shutdown'): Promise<void> {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.markGone();
    this.deps.log.info({ sandboxId: this.sandboxId, sessionId: this.id, reason }, 'terminal session ending');
    if (reason === 'shutdown') for (const v of [...this.viewers]) this.drop(v, CLOSE.goingAway, 'the daemon is stopping');
    await this.signal('KILL');
    this.exec.stream.destroy();
  }

  private input(viewer: Viewer, bytes: Buffer): void {
    if (this.finishing || bytes.length === 0) return;
    if (!this.exec.stream.write(bytes)) {
      // The process is not reading its terminal: stop reading this viewer until it does.
      viewer.pause();
      this.paused.add(viewer);
    }
  }

  private resumeInput(): void {
    for (const v of this.paused) v.resume();
    this.paused.clear();
  }

  private onOutput(chunk: Buffer): void {
    this.ring.append(chunk);
    this.quietSince = this.now();
    const bound = this.ring.capacity + VIEWER_SLACK_BYTES;
    for (const v of this.viewers) {
      if (v.bufferedAmount > bound) this.drop(v, CLOSE.tooSlow, 'viewer too slow: it fell behind the session buffer');
      else v.send(chunk);
    }
    this.meter(chunk.length);
  }

  /** Pauses reading for the rest of the window once the window's share of OUTPUT_BYTES_PER_S is used. */
  private meter(bytes: number): void {
    const t = this.now();
    if (t - this.meterStart >= METER_WINDOW_MS) {
      this.meterStart = t;
      this.meterBytes = 0;
    }
    this.meterBytes += bytes;
    if (this.meterBytes < (OUTPUT_BYTES_PER_S * METER_WINDOW_MS) / 1000) return;
    this.exec.stream.pause();
    setTimeout(() => this.exec.stream.resume(), Math.max(1, this.meterStart + METER_WINDOW_MS - t)).unref();
  }

  private drop(viewer: Viewer, code: number, reason: string): void {
    this.deps.log.info({ sandboxId: this.sandboxId, sessionId: this.id, code, reason }, 'terminal viewer dropped');
    this.detach(viewer);
    viewer.close(code, reason);
  }

  /** The process ended (by itself, killed, or its sandbox stopped). */
  private async finish(): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    this.exitCode = await this.readExitCode();
    const frame = JSON.stringify({ type: 'exit', code: this.exitCode });
    for (const v of [...this.viewers]) {
      v.send(frame);
      this.detach(v);
      v.close(CLOSE.ended, 'session ended');
    }
    this.deps.log.info({ sandboxId: this.sandboxId, sessionId: this.id, exitCode: this.exitCode }, 'terminal session exited');
    // An ended session stays listable (and replayable) for the grace period.
    this.armGrace(this.deps.graceMs);
  }

  /** The engine may report the exec as running for a moment after its stream ended. */
  private async readExitCode(): Promise<number | null> {
    for (let i = 0; i < 10; i++) {
      const code = await this.deps.engine.execExitCode(this.exec.id).catch(() => null);
      if (code !== null) return code;
      await new Promise((r) => setTimeout(r, 50));
    }
    return null;
  }

  private armGrace(waitMs: number): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.gone) return;
    this.graceTimer = setTimeout(() => this.checkGrace(), waitMs);
    this.graceTimer.unref();
  }

  private checkGrace(): void {
    if (this.viewers.size > 0 || this.gone) return;
    const quietFor = this.now() - this.quietSince;
    if (quietFor < this.deps.graceMs) return this.armGrace(this.deps.graceMs - quietFor);
    if (this.exited) this.markGone();
    else void this.end('grace');
  }

  private markGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.deps.onGone(this);
  }
}
