/** The OpenCode normaliser against real `opencode run --format json` output. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialState, type AgentState } from '../../src/domain/task.js';
import { describeError } from '../../src/tasks/agents/common.js';
import { opencodeAdapter, opencodeConfig } from '../../src/tasks/agents/opencode.js';
import type { NewEvent } from '../../src/domain/task.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/agents/opencode');

function run(fixture: string): { state: AgentState; events: NewEvent[] } {
  const state = initialState();
  const events: NewEvent[] = [];
  for (const line of readFileSync(path.join(DIR, fixture), 'utf8').split('\n').filter(Boolean)) {
    // The state is the caller's and changes in place.
    const out = opencodeAdapter.normalize(state, JSON.parse(line));
    events.push(...out.events);
  }
  return { state, events };
}

describe('opencode normaliser', () => {
  it('turns a write-then-answer run into the common events, in order', () => {
    const { state, events } = run('success.jsonl');
    expect(events.map((e) => e.type)).toEqual([
      'tool.started',
      'tool.completed',
      'file.changed',
      'usage',
      'agent.message',
      'usage',
    ]);
    expect(events[1]).toMatchObject({
      name: 'write',
      status: 'ok',
      output: 'Wrote file successfully.',
      input: { filePath: '/home/sandbox/workspace/app/hello.txt', content: 'hello-from-opencode' },
    });
    expect(events[2]).toMatchObject({ path: 'hello.txt', tool: 'write' });
    expect(events[3]).toMatchObject({ input_tokens: 120, output_tokens: 30, cost_usd: 0 });
    expect(events[4]).toMatchObject({ text: 'DONE /home/sandbox/workspace/app/hello.txt' });
    for (const e of events) expect((e.raw as { type: string }).type).toBeTypeOf('string');
    expect(state).toMatchObject({
      sessionId: 'ses_df80dce67ffeIZGFsRv2JXSrhX',
      finalText: 'DONE /home/sandbox/workspace/app/hello.txt',
      filesChanged: ['hello.txt'],
      usage: { input_tokens: 240, output_tokens: 60, cost_usd: 0 },
      error: null,
      tools: {},
    });
  });

  it('keeps the session of a continued run and its answer', () => {
    const { state, events } = run('followup.jsonl');
    expect(events.map((e) => e.type)).toEqual(['agent.message', 'usage']);
    expect(state.sessionId).toBe('ses_df80dce67ffeIZGFsRv2JXSrhX');
    expect(state.finalText).toBe('Follow-up answer after 5 messages.');
  });

  it('reports a failed tool call as status error without a file change', () => {
    const { state, events } = run('tool-error.jsonl');
    const done = events.find((e) => e.type === 'tool.completed');
    expect(done).toMatchObject({ status: 'error', output: expect.stringContaining('NotFound') });
    expect(events.some((e) => e.type === 'file.changed')).toBe(false);
    expect(state.filesChanged).toEqual([]);
    expect(state.error).toBeNull();
  });

  it('classifies a 401 as a rejected key', () => {
    const { state, events } = run('auth-401.jsonl');
    expect(events).toEqual([]);
    expect(state.error).toMatchObject({ kind: 'auth', status: 401 });
    expect(describeError(state.error!)).toBe('model API rejected the API key (HTTP 401): Incorrect API key provided: scripted rejection');
  });

  it('classifies a connection failure as an unreachable endpoint', () => {
    const { state } = run('unreachable.jsonl');
    expect(state.error).toMatchObject({ kind: 'unreachable' });
    expect(describeError(state.error!)).toMatch(/^model endpoint unreachable: Cannot connect to API/);
  });

  it('changes the state it is given in place and depends on nothing else', () => {
    const lines = readFileSync(path.join(DIR, 'success.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const a = initialState();
    const b = initialState();
    for (const line of lines) expect(opencodeAdapter.normalize(a, line)).toEqual(opencodeAdapter.normalize(b, line));
    expect(a).toEqual(b);
    expect(a).not.toEqual(initialState());
    expect(Object.keys(opencodeAdapter.normalize(a, lines[0]))).toEqual(['events']);
  });
});

describe('opencode launch', () => {
  it('with key_in_sandbox: declares an OpenAI-compatible provider for a base URL, in config content that outranks workspace files', () => {
    const spec = opencodeAdapter.launch({ prompt: 'p', model: 'qwen3', baseUrl: 'http://llm:8000/v1', sessionId: 'ses_1', env: {}, gateway: null });
    expect(spec.argv).toEqual(['opencode', 'run', '--format', 'json', '--model', 'sandboxed/qwen3', '--session', 'ses_1']);
    const config = JSON.parse(spec.forced.OPENCODE_CONFIG_CONTENT);
    expect(config.provider.sandboxed).toEqual({
      npm: '@ai-sdk/openai-compatible',
      name: 'sandboxed custom endpoint',
      options: { baseURL: 'http://llm:8000/v1', apiKey: '{env:OPENAI_API_KEY}' },
      models: { qwen3: { name: 'qwen3' } },
    });
    expect(config.permission).toEqual({ '*': 'allow' });
    expect(JSON.stringify(spec)).not.toContain('"p"');
  });

  it('passes a provider/model through and merges the user config over ours', () => {
    const config = opencodeConfig({ model: 'anthropic/claude-sonnet-4-5', baseUrl: null, env: { OPENCODE_CONFIG_CONTENT: '{"permission":{"bash":"deny"}}' }, gateway: null });
    expect(config.permission).toEqual({ '*': 'allow', bash: 'deny' });
    expect(config.provider).toBeUndefined();
  });

  it('refuses a base URL without a model and config content that is not JSON', () => {
    expect(() => opencodeConfig({ model: null, baseUrl: 'http://x/v1', env: {}, gateway: null })).toThrow(/model: required/);
    expect(() => opencodeConfig({ model: null, baseUrl: null, env: { OPENCODE_CONFIG_CONTENT: '{' }, gateway: null })).toThrow(/not valid JSON/);
  });

  it('through the gateway: each provider gets the gateway as baseURL and the capability as apiKey; the key goes to the gateway', () => {
    const gateway = { url: 'http://172.18.0.1:8790', token: 'sbx-cap-x' };
    const env = { OPENAI_API_KEY: 'sk-openai', ANTHROPIC_API_KEY: 'sk-ant' };
    const custom = opencodeConfig({ model: 'qwen3', baseUrl: 'http://llm:8000/v1', env, gateway });
    expect(custom.provider).toMatchObject({ sandboxed: { options: { baseURL: gateway.url, apiKey: 'sbx-cap-x' } } });
    expect(opencodeAdapter.route({ model: 'qwen3', baseUrl: 'http://llm:8000/v1', env })).toEqual({
      api: 'openai', upstream: 'http://llm:8000/v1', auth: 'bearer', key: 'sk-openai',
    });
    const ant = opencodeConfig({ model: 'anthropic/claude-sonnet-4-5', baseUrl: null, env, gateway });
    expect(ant.provider).toEqual({ anthropic: { options: { baseURL: `${gateway.url}/v1`, apiKey: 'sbx-cap-x' } } });
    expect(opencodeAdapter.route({ model: 'anthropic/claude-sonnet-4-5', baseUrl: null, env })).toMatchObject({ api: 'anthropic', auth: 'x-api-key', key: 'sk-ant' });
    expect(opencodeAdapter.route({ model: 'openai/gpt-4o', baseUrl: null, env })).toMatchObject({ api: 'openai', upstream: 'https://api.openai.com/v1', key: 'sk-openai' });
    expect(JSON.stringify(ant) + JSON.stringify(custom)).not.toMatch(/sk-openai|sk-ant/);
    expect(() => opencodeAdapter.route({ model: 'openrouter/x', baseUrl: null, env })).toThrow(/key_in_sandbox/);
  });
});
