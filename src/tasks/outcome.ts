/**
 * How a finished run ends, decided purely from what we know: a stop we
 * requested (cancel, abort, deadline), the wrapper's exit code, the agent's
 * own error events, and the tail of its stderr.
 */
import { describeError, truncate } from './agents/common.js';
import type { AgentState, StopStatus, TaskResult } from '../domain/task.js';

/** coreutils `timeout`: the command ran out of time and exited on TERM. */
export const EXIT_TIMED_OUT = 124;
const EXIT_NOT_FOUND = 127;
const EXIT_SIGKILL = 137;

export interface RunFacts {
  timeoutS: number;
  stopStatus: StopStatus | null;
  stopReason: string | null;
  exitCode: number;
  elapsedMs: number;
  stderrTail: string;
}

export type Outcome = { status: 'succeeded'; reason: null } | { status: StopStatus; reason: string };

export function decideOutcome(facts: RunFacts, state: AgentState): Outcome {
  if (facts.stopStatus) return { status: facts.stopStatus, reason: facts.stopReason ?? facts.stopStatus };
  const { exitCode } = facts;
  const outOfTime = facts.elapsedMs >= facts.timeoutS * 1000;
  if (exitCode === EXIT_TIMED_OUT || (exitCode === EXIT_SIGKILL && outOfTime)) {
    return { status: 'timed_out', reason: `timed out after ${facts.timeoutS} s` };
  }
  if (state.error) return { status: 'failed', reason: describeError(state.error) };
  if (exitCode === 0) return { status: 'succeeded', reason: null };
  const stderr = facts.stderrTail.trim();
  const detail = stderr ? `: ${truncate(stderr, 1000)}` : '';
  if (exitCode === EXIT_NOT_FOUND) return { status: 'failed', reason: `agent CLI not found in the sandbox image (exit 127)${detail}` };
  if (exitCode === EXIT_SIGKILL) return { status: 'failed', reason: `agent was killed (SIGKILL; out of memory?)${detail}` };
  if (exitCode > 128) return { status: 'failed', reason: `agent crashed (signal ${exitCode - 128})${detail}` };
  return { status: 'failed', reason: `agent exited with code ${exitCode}${detail}` };
}

export function resultOf(state: AgentState): TaskResult {
  return {
    text: state.finalText,
    files_changed: [...state.filesChanged],
    files_changed_truncated: state.filesTruncated,
    usage: { ...state.usage },
  };
}
