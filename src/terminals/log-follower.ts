/**
 * Follows a log file in a workspace, from the host. The tenant owns the file:
 * it may grow fast, be truncated, deleted, or replaced by a link or a FIFO at
 * any moment. So the file is opened through SafeRoot (no link followed) and
 * opened again by name on every poll: a new file restarts at offset 0 with a
 * `reset` item, a shorter one too; each read is at most READ_BYTES, and a
 * follower reads at most FOLLOW_BYTES_PER_S. Offsets are bytes of the file.
 * The handle is let go when the workspace's disk is released (a restore swaps
 * it); what is opened after that starts again at 0 with a `reset`.
 */
import type { FileHandle } from 'node:fs/promises';
import { DomainError, NotFoundError } from '../errors.js';
import type { SafeRoot } from '../workspaces/safe-fs.js';

/** Bytes read per item. */
export const READ_BYTES = 64 * 1024;
/** Bytes one follower reads per second at most; more waits (the file is the buffer). */
export const FOLLOW_BYTES_PER_S = 4 * 1024 * 1024;
/** How often a quiet file is looked at again. */
export const POLL_MS = 250;
/** The exit file holds "0".."255" and a newline. */
const EXIT_FILE_BYTES = 16;

export interface LogItem {
  /** The offset just past this item's bytes: what a client resumes from. */
  id: number;
  event: 'log' | 'reset' | 'exit' | 'error';
  data: Record<string, unknown>;
}

/** The length of `buf` without a UTF-8 sequence cut at its end (which waits for the next read). */
export function completeUtf8(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue;
    if (b < 0x80) return n;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return back >= need ? n : n - back;
  }
  return n;
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

export class LogFollower {
  private fh: FileHandle | null = null;
  /** The file followed (device:inode), to tell the same file from a new one. */
  private ident = '';
  /**
   * The handle was let go because the disk was released: whatever is opened
   * next may be another file with the same device and inode (a restored copy
   * of the whole filesystem), so it counts as replaced.
   */
  private letGone = false;
  /** Reads and letting go, one at a time: the handle is never closed under a read. */
  private busy: Promise<unknown> = Promise.resolve();
  private reopenedAt = 0;
  private windowStart = 0;
  private windowBytes = 0;

  constructor(
    private readonly root: SafeRoot,
    private readonly segments: string[],
    /** The file whose appearance says the writer has ended (a background exec's exit code), if any. */
    private readonly exitSegments: string[] | null,
    /** Where a follow without a cursor starts: this many bytes before the end. */
    private readonly tailBytes: number,
  ) {}

  /** Items after `cursor` (-1: from the tail); `ended` when nothing will ever follow. */
  read(cursor: number): Promise<{ items: LogItem[]; ended: boolean }> {
    return this.serial(() => this.readNow(cursor));
  }

  /** Closes the file (its disk is about to be unmounted); the next read opens it again by name once it can. */
  letGo(): Promise<void> {
    return this.serial(async () => {
      if (this.fh) this.letGone = true;
      await this.close();
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.busy.then(work);
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async readNow(cursor: number): Promise<{ items: LogItem[]; ended: boolean }> {
    const items: LogItem[] = [];
    if (this.throttled()) return { items, ended: false };
    const problem = await this.reopen();
    if (problem === 'replaced') {
      items.push({ id: 0, event: 'reset', data: { reason: 'the file was replaced', offset: 0 } });
      cursor = 0;
    } else if (problem) {
      return { items: [{ id: Math.max(cursor, 0), event: 'error', data: { error: problem } }], ended: true };
    }
    if (!this.fh) {
      const code = await this.exitCode();
      return code === undefined ? { items, ended: false } : { items: [...items, this.exitItem(0, code)], ended: true };
    }
    const size = (await this.fh.stat()).size;
    if (cursor < 0) cursor = Math.max(0, size - this.tailBytes);
    if (size < cursor) {
      items.push({ id: 0, event: 'reset', data: { reason: 'the file was truncated', offset: 0 } });
      cursor = 0;
    }
    if (size > cursor) {
      const bytes = await readAt(this.fh, cursor, Math.min(size - cursor, READ_BYTES));
      this.windowBytes += bytes.length;
      let length = completeUtf8(bytes);
      // Once the writer has ended the file is final: a cut sequence at its very end goes out as it is.
      if (length === 0 && (await this.exitCode()) !== undefined) length = bytes.length;
      if (length > 0) items.push({ id: cursor + length, event: 'log', data: { offset: cursor, text: bytes.subarray(0, length).toString('utf8') } });
      return { items, ended: false };
    }
    const exitCode = await this.exitCode();
    // The exit file is written after the last output: whatever came before it is read first.
    if (exitCode === undefined || (await this.fh.stat()).size > cursor) return { items, ended: false };
    return { items: [...items, this.exitItem(cursor, exitCode)], ended: true };
  }

  /** Resolves after a poll interval, or at once when `signal` aborts. */
  changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, POLL_MS);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }

  async close(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }

  private exitItem(cursor: number, code: number | null): LogItem {
    return { id: cursor, event: 'exit', data: { exit_code: code } };
  }

  private throttled(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowBytes = 0;
    }
    return this.windowBytes >= FOLLOW_BYTES_PER_S;
  }

  /**
   * Opens the file by name again. Returns 'replaced' when it is another file
   * than before, a reason when it cannot be followed (a link, a directory), or
   * null. A file that is gone keeps being read from the handle already open.
   */
  private async reopen(): Promise<string | null> {
    // While data flows, a look by name once per poll interval is enough.
    if (this.fh && Date.now() - this.reopenedAt < POLL_MS) return null;
    this.reopenedAt = Date.now();
    let opened: FileHandle;
    try {
      opened = (await this.root.openFile(this.segments)).handle;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      // Not mounted yet (a restart): try again at the next poll.
      if (err instanceof DomainError && err.code === 'unavailable') return null;
      if (err instanceof DomainError) return err.message;
      throw err;
    }
    const st = await opened.stat();
    const ident = `${st.dev}:${st.ino}`;
    if (this.fh && ident === this.ident) {
      await opened.close().catch(() => undefined);
      return null;
    }
    const replaced = this.ident !== '' && (this.letGone || ident !== this.ident);
    this.letGone = false;
    await this.close();
    this.fh = opened;
    this.ident = ident;
    return replaced ? 'replaced' : null;
  }

  /** undefined while the writer runs; its exit code (null when unreadable) once it has ended. */
  private async exitCode(): Promise<number | null | undefined> {
    if (!this.exitSegments) return undefined;
    let opened;
    try {
      opened = await this.root.openFile(this.exitSegments);
    } catch (err) {
      if (err instanceof NotFoundError || (err instanceof DomainError && err.code === 'unavailable')) return undefined;
      return null;
    }
    try {
      const text = (await readAt(opened.handle, 0, Math.min(opened.size, EXIT_FILE_BYTES))).toString('utf8');
      const n = /^\d{1,3}\n?$/.test(text) ? Number(text) : NaN;
      return Number.isInteger(n) && n <= 255 ? n : null;
    } finally {
      await opened.handle.close().catch(() => undefined);
    }
  }
}
