/**
 * Rows ↔ domain for tasks and their events. Every change that consumes agent
 * output (events, the out.jsonl offset, the normaliser state) is one
 * transaction: after a crash, either all of it happened or none of it did.
 */
import { OWNER_KEY } from '../domain/metadata.js';
import type { PageRequest } from '../domain/page.js';
import type { AgentName, AgentState, NewEvent, StopStatus, Task, TaskEvent, TaskResult, TaskStatus, Usage, UsageSource } from '../domain/task.js';
import type { Db } from './db.js';

interface Row {
  id: string;
  sandbox_id: string;
  agent: AgentName;
  status: TaskStatus;
  prompt: string;
  model: string | null;
  base_url: string | null;
  env_names_json: string;
  timeout_s: number;
  continue_from: string | null;
  checkpoint_id: string | null;
  session_id: string | null;
  container_id: string | null;
  result_json: string | null;
  error: string | null;
  stop_status: StopStatus | null;
  stop_reason: string | null;
  out_offset: number;
  out_discarding: number;
  next_seq: number;
  agent_state_json: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  usage_source: UsageSource;
  gateway_usage_json: string;
  max_tokens_total: number | null;
  max_cost_usd: number | null;
  api_token: string;
}

interface DaySpend {
  tokens: number;
  cost_usd: number;
}

interface EventRow {
  seq: number;
  ts: number;
  body_json: string;
}

function toTask(r: Row): Task {
  return {
    id: r.id,
    sandboxId: r.sandbox_id,
    agent: r.agent,
    status: r.status,
    prompt: r.prompt,
    model: r.model,
    baseUrl: r.base_url,
    envNames: JSON.parse(r.env_names_json) as string[],
    timeoutS: r.timeout_s,
    continueFrom: r.continue_from,
    checkpointId: r.checkpoint_id,
    sessionId: r.session_id,
    containerId: r.container_id,
    result: r.result_json ? (JSON.parse(r.result_json) as TaskResult) : null,
    error: r.error,
    stopStatus: r.stop_status,
    stopReason: r.stop_reason,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    usageSource: r.usage_source,
    gatewayUsage: JSON.parse(r.gateway_usage_json) as Usage,
    maxTokensTotal: r.max_tokens_total,
    maxCostUsd: r.max_cost_usd,
    apiToken: r.api_token,
  };
}

function toEvent(r: EventRow): TaskEvent {
  return { seq: r.seq, ts: new Date(r.ts).toISOString(), ...(JSON.parse(r.body_json) as NewEvent) };
}

/** A task row as it is first written: the task's own fields, its normaliser's start state. */
export type NewTask = Pick<
  Task,
  | 'id' | 'sandboxId' | 'agent' | 'prompt' | 'model' | 'baseUrl' | 'envNames' | 'timeoutS' | 'continueFrom' | 'sessionId'
  | 'usageSource' | 'maxTokensTotal' | 'maxCostUsd' | 'apiToken'
> & { state: AgentState; now: number };

/** Where the tailer stands in out.jsonl, and the normaliser state that goes with it. */
export interface TaskCursor {
  offset: number;
  discarding: boolean;
  state: AgentState;
}

export interface Finish {
  status: Exclude<TaskStatus, 'queued' | 'running'>;
  result: TaskResult;
  error: string | null;
  event: NewEvent;
  now: number;
}

export class TaskStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO tasks (id, sandbox_id, agent, status, prompt, model, base_url, env_names_json, timeout_s, continue_from,
           session_id, agent_state_json, created_at, usage_source, max_tokens_total, max_cost_usd, api_token)
         VALUES (@id, @sandboxId, @agent, 'queued', @prompt, @model, @baseUrl, @envNames, @timeoutS, @continueFrom,
           @sessionId, @state, @now, @usageSource, @maxTokensTotal, @maxCostUsd, @apiToken)`,
      ),
      get: db.prepare<[string], Row>('SELECT * FROM tasks WHERE id = ?'),
      setCheckpoint: db.prepare('UPDATE tasks SET checkpoint_id = ? WHERE id = ?'),
      bySandbox: db.prepare<[string, number], Row>('SELECT * FROM tasks WHERE sandbox_id = ? AND created_at >= ? ORDER BY created_at, id'),
      active: db.prepare<[string], Row>("SELECT * FROM tasks WHERE sandbox_id = ? AND status IN ('queued', 'running')"),
      allActive: db.prepare<[], Row>("SELECT * FROM tasks WHERE status IN ('queued', 'running') ORDER BY created_at"),
      activeOwnedBy: db.prepare<[string], number>(
        `SELECT count(*) FROM tasks WHERE status IN ('queued', 'running')
           AND sandbox_id IN (SELECT sandbox_id FROM sandbox_metadata WHERE key = '${OWNER_KEY}' AND value = ?)`,
      ).pluck(),
      pageBySandbox: db.prepare<[string, number, number, number, string, number], Row>(
        `SELECT * FROM tasks WHERE sandbox_id = ? AND created_at >= ? AND (? = 0 OR (created_at, id) > (?, ?)) ORDER BY created_at, id LIMIT ?`,
      ),
      nextSeq: db.prepare<[string], number>('SELECT next_seq FROM tasks WHERE id = ?').pluck(),
      insertEvent: db.prepare('INSERT INTO task_events (task_id, seq, ts, type, body_json) VALUES (?, ?, ?, ?, ?)'),
      setNextSeq: db.prepare('UPDATE tasks SET next_seq = ? WHERE id = ?'),
      running: db.prepare("UPDATE tasks SET status = 'running', started_at = ?, container_id = ? WHERE id = ? AND status = 'queued'"),
      cursor: db.prepare(
        'UPDATE tasks SET out_offset = ?, out_discarding = ?, agent_state_json = ?, session_id = COALESCE(?, session_id) WHERE id = ?',
      ),
      finish: db.prepare(
        "UPDATE tasks SET status = ?, result_json = ?, error = ?, ended_at = ? WHERE id = ? AND status IN ('queued', 'running')",
      ),
      stop: db.prepare(
        "UPDATE tasks SET stop_status = ?, stop_reason = ? WHERE id = ? AND stop_status IS NULL AND status IN ('queued', 'running')",
      ),
      setGatewayUsage: db.prepare('UPDATE tasks SET gateway_usage_json = ? WHERE id = ?'),
      addDay: db.prepare(
        `INSERT INTO usage_days (day, api_token, tokens, cost_usd) VALUES (?, ?, ?, ?)
         ON CONFLICT (day, api_token) DO UPDATE SET tokens = tokens + excluded.tokens, cost_usd = cost_usd + excluded.cost_usd`,
      ),
      dayOf: db.prepare<[string, string], DaySpend>('SELECT tokens, cost_usd FROM usage_days WHERE day = ? AND api_token = ?'),
      dayAll: db.prepare<[string], DaySpend>('SELECT COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd FROM usage_days WHERE day = ?'),
      dropGrant: db.prepare('DELETE FROM task_grants WHERE task_id = ?'),
      events: db.prepare<[string, number, number], EventRow>('SELECT seq, ts, body_json FROM task_events WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    };
  }

  /** False when the sandbox already has a queued or running task. */
  insert(t: NewTask): boolean {
    try {
      this.stmts.insert.run({
        ...t,
        envNames: JSON.stringify(t.envNames),
        state: JSON.stringify(t.state),
      });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw err;
    }
  }

  setCheckpoint(id: string, snapshotId: string): void {
    this.stmts.setCheckpoint.run(snapshotId, id);
  }

  get(id: string): Task | undefined {
    const row = this.stmts.get.get(id);
    return row ? toTask(row) : undefined;
  }

  /** Tasks of the sandbox's current life: an id re-created after purge starts with none. */
  listBySandbox(sandboxId: string, since: number): Task[] {
    return this.stmts.bySandbox.all(sandboxId, since).map(toTask);
  }

  /** A page of the sandbox's current life's tasks, oldest first (keyset on created_at, id). */
  pageBySandbox(sandboxId: string, since: number, page: PageRequest): Task[] {
    const a = page.after;
    return this.stmts.pageBySandbox.all(sandboxId, since, a ? 1 : 0, a?.createdAt ?? 0, a?.id ?? '', page.limit ?? -1).map(toTask);
  }

  /** Tasks queued or running in the sandboxes an API token owns (its max_running_tasks). */
  activeOwnedBy(owner: string): number {
    return this.stmts.activeOwnedBy.get(owner)!;
  }

  activeFor(sandboxId: string): Task | undefined {
    const row = this.stmts.active.get(sandboxId);
    return row ? toTask(row) : undefined;
  }

  listActive(): Task[] {
    return this.stmts.allActive.all().map(toTask);
  }

  cursor(id: string): TaskCursor {
    const row = this.stmts.get.get(id)!;
    return { offset: row.out_offset, discarding: row.out_discarding === 1, state: JSON.parse(row.agent_state_json) as AgentState };
  }

  /** Caller holds a transaction. */
  private append(id: string, events: NewEvent[], now: number): TaskEvent[] {
    let seq = this.stmts.nextSeq.get(id)!;
    const out: TaskEvent[] = [];
    for (const e of events) {
      this.stmts.insertEvent.run(id, seq, now, e.type, JSON.stringify(e));
      out.push({ seq, ts: new Date(now).toISOString(), ...e });
      seq++;
    }
    this.stmts.setNextSeq.run(seq, id);
    return out;
  }

  markRunning(id: string, containerId: string, event: NewEvent, now = Date.now()): TaskEvent[] {
    return this.db.transaction(() => {
      if (this.stmts.running.run(now, containerId, id).changes === 0) return [];
      return this.append(id, [event], now);
    })();
  }

  /** Consumed output: its events, the new offset and the normaliser state, all or nothing. */
  advance(id: string, cursor: TaskCursor, events: NewEvent[], now = Date.now()): TaskEvent[] {
    return this.db.transaction(() => {
      this.stmts.cursor.run(cursor.offset, cursor.discarding ? 1 : 0, JSON.stringify(cursor.state), cursor.state.sessionId, id);
      return this.append(id, events, now);
    })();
  }

  /**
   * Ends the task with its terminal event; returns [] when it had already ended.
   * The task's gateway grant goes in the same transaction (its capability is
   * refused from then on), and a gateway task's usage is what the gateway counted.
   */
  finish(id: string, f: Finish): TaskEvent[] {
    return this.db.transaction(() => {
      const row = this.stmts.get.get(id);
      let { result, event } = f;
      if (row?.usage_source === 'gateway') {
        result = { ...result, usage: JSON.parse(row.gateway_usage_json) as Usage };
        if (event.type === 'task.completed' || event.type === 'task.failed') event = { ...event, result };
      }
      this.stmts.dropGrant.run(id);
      const changed = this.stmts.finish.run(f.status, JSON.stringify(result), f.error, f.now, id).changes;
      if (changed === 0) return [];
      return this.append(id, [event], f.now);
    })();
  }

  /**
   * One model call's usage, counted by the gateway: added to the task's total
   * and the day's spend, and a `usage` event while the task runs, all at once.
   * Returns the stored event (none once the task has ended) and the new total.
   */
  addUsage(id: string, usage: Usage, day: string, now = Date.now()): { events: TaskEvent[]; total: Usage } {
    return this.db.transaction(() => {
      const row = this.stmts.get.get(id);
      if (!row) return { events: [], total: usage };
      const before = JSON.parse(row.gateway_usage_json) as Usage;
      const total = {
        input_tokens: before.input_tokens + usage.input_tokens,
        output_tokens: before.output_tokens + usage.output_tokens,
        cost_usd: before.cost_usd + usage.cost_usd,
      };
      this.stmts.setGatewayUsage.run(JSON.stringify(total), id);
      this.stmts.addDay.run(day, row.api_token, usage.input_tokens + usage.output_tokens, usage.cost_usd);
      const active = row.status === 'queued' || row.status === 'running';
      const events = active ? this.append(id, [{ type: 'usage', ...usage, raw: null }], now) : [];
      return { events, total };
    })();
  }

  /** Tokens and dollars spent on `day` (UTC, YYYY-MM-DD) by one API token, or by all when `apiToken` is null. */
  spent(day: string, apiToken: string | null): { tokens: number; costUsd: number } {
    const r = apiToken === null ? this.stmts.dayAll.get(day) : this.stmts.dayOf.get(day, apiToken);
    return { tokens: r?.tokens ?? 0, costUsd: r?.cost_usd ?? 0 };
  }

  /** Records why we are stopping a run; the first reason wins. */
  requestStop(id: string, status: StopStatus, reason: string): boolean {
    return this.stmts.stop.run(status, reason, id).changes === 1;
  }

  eventsAfter(id: string, afterSeq: number, limit: number): TaskEvent[] {
    return this.stmts.events.all(id, afterSeq, limit).map(toEvent);
  }
}
