/**
 * The watchers of running tasks: one per task, started at launch or at boot
 * (resume), stopped at shutdown without ending their tasks. Also where a task
 * is ended from outside its watcher (never launched, or a cancel the agent
 * did not obey), so the store never sees two writers disagree.
 */
import type { Logger } from 'pino';
import type { ContainerEngine } from '../docker/engine.js';
import type { ActivityTracker } from '../sandboxes/activity.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { TaskStore } from '../store/tasks.js';
import { workspaceDir } from '../domain/layout.js';
import { initialState, type AgentState, type StopStatus, type Task } from '../domain/task.js';
import { SafeRoot } from '../workspaces/safe-fs.js';
import { killAgent } from './agent-process.js';
import { ADAPTERS } from './agents/index.js';
import { boundState } from './agents/state.js';
import { TaskFiles } from './files.js';
import type { TaskNotifier } from './notifier.js';
import { resultOf } from './outcome.js';
import { TaskWatcher, type WatchTimings } from './watcher.js';
import { countTaskEnd } from '../telemetry/metrics.js';
import type { EventSink } from '../domain/event.js';
import { taskEnded, taskStarted } from './task-events.js';

export interface FollowerDeps {
  dataDir: string;
  /** SANDBOXD_TASK_MAX_OUTPUT_MB in bytes. */
  maxOutputBytes: number;
  store: TaskStore;
  sandboxes: Pick<SandboxService, 'lookup'>;
  activity: Pick<ActivityTracker, 'begin'>;
  engine: ContainerEngine;
  notifier: TaskNotifier;
  timings: WatchTimings;
  log: Logger;
  events: EventSink;
}

export class TaskFollowers {
  private readonly watchers = new Map<string, TaskWatcher>();

  constructor(private readonly deps: FollowerDeps) {}

  private files(task: Pick<Task, 'id' | 'sandboxId'>): TaskFiles {
    return new TaskFiles(new SafeRoot(workspaceDir(this.deps.dataDir, task.sandboxId)), task.id);
  }

  watch(task: Task): void {
    if (this.watchers.has(task.id)) return;
    const end = this.deps.activity.begin(task.sandboxId);
    const { store, notifier } = this.deps;
    const watcher = new TaskWatcher(
      task.id,
      {
        tasks: store,
        sandboxes: this.deps.sandboxes,
        engine: this.deps.engine,
        files: this.files(task),
        adapter: ADAPTERS[task.agent],
        timings: this.deps.timings,
        maxOutputBytes: this.deps.maxOutputBytes,
        gatewayUsage: task.usageSource === 'gateway',
        notify: (id) => notifier.notify(id),
        log: this.deps.log,
        events: this.deps.events,
      },
      () => {
        end();
        this.watchers.delete(task.id);
      },
    );
    this.watchers.set(task.id, watcher);
    watcher.start();
  }

  /** Look again now (a stop was requested). */
  poke(taskId: string): void {
    this.watchers.get(taskId)?.poke();
  }

  /** Boot: follow every task that was running when the daemon stopped. Call after the boot reconcile. */
  async resume(): Promise<void> {
    const { store, log } = this.deps;
    for (const task of store.listActive()) {
      if (task.status === 'queued' && !(await this.resumeQueued(task))) continue;
      log.info({ sandboxId: task.sandboxId, taskId: task.id }, 'resuming task');
      this.watch(store.get(task.id)!);
    }
  }

  /** A task the daemon died launching: running if the agent got started, failed otherwise. */
  private async resumeQueued(task: Task): Promise<boolean> {
    const launched = await this.files(task).launched().catch(() => false);
    const containerId = this.deps.sandboxes.lookup(task.sandboxId)?.containerId;
    if (launched && containerId) {
      if (this.deps.store.markRunning(task.id, containerId, { type: 'task.started', agent: task.agent, model: task.model, continue_from: task.continueFrom, raw: null }).length > 0) {
        taskStarted(this.deps.events, task);
      }
      return true;
    }
    this.failUnstarted(task.id, 'the daemon stopped before the agent was launched');
    return false;
  }

  failUnstarted(taskId: string, reason: string): void {
    this.end(taskId, 'failed', reason, initialState());
  }

  /**
   * Ends a task whose agent did not stop when asked, with the stop that was
   * requested, and sends a best-effort KILL after it; its watcher notices
   * the ended task at its next look and writes nothing more.
   */
  endUnresponsive(task: Task): void {
    const status = task.stopStatus ?? 'cancelled';
    const reason = task.stopReason ?? 'cancelled by request';
    if (!this.end(task.id, status, reason, boundState(this.deps.store.cursor(task.id).state))) return;
    this.deps.log.warn({ sandboxId: task.sandboxId, taskId: task.id, status }, 'the agent did not stop in time; ended the task without it');
    this.poke(task.id);
    void killAgent(this.deps.engine, task, this.deps.log);
  }

  private end(taskId: string, status: StopStatus, reason: string, state: AgentState): boolean {
    const result = resultOf(state);
    const event = { type: 'task.failed', status, reason, result, raw: null } as const;
    const stored = this.deps.store.finish(taskId, { status, result, error: reason, event, now: Date.now() });
    const task = this.deps.store.get(taskId);
    if (stored.length > 0 && task) {
      countTaskEnd(task.agent, status, result);
      taskEnded(this.deps.events, task, status, reason);
    }
    this.deps.notifier.notify(taskId);
    return stored.length > 0;
  }

  /** Shutdown: stop following; running agents keep running and are resumed at the next start. */
  async stop(): Promise<void> {
    await Promise.all([...this.watchers.values()].map((w) => w.stop()));
  }
}
