/** The Claude Code normaliser against real `claude -p --output-format stream-json` output. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialState, type AgentState } from '../../src/domain/task.js';
import { claudeCodeAdapter } from '../../src/tasks/agents/claude-code.js';
import { describeError } from '../../src/tasks/agents/common.js';
import type { NewEvent } from '../../src/domain/task.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/agents/claude-code');

function run(fixture: string): { state: AgentState; events: NewEvent[]; aborts: string[] } {
  const state = initialState();
  const events: NewEvent[] = [];
  const aborts: string[] = [];
  for (const line of readFileSync(path.join(DIR, fixture), 'utf8').split('\n').filter(Boolean)) {
    // The state is the caller's and changes in place.
    const out = claudeCodeAdapter.normalize(state, JSON.parse(line));
    events.push(...out.events);
    if (out.abort) aborts.push(out.abort);
  }
  return { state, events, aborts };
}

describe('claude-code normaliser', () => {
  it('turns a write-then-answer run into the common events, in order', () => {
    const { state, events } = run('success.jsonl');
    expect(events.map((e) => e.type)).toEqual(['tool.started', 'tool.completed', 'file.changed', 'agent.message', 'usage']);
    expect(events[0]).toMatchObject({
      name: 'Write',
      tool_call_id: 'toolu_mwt4bfik1',
      input: { file_path: '/home/sandbox/workspace/app/hello.txt', content: 'hello-from-claude' },
    });
    expect(events[1]).toMatchObject({ name: 'Write', tool_call_id: 'toolu_mwt4bfik1', status: 'ok', output: expect.stringContaining('File created successfully') });
    expect(events[2]).toMatchObject({ path: 'hello.txt', tool: 'Write' });
    expect(events[3]).toMatchObject({ text: 'DONE /home/sandbox/workspace/app/hello.txt' });
    expect(events[4]).toMatchObject({ input_tokens: 240, output_tokens: 60, cost_usd: 0.00216 });
    expect(state).toMatchObject({
      sessionId: '57796813-fa6d-4f12-964c-cfa8a9ea9fab',
      finalText: 'DONE /home/sandbox/workspace/app/hello.txt',
      filesChanged: ['hello.txt'],
      error: null,
      tools: {},
    });
  });

  it('keeps the session of a resumed run', () => {
    const { state, events } = run('followup.jsonl');
    expect(events.map((e) => e.type)).toEqual(['agent.message', 'usage']);
    expect(state.sessionId).toBe('57796813-fa6d-4f12-964c-cfa8a9ea9fab');
    expect(state.finalText).toBe('Follow-up answer after 5 messages.');
  });

  it('reports a failed tool call as status error without a file change', () => {
    const { state, events } = run('tool-error.jsonl');
    expect(events.find((e) => e.type === 'tool.completed')).toMatchObject({ status: 'error', name: 'Write' });
    expect(events.some((e) => e.type === 'file.changed')).toBe(false);
    expect(state.error).toBeNull();
  });

  it('asks to stop at the first 401 retry instead of retrying for minutes', () => {
    const { state, aborts } = run('auth-401.jsonl');
    expect(aborts[0]).toBe('model API rejected the API key (HTTP 401): authentication_failed');
    expect(state.error).toMatchObject({ kind: 'auth', status: 401, message: 'Invalid API key · Fix external API key' });
    expect(describeError(state.error!)).toBe('model API rejected the API key (HTTP 401): Invalid API key · Fix external API key');
  });

  it('classifies a refused connection and a missing key', () => {
    expect(describeError(run('unreachable.jsonl').state.error!)).toMatch(/^model endpoint unreachable: API Error: Connection refused/);
    const noKey = run('no-api-key.jsonl');
    expect(noKey.state.error).toMatchObject({ kind: 'no_key' });
    expect(describeError(noKey.state.error!)).toBe('no API key for the model provider (pass it in env): Not logged in · Please run /login');
    expect(noKey.events.filter((e) => e.type === 'agent.message')).toEqual([]);
  });
});

describe('claude-code launch', () => {
  it('with key_in_sandbox: bypasses permissions, resumes a session and points at a base URL', () => {
    const spec = claudeCodeAdapter.launch({ prompt: 'p', model: 'claude-sonnet-4-5', baseUrl: 'http://gw:4000', sessionId: 'abc', env: {}, gateway: null });
    expect(spec.argv).toEqual([
      'claude', '-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions',
      '--model', 'claude-sonnet-4-5', '--resume', 'abc',
    ]);
    expect(spec.forced).toEqual({ ANTHROPIC_BASE_URL: 'http://gw:4000' });
  });

  it('through the gateway: the gateway is the base URL and the capability the key; the real key and base URL go to the gateway', () => {
    const input = { prompt: 'p', model: null, baseUrl: 'http://llm:4000', sessionId: null, env: { ANTHROPIC_API_KEY: 'sk-real' } };
    const spec = claudeCodeAdapter.launch({ ...input, gateway: { url: 'http://172.18.0.1:8790', token: 'sbx-cap-x' } });
    expect(spec.forced).toEqual({ ANTHROPIC_BASE_URL: 'http://172.18.0.1:8790', ANTHROPIC_API_KEY: 'sbx-cap-x' });
    expect(JSON.stringify(spec)).not.toContain('sk-real');
    expect(claudeCodeAdapter.route(input)).toEqual({ api: 'anthropic', upstream: 'http://llm:4000', auth: 'x-api-key', key: 'sk-real' });
    expect(claudeCodeAdapter.route({ model: null, baseUrl: null, env: { ANTHROPIC_AUTH_TOKEN: 't' } })).toEqual({
      api: 'anthropic', upstream: 'https://api.anthropic.com', auth: 'bearer', key: 't',
    });
  });
});
