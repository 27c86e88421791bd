/**
 * Turns out.jsonl into stored events, one bounded batch at a time. The
 * tenant can write that file, so every batch is capped (bytes, lines,
 * events), the normaliser state is changed in place and capped, and output
 * past the caps is a flood: the agent is stopped and the task fails naming it.
 * Each batch is one SQLite transaction (events, offset and state together).
 */
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { TaskCursor, TaskStore } from '../store/tasks.js';
import type { NewEvent } from '../domain/task.js';
import type { AgentAdapter } from './agents/adapter.js';
import { boundState } from './agents/state.js';
import { BATCH_BYTES, MAX_LINE_BYTES, readBatch } from './files.js';

/** Events stored per task: far above what an agent emits in a long run (~10 per tool call). */
export const MAX_TASK_EVENTS = 20_000;
/** Events one line may make: a real line makes one to three (a few tens for many parallel tool results). */
export const MAX_LINE_EVENTS = 128;
/** A batch ends at the line that brings it to this many events: storing one costs tens of µs. */
export const MAX_BATCH_EVENTS = 256;
/**
 * A batch ends before the line that would take the bytes it handles past
 * this (a longer line is handled alone): parsing, normalising and storing
 * 128 KiB takes a few ms, a whole 1 MiB read of event lines tens of ms.
 */
export const BATCH_WORK_BYTES = 128 * 1024;
/** Events keep the agent's line under `raw` up to this size; bigger ones keep a stub. */
export const RAW_MAX_BYTES = 64 * 1024;
/** The copies of one line kept under `raw` (one per event) total at most this. */
export const RAW_LINE_BUDGET = 2 * RAW_MAX_BYTES;

export type BatchResult = 'idle' | 'more' | 'ended';

export interface OutputDeps {
  tasks: TaskStore;
  adapter: AgentAdapter;
  /** SANDBOXD_TASK_MAX_OUTPUT_MB in bytes. */
  maxOutputBytes: number;
  notify: (taskId: string) => void;
  log: Logger;
  /** The gateway counts this task's usage: the agent's own usage lines make no event. */
  gatewayUsage?: boolean;
}

const MIB = 1024 * 1024;

/** Keeps `raw` while the line is small, serialisable and within its budget; a stub otherwise. */
function withRaw(events: NewEvent[], line: unknown, bytes: number): NewEvent[] {
  let keep = bytes <= RAW_MAX_BYTES;
  if (keep) {
    try {
      JSON.stringify(line); // a line nested too deeply for the stack is parsed fine but not written back
    } catch {
      keep = false;
    }
  }
  let budget = RAW_LINE_BUDGET;
  const type = (line as { type?: unknown })?.type;
  const stub = { type: typeof type === 'string' ? type.slice(0, 64) : null, truncated: true, bytes };
  for (const e of events) {
    if (keep && budget >= bytes) budget -= bytes;
    else e.raw = stub;
  }
  return events;
}

export class OutputFollower {
  /** Reused for every batch: the lines of a batch are views into it. */
  private readonly buf = Buffer.allocUnsafe(BATCH_BYTES);
  private cursor: TaskCursor;
  /** Why reading stopped for good (an output flood); nothing more is read. */
  private flood: string | null = null;

  constructor(
    private readonly taskId: string,
    private readonly deps: OutputDeps,
  ) {
    this.cursor = this.load();
  }

  get state(): TaskCursor['state'] {
    return this.cursor.state;
  }

  private load(): TaskCursor {
    const c = this.deps.tasks.cursor(this.taskId);
    return { ...c, state: boundState(c.state) };
  }

  /** After a failed step: the in-memory state may be ahead of the stored offset. */
  reload(): void {
    this.cursor = this.load();
  }

  /**
   * Reads, normalises and stores one batch. 'more' when it consumed lines
   * (call again after yielding), 'idle' when there is nothing new or reading
   * has stopped, 'ended' when `live()` says the task ended meanwhile.
   */
  async next(fh: FileHandle, live: () => boolean): Promise<BatchResult> {
    if (this.flood) return 'idle';
    const { offset, state } = this.cursor;
    const size = (await fh.stat()).size;
    if (size > this.deps.maxOutputBytes) {
      return this.stop(`agent output flood: out.jsonl grew to ${size} bytes, past the ${this.deps.maxOutputBytes / MIB} MiB limit (SANDBOXD_TASK_MAX_OUTPUT_MB)`);
    }
    // A cursor left mid-line by an earlier version, which skipped over-long lines.
    if (this.cursor.discarding) return this.stop(`agent output flood: a line exceeds the ${MAX_LINE_BYTES / MIB} MiB limit`);
    const batch = await readBatch(fh, offset, size, this.buf);
    if (batch.tooLong) return this.stop(`agent output flood: a line of ${this.buf.length}+ bytes exceeds the ${MAX_LINE_BYTES / MIB} MiB limit`);
    if (batch.lines.length === 0) return 'idle';

    const events: NewEvent[] = [];
    let consumed = offset;
    let abort: string | undefined;
    let flood: string | undefined;
    let handled = 0;
    for (let i = 0; i < batch.lines.length && !flood && events.length < MAX_BATCH_EVENTS; i++) {
      const buf = batch.lines[i];
      if (handled > 0 && handled + buf.length > BATCH_WORK_BYTES) break;
      handled += buf.length + 1;
      consumed = batch.ends[i];
      if (buf.length === 0) continue;
      // Every agent line is a JSON object; anything else stays in out.jsonl and makes no event
      // (checked first: a thrown parse error costs microseconds per junk line).
      if (buf[buf.findIndex((b) => b !== 0x20 && b !== 0x09 && b !== 0x0d)] !== 0x7b) continue;
      let line: unknown;
      try {
        line = JSON.parse(buf.toString('utf8'));
      } catch {
        continue;
      }
      let out;
      try {
        out = this.deps.adapter.normalize(state, line);
      } catch (err) {
        // A shape the normaliser did not expect must not wedge the task on this line.
        this.deps.log.warn({ taskId: this.taskId, err }, 'agent output line not understood; skipped');
        continue;
      }
      if (out.events.length > MAX_LINE_EVENTS) flood = `agent output flood: one line made ${out.events.length} events, over the limit of ${MAX_LINE_EVENTS}`;
      else if (state.eventCount + events.length + out.events.length > MAX_TASK_EVENTS) flood = `agent output flood: more than ${MAX_TASK_EVENTS} events`;
      else events.push(...withRaw(this.deps.gatewayUsage ? out.events.filter((e) => e.type !== 'usage') : out.events, line, buf.length));
      abort ??= out.abort;
    }

    // Checked with no await before the write: nothing is stored after a terminal event.
    if (!live()) return 'ended';
    state.eventCount += events.length;
    this.cursor.offset = consumed;
    const stored = this.deps.tasks.advance(this.taskId, this.cursor, events);
    if (stored.length > 0) this.deps.notify(this.taskId);
    if (flood) return this.stop(flood);
    if (abort && this.deps.tasks.requestStop(this.taskId, 'failed', abort)) {
      this.deps.log.info({ taskId: this.taskId, reason: abort }, 'stopping the agent: it cannot succeed');
    }
    return 'more';
  }

  /** Stops reading and asks for the agent to be stopped (the watcher signals it). */
  private stop(reason: string): BatchResult {
    this.flood = reason;
    if (this.deps.tasks.requestStop(this.taskId, 'failed', reason)) {
      this.deps.log.warn({ taskId: this.taskId, reason }, 'stopping the agent: output flood');
    }
    return 'idle';
  }
}
