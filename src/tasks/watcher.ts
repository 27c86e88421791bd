/**
 * Follows one running task from the host until it ends: tails out.jsonl in
 * bounded batches (output.ts), signals the agent when a stop was requested
 * (agent-process.ts), and notices when the sandbox or the agent went away. It
 * never needs the daemon to have seen the start: a restarted daemon creates a
 * watcher from the stored cursor.
 *
 * Nothing a tenant writes can keep it busy or retrying forever: every batch
 * is bounded and followed by a yield to the event loop, a task file that is
 * not what the run script writes fails the task at once, and other failures
 * are retried for at most RETRY_FOR_MS.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ContainerEngine } from '../docker/engine.js';
import { DomainError, NotFoundError } from '../errors.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { TaskStore } from '../store/tasks.js';
import { isDeleted } from '../domain/sandbox.js';
import type { NewEvent, Task } from '../domain/task.js';
import type { AgentAdapter } from './agents/adapter.js';
import { AgentProcess, killAgent, type ProcessTimings } from './agent-process.js';
import type { TaskFiles } from './files.js';
import { decideOutcome, resultOf, type Outcome } from './outcome.js';
import { OutputFollower } from './output.js';
import { KILL_AFTER_S } from './wrapper.js';
import { countTaskEnd, noteStoreError } from '../telemetry/metrics.js';
import type { EventSink } from '../domain/event.js';
import { taskEnded } from './task-events.js';

const ERROR_PAUSE_MS = 5000;
/** Docker or the disk failing this long without a break ends the task with the last error. */
export const RETRY_FOR_MS = 5 * 60_000;
/** Batches per step: then the exit, container and stop checks get their turn (a flood cannot starve them). */
const BATCHES_PER_STEP = 4;
/**
 * The pause before the next batches while output is waiting. With at most
 * 4 × 128 KiB per step this holds one task to about 10 MiB/s and a fifth of
 * a core, far above what an agent writes; a flood waits in its own file.
 */
const BEHIND_PAUSE_MS = 40;

export interface WatchTimings extends ProcessTimings {
  pollMs: number;
  /** How often the container's state is checked. */
  containerCheckMs: number;
}

export interface WatcherDeps {
  tasks: TaskStore;
  sandboxes: Pick<SandboxService, 'lookup'>;
  engine: ContainerEngine;
  files: TaskFiles;
  adapter: AgentAdapter;
  timings: WatchTimings;
  /** SANDBOXD_TASK_MAX_OUTPUT_MB in bytes. */
  maxOutputBytes: number;
  /** The gateway counts this task's usage (see OutputDeps). */
  gatewayUsage?: boolean;
  notify: (taskId: string) => void;
  log: Logger;
  events: EventSink;
}

type StepResult = 'ended' | 'idle' | 'behind';

/** The tenant's own files said something we cannot use: retrying would read the same. */
function fromTenantFile(err: unknown): err is DomainError {
  return err instanceof DomainError && (err.code === 'invalid' || err.code === 'too_large');
}

export class TaskWatcher {
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly output: OutputFollower;
  private readonly agent: AgentProcess;
  private lastContainerCheck = 0;
  private failingSince: number | null = null;

  constructor(
    private readonly taskId: string,
    private readonly deps: WatcherDeps,
    private readonly onDone: () => void,
  ) {
    this.output = new OutputFollower(taskId, deps);
    this.agent = new AgentProcess(deps.engine, deps.files, deps.timings, deps.log);
  }

  private get task(): Task {
    return this.deps.tasks.get(this.taskId)!;
  }

  start(): void {
    this.loop = this.run().finally(() => this.onDone());
  }

  /** Look again now (a stop was requested, or the task was ended elsewhere). */
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
          const r = await this.step();
          if (r === 'ended') return;
          this.failingSince = null;
          if (r === 'behind') pause = BEHIND_PAUSE_MS;
        } catch (err) {
          noteStoreError(err);
          if (await this.failed(err)) return;
          pause = ERROR_PAUSE_MS;
        }
        await this.sleep(pause);
      }
    } finally {
      await this.deps.files.close();
    }
  }

  /** After a failed step: true when the task was ended for it. */
  private async failed(err: unknown): Promise<boolean> {
    const now = Date.now();
    this.failingSince ??= now;
    let reason: string | null = null;
    if (fromTenantFile(err)) reason = err.message;
    else if (now - this.failingSince >= RETRY_FOR_MS) {
      reason = `the task could not be followed for ${RETRY_FOR_MS / 60_000} min: ${(err as Error).message}`;
    }
    if (reason === null) {
      // Docker or the disk hiccuped: the cursor is in SQLite, so trying again loses nothing.
      this.deps.log.warn({ taskId: this.taskId, err }, 'task watcher step failed; retrying');
      this.output.reload();
      return false;
    }
    try {
      const task = this.task;
      if (task.status === 'running') {
        await killAgent(this.deps.engine, task, this.deps.log);
        await this.finish({ status: 'failed', reason });
      }
      return true;
    } catch (finishErr) {
      this.deps.log.warn({ taskId: this.taskId, err: finishErr }, 'could not end the task; retrying');
      this.output.reload();
      return false;
    }
  }

  /** One look; 'behind' when output is waiting beyond this step's batches. */
  private async step(): Promise<StepResult> {
    if (this.task.status !== 'running') return 'ended';
    const exit = await this.deps.files.exitCode();
    const behind = await this.drain();
    const task = this.task;
    if (task.status !== 'running') return 'ended';
    if (exit !== null && !behind) return this.finishExited(task, exit);

    const gone = await this.checkContainer(task);
    if (gone) return this.finishGone(gone, false);
    if (task.stopStatus) {
      if (this.agent.overdue()) {
        this.deps.log.warn({ taskId: task.id, reason: task.stopReason }, 'the agent did not exit after KILL; ending the task without it');
        return this.finishGone(task.stopReason ?? task.stopStatus, true);
      }
      await this.agent.signal(task);
    } else if (Date.now() > (task.startedAt ?? 0) + (task.timeoutS + KILL_AFTER_S) * 1000 + this.deps.timings.stopGraceMs) {
      // The in-sandbox `timeout` should have ended it by now: end it from here.
      this.deps.tasks.requestStop(task.id, 'timed_out', `timed out after ${task.timeoutS} s`);
    }
    // "Lost" by its pid file, which the tenant can rewrite: the agent may live on, so it is killed.
    const lost = await this.agent.checkAlive(task);
    if (lost) return this.finishGone(lost, true);
    return behind ? 'behind' : 'idle';
  }

  /** Consumes up to BATCHES_PER_STEP batches, yielding after each; true when more is waiting. */
  private async drain(): Promise<boolean> {
    const fh = await this.deps.files.output();
    if (!fh) return false;
    for (let i = 0; i < BATCHES_PER_STEP; i++) {
      const r = await this.output.next(fh, () => !this.stopped && this.task.status === 'running');
      if (r !== 'more') return false;
      await yieldToLoop();
    }
    return true;
  }

  /** Bounded: the output cap ends a file that keeps growing. */
  private async drainAll(): Promise<void> {
    while (await this.drain()) await this.sleep(BEHIND_PAUSE_MS);
  }

  private async finishExited(task: Task, exitCode: number): Promise<StepResult> {
    const outcome = decideOutcome(
      {
        timeoutS: task.timeoutS,
        stopStatus: task.stopStatus,
        stopReason: task.stopReason,
        exitCode,
        elapsedMs: Date.now() - (task.startedAt ?? task.createdAt),
        stderrTail: exitCode === 0 ? '' : await this.deps.files.stderrTail(),
      },
      this.output.state,
    );
    await this.finish(outcome, exitCode);
    return 'ended';
  }

  /**
   * The agent is gone (or no longer waited for): ends the task, killing what
   * may be left of the agent when the container still runs. An exit code
   * written at the last moment still counts.
   */
  private async finishGone(reason: string, kill: boolean): Promise<StepResult> {
    const exit = await this.deps.files.exitCode();
    await this.drainAll();
    const task = this.task;
    if (task.status !== 'running') return 'ended';
    if (exit !== null) return this.finishExited(task, exit);
    if (kill) await killAgent(this.deps.engine, task, this.deps.log);
    await this.finish(task.stopStatus ? { status: task.stopStatus, reason: task.stopReason ?? task.stopStatus } : { status: 'failed', reason });
    return 'ended';
  }

  private async finish(outcome: Outcome, exitCode?: number): Promise<void> {
    const result = resultOf(this.output.state);
    const event: NewEvent =
      outcome.status === 'succeeded'
        ? { type: 'task.completed', status: 'succeeded', result, raw: null }
        : { type: 'task.failed', status: outcome.status, reason: outcome.reason, result, raw: null };
    const stored = this.deps.tasks.finish(this.taskId, { status: outcome.status, result, error: outcome.reason, event, now: Date.now() });
    if (stored.length > 0) {
      countTaskEnd(this.task.agent, outcome.status, result);
      taskEnded(this.deps.events, this.task, outcome.status, outcome.reason);
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
