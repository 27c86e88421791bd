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
  /** Through the model gateway: its base URL and the capability the agent uses as its key; null: the key is in the sandbox. */
  gateway: { url: string; token: string } | null;
}

/** Where a gateway task's model calls go, and with which of the env's keys. */
export interface GatewayRoute {
  api: 'anthropic' | 'openai';
  upstream: string;
  auth: 'x-api-key' | 'bearer' | 'none';
  key: string | null;
}

/** Provider keys a gateway task's agent never gets (the gateway holds the one it uses). */
export const PROVIDER_KEY_NAMES = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'OPENAI_API_KEY'];
export const ANTHROPIC_DEFAULT = 'https://api.anthropic.com';
export const OPENAI_DEFAULT = 'https://api.openai.com/v1';

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
  /** Where the gateway sends this task's calls (throws InvalidError for a provider it cannot serve). */
  route(input: Pick<LaunchInput, 'model' | 'baseUrl' | 'env'>): GatewayRoute;
  /** Updates `state` in place (only through ./state.ts, which caps it) and returns the line's events. */
  normalize(state: AgentState, line: unknown): NormalizeOutput;
}
