/**
 * Agent tasks as every layer sees them, and the one event schema both agents
 * are normalised into. Events are wire documents (snake_case): they are
 * persisted as JSON and streamed as-is. A leaf: imports nothing of ours.
 */
export const AGENTS = ['opencode', 'claude-code'] as const;
export type AgentName = (typeof AGENTS)[number];

export type TaskStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
/** How a task may end other than by the agent's own success. */
export type StopStatus = 'failed' | 'cancelled' | 'timed_out';

export const ACTIVE_STATUSES: readonly TaskStatus[] = ['queued', 'running'];

export function isTerminal(status: TaskStatus): boolean {
  return !ACTIVE_STATUSES.includes(status);
}

/** Task ids are lowercase ULIDs: safe as one path segment. */
export const TASK_ID_PATTERN = /^[0-9a-z]{26}$/;

export type UsageSource = 'agent' | 'gateway';

/** Reasons that start this way are a budget stop (task.failed, status failed). */
export const BUDGET_REASON_PREFIX = 'budget:';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface TaskResult {
  text: string;
  files_changed: string[];
  /** More files changed than files_changed lists (it stops at a cap). */
  files_changed_truncated: boolean;
  usage: Usage;
}

export type ToolStatus = 'ok' | 'error';

/** An event before the store numbers it; `raw` is the agent's own line (null for the daemon's). */
export type EventBody =
  | { type: 'task.started'; agent: AgentName; model: string | null; continue_from: string | null }
  | { type: 'agent.message'; text: string }
  | { type: 'tool.started'; tool_call_id: string; name: string; input: unknown }
  | { type: 'tool.completed'; tool_call_id: string; name: string; input: unknown; output: string; status: ToolStatus }
  | { type: 'file.changed'; path: string; tool: string }
  | ({ type: 'usage' } & Usage)
  | { type: 'task.completed'; status: 'succeeded'; result: TaskResult }
  | { type: 'task.failed'; status: StopStatus; reason: string; result: TaskResult };

export type EventType = EventBody['type'];
export const TERMINAL_EVENTS: readonly EventType[] = ['task.completed', 'task.failed'];

export type NewEvent = EventBody & { raw: unknown };

/** As stored and streamed: every event has a per-task monotonic seq and a timestamp. */
export type TaskEvent = NewEvent & { seq: number; ts: string };

export interface Task {
  id: string;
  sandboxId: string;
  agent: AgentName;
  status: TaskStatus;
  prompt: string;
  model: string | null;
  baseUrl: string | null;
  /** Names only: task env values are never stored. */
  envNames: string[];
  timeoutS: number;
  continueFrom: string | null;
  /** The snapshot taken right before the agent started (undo restores it). */
  checkpointId: string | null;
  /** gateway: model calls went through the daemon's gateway (the key never entered the sandbox), which counted usage. */
  usageSource: UsageSource;
  /** What the gateway counted so far (zeros for key_in_sandbox tasks). */
  gatewayUsage: Usage;
  maxTokensTotal: number | null;
  maxCostUsd: number | null;
  /** The name of the API token that started the task ('' with auth off). */
  apiToken: string;
  sessionId: string | null;
  containerId: string | null;
  result: TaskResult | null;
  error: string | null;
  stopStatus: StopStatus | null;
  stopReason: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export type AgentErrorKind = 'auth' | 'no_key' | 'unreachable' | 'api';

export interface AgentError {
  kind: AgentErrorKind;
  message: string;
  status: number | null;
}

/**
 * A normaliser's state: plain JSON, persisted with the byte offset of the
 * agent's output, so a restarted daemon continues exactly where it stopped.
 * The tenant writes that output, so every field is capped where it is set
 * (src/tasks/agents/state.ts states the caps and the bound on the whole).
 */
export interface AgentState {
  sessionId: string | null;
  /** Text of the current assistant turn (OpenCode: the current step). */
  turnText: string;
  /** The latest non-empty assistant answer: the task's result text. */
  finalText: string;
  filesChanged: string[];
  /** filesChanged reached its cap and stopped growing. */
  filesTruncated: boolean;
  usage: Usage;
  error: AgentError | null;
  /** Tool calls started and not yet completed, by call id. */
  tools: Record<string, { name: string; input: unknown }>;
  /** Events stored from the agent's output so far (the follower's count, for the per-task cap). */
  eventCount: number;
}

export function initialState(): AgentState {
  return {
    sessionId: null,
    turnText: '',
    finalText: '',
    filesChanged: [],
    filesTruncated: false,
    usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
    error: null,
    tools: {},
    eventCount: 0,
  };
}
