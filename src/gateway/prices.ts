/**
 * Model prices, USD per million tokens (input, output), for the cost the
 * gateway records and the budgets it enforces. A model matches the longest
 * entry that is its name or a prefix of it (`claude-sonnet-4-5` covers
 * `claude-sonnet-4-5-20250929`); SANDBOXD_MODEL_PRICES adds or replaces
 * entries. Cache reads and writes are priced as input (an overestimate for
 * reads). A model in no table is counted in tokens only (cost 0): give it a
 * price, or budget it by tokens.
 *
 * The list prices of the providers' public pages when this table was written;
 * `scripted-model` is the test suite's scripted server (test/helpers/model-server.ts).
 */
import type { PriceTable } from '../config.js';

export const BUILT_IN_PRICES: PriceTable = {
  'scripted-model': { input: 1, output: 2 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'o4-mini': { input: 1.1, output: 4.4 },
};

export class Prices {
  private readonly table: [string, { input: number; output: number }][];

  constructor(overrides: PriceTable) {
    // Longest first: the most specific prefix wins.
    this.table = Object.entries({ ...BUILT_IN_PRICES, ...overrides }).sort((a, b) => b[0].length - a[0].length);
  }

  /** USD for one call, or 0 when the model is unknown. */
  cost(model: string | null, inputTokens: number, outputTokens: number): number {
    if (!model) return 0;
    const name = model.toLowerCase().replace(/^[a-z0-9-]+\//, '');
    const hit = this.table.find(([prefix]) => name === prefix || name.startsWith(prefix));
    if (!hit) return 0;
    return (inputTokens * hit[1].input + outputTokens * hit[1].output) / 1e6;
  }
}
