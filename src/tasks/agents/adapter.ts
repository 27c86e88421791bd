/**
 * What an agent adapter is: how to launch its CLI headlessly, and a pure
 * normaliser from its JSON lines to our event schema. The normaliser's state
 * is plain JSON and persisted with the byte offset, so a restarted daemon
 * continues exactly where it stopped.
 */
import type { AgentName, NewEvent, Usage } from '../types.js';

export type AgentErrorKind = 'auth' | 'no_key' | 'unreachable' | 'api';

export interface AgentError {
  kind: AgentErrorKind;
  message: string;
  status: number | null;
}

export interface AgentState {
  sessionId: string | null;
  /** Text of the current assistant turn (OpenCode: the current step). */
  turnText: string;
  /** The latest non-empty assistant answer: the task's result text. */
  finalText: string;
  filesChanged: string[];
  usage: Usage;
  error: AgentError | null;
  /** Tool calls started and not yet completed, by call id. */
  tools: Record<string, { name: string; input: unknown }>;
}

export interface NormalizeOutput {
  state: AgentState;
  events: NewEvent[];
  /** The run cannot succeed (e.g. the key was rejected and the agent keeps retrying): stop it. */
  abort?: string;
}

export interface LaunchInput {
  prompt: string;
  model: string | null;
  baseUrl: string | null;
  /** The agent's session to continue (from an earlier task). */
  sessionId: string | null;
  /** Sandbox env merged with the task's env (the adapter may read it, never logs it). */
  env: Record<string, string>;
}

export interface LaunchSpec {
  argv: string[];
  /** Applied under the user's env: the user may override them. */
  defaults: Record<string, string>;
  /** Applied over the user's env. */
  forced: Record<string, string>;
}

export interface AgentAdapter {
  name: AgentName;
  launch(input: LaunchInput): LaunchSpec;
  normalize(state: AgentState, line: unknown): NormalizeOutput;
}

export function initialState(): AgentState {
  return {
    sessionId: null,
    turnText: '',
    finalText: '',
    filesChanged: [],
    usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
    error: null,
    tools: {},
  };
}
