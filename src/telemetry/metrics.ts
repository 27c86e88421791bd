/**
 * The daemon's Prometheus metrics: one registry, every metric defined here,
 * recorded by the component that knows (the lifecycle service, the edge, the
 * engine adapter, the task follower) without any of them knowing about HTTP.
 * Served at GET /metrics (src/http/metrics.ts) and, when set, on
 * SANDBOXD_METRICS_BIND (./metrics-server.ts).
 *
 * Names follow Prometheus conventions: the `sandboxed_` prefix, base units
 * (`_seconds`), counters end in `_total`; a histogram's `_count` is how many
 * there were. Label values come from small fixed sets (outcome words, status
 * codes, agents, operations), never from ids or tenant input.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SandboxStatus } from '../domain/sandbox.js';
import type { AgentName, TaskResult, TaskStatus } from '../domain/task.js';
import { DomainError } from '../errors.js';

export const registry = new Registry();

const LIFECYCLE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const EXEC_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const WAKE_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];

const SANDBOX_STATUSES = ['running', 'starting', 'stopping', 'stopped', 'error'] as const satisfies readonly SandboxStatus[];

/** ok; refused (503: memory, disk, isolation); invalid (the caller's mistake: 4xx); error (Docker or the host failed). */
export type Outcome = 'ok' | 'refused' | 'invalid' | 'error';

export function outcomeOf(err: unknown): Outcome {
  if (!(err instanceof DomainError)) return 'error';
  if (err.code === 'unavailable') return 'refused';
  return err.code === 'upstream' ? 'error' : 'invalid';
}

let statusSource: () => Iterable<SandboxStatus> = () => [];

/** The lifecycle service's live sandboxes, read at scrape time (one SQLite query per scrape). */
export function countSandboxesFrom(source: () => Iterable<SandboxStatus>): void {
  statusSource = source;
}

let poolSource: () => Iterable<{ runtime: string; state: string }> = () => [];

/** The warm pool's entries, read at scrape time. */
export function countPoolFrom(source: () => Iterable<{ runtime: string; state: string }>): void {
  poolSource = source;
}

export const metrics = {
  sandboxes: new Gauge({
    name: 'sandboxed_sandboxes',
    help: 'Live sandboxes by status (read from SQLite at scrape time)',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(SANDBOX_STATUSES.map((s) => [s, 0]));
      for (const s of statusSource()) counts.set(s, (counts.get(s) ?? 0) + 1);
      this.reset();
      for (const [status, n] of counts) this.set({ status }, n);
    },
  }),
  create: lifecycle('sandboxed_sandbox_create_seconds', 'Sandbox creates (POST /v1/sandboxes) by outcome'),
  start: lifecycle('sandboxed_sandbox_start_seconds', 'Sandbox starts (API, wake, exec or task on a stopped sandbox) by outcome'),
  stop: lifecycle('sandboxed_sandbox_stop_seconds', 'Sandbox stops (API and reapers) by outcome'),
  reaperStops: new Counter({
    name: 'sandboxed_reaper_stops_total',
    help: 'Sandboxes stopped by a reaper, by reason (idle, memory_pressure)',
    labelNames: ['reason'] as const,
    registers: [registry],
  }),
  wake: new Histogram({
    name: 'sandboxed_wake_seconds',
    help: 'Wakes by a preview request, until the app accepts connections, by outcome (ok, refused, failed, timeout)',
    labelNames: ['outcome'] as const,
    buckets: WAKE_BUCKETS,
    registers: [registry],
  }),
  wakeRefusals: new Counter({
    name: 'sandboxed_wake_refusals_total',
    help: 'Wakes refused for now (503 with Retry-After), by reason (memory, disk_space, disk_quota, network_isolation, …)',
    labelNames: ['reason'] as const,
    registers: [registry],
  }),
  exec: new Histogram({
    name: 'sandboxed_exec_seconds',
    help: 'Foreground execs, from the call to the command’s end, by outcome (ok, timeout, error)',
    labelNames: ['outcome'] as const,
    buckets: EXEC_BUCKETS,
    registers: [registry],
  }),
  edgeRequests: new Histogram({
    name: 'sandboxed_edge_request_seconds',
    help: 'Preview requests through the built-in edge until the response ended, by status class (2xx…5xx, or aborted)',
    labelNames: ['status'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  }),
  edgeResponses: new Counter({
    name: 'sandboxed_edge_responses_total',
    help: 'Preview responses through the built-in edge by status code',
    labelNames: ['code'] as const,
    registers: [registry],
  }),
  apiRequests: new Histogram({
    name: 'sandboxed_api_request_seconds',
    help: 'API requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'code'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  }),
  tasks: new Counter({
    name: 'sandboxed_tasks_total',
    help: 'Agent tasks ended, by agent and status (succeeded, failed, cancelled, timed_out)',
    labelNames: ['agent', 'status'] as const,
    registers: [registry],
  }),
  taskTokens: new Counter({
    name: 'sandboxed_task_tokens_total',
    help: 'Model tokens used by ended agent tasks, by agent and kind (input, output)',
    labelNames: ['agent', 'kind'] as const,
    registers: [registry],
  }),
  taskCost: new Counter({
    name: 'sandboxed_task_cost_usd_total',
    help: 'Model cost reported by ended agent tasks, in US dollars, by agent',
    labelNames: ['agent'] as const,
    registers: [registry],
  }),
  dockerErrors: new Counter({
    name: 'sandboxed_docker_errors_total',
    help: 'Docker Engine API calls that failed, by operation and HTTP status (none: no answer)',
    labelNames: ['operation', 'status'] as const,
    registers: [registry],
  }),
  poolClaims: new Counter({
    name: 'sandboxed_pool_claims_total',
    help: 'Creates by how the warm pool served them: hit (a pooled container was claimed), or why not (empty, ineligible, off, failed: claimed then fell back to a cold start)',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  poolEntries: new Gauge({
    name: 'sandboxed_pool_entries',
    help: 'Warm pool entries by runtime and state (filling, ready, claiming), read from SQLite at scrape time',
    labelNames: ['runtime', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const e of poolSource()) this.inc({ runtime: e.runtime, state: e.state });
    },
  }),
  sqliteBusy: new Counter({
    name: 'sandboxed_sqlite_busy_total',
    help: 'SQLite calls that stayed busy or locked past the 5 s busy_timeout (better-sqlite3 does not expose the retries inside it)',
    registers: [registry],
  }),
};

function lifecycle(name: string, help: string): Histogram<'outcome'> {
  return new Histogram({ name, help, labelNames: ['outcome'] as const, buckets: LIFECYCLE_BUCKETS, registers: [registry] });
}

/** Runs `fn`, observing its duration under its outcome. */
export async function timed<T>(histogram: Histogram<'outcome'>, fn: () => Promise<T>): Promise<T> {
  const end = histogram.startTimer();
  try {
    const value = await fn();
    end({ outcome: 'ok' });
    return value;
  } catch (err) {
    end({ outcome: outcomeOf(err) });
    throw err;
  }
}

/** An ended task: its outcome, and the tokens and cost its result reports (the agent's numbers: only finite, positive ones count). */
export function countTaskEnd(agent: AgentName, status: TaskStatus, result: TaskResult): void {
  metrics.tasks.inc({ agent, status });
  const add = (counter: Counter<string>, labels: Record<string, string>, n: number): void => {
    if (Number.isFinite(n) && n > 0) counter.inc(labels, n);
  };
  add(metrics.taskTokens, { agent, kind: 'input' }, result.usage.input_tokens);
  add(metrics.taskTokens, { agent, kind: 'output' }, result.usage.output_tokens);
  add(metrics.taskCost, { agent }, result.usage.cost_usd);
}

/** Counts SQLITE_BUSY/SQLITE_LOCKED (and their extended codes) where a caller catches a store error. */
export function noteStoreError(err: unknown): void {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) metrics.sqliteBusy.inc();
}

let processMetrics = false;

/** Node's own metrics (event-loop lag, heap, GC, CPU, open fds), started once by the composition root. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry });
}
