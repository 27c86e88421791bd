/**
 * The task dir read from the host, through the workspace: the tenant controls
 * it, so every access goes through SafeRoot (no symlink is ever followed, a
 * FIFO never blocks us), every size is bounded, and a file that is not what
 * the run script writes is an InvalidError naming it, which fails the task.
 */
import type { FileHandle } from 'node:fs/promises';
import { DomainError, InvalidError, NotFoundError } from '../errors.js';
import { SafeRoot } from '../workspaces/safe-fs.js';
import { taskDirSegments, type TaskFile } from './wrapper.js';

/** The longest agent line (without its newline); a longer one is an output flood and fails the task. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Bytes read per batch: exactly one longest line and its newline, so no line is ever split. */
export const BATCH_BYTES = MAX_LINE_BYTES + 1;
/** Lines handled per batch, so one batch (parse, normalise, one transaction) stays within a few ms. */
export const MAX_BATCH_LINES = 500;
/** `exit` holds "0".."255", `pid` "<pid> <starttime>": anything longer is not the run script's. */
const SMALL_FILE_BYTES = 64;
const EXIT_TEXT = /^\d{1,3}\n?$/;
// The start time is empty when the agent ended before the run script could read it.
const PID_TEXT = /^(\d{1,10}) (\d{0,20})\n?$/;

export interface Batch {
  /** Complete lines, empty ones included; views into the caller's buffer, valid until its next read. */
  lines: Buffer[];
  /** The offset just past each line's newline. */
  ends: number[];
  /** The buffer filled up without a newline: the line in progress is longer than the buffer allows. */
  tooLong: boolean;
}

/**
 * Reads at most `buf.length` bytes of `fh` from `offset` (not past `size`)
 * and cuts them into at most `maxLines` complete lines. A partial last line is
 * left for the next read.
 */
export async function readBatch(fh: FileHandle, offset: number, size: number, buf: Buffer, maxLines = MAX_BATCH_LINES): Promise<Batch> {
  const want = Math.min(Math.max(0, size - offset), buf.length);
  const batch: Batch = { lines: [], ends: [], tooLong: false };
  let got = 0;
  while (got < want) {
    const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  const data = buf.subarray(0, got);
  let start = 0;
  while (batch.lines.length < maxLines) {
    const nl = data.indexOf(0x0a, start);
    if (nl < 0) break;
    batch.lines.push(data.subarray(start, nl));
    batch.ends.push(offset + nl + 1);
    start = nl + 1;
  }
  batch.tooLong = batch.lines.length === 0 && got === buf.length;
  return batch;
}

export interface AgentPid {
  pid: number;
  startTime: string;
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

  /** Opens one of the task's files; null when it does not exist (yet). */
  private async open(name: TaskFile): Promise<{ handle: FileHandle; size: number } | null> {
    try {
      return await this.root.openFile(this.seg(name));
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      if (err instanceof DomainError && err.code === 'invalid') throw new InvalidError(`the task's ${name} file cannot be read: ${err.message}`);
      throw err;
    }
  }

  /** A small file's text, checked against `shape` (`what` names it in the error). */
  private async small(name: 'exit' | 'pid', shape: RegExp, what: string): Promise<RegExpExecArray | null> {
    const opened = await this.open(name);
    if (!opened) return null;
    let text: string;
    try {
      if (opened.size > SMALL_FILE_BYTES) throw new InvalidError(`the task's ${name} file is not ${what}: it holds ${opened.size} bytes`);
      const buf = Buffer.alloc(opened.size);
      const { bytesRead } = await opened.handle.read(buf, 0, opened.size, 0);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await opened.handle.close().catch(() => undefined);
    }
    const m = shape.exec(text);
    if (!m) throw new InvalidError(`the task's ${name} file is not ${what}: ${JSON.stringify(text)}`);
    return m;
  }

  /** The agent's exit code once it has ended. */
  async exitCode(): Promise<number | null> {
    const m = await this.small('exit', EXIT_TEXT, 'a small integer');
    if (!m) return null;
    const n = Number(m[0]);
    if (n > 255) throw new InvalidError(`the task's exit file is not a small integer: ${n}`);
    return n;
  }

  /** The process the run script recorded as the agent's group leader. */
  async pid(): Promise<AgentPid | null> {
    const m = await this.small('pid', PID_TEXT, '"<pid> <start time>"');
    return m ? { pid: Number(m[1]), startTime: m[2] } : null;
  }

  /** Whether the run script got as far as starting the agent. */
  async launched(): Promise<boolean> {
    return (await this.pid()) !== null || (await this.exitCode()) !== null;
  }

  async stderrTail(bytes = 2000): Promise<string> {
    const opened = await this.open('err.log');
    if (!opened) return '';
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
    this.out ??= (await this.open('out.jsonl'))?.handle ?? null;
    return this.out;
  }

  async close(): Promise<void> {
    await this.out?.close().catch(() => undefined);
    this.out = null;
  }
}
