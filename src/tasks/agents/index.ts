/** The agents a task can run, by wire name. */
import type { AgentName } from '../../domain/task.js';
import type { AgentAdapter } from './adapter.js';
import { claudeCodeAdapter } from './claude-code.js';
import { opencodeAdapter } from './opencode.js';

export const ADAPTERS: Record<AgentName, AgentAdapter> = {
  opencode: opencodeAdapter,
  'claude-code': claudeCodeAdapter,
};
