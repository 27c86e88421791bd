/**
 * OpenCode (`opencode run --format json`): one JSON object per line, of type
 * step_start, text, tool_use (emitted once, when the call has finished),
 * step_finish (tokens and cost of the step) and error. Fixtures in
 * test/fixtures/agents/opencode/ are real output of the pinned CLI.
 *
 * Model and provider: `model` is OpenCode's `provider/model` (any provider it
 * knows; keys come from env, e.g. ANTHROPIC_API_KEY, OPENAI_API_KEY). With
 * `base_url`, a provider "sandboxed" is declared for that OpenAI-compatible
 * endpoint (self-hosted models), keyed by OPENAI_API_KEY when set, and
 * `model` names the model it serves. Our config travels in
 * OPENCODE_CONFIG_CONTENT, which outranks config files in the workspace; a
 * user's own OPENCODE_CONFIG_CONTENT is merged over it.
 *
 * Through the model gateway (the default) the provider's baseURL is the
 * gateway and its apiKey a capability: the `sandboxed` provider for base_url,
 * or the built-in `anthropic` / `openai` provider for `anthropic/…` and
 * `openai/…` models. Other providers need key_in_sandbox.
 */
import { InvalidError } from '../../errors.js';
import type { NewEvent } from '../../domain/task.js';
import type { AgentState } from '../../domain/task.js';
import { ANTHROPIC_DEFAULT, OPENAI_DEFAULT, type AgentAdapter, type GatewayRoute, type LaunchInput, type LaunchSpec, type NormalizeOutput } from './adapter.js';
import { addUsage, agentError, displayFilePath, num, obj, str, summarizeInput, summarizeOutput } from './common.js';
import { addFile, appendTurnText, closeTool, isOpenTool, openTool, setSession, shortId, shortPath } from './state.js';

export const CUSTOM_PROVIDER = 'sandboxed';
const FILE_TOOLS = new Set(['write', 'edit', 'multiedit', 'patch', 'apply_patch']);

type Json = Record<string, unknown>;

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = obj(out[k]);
    const o = obj(v);
    out[k] = b && o ? merge(b, o) : v;
  }
  return out;
}

/** The provider a gateway task's model calls go through, and its options. */
function gatewayProvider(input: Pick<LaunchInput, 'model' | 'baseUrl' | 'gateway'>): Json {
  const gw = input.gateway!;
  if (input.baseUrl) {
    return {
      [CUSTOM_PROVIDER]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'sandboxed custom endpoint',
        options: { baseURL: gw.url, apiKey: gw.token },
        models: { [input.model!]: { name: input.model } },
      },
    };
  }
  // The Anthropic SDK's baseURL ends in /v1; the gateway appends the path to https://api.anthropic.com.
  if (input.model?.startsWith('anthropic/')) return { anthropic: { options: { baseURL: `${gw.url}/v1`, apiKey: gw.token } } };
  return { openai: { options: { baseURL: gw.url, apiKey: gw.token } } };
}

function route(input: Pick<LaunchInput, 'model' | 'baseUrl' | 'env'>): GatewayRoute {
  const bearer = (key: string | undefined, api: GatewayRoute['api'], upstream: string): GatewayRoute =>
    key ? { api, upstream, auth: api === 'anthropic' ? 'x-api-key' : 'bearer', key } : { api, upstream, auth: 'none', key: null };
  if (input.baseUrl) return bearer(input.env.OPENAI_API_KEY, 'openai', input.baseUrl);
  if (input.model?.startsWith('anthropic/')) return bearer(input.env.ANTHROPIC_API_KEY, 'anthropic', ANTHROPIC_DEFAULT);
  if (input.model?.startsWith('openai/')) return bearer(input.env.OPENAI_API_KEY, 'openai', OPENAI_DEFAULT);
  throw new InvalidError('model: through the model gateway OpenCode runs anthropic/… or openai/… models, or a base_url endpoint; for another provider set key_in_sandbox: true');
}

export function opencodeConfig(input: Pick<LaunchInput, 'model' | 'baseUrl' | 'env' | 'gateway'>): Json {
  let config: Json = {
    $schema: 'https://opencode.ai/config.json',
    // Headless in a sandbox: nobody is there to answer a permission prompt.
    permission: { '*': 'allow' },
    autoupdate: false,
    share: 'disabled',
  };
  if (input.baseUrl && !input.model) throw new InvalidError('model: required with base_url (the model name the endpoint serves)');
  if (input.gateway) config.provider = gatewayProvider(input);
  else if (input.baseUrl) {
    config.provider = {
      [CUSTOM_PROVIDER]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'sandboxed custom endpoint',
        options: { baseURL: input.baseUrl, apiKey: '{env:OPENAI_API_KEY}' },
        models: { [input.model!]: { name: input.model } },
      },
    };
  }
  const userConfig = input.env.OPENCODE_CONFIG_CONTENT;
  if (userConfig !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(userConfig);
    } catch {
      throw new InvalidError('env.OPENCODE_CONFIG_CONTENT: not valid JSON');
    }
    const o = obj(parsed);
    if (!o) throw new InvalidError('env.OPENCODE_CONFIG_CONTENT: must be a JSON object');
    config = merge(config, o);
  }
  return config;
}

function launch(input: LaunchInput): LaunchSpec {
  const config = opencodeConfig(input);
  const model = input.baseUrl ? `${CUSTOM_PROVIDER}/${input.model}` : input.model;
  return {
    // The prompt arrives on stdin (never parsed as an option, never in argv).
    argv: ['opencode', 'run', '--format', 'json', ...(model ? ['--model', model] : []), ...(input.sessionId ? ['--session', input.sessionId] : [])],
    defaults: { OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1' },
    forced: { OPENCODE_CONFIG_CONTENT: JSON.stringify(config) },
  };
}

export function normalizeOpencode(state: AgentState, line: unknown): NormalizeOutput {
  const ev = obj(line);
  if (!ev) return { events: [] };
  const events: NewEvent[] = [];
  setSession(state, str(ev.sessionID));
  const part = obj(ev.part) ?? {};

  switch (ev.type) {
    case 'step_start':
      state.turnText = '';
      break;
    case 'text': {
      const text = str(part.text) ?? '';
      if (text.trim() === '') break;
      events.push({ type: 'agent.message', text, raw: line });
      appendTurnText(state, text);
      state.finalText = state.turnText;
      break;
    }
    case 'tool_use': {
      const name = shortId(str(part.tool) ?? 'unknown');
      const id = shortId(str(part.callID) ?? str(part.id) ?? '');
      const st = obj(part.state) ?? {};
      const input = summarizeInput(st.input ?? {});
      const status = str(st.status);
      if (!isOpenTool(state, id)) events.push({ type: 'tool.started', tool_call_id: id, name, input, raw: line });
      if (status !== 'completed' && status !== 'error') {
        openTool(state, id, name, input);
        break;
      }
      closeTool(state, id);
      const ok = status === 'completed';
      events.push({
        type: 'tool.completed',
        tool_call_id: id,
        name,
        input,
        output: summarizeOutput(ok ? st.output : st.error),
        status: ok ? 'ok' : 'error',
        raw: line,
      });
      if (ok && FILE_TOOLS.has(name)) {
        const meta = obj(st.metadata) ?? {};
        const p = str(obj(st.input)?.filePath) ?? str(meta.filepath);
        if (p) {
          const shown = shortPath(displayFilePath(p));
          addFile(state, shown);
          events.push({ type: 'file.changed', path: shown, tool: name, raw: line });
        }
      }
      break;
    }
    case 'step_finish': {
      const t = obj(part.tokens) ?? {};
      const cache = obj(t.cache) ?? {};
      const usage = {
        input_tokens: num(t.input) + num(cache.read) + num(cache.write),
        output_tokens: num(t.output) + num(t.reasoning),
        cost_usd: num(part.cost),
      };
      state.usage = addUsage(state.usage, usage);
      events.push({ type: 'usage', ...usage, raw: line });
      break;
    }
    case 'error': {
      const err = obj(ev.error) ?? {};
      const data = obj(err.data) ?? {};
      const message = str(data.message) ?? str(err.message) ?? str(err.name) ?? 'unknown error';
      const status = typeof data.statusCode === 'number' ? data.statusCode : null;
      state.error = agentError(message, status);
      break;
    }
    default:
      break;
  }
  return { events };
}

export const opencodeAdapter: AgentAdapter = { name: 'opencode', launch, route, normalize: normalizeOpencode };
