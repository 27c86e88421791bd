/**
 * Terminal sessions of every sandbox: creation (waking a stopped sandbox), the
 * caps, lookup for attaching viewers, and the end of sessions. Sessions live
 * in this process only: a daemon restart ends them (their processes are
 * killed on a clean stop; see ARCHITECTURE.md, "Terminals").
 */
import type { Logger } from 'pino';
import { ulid } from 'ulid';
import type { Config } from '../config.js';
import type { ContainerEngine } from '../docker/engine.js';
import { SANDBOX_APP_DIR } from '../domain/layout.js';
import { NotFoundError, TooManyError } from '../errors.js';
import type { ActivityTracker } from '../sandboxes/activity.js';
import type { SandboxService } from '../sandboxes/service.js';
import { DEFAULT_COLS, DEFAULT_ROWS } from './protocol.js';
import { wrapCommand } from './process.js';
import { PtySession } from './session.js';

export type TerminalsConfig = Pick<Config, 'ptyBufferBytes' | 'ptyGraceMs' | 'ptyMaxPerSandbox' | 'ptyMaxSessions'>;

export interface CreateTerminal {
  cmd?: string[];
  cwd?: string;
  env?: Record<string, string>;
  cols?: number;
  rows?: number;
}

/** A login shell, as the sandbox user would get from ssh. */
export const DEFAULT_SHELL = ['bash', '-l'];
/** Viewers of one session at once. */
export const MAX_VIEWERS = 8;
/** How long a clean stop waits for the kills of its sessions to be started. */
const SHUTDOWN_WAIT_MS = 3000;

export class TerminalService {
  private readonly sessions = new Map<string, PtySession>();
  /** Creations in flight per sandbox, counted against the caps. */
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly cfg: TerminalsConfig,
    private readonly sandboxes: Pick<SandboxService, 'get' | 'ensureRunning' | 'env'>,
    private readonly activity: Pick<ActivityTracker, 'begin'>,
    private readonly engine: ContainerEngine,
    private readonly log: Logger,
  ) {}

  list(sandboxId: string): PtySession[] {
    this.sandboxes.get(sandboxId);
    return [...this.sessions.values()].filter((s) => s.sandboxId === sandboxId);
  }

  get(sandboxId: string, sessionId: string): PtySession {
    this.sandboxes.get(sandboxId);
    const s = this.sessions.get(sessionId);
    if (!s || s.sandboxId !== sandboxId) throw new NotFoundError(`terminal session ${sessionId} not found`);
    return s;
  }

  /** A session that may take one more viewer, or TooManyError. */
  forViewer(sandboxId: string, sessionId: string): PtySession {
    const s = this.get(sandboxId, sessionId);
    if (s.viewerCount >= MAX_VIEWERS) throw new TooManyError(`terminal session ${sessionId} already has ${MAX_VIEWERS} viewers`);
    return s;
  }

  /** Starts a session (a stopped sandbox is woken first). */
  async create(sandboxId: string, input: CreateTerminal): Promise<PtySession> {
    this.sandboxes.get(sandboxId);
    this.admit(sandboxId);
    this.pending.set(sandboxId, (this.pending.get(sandboxId) ?? 0) + 1);
    try {
      const sb = await this.sandboxes.ensureRunning(sandboxId);
      const id = ulid().toLowerCase();
      const cmd = input.cmd ?? DEFAULT_SHELL;
      const size = { cols: input.cols ?? DEFAULT_COLS, rows: input.rows ?? DEFAULT_ROWS };
      const env = { ...this.sandboxes.env(sandboxId), TERM: 'xterm-256color', ...input.env };
      const exec = await this.engine.execPty(sb.containerId!, {
        cmd: wrapCommand(id, cmd),
        env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        cwd: input.cwd ?? SANDBOX_APP_DIR,
        ...size,
      });
      const session = new PtySession(id, sandboxId, cmd, exec, size, {
        engine: this.engine,
        containerId: sb.containerId!,
        hold: () => this.activity.begin(sandboxId),
        bufferBytes: this.cfg.ptyBufferBytes,
        graceMs: this.cfg.ptyGraceMs,
        log: this.log,
        onGone: (s) => this.sessions.delete(s.id),
      });
      this.sessions.set(id, session);
      this.log.info({ sandboxId, sessionId: id, cmd: cmd[0] }, 'terminal session started');
      return session;
    } finally {
      const n = (this.pending.get(sandboxId) ?? 1) - 1;
      if (n <= 0) this.pending.delete(sandboxId);
      else this.pending.set(sandboxId, n);
    }
  }

  async end(sandboxId: string, sessionId: string): Promise<PtySession> {
    const s = this.get(sandboxId, sessionId);
    await s.end('deleted');
    return s;
  }

  /** A clean daemon stop: every session's processes are killed and its viewers told (1001). */
  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    const ends = Promise.all(all.map((s) => s.end('shutdown').catch(() => undefined)));
    await Promise.race([ends, new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref())]);
  }

  /** Refuses a session past a cap, after dropping ended sessions nobody watches (oldest first). */
  private admit(sandboxId: string): void {
    const count = (): { here: number; total: number } => {
      let pending = 0;
      for (const n of this.pending.values()) pending += n;
      const here = [...this.sessions.values()].filter((s) => s.sandboxId === sandboxId).length + (this.pending.get(sandboxId) ?? 0);
      return { here, total: this.sessions.size + pending };
    };
    const full = (): boolean => count().here >= this.cfg.ptyMaxPerSandbox || count().total >= this.cfg.ptyMaxSessions;
    for (const s of [...this.sessions.values()].sort((a, b) => a.createdAt - b.createdAt)) {
      if (!full()) break;
      if (s.exited && s.viewerCount === 0 && (s.sandboxId === sandboxId || count().total >= this.cfg.ptyMaxSessions)) this.sessions.delete(s.id);
    }
    const { here, total } = count();
    if (here >= this.cfg.ptyMaxPerSandbox) {
      throw new TooManyError(`sandbox ${sandboxId} has ${here} terminal sessions, the most SANDBOXD_PTY_MAX_PER_SANDBOX allows; end one first`);
    }
    if (total >= this.cfg.ptyMaxSessions) throw new TooManyError(`${total} terminal sessions are open, the most SANDBOXD_PTY_MAX_SESSIONS allows`);
  }
}
