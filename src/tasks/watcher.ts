/**
 * Follows one running task from the host until it ends: tails out.jsonl,
 * normalises and persists each batch of lines with the new offset in one
 * transaction, signals the agent when a stop was requested, and notices when
 * the sandbox or the agent went away. It never needs the daemon to have seen
 * the start: a restarted daemon creates a watcher from the stored cursor.
 */
import type { Logger } from 'pino';
import type { ContainerEngine } from '../docker/engine.js';
import { DomainError, NotFoundError } from '../errors.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { TaskCursor, TaskStore } from '../store/tasks.js';
import { SANDBOX_USER } from '../domain/layout.js';
import { isDeleted } from '../domain/sandbox.js';
import type { AgentAdapter } from './agents/adapter.js';
import { TaskFiles, readLines } from './files.js';
import { decideOutcome, resultOf, type Outcome } from './outcome.js';
import type { NewEvent, Task } from '../domain/task.js';
import { ALIVE_EXIT, KILL_AFTER_S, aliveCommand, signalCommand } from './wrapper.js';

/** Events keep the agent's line under `raw`, up to this size; bigger ones keep a stub. */
const RAW_MAX_BYTES = 64 * 1024;
const ERROR_PAUSE_MS = 5000;
/** A vanished agent is confirmed by a second liveness check this much later. */
const DEAD_CONFIRM_MS = 2000;

export interface WatchTimings {
  pollMs: number;
  /** How often the container's state is checked. */
  containerCheckMs: number;
  /** How often the agent process is checked for life (an exec in the sandbox). */
  livenessCheckMs: number;
  /** TERM → KILL after a requested stop. */
  stopGraceMs: number;
  /** How long the run script may take to leave its pid file. */
  startupGraceMs: number;
}

export interface WatcherDeps {
  tasks: TaskStore;
  sandboxes: Pick<SandboxService, 'lookup'>;
  engine: ContainerEngine;
  files: TaskFiles;
  adapter: AgentAdapter;
  timings: WatchTimings;
  notify: (taskId: string) => void;
  log: Logger;
}

function withRaw(events: NewEvent[], line: unknown, bytes: number): NewEvent[] {
  if (bytes <= RAW_MAX_BYTES) return events;
  const type = (line as { type?: unknown })?.type;
  const stub = { type: typeof type === 'string' ? type : null, truncated: true, bytes };
  return events.map((e) => ({ ...e, raw: stub }));
}

export class TaskWatcher {
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private cursor: TaskCursor;
  private signalledAt: number | null = null;
  private killed = false;
  private lastContainerCheck = 0;
  private lastLiveness: number;
  /** When a liveness check first found the agent gone without an exit code. */
  private seenDeadAt: number | null = null;

  constructor(
    private readonly taskId: string,
    private readonly deps: WatcherDeps,
    private readonly onDone: () => void,
  ) {
    this.cursor = deps.tasks.cursor(taskId);
    this.lastLiveness = Date.now();
  }

  private get task(): Task {
    return this.deps.tasks.get(this.taskId)!;
  }

  start(): void {
    this.loop = this.run().finally(() => this.onDone());
  }

  /** Look again now (a stop was requested). */
  poke(): void {
    this.wake?.();
  }

  /** Daemon shutdown: stop following without ending the task; a restart resumes it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.loop;
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        let pause = this.deps.timings.pollMs;
        try {
          if (await this.step()) return;
        } catch (err) {
          if (err instanceof DomainError && err.code === 'invalid') {
            // The tenant replaced a task file with a link or a directory.
            await this.finish({ status: 'failed', reason: `task output unreadable: ${err.message}` });
            return;
          }
          // Docker or the disk hiccuped: the cursor is in SQLite, so trying again loses nothing.
          this.deps.log.warn({ taskId: this.taskId, err }, 'task watcher step failed; retrying');
          pause = ERROR_PAUSE_MS;
        }
        await this.sleep(pause);
      }
    } finally {
      await this.deps.files.close();
    }
  }

  /** One look; true when the task has ended. */
  private async step(): Promise<boolean> {
    const exit = await this.deps.files.exitCode();
    await this.drain();
    const task = this.task;
    if (task.status !== 'running') return true;
    if (exit !== null) return this.finishExited(task, exit);

    const gone = await this.checkContainer(task);
    if (gone) return this.finishGone(gone);
    if (task.stopStatus) await this.signal(task);
    else if (Date.now() > (task.startedAt ?? 0) + (task.timeoutS + KILL_AFTER_S) * 1000 + this.deps.timings.stopGraceMs) {
      // The in-sandbox `timeout` should have ended it by now: end it from here.
      this.deps.tasks.requestStop(task.id, 'timed_out', `timed out after ${task.timeoutS} s`);
    }
    const lost = await this.checkAlive(task);
    if (lost) return this.finishGone(lost);
    return false;
  }

  /** Consumes every complete line written so far. */
  private async drain(): Promise<void> {
    const fh = await this.deps.files.output();
    if (!fh) return;
    for (;;) {
      const r = await readLines(fh, this.cursor.offset, this.cursor.discarding);
      if (r.offset === this.cursor.offset) return;
      if (r.skipped > 0) this.deps.log.warn({ taskId: this.taskId, bytes: r.skipped }, 'skipped an over-long agent output line');
      let state = this.cursor.state;
      const events: NewEvent[] = [];
      let abort: string | undefined;
      for (const buf of r.lines) {
        let line: unknown;
        try {
          line = JSON.parse(buf.toString('utf8'));
        } catch {
          continue; // not JSON: stays in out.jsonl, makes no event
        }
        let out;
        try {
          out = this.deps.adapter.normalize(state, line);
        } catch (err) {
          // A shape the normaliser did not expect must not wedge the task on this line.
          this.deps.log.warn({ taskId: this.taskId, err }, 'agent output line not understood; skipped');
          continue;
        }
        state = out.state;
        events.push(...withRaw(out.events, line, buf.length));
        abort ??= out.abort;
      }
      const cursor = { offset: r.offset, discarding: r.discarding, state };
      const stored = this.deps.tasks.advance(this.taskId, cursor, events);
      this.cursor = cursor;
      if (stored.length > 0) this.deps.notify(this.taskId);
      if (abort && this.deps.tasks.requestStop(this.taskId, 'failed', abort)) {
        this.deps.log.info({ taskId: this.taskId, reason: abort }, 'stopping the agent: it cannot succeed');
      }
    }
  }

  private async finishExited(task: Task, exitCode: number): Promise<boolean> {
    const outcome = decideOutcome(
      {
        timeoutS: task.timeoutS,
        stopStatus: task.stopStatus,
        stopReason: task.stopReason,
        exitCode,
        elapsedMs: Date.now() - (task.startedAt ?? task.createdAt),
        stderrTail: exitCode === 0 ? '' : await this.deps.files.stderrTail(),
      },
      this.cursor.state,
    );
    await this.finish(outcome, exitCode);
    return true;
  }

  /** The agent cannot still be running; an exit code written at the last moment still counts. */
  private async finishGone(reason: string): Promise<boolean> {
    const exit = await this.deps.files.exitCode();
    await this.drain();
    const task = this.task;
    if (task.status !== 'running') return true;
    if (exit !== null) return this.finishExited(task, exit);
    await this.finish(task.stopStatus ? { status: task.stopStatus, reason: task.stopReason ?? task.stopStatus } : { status: 'failed', reason });
    return true;
  }

  private async finish(outcome: Outcome, exitCode?: number): Promise<void> {
    const result = resultOf(this.cursor.state);
    const event: NewEvent =
      outcome.status === 'succeeded'
        ? { type: 'task.completed', status: 'succeeded', result, raw: null }
        : { type: 'task.failed', status: outcome.status, reason: outcome.reason, result, raw: null };
    const stored = this.deps.tasks.finish(this.taskId, { status: outcome.status, result, error: outcome.reason, event, now: Date.now() });
    if (stored.length > 0) {
      this.deps.notify(this.taskId);
      this.deps.log.info({ taskId: this.taskId, status: outcome.status, reason: outcome.reason, exitCode }, 'task ended');
    }
  }

  /** A reason when the sandbox no longer runs the container the agent was started in. */
  private async checkContainer(task: Task): Promise<string | null> {
    const now = Date.now();
    if (now - this.lastContainerCheck < this.deps.timings.containerCheckMs) return null;
    this.lastContainerCheck = now;
    const sb = this.deps.sandboxes.lookup(task.sandboxId);
    if (!sb || isDeleted(sb)) {
      return `sandbox ${task.sandboxId} was ${sb?.desiredState ?? 'deleted'} while the task ran`;
    }
    if (!task.containerId) return null;
    try {
      const info = await this.deps.engine.inspect(task.containerId);
      return info.running ? null : `sandbox ${task.sandboxId} was stopped while the task ran`;
    } catch (err) {
      if (err instanceof NotFoundError) return `the container of sandbox ${task.sandboxId} was removed while the task ran`;
      this.deps.log.warn({ taskId: task.id, err }, 'container check failed; retrying');
      return null;
    }
  }

  /** A reason when the agent process is gone without an exit code, or never started. */
  private async checkAlive(task: Task): Promise<string | null> {
    const now = Date.now();
    if (now - this.lastLiveness < this.deps.timings.livenessCheckMs || !task.containerId) return null;
    this.lastLiveness = now;
    try {
      const r = await this.deps.engine.exec(task.containerId, { cmd: aliveCommand(task.id), user: SANDBOX_USER, timeoutS: 10, outputLimitBytes: 4096 });
      if (r.exitCode === ALIVE_EXIT.dead) {
        // The run script writes `exit` just after it reaps the agent: in between, the process is
        // gone and the file not there yet. Only a second look, a moment later, may call it lost.
        if (this.seenDeadAt === null || now - this.seenDeadAt < DEAD_CONFIRM_MS) {
          this.seenDeadAt ??= now;
          this.lastLiveness = now - this.deps.timings.livenessCheckMs + DEAD_CONFIRM_MS;
          return null;
        }
        return 'the agent process disappeared without an exit code (was the sandbox restarted?)';
      }
      this.seenDeadAt = null;
      if (r.exitCode === ALIVE_EXIT.notStarted && now - (task.startedAt ?? now) > this.deps.timings.startupGraceMs) {
        const stderr = (await this.deps.files.stderrTail()).trim();
        return `the agent did not start${stderr ? `: ${stderr}` : ''}`;
      }
    } catch (err) {
      this.deps.log.warn({ taskId: task.id, err }, 'liveness check failed; retrying');
    }
    return null;
  }

  /** TERM to the agent's process tree once, KILL after the grace period. */
  private async signal(task: Task): Promise<void> {
    const now = Date.now();
    let sig: 'TERM' | 'KILL' | null = null;
    if (this.signalledAt === null) sig = 'TERM';
    else if (!this.killed && now - this.signalledAt > this.deps.timings.stopGraceMs) sig = 'KILL';
    if (!sig || !task.containerId) return;
    if (sig === 'TERM') this.signalledAt = now;
    else this.killed = true;
    this.deps.log.info({ taskId: task.id, signal: sig, reason: task.stopReason }, 'signalling the agent');
    try {
      await this.deps.engine.exec(task.containerId, { cmd: signalCommand(task.id, sig), user: SANDBOX_USER, timeoutS: 10, outputLimitBytes: 4096 });
    } catch (err) {
      this.deps.log.warn({ taskId: task.id, err }, 'signalling the agent failed');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}
