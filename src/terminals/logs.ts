/**
 * The logs of background execs and supervised services, read from the host
 * through the workspace's confined root: they work while the sandbox sleeps
 * (and never wake it), and a followed log lives through a stop and a wake,
 * since the file stays on the workspace's disk, which the daemon keeps mounted.
 */
import { LOG_DIR_REL, execExitName, execLogName } from '../domain/layout.js';
import { InvalidError, NotFoundError } from '../errors.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { Workspaces } from '../workspaces/workspaces.js';
import { LogFollower, type LogItem } from './log-follower.js';

/** What a tail returns when the request names no size, and the most it may name. */
export const TAIL_DEFAULT_BYTES = 64 * 1024;
export const TAIL_MAX_BYTES = 1024 * 1024;

export type LogRef = { kind: 'exec'; execId: string } | { kind: 'service'; name: string };

/** A followed log, as the SSE helper reads it. */
export interface LogSource {
  read(cursor: number): Promise<{ items: LogItem[]; ended: boolean }>;
  changed(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface LogTail {
  data: Buffer;
  /** Offset of the first byte returned. */
  start: number;
  /** The file's size when read: a follow resumes from here. */
  size: number;
}

function logSegments(ref: LogRef): string[] {
  const dir = LOG_DIR_REL.split('/');
  return [...dir, ref.kind === 'exec' ? execLogName(ref.execId) : `${ref.name}.log`];
}

export class LogService {
  constructor(
    private readonly sandboxes: Pick<SandboxService, 'get' | 'touch'>,
    private readonly workspaces: Pick<Workspaces, 'root' | 'hold'>,
  ) {}

  /** The last `bytes` of the log (at most TAIL_MAX_BYTES). */
  async tail(sandboxId: string, ref: LogRef, bytes = TAIL_DEFAULT_BYTES): Promise<LogTail> {
    if (bytes > TAIL_MAX_BYTES) throw new InvalidError(`bytes: at most ${TAIL_MAX_BYTES}`);
    this.sandboxes.get(sandboxId);
    this.sandboxes.touch(sandboxId);
    const { handle, size } = await this.workspaces.root(sandboxId).openFile(logSegments(ref));
    try {
      const start = Math.max(0, size - bytes);
      const data = Buffer.alloc(size - start);
      let got = 0;
      while (got < data.length) {
        const { bytesRead } = await handle.read(data, got, data.length - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return { data: data.subarray(0, got), start, size };
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /**
   * A follower of the log; the caller closes it. An exec's log ends when the
   * exec has; any log ends when its sandbox is deleted. The follower lets go of
   * the file whenever the workspace's disk is released (restore, delete).
   */
  follow(sandboxId: string, ref: LogRef, tailBytes = TAIL_DEFAULT_BYTES): LogSource {
    if (tailBytes > TAIL_MAX_BYTES) throw new InvalidError(`bytes: at most ${TAIL_MAX_BYTES}`);
    this.sandboxes.get(sandboxId);
    this.sandboxes.touch(sandboxId);
    const exit = ref.kind === 'exec' ? [...LOG_DIR_REL.split('/'), execExitName(ref.execId)] : null;
    const follower = new LogFollower(this.workspaces.root(sandboxId), logSegments(ref), exit, tailBytes);
    const unhold = this.workspaces.hold(sandboxId, () => follower.letGo());
    return {
      read: async (cursor) => {
        if (!this.exists(sandboxId)) return { items: [{ id: Math.max(cursor, 0), event: 'error', data: { error: `sandbox ${sandboxId} was deleted` } }], ended: true };
        return follower.read(cursor);
      },
      changed: (signal) => follower.changed(signal),
      close: async () => {
        unhold();
        await follower.letGo();
      },
    };
  }

  private exists(sandboxId: string): boolean {
    try {
      this.sandboxes.get(sandboxId);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }
}
