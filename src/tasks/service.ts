/**
 * Agent tasks: start one agent run per sandbox, follow it, cancel it, replay
 * its events. The agent runs inside the sandbox (see wrapper.ts); this
 * service only launches it and watches the files it leaves, so it survives a
 * daemon restart. A running task holds the sandbox's activity: no reaper
 * stops a sandbox for idleness while its agent works.
 */
import type { Logger } from 'pino';
import { ulid } from 'ulid';
import type { ContainerEngine } from '../docker/engine.js';
import { ConflictError, InvalidError, NotFoundError, TooManyError, UnavailableError } from '../errors.js';
import type { Config } from '../config.js';
import type { ActivityTracker } from '../sandboxes/activity.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { Sandbox } from '../domain/sandbox.js';
import type { PageRequest } from '../domain/page.js';
import type { Principal } from '../domain/principal.js';
import { taskQuotaProblem } from '../sandboxes/quota.js';
import type { GrantStore } from '../store/grants.js';
import type { TaskStore } from '../store/tasks.js';
import { SANDBOX_APP_DIR, SANDBOX_HOME } from '../domain/layout.js';
import { PROVIDER_KEY_NAMES, type LaunchInput } from './agents/adapter.js';
import { ADAPTERS } from './agents/index.js';
import { TaskFollowers } from './followers.js';
import { TaskNotifier } from './notifier.js';
import { initialState, isTerminal, TERMINAL_EVENTS, type AgentName, type Task, type TaskEvent, type Usage } from '../domain/task.js';
import { NO_EVENTS, type EventSink } from '../domain/event.js';
import { taskStarted } from './task-events.js';
import type { WatchTimings } from './watcher.js';
import { PROMPT_ENV, runCommand } from './wrapper.js';

export type TaskConfig = Pick<Config, 'dataDir' | 'taskDefaultTimeoutS' | 'taskMaxTimeoutS' | 'taskMaxOutputBytes' | 'taskCheckpoint'>;

/** How the follower paces itself; not settings, since nothing is gained by tuning them. */
export interface TaskTimings extends WatchTimings {
  /** How long a cancel waits for the agent to be gone; then it ends the task without it. */
  cancelWaitMs: number;
}

export const TASK_TIMINGS: TaskTimings = {
  pollMs: 250,
  containerCheckMs: 2000,
  livenessCheckMs: 10_000,
  stopGraceMs: 5000,
  startupGraceMs: 30_000,
  cancelWaitMs: 15_000,
};

/** Env values travel in the exec call only: the prompt is not a secret but can be large. */
export const MAX_PROMPT_BYTES = 100 * 1024;

export interface CreateTaskInput {
  prompt: string;
  agent: AgentName;
  model?: string;
  baseUrl?: string;
  env?: Record<string, string>;
  timeoutS?: number;
  continueFrom?: string;
  /** Snapshot the workspace first (default: SANDBOXD_TASK_CHECKPOINT). */
  checkpoint?: boolean;
  /** Who asks: its max_running_tasks caps it. Absent: the operator. */
  by?: Principal;
  /** The old way: the provider key in the agent's env (weaker; no gateway, no budgets). */
  keyInSandbox?: boolean;
  maxTokensTotal?: number;
  maxCostUsd?: number;
  /** The API token that asks (its name), for per-token budgets. */
  apiToken?: string;
}

/** The model gateway as the task service sees it (wired in the composition root). */
export interface TaskGateway {
  /** The base URL agents call, or null while it is not listening. */
  url(): string | null;
  /** The capability token of a task in a sandbox. */
  issue(taskId: string, sandboxId: string): string;
  grants: Pick<GrantStore, 'insert'>;
}

/** Stands in for the gateway while input is validated: nothing is issued before the task exists. */
const PLACEHOLDER = { url: 'http://gateway.invalid', token: 'placeholder' };

export interface EventPage {
  events: TaskEvent[];
  /** Nothing will follow these events: the task has ended and its terminal event was read. */
  ended: boolean;
}

export class TaskService {
  readonly notifier = new TaskNotifier();
  private readonly followers: TaskFollowers;

  constructor(
    private readonly cfg: TaskConfig,
    private readonly store: TaskStore,
    private readonly sandboxes: Pick<SandboxService, 'get' | 'ensureRunning' | 'env' | 'lookup'>,
    activity: Pick<ActivityTracker, 'begin'>,
    private readonly engine: ContainerEngine,
    /** Snapshots the workspace before an agent starts (undo); null: no checkpoints. */
    private readonly checkpoint: ((sandboxId: string, taskId: string) => Promise<string>) | null,
    private readonly log: Logger,
    private readonly gateway: TaskGateway | null = null,
    /** Lifecycle events (task.started, task.succeeded, task.failed). */
    private readonly events: EventSink = NO_EVENTS,
    private readonly timings: TaskTimings = TASK_TIMINGS,
  ) {
    this.followers = new TaskFollowers({
      dataDir: cfg.dataDir,
      maxOutputBytes: cfg.taskMaxOutputBytes,
      store,
      sandboxes,
      activity,
      engine,
      notifier: this.notifier,
      timings,
      log,
      events,
    });
  }

  /** A task of the sandbox's current life; tasks of a purged namesake are not found. */
  get(sandboxId: string, taskId: string): Task {
    const sb = this.sandboxes.get(sandboxId);
    const task = this.store.get(taskId);
    if (!task || task.sandboxId !== sandboxId || task.createdAt < sb.createdAt) {
      throw new NotFoundError(`task ${taskId} not found in sandbox ${sandboxId}`);
    }
    return task;
  }

  list(sandboxId: string): Task[] {
    const sb = this.sandboxes.get(sandboxId);
    return this.store.listBySandbox(sandboxId, sb.createdAt);
  }

  /** A page of list(): oldest first, after the cursor's task. */
  page(sandboxId: string, page: PageRequest): Task[] {
    const sb = this.sandboxes.get(sandboxId);
    return this.store.pageBySandbox(sandboxId, sb.createdAt, page);
  }

  async create(sandboxId: string, input: CreateTaskInput): Promise<Task> {
    const adapter = ADAPTERS[input.agent];
    const timeoutS = input.timeoutS ?? this.cfg.taskDefaultTimeoutS;
    if (timeoutS > this.cfg.taskMaxTimeoutS) throw new InvalidError(`timeout_s: at most ${this.cfg.taskMaxTimeoutS}`);
    if (Buffer.byteLength(input.prompt) > MAX_PROMPT_BYTES) throw new InvalidError(`prompt: at most ${MAX_PROMPT_BYTES} bytes`);
    const viaGateway = !input.keyInSandbox;
    if (!viaGateway && (input.maxTokensTotal !== undefined || input.maxCostUsd !== undefined)) {
      throw new InvalidError('max_tokens_total, max_cost_usd: budgets need the model gateway (not with key_in_sandbox)');
    }
    const sb = this.sandboxes.get(sandboxId);
    const sessionId = input.continueFrom ? this.sessionToContinue(sb, input.continueFrom, input.agent) : null;
    const taskEnv = input.env ?? {};
    const env = { ...this.sandboxes.env(sandboxId), ...taskEnv };
    const model = input.model ?? null;
    const baseUrl = input.baseUrl ?? null;
    const launchInput: LaunchInput = { prompt: input.prompt, model, baseUrl, sessionId, env, gateway: viaGateway ? PLACEHOLDER : null };
    // Invalid input is refused before anything is written or woken.
    adapter.launch(launchInput);
    const route = viaGateway ? adapter.route(launchInput) : null;
    this.refuseIfBusy(sandboxId);
    this.refuseOverQuota(input.by);

    const running = await this.sandboxes.ensureRunning(sandboxId);
    const gatewayUrl = route ? this.gatewayUrl() : null;
    const id = ulid().toLowerCase();
    // Again after the wait, and nothing awaits from here to the insert: the quota's last unit goes to one task.
    this.refuseOverQuota(input.by);
    const inserted = this.store.insert({
      id,
      sandboxId,
      agent: input.agent,
      prompt: input.prompt,
      model,
      baseUrl,
      envNames: Object.keys(taskEnv).sort(),
      timeoutS,
      continueFrom: input.continueFrom ?? null,
      sessionId,
      usageSource: route ? 'gateway' : 'agent',
      maxTokensTotal: input.maxTokensTotal ?? null,
      maxCostUsd: input.maxCostUsd ?? null,
      apiToken: input.apiToken ?? '',
      state: { ...initialState(), sessionId },
      now: Date.now(),
    });
    if (!inserted) {
      this.refuseIfBusy(sandboxId);
      throw new ConflictError(`sandbox ${sandboxId} is busy with another task; retry`);
    }
    if (route) this.gateway!.grants.insert({ taskId: id, sandboxId, ...route });

    if (this.checkpoint && (input.checkpoint ?? this.cfg.taskCheckpoint)) {
      try {
        this.store.setCheckpoint(id, await this.checkpoint(sandboxId, id));
      } catch (err) {
        this.followers.failUnstarted(id, `could not take the checkpoint: ${(err as Error).message}`);
        throw err;
      }
    }
    const gateway = gatewayUrl ? { url: gatewayUrl, token: this.gateway!.issue(id, sandboxId) } : null;
    const spec = adapter.launch({ ...launchInput, gateway });
    // Through the gateway the agent never sees a provider key: its capability stands in for it.
    const agentEnv = gateway ? Object.fromEntries(Object.entries(env).filter(([k]) => !PROVIDER_KEY_NAMES.includes(k))) : env;
    const containerId = running.containerId!;
    const execEnv = { ...spec.defaults, ...agentEnv, ...spec.forced, [PROMPT_ENV]: input.prompt };
    try {
      await this.engine.execDetached(containerId, {
        cmd: runCommand(id, SANDBOX_APP_DIR, timeoutS, spec.argv),
        env: Object.entries(execEnv).map(([k, v]) => `${k}=${v}`),
        cwd: SANDBOX_HOME,
      });
    } catch (err) {
      this.followers.failUnstarted(id, `could not start the agent: ${(err as Error).message}`);
      throw err;
    }
    this.store.markRunning(id, containerId, { type: 'task.started', agent: input.agent, model, continue_from: input.continueFrom ?? null, raw: null });
    this.log.info({ sandboxId, taskId: id, agent: input.agent, model, envNames: Object.keys(taskEnv), viaGateway }, 'task started');
    taskStarted(this.events, { id, sandboxId, agent: input.agent });
    this.followers.watch(this.store.get(id)!);
    return this.store.get(id)!;
  }

  private refuseOverQuota(by: Principal | undefined): void {
    if (!by?.owner) return;
    const problem = taskQuotaProblem(by.owner, by.limits, this.store.activeOwnedBy(by.owner));
    if (problem) throw new TooManyError(problem);
  }

  private gatewayUrl(): string {
    const url = this.gateway?.url();
    if (!url) throw new UnavailableError('the model gateway is not listening; retry, or set key_in_sandbox: true', 5);
    return url;
  }

  /** The gateway's record of one model call: the task's total grows and a `usage` event is stored. */
  recordUsage(taskId: string, usage: Usage): Usage {
    const { events, total } = this.store.addUsage(taskId, usage, new Date().toISOString().slice(0, 10));
    if (events.length > 0) this.notifier.notify(taskId);
    return total;
  }

  /** The gateway refused a call over budget: the agent is stopped and the task ends failed with `reason`. */
  stopForBudget(taskId: string, reason: string): void {
    if (this.store.requestStop(taskId, 'failed', reason)) this.log.warn({ taskId, reason }, 'stopping the agent: over budget');
    this.followers.poke(taskId);
  }

  private refuseIfBusy(sandboxId: string): void {
    const active = this.store.activeFor(sandboxId);
    if (active) {
      throw new ConflictError(`sandbox ${sandboxId} is already running task ${active.id}; cancel it or wait until it ends`);
    }
  }

  private sessionToContinue(sb: Sandbox, previousId: string, agent: AgentName): string {
    const prev = this.store.get(previousId);
    if (!prev || prev.sandboxId !== sb.id || prev.createdAt < sb.createdAt) {
      throw new InvalidError(`continue_from: no task ${previousId} in sandbox ${sb.id}`);
    }
    if (prev.agent !== agent) throw new InvalidError(`continue_from: task ${previousId} ran ${prev.agent}, not ${agent}`);
    if (!isTerminal(prev.status)) throw new ConflictError(`continue_from: task ${previousId} has not ended yet`);
    if (!prev.sessionId) throw new InvalidError(`continue_from: task ${previousId} has no agent session to continue`);
    return prev.sessionId;
  }

  /**
   * Stops the agent and answers once the task has ended. An agent that is not
   * gone within cancelWaitMs (it ignores TERM, or the tenant hid it from our
   * signals) does not keep the task running: cancel ends it and KILLs what it
   * can find. Cancelling an ended task changes nothing.
   */
  async cancel(sandboxId: string, taskId: string): Promise<Task> {
    const task = this.get(sandboxId, taskId);
    if (isTerminal(task.status)) return task;
    if (this.store.requestStop(taskId, 'cancelled', 'cancelled by request')) {
      this.log.info({ sandboxId, taskId }, 'task cancel requested');
    }
    this.followers.poke(taskId);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.timings.cancelWaitMs);
    try {
      while (!ac.signal.aborted) {
        const next = this.notifier.next(taskId, ac.signal);
        if (isTerminal(this.store.get(taskId)!.status)) break;
        await next;
      }
    } finally {
      clearTimeout(timer);
    }
    const now = this.store.get(taskId)!;
    if (!isTerminal(now.status)) this.followers.endUnresponsive(now);
    return this.store.get(taskId)!;
  }

  readEvents(taskId: string, afterSeq: number, limit = 500): EventPage {
    const events = this.store.eventsAfter(taskId, afterSeq, limit);
    const status = this.store.get(taskId)?.status ?? 'failed';
    const ended = events.some((e) => TERMINAL_EVENTS.includes(e.type)) || (events.length === 0 && isTerminal(status));
    return { events, ended };
  }

  waitForEvents(taskId: string, signal: AbortSignal): Promise<void> {
    return this.notifier.next(taskId, signal);
  }

  /** Boot: follow every task that was running when the daemon stopped. Call after the boot reconcile. */
  resume(): Promise<void> {
    return this.followers.resume();
  }

  /** Shutdown: stop following; running agents keep running and are resumed at the next start. */
  stop(): Promise<void> {
    return this.followers.stop();
  }
}
