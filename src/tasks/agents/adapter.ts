/**
 * What an agent adapter is: how to launch its CLI headlessly, and a
 * normaliser from its JSON lines to our event schema. The normaliser changes
 * the AgentState it is given in place (the follower owns it; copying it per
 * line would cost as much as the state is big) and depends on nothing else.
 */
import type { AgentName, AgentState, NewEvent } from '../../domain/task.js';

export interface NormalizeOutput {
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
  /** Updates `state` in place (only through ./state.ts, which caps it) and returns the line's events. */
  normalize(state: AgentState, line: unknown): NormalizeOutput;
}
