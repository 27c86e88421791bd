/**
 * Whether one more model call is within budget, purely. A task's own limits
 * (max_tokens_total, max_cost_usd) and the daily (UTC) budgets over all
 * tasks and per API token (settings). A call that starts under every budget
 * runs to its end, so a budget may be passed by at most one call; the next
 * one is refused and the task is ended (reason "budget: …").
 */
import type { Config } from '../config.js';
import { BUDGET_REASON_PREFIX, type Usage } from '../domain/task.js';

export type BudgetConfig = Pick<Config, 'budgetDailyTokens' | 'budgetDailyCostUsd' | 'budgetTokenDailyTokens' | 'budgetTokenDailyCostUsd'>;

export interface Spend {
  tokens: number;
  costUsd: number;
}

export interface BudgetFacts {
  task: Usage;
  maxTokensTotal: number | null;
  maxCostUsd: number | null;
  /** Today's spend by the task's API token, and by everyone. */
  token: Spend;
  all: Spend;
}

/** The reason the call is refused ("budget: …"), or null. */
export function overBudget(f: BudgetFacts, cfg: BudgetConfig): string | null {
  const tokens = f.task.input_tokens + f.task.output_tokens;
  const checks: [boolean, string][] = [
    [f.maxTokensTotal !== null && tokens >= f.maxTokensTotal, `the task used ${tokens} tokens of its max_tokens_total ${f.maxTokensTotal}`],
    [f.maxCostUsd !== null && f.task.cost_usd >= f.maxCostUsd, `the task spent $${f.task.cost_usd.toFixed(4)} of its max_cost_usd ${f.maxCostUsd}`],
    [cfg.budgetTokenDailyTokens > 0 && f.token.tokens >= cfg.budgetTokenDailyTokens, `the API token used ${f.token.tokens} tokens today (SANDBOXD_BUDGET_TOKEN_DAILY_TOKENS)`],
    [cfg.budgetTokenDailyCostUsd > 0 && f.token.costUsd >= cfg.budgetTokenDailyCostUsd, `the API token spent $${f.token.costUsd.toFixed(4)} today (SANDBOXD_BUDGET_TOKEN_DAILY_COST_USD)`],
    [cfg.budgetDailyTokens > 0 && f.all.tokens >= cfg.budgetDailyTokens, `all tasks used ${f.all.tokens} tokens today (SANDBOXD_BUDGET_DAILY_TOKENS)`],
    [cfg.budgetDailyCostUsd > 0 && f.all.costUsd >= cfg.budgetDailyCostUsd, `all tasks spent $${f.all.costUsd.toFixed(4)} today (SANDBOXD_BUDGET_DAILY_COST_USD)`],
  ];
  const hit = checks.find(([over]) => over);
  return hit ? `${BUDGET_REASON_PREFIX} ${hit[1]}` : null;
}

/** The UTC day a spend counts for. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
