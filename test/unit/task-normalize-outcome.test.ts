/** How a finished run ends: a table over stop requests, exit codes and agent errors. */
import { describe, expect, it } from 'vitest';
import { initialState, type AgentState } from '../../src/domain/task.js';
import { agentError } from '../../src/tasks/agents/common.js';
import { decideOutcome, type RunFacts } from '../../src/tasks/outcome.js';

const base: RunFacts = { timeoutS: 60, stopStatus: null, stopReason: null, exitCode: 0, elapsedMs: 5000, stderrTail: '' };
const clean = initialState();
const withError = (message: string, status: number | null = null): AgentState => ({ ...initialState(), error: agentError(message, status) });

describe('decideOutcome', () => {
  it.each([
    ['a clean exit', {}, clean, { status: 'succeeded', reason: null }],
    ['a requested cancel, whatever the exit code', { stopStatus: 'cancelled', stopReason: 'cancelled by request', exitCode: 143 }, clean, { status: 'cancelled', reason: 'cancelled by request' }],
    ['an abort on a rejected key', { stopStatus: 'failed', stopReason: 'model API rejected the API key (HTTP 401): x', exitCode: 143 }, clean, { status: 'failed', reason: 'model API rejected the API key (HTTP 401): x' }],
    ['timeout (124)', { exitCode: 124, elapsedMs: 60_100 }, clean, { status: 'timed_out', reason: 'timed out after 60 s' }],
    ['timeout that needed KILL (137 past the deadline)', { exitCode: 137, elapsedMs: 70_000 }, clean, { status: 'timed_out', reason: 'timed out after 60 s' }],
    ['KILL before the deadline', { exitCode: 137, elapsedMs: 1000 }, clean, { status: 'failed', reason: 'agent was killed (SIGKILL; out of memory?)' }],
    ['an agent error event with exit 1', { exitCode: 1 }, withError('Incorrect API key provided', 401), { status: 'failed', reason: 'model API rejected the API key (HTTP 401): Incorrect API key provided' }],
    ['an agent error event with exit 0', {}, withError('Cannot connect to API: Unable to connect'), { status: 'failed', reason: 'model endpoint unreachable: Cannot connect to API: Unable to connect' }],
    ['a crash with stderr', { exitCode: 1, stderrTail: 'TypeError: boom\n' }, clean, { status: 'failed', reason: 'agent exited with code 1: TypeError: boom' }],
    ['a crash by signal', { exitCode: 139 }, clean, { status: 'failed', reason: 'agent crashed (signal 11)' }],
    ['a missing CLI', { exitCode: 127, stderrTail: 'sh: 1: opencode: not found' }, clean, { status: 'failed', reason: 'agent CLI not found in the sandbox image (exit 127): sh: 1: opencode: not found' }],
  ] as const)('%s', (_name, facts, state, expected) => {
    expect(decideOutcome({ ...base, ...facts }, state)).toEqual(expected);
  });
});
