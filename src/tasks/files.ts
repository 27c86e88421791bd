/**
 * The task dir read from the host, through the workspace: the tenant controls
 * it, so every access goes through SafeRoot (no symlink is ever followed, a
 * FIFO never blocks us) and every size is bounded.
 */
import type { FileHandle } from 'node:fs/promises';
import { NotFoundError } from '../errors.js';
import { SafeRoot } from '../workspaces/safe-fs.js';
import { taskDirSegments, type TaskFile } from './wrapper.js';

/** A line longer than this is skipped (its events are lost, the rest is not). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
const SMALL_FILE_BYTES = 64;

export interface ReadLines {
  lines: Buffer[];
  offset: number;
  discarding: boolean;
  /** Bytes skipped as part of over-long lines. */
  skipped: number;
}

/**
 * Reads the complete lines after `offset`. A partial last line is left for
 * the next read; a line past `maxLine` bytes is skipped up to its newline
 * (`discarding` carries that across reads and restarts).
 */
export async function readLines(fh: FileHandle, offset: number, discarding: boolean, maxLine = MAX_LINE_BYTES): Promise<ReadLines> {
  const size = (await fh.stat()).size;
  const want = Math.min(Math.max(0, size - offset), maxLine);
  const none = { lines: [], offset, discarding, skipped: 0 };
  if (want === 0) return none;
  const buf = Buffer.alloc(want);
  let got = 0;
  while (got < want) {
    const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  const data = buf.subarray(0, got);
  const lastNl = data.lastIndexOf(0x0a);
  if (lastNl < 0) {
    if (got < maxLine) return none;
    return { lines: [], offset: offset + got, discarding: true, skipped: got };
  }
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = data.indexOf(0x0a); i >= 0 && i <= lastNl; i = data.indexOf(0x0a, i + 1)) {
    parts.push(data.subarray(start, i));
    start = i + 1;
  }
  let skipped = 0;
  if (discarding) skipped = parts.shift()!.length + 1;
  return { lines: parts.filter((p) => p.length > 0), offset: offset + lastNl + 1, discarding: false, skipped };
}

export class TaskFiles {
  private out: FileHandle | null = null;

  constructor(
    private readonly root: SafeRoot,
    private readonly taskId: string,
  ) {}

  private seg(name: TaskFile): string[] {
    return [...taskDirSegments(this.taskId), name];
  }

  private async small(name: TaskFile): Promise<string | null> {
    try {
      return (await this.root.readFile(this.seg(name), SMALL_FILE_BYTES)).toString('utf8');
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /** The agent's exit code once it has ended; anything unreadable counts as 255. */
  async exitCode(): Promise<number | null> {
    const text = await this.small('exit');
    if (text === null) return null;
    const n = Number(text.trim());
    return Number.isInteger(n) && n >= 0 ? n : 255;
  }

  /** Whether the run script got as far as starting the agent. */
  async launched(): Promise<boolean> {
    return (await this.small('pid')) !== null || (await this.small('exit')) !== null;
  }

  async stderrTail(bytes = 2000): Promise<string> {
    let opened;
    try {
      opened = await this.root.openFile(this.seg('err.log'));
    } catch (err) {
      if (err instanceof NotFoundError) return '';
      throw err;
    }
    try {
      const len = Math.min(bytes, opened.size);
      const buf = Buffer.alloc(len);
      const { bytesRead } = await opened.handle.read(buf, 0, len, opened.size - len);
      return buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await opened.handle.close().catch(() => undefined);
    }
  }

  /** out.jsonl, opened once and kept: a file swapped in later is never read. Null until it exists. */
  async output(): Promise<FileHandle | null> {
    if (this.out) return this.out;
    try {
      this.out = (await this.root.openFile(this.seg('out.jsonl'))).handle;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
    return this.out;
  }

  async close(): Promise<void> {
    await this.out?.close().catch(() => undefined);
    this.out = null;
  }
}
