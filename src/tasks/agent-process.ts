/**
 * The agent's process inside the sandbox, as one task's watcher sees it:
 * whether it still lives, and signalling it (TERM once, KILL after the
 * grace period, and a deadline after which the task is ended without it).
 * Every look runs a small script as the sandbox user (see wrapper.ts).
 */
import type { Logger } from 'pino';
import type { ContainerEngine } from '../docker/engine.js';
import type { Task } from '../domain/task.js';
import type { TaskFiles } from './files.js';
import { ALIVE_EXIT, aliveCommand, signalCommand } from './wrapper.js';

/** A vanished agent is confirmed by a second liveness check this much later. */
const DEAD_CONFIRM_MS = 2000;
/** As the container's own user (the sandbox user, from the spec), like every exec. */
const EXEC = { timeoutS: 10, outputLimitBytes: 4096 } as const;

export interface ProcessTimings {
  /** How often the agent process is checked for life (an exec in the sandbox). */
  livenessCheckMs: number;
  /** TERM → KILL after a requested stop, and KILL → giving up on the agent. */
  stopGraceMs: number;
  /** How long the run script may take to leave its pid file. */
  startupGraceMs: number;
}

/** Sends KILL to the agent's process tree; failures are logged, never thrown. */
export async function killAgent(engine: ContainerEngine, task: Task, log: Logger): Promise<void> {
  if (!task.containerId) return;
  try {
    await engine.exec(task.containerId, { cmd: signalCommand(task.id, 'KILL'), ...EXEC });
  } catch (err) {
    log.warn({ taskId: task.id, err }, 'killing the agent failed');
  }
}

export class AgentProcess {
  private lastLiveness = Date.now();
  /** When a liveness check first found the agent gone without an exit code. */
  private seenDeadAt: number | null = null;
  private signalledAt: number | null = null;
  private killedAt: number | null = null;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly files: TaskFiles,
    private readonly timings: ProcessTimings,
    private readonly log: Logger,
  ) {}

  /** A reason when the agent process is gone without an exit code, or never started. */
  async checkAlive(task: Task): Promise<string | null> {
    const now = Date.now();
    if (now - this.lastLiveness < this.timings.livenessCheckMs || !task.containerId) return null;
    this.lastLiveness = now;
    // A pid file that is not the run script's fails the task here (InvalidError), clearly and once.
    await this.files.pid();
    try {
      const r = await this.engine.exec(task.containerId, { cmd: aliveCommand(task.id), ...EXEC });
      if (r.exitCode === ALIVE_EXIT.dead) {
        // The run script writes `exit` just after it reaps the agent: in between, the process is
        // gone and the file not there yet. Only a second look, a moment later, may call it lost.
        if (this.seenDeadAt === null || now - this.seenDeadAt < DEAD_CONFIRM_MS) {
          this.seenDeadAt ??= now;
          this.lastLiveness = now - this.timings.livenessCheckMs + DEAD_CONFIRM_MS;
          return null;
        }
        return 'the agent process disappeared without an exit code (was the sandbox restarted?)';
      }
      this.seenDeadAt = null;
      if (r.exitCode === ALIVE_EXIT.notStarted && now - (task.startedAt ?? now) > this.timings.startupGraceMs) {
        const stderr = (await this.files.stderrTail()).trim();
        return `the agent did not start${stderr ? `: ${stderr}` : ''}`;
      }
    } catch (err) {
      this.log.warn({ taskId: task.id, err }, 'liveness check failed; retrying');
    }
    return null;
  }

  /** TERM to the agent's process tree once, KILL after the grace period. */
  async signal(task: Task): Promise<void> {
    const now = Date.now();
    let sig: 'TERM' | 'KILL' | null = null;
    if (this.signalledAt === null) sig = 'TERM';
    else if (this.killedAt === null && now - this.signalledAt > this.timings.stopGraceMs) sig = 'KILL';
    if (!sig || !task.containerId) return;
    if (sig === 'TERM') this.signalledAt = now;
    else this.killedAt = now;
    this.log.info({ taskId: task.id, signal: sig, reason: task.stopReason }, 'signalling the agent');
    if (sig === 'KILL') return killAgent(this.engine, task, this.log);
    try {
      await this.engine.exec(task.containerId, { cmd: signalCommand(task.id, sig), ...EXEC });
    } catch (err) {
      this.log.warn({ taskId: task.id, err }, 'signalling the agent failed');
    }
  }

  /** KILL was sent a grace period ago and the agent has still not ended: stop waiting for it. */
  overdue(): boolean {
    return this.killedAt !== null && Date.now() - this.killedAt > this.timings.stopGraceMs;
  }
}
