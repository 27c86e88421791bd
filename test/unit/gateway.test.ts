/** The model gateway's pure parts: usage from both APIs, prices, budgets, capabilities. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dayOf, overBudget } from '../../src/gateway/budget.js';
import { claimedTask, issueCapability, verifyCapability } from '../../src/gateway/capability.js';
import { Prices } from '../../src/gateway/prices.js';
import { askForStreamUsage } from '../../src/gateway/server.js';
import { MAX_LINE_BYTES, UsageMeter } from '../../src/gateway/usage.js';

const sse = (frames: unknown[]): string => frames.map((f) => `data: ${typeof f === 'string' ? f : JSON.stringify(f)}\n\n`).join('');

/** Feeds `text` in chunks of `size` bytes (lines cut anywhere). */
function meter(text: string, streaming: boolean, size = 7) {
  const m = new UsageMeter(streaming);
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += size) m.feed(buf.subarray(i, i + size));
  return m.result();
}

describe('UsageMeter', () => {
  it('Anthropic stream: input and cache tokens from message_start, the last cumulative output from message_delta', () => {
    const text = sse([
      { type: 'message_start', message: { model: 'claude-sonnet-4-5', usage: { input_tokens: 100, cache_creation_input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 } } },
      { type: 'content_block_delta', delta: { type: 'text_delta', text: 'usage is a word here' } },
      { type: 'message_delta', usage: { output_tokens: 12 } },
      { type: 'message_delta', usage: { output_tokens: 30 } },
      { type: 'message_stop' },
    ]);
    expect(meter(text, true)).toEqual({ model: 'claude-sonnet-4-5', inputTokens: 115, outputTokens: 30 });
  });

  it('OpenAI stream: the usage chunk; [DONE] and chunks without usage are skipped', () => {
    const text = sse([
      { model: 'scripted-model', choices: [{ delta: { content: 'hi' } }] },
      { model: 'scripted-model', choices: [], usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 } },
      '[DONE]',
    ]);
    expect(meter(text, true, 3)).toEqual({ model: 'scripted-model', inputTokens: 120, outputTokens: 30 });
  });

  it('Responses API stream: response.completed', () => {
    const text = sse([{ type: 'response.completed', response: { model: 'gpt-5', usage: { input_tokens: 9, output_tokens: 4 } } }]);
    expect(meter(text, true)).toEqual({ model: 'gpt-5', inputTokens: 9, outputTokens: 4 });
  });

  it('JSON bodies of both APIs', () => {
    expect(meter(JSON.stringify({ model: 'claude-haiku-4-5', usage: { input_tokens: 7, output_tokens: 3, cache_read_input_tokens: 2 } }), false)).toEqual({
      model: 'claude-haiku-4-5', inputTokens: 9, outputTokens: 3,
    });
    expect(meter(JSON.stringify({ model: 'gpt-4o', usage: { prompt_tokens: 5, completion_tokens: 6 } }), false)).toEqual({ model: 'gpt-4o', inputTokens: 5, outputTokens: 6 });
  });

  it('no usage reported, garbage, negative numbers and an over-long line', () => {
    expect(meter('not json', false)).toBeNull();
    expect(meter(sse([{ choices: [] }]), true)).toBeNull();
    expect(meter(JSON.stringify({ usage: { input_tokens: -5, output_tokens: 'x' } }), false)).toEqual({ model: null, inputTokens: 0, outputTokens: 0 });
    const long = `data: {"usage":{"prompt_tokens":1,"pad":"${'x'.repeat(MAX_LINE_BYTES)}"}}\n\n` + sse([{ usage: { prompt_tokens: 2, completion_tokens: 3 } }]);
    expect(meter(long, true, 64 * 1024)).toEqual({ model: null, inputTokens: 2, outputTokens: 3 });
  });
});

describe('prices', () => {
  const prices = new Prices({ 'my-local': { input: 0.5, output: 0.5 } });
  it.each([
    ['claude-sonnet-4-5-20250929', 1_000_000, 0, 3],
    ['anthropic/claude-sonnet-4-5', 0, 1_000_000, 15],
    ['gpt-4o-mini', 1_000_000, 1_000_000, 0.75],
    ['gpt-4o', 1_000_000, 0, 2.5],
    ['scripted-model', 120, 30, 0.00018],
    ['my-local-7b', 2_000_000, 0, 1],
    ['unknown-model', 1_000_000, 1_000_000, 0],
    [null, 10, 10, 0],
  ])('%s: %i in, %i out → $%d', (model, input, output, usd) => {
    expect(prices.cost(model, input, output)).toBeCloseTo(usd, 8);
  });
});

describe('overBudget', () => {
  const zero = { tokens: 0, costUsd: 0 };
  const cfg = { budgetDailyTokens: 0, budgetDailyCostUsd: 0, budgetTokenDailyTokens: 0, budgetTokenDailyCostUsd: 0 };
  const task = { input_tokens: 120, output_tokens: 30, cost_usd: 0.5 };

  it('refuses once a task limit is reached, naming it; nothing set: never', () => {
    expect(overBudget({ task, maxTokensTotal: null, maxCostUsd: null, token: zero, all: zero }, cfg)).toBeNull();
    expect(overBudget({ task, maxTokensTotal: 151, maxCostUsd: null, token: zero, all: zero }, cfg)).toBeNull();
    expect(overBudget({ task, maxTokensTotal: 150, maxCostUsd: null, token: zero, all: zero }, cfg)).toBe('budget: the task used 150 tokens of its max_tokens_total 150');
    expect(overBudget({ task, maxTokensTotal: null, maxCostUsd: 0.5, token: zero, all: zero }, cfg)).toMatch(/^budget: the task spent \$0\.5000 of its max_cost_usd 0\.5$/);
  });

  it('refuses over the daily budgets per API token and over all tasks', () => {
    const facts = { task, maxTokensTotal: null, maxCostUsd: null, token: { tokens: 1000, costUsd: 2 }, all: { tokens: 5000, costUsd: 9 } };
    expect(overBudget(facts, { ...cfg, budgetTokenDailyTokens: 1000 })).toMatch(/SANDBOXD_BUDGET_TOKEN_DAILY_TOKENS/);
    expect(overBudget(facts, { ...cfg, budgetTokenDailyCostUsd: 2 })).toMatch(/SANDBOXD_BUDGET_TOKEN_DAILY_COST_USD/);
    expect(overBudget(facts, { ...cfg, budgetDailyTokens: 5000 })).toMatch(/SANDBOXD_BUDGET_DAILY_TOKENS/);
    expect(overBudget(facts, { ...cfg, budgetDailyCostUsd: 10 })).toBeNull();
    expect(dayOf(Date.UTC(2026, 0, 2, 23, 59))).toBe('2026-01-02');
  });
});

describe('capabilities', () => {
  const key = randomBytes(32);
  const task = '01hzzzzzzzzzzzzzzzzzzzzzzz';

  it('bind a task to its sandbox under the key', () => {
    const cap = issueCapability(key, task, 'sb-a');
    expect(claimedTask(cap)).toBe(task);
    expect(verifyCapability(key, cap, task, 'sb-a')).toBe(true);
    expect(verifyCapability(key, cap, task, 'sb-b')).toBe(false);
    expect(verifyCapability(randomBytes(32), cap, task, 'sb-a')).toBe(false);
    expect(verifyCapability(key, cap.slice(0, -2), task, 'sb-a')).toBe(false);
  });

  it.each(['', 'sk-ant-real-key', `sbx-cap-${task}`, `sbx-cap-${task.toUpperCase()}-x`, `sbx-cap-../../etc-${'x'.repeat(200)}`])('%j claims no task', (t) => {
    expect(claimedTask(t)).toBeNull();
  });
});

describe('askForStreamUsage', () => {
  it('turns on include_usage for a streamed chat completion, and leaves everything else alone', () => {
    const streamed = askForStreamUsage('/chat/completions', Buffer.from('{"model":"m","stream":true,"stream_options":{"x":1}}'));
    expect(JSON.parse(streamed.toString())).toEqual({ model: 'm', stream: true, stream_options: { x: 1, include_usage: true } });
    for (const [p, body] of [['/chat/completions', '{"stream":false}'], ['/v1/messages', '{"stream":true}'], ['/chat/completions', '{"stream": tru']]) {
      expect(askForStreamUsage(p, Buffer.from(body)).toString()).toBe(body);
    }
  });
});
