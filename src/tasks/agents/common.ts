/** Helpers both normalisers share: error classification, summaries, paths. */
import { SANDBOX_APP_DIR } from '../../domain/layout.js';
import type { AgentError, AgentErrorKind, Usage } from '../../domain/task.js';

export const OUTPUT_SUMMARY_CHARS = 2000;
/** The classifying regexes see this much of a message, never more: the tenant may write megabytes. */
export const CLASSIFY_CHARS = 2000;
const INPUT_STRING_CHARS = 2000;
const INPUT_MAX_DEPTH = 6;
const INPUT_MAX_ITEMS = 100;

const NO_KEY = /not logged in|no api key|missing api key|api key (is )?(missing|required|not set)|api_key.*(missing|required)/i;
const AUTH = /invalid api key|incorrect api key|invalid x-api-key|authentication|unauthori[sz]ed|permission denied|forbidden/i;
const UNREACHABLE =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET|connection refused|cannot connect|unable to connect|connection_failed|connection error|fetch failed|socket hang up/i;

export function classifyError(message: string, status: number | null): AgentErrorKind {
  const text = message.slice(0, CLASSIFY_CHARS);
  if (NO_KEY.test(text)) return 'no_key';
  if (status === 401 || status === 403 || AUTH.test(text)) return 'auth';
  if (UNREACHABLE.test(text)) return 'unreachable';
  return 'api';
}

export function agentError(message: string, status: number | null = null): AgentError {
  const text = message.slice(0, 2 * OUTPUT_SUMMARY_CHARS).trim().slice(0, OUTPUT_SUMMARY_CHARS);
  return { kind: classifyError(text, status), message: text, status };
}

/** The sentence a user reads in the task's `error`. */
export function describeError(err: AgentError): string {
  const http = err.status ? ` (HTTP ${err.status})` : '';
  switch (err.kind) {
    case 'auth':
      return `model API rejected the API key${http}: ${err.message}`;
    case 'no_key':
      return `no API key for the model provider (pass it in env): ${err.message}`;
    case 'unreachable':
      return `model endpoint unreachable: ${err.message}`;
    default:
      return `model API error${http}: ${err.message}`;
  }
}

export function truncate(s: string, max = OUTPUT_SUMMARY_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}… [${s.length - max} more characters]`;
}

/** Tool input as shown in events: long strings (file contents) cut, deep structures bounded. */
export function summarizeInput(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return truncate(v, INPUT_STRING_CHARS);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= INPUT_MAX_DEPTH) return '[…]';
  if (Array.isArray(v)) return v.slice(0, INPUT_MAX_ITEMS).map((x) => summarizeInput(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v).slice(0, INPUT_MAX_ITEMS)) out[k] = summarizeInput(x, depth + 1);
  return out;
}

/** Tool output as text: strings as-is, content blocks joined, anything else as JSON; then cut. */
export function summarizeOutput(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return truncate(v);
  if (Array.isArray(v)) {
    return truncate(v.map((b) => (b && typeof b === 'object' && 'text' in b ? String((b as { text: unknown }).text) : JSON.stringify(b))).join('\n'));
  }
  return truncate(JSON.stringify(v));
}

/** Paths under the app dir are shown relative to it; others stay absolute. */
export function displayFilePath(p: string): string {
  return p.startsWith(`${SANDBOX_APP_DIR}/`) ? p.slice(SANDBOX_APP_DIR.length + 1) : p;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** Adds one usage report to the task's running total (agents report increments). */
export function addUsage(total: Usage, add: Usage): Usage {
  return {
    input_tokens: total.input_tokens + add.input_tokens,
    output_tokens: total.output_tokens + add.output_tokens,
    cost_usd: total.cost_usd + add.cost_usd,
  };
}
