/**
 * What an agent adapter is: how to launch its CLI headlessly, and a pure
 * normaliser from its JSON lines to our event schema (its state is the
 * domain's AgentState).
 */
import type { AgentName, AgentState, NewEvent } from '../../domain/task.js';

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
