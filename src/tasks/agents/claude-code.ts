/**
 * Claude Code (`claude -p --output-format stream-json --verbose`): lines of
 * type system (init, api_retry), assistant (one content block per line),
 * user (tool results) and a final result (totals, cost, is_error). Fixtures
 * in test/fixtures/agents/claude-code/ are real output of the pinned CLI.
 *
 * Model and provider: `model` is passed to --model; `base_url` becomes
 * ANTHROPIC_BASE_URL (an Anthropic-compatible endpoint or gateway); the key is
 * ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) from env. Through the model
 * gateway (the default) the CLI gets the gateway as ANTHROPIC_BASE_URL and a
 * capability as ANTHROPIC_API_KEY; the key and base_url go to the gateway. Permissions are
 * bypassed inside the sandbox, which runs it as uid 1000 (Claude refuses to
 * skip permissions as root).
 */
import type { NewEvent } from '../../domain/task.js';
import type { AgentState } from '../../domain/task.js';
import { ANTHROPIC_DEFAULT, type AgentAdapter, type GatewayRoute, type LaunchInput, type LaunchSpec, type NormalizeOutput } from './adapter.js';
import { addUsage, agentError, describeError, displayFilePath, num, obj, str, summarizeInput, summarizeOutput } from './common.js';
import { addFile, closeTool, openTool, setFinalText, setSession, shortId, shortPath } from './state.js';

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
/** Retrying these never helps; Claude Code would retry them for minutes. */
const FATAL_RETRY_STATUS = new Set([401, 403]);

function launch(input: LaunchInput): LaunchSpec {
  return {
    // The prompt arrives on stdin (never parsed as an option, never in argv).
    argv: [
      'claude',
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--dangerously-skip-permissions',
      ...(input.model ? ['--model', input.model] : []),
      ...(input.sessionId ? ['--resume', input.sessionId] : []),
    ],
    defaults: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1' },
    forced: input.gateway
      ? { ANTHROPIC_BASE_URL: input.gateway.url, ANTHROPIC_API_KEY: input.gateway.token }
      : input.baseUrl
        ? { ANTHROPIC_BASE_URL: input.baseUrl }
        : {},
  };
}

function route(input: Pick<LaunchInput, 'baseUrl' | 'env'>): GatewayRoute {
  const upstream = input.baseUrl ?? ANTHROPIC_DEFAULT;
  if (input.env.ANTHROPIC_API_KEY) return { api: 'anthropic', upstream, auth: 'x-api-key', key: input.env.ANTHROPIC_API_KEY };
  if (input.env.ANTHROPIC_AUTH_TOKEN) return { api: 'anthropic', upstream, auth: 'bearer', key: input.env.ANTHROPIC_AUTH_TOKEN };
  return { api: 'anthropic', upstream, auth: 'none', key: null };
}

function blocks(message: Record<string, unknown> | null): Record<string, unknown>[] {
  const content = message?.content;
  return Array.isArray(content) ? content.map(obj).filter((b): b is Record<string, unknown> => b !== null) : [];
}

export function normalizeClaude(state: AgentState, line: unknown): NormalizeOutput {
  const ev = obj(line);
  if (!ev) return { events: [] };
  const events: NewEvent[] = [];
  let abort: string | undefined;
  setSession(state, str(ev.session_id));

  switch (ev.type) {
    case 'system': {
      const status = typeof ev.error_status === 'number' ? ev.error_status : null;
      if (ev.subtype === 'api_retry' && status !== null && FATAL_RETRY_STATUS.has(status)) {
        state.error = agentError(str(ev.error) ?? 'authentication failed', status);
        abort = describeError(state.error);
      }
      break;
    }
    case 'assistant': {
      const message = obj(ev.message);
      if (ev.is_api_error_message || ev.error) {
        // A synthetic message carrying an API failure ("Invalid API key", "Connection refused").
        const text = blocks(message).map((b) => str(b.text) ?? '').join('\n') || str(ev.error) || 'API error';
        state.error = agentError(text, typeof ev.api_error_status === 'number' ? ev.api_error_status : null);
        break;
      }
      for (const b of blocks(message)) {
        const text = str(b.text);
        if (b.type === 'text' && text?.trim()) {
          events.push({ type: 'agent.message', text, raw: line });
          setFinalText(state, text);
        } else if (b.type === 'tool_use') {
          const id = shortId(str(b.id) ?? '');
          const name = shortId(str(b.name) ?? 'unknown');
          const input = summarizeInput(b.input ?? {});
          openTool(state, id, name, input);
          events.push({ type: 'tool.started', tool_call_id: id, name, input, raw: line });
        }
      }
      break;
    }
    case 'user':
      for (const b of blocks(obj(ev.message))) {
        if (b.type !== 'tool_result') continue;
        const id = shortId(str(b.tool_use_id) ?? '');
        const started = closeTool(state, id) ?? { name: 'unknown', input: {} };
        const ok = b.is_error !== true;
        events.push({
          type: 'tool.completed',
          tool_call_id: id,
          name: started.name,
          input: started.input,
          output: summarizeOutput(b.content),
          status: ok ? 'ok' : 'error',
          raw: line,
        });
        const input = obj(started.input) ?? {};
        const p = str(input.file_path) ?? str(input.notebook_path);
        if (ok && FILE_TOOLS.has(started.name) && p) {
          const shown = shortPath(displayFilePath(p));
          addFile(state, shown);
          events.push({ type: 'file.changed', path: shown, tool: started.name, raw: line });
        }
      }
      break;
    case 'result': {
      const u = obj(ev.usage) ?? {};
      const usage = {
        input_tokens: num(u.input_tokens) + num(u.cache_creation_input_tokens) + num(u.cache_read_input_tokens),
        output_tokens: num(u.output_tokens),
        cost_usd: num(ev.total_cost_usd),
      };
      state.usage = addUsage(state.usage, usage);
      events.push({ type: 'usage', ...usage, raw: line });
      const text = str(ev.result);
      if (ev.is_error === true) {
        state.error ??= agentError(text ?? str(ev.subtype) ?? 'the agent reported an error', typeof ev.api_error_status === 'number' ? ev.api_error_status : null);
      } else if (text) {
        setFinalText(state, text);
      }
      break;
    }
    default:
      break;
  }
  return { events, ...(abort ? { abort } : {}) };
}

export const claudeCodeAdapter: AgentAdapter = { name: 'claude-code', launch, route, normalize: normalizeClaude };
