/**
 * A scripted model server for agent tests: OpenAI-compatible
 * `/v1/chat/completions` (OpenCode) and Anthropic `/v1/messages` (Claude
 * Code), streaming or not. The script is stateless, decided from the request:
 *
 * - a request without tools (title generation and other side calls) gets a short text;
 * - when the newest turn is a tool result, the answer is the final text `DONE <file>`;
 * - when the newest user text holds `FILE=<path> CONTENT=<word>`, the answer is
 *   one call of the agent's file-writing tool (`write` / `Write`) with that path and content;
 * - any other user text gets a plain text answer.
 *
 * `holdFinal()` makes final answers wait until released (a task stays mid-flight),
 * `rejectAuth` answers 401, and every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  body: any;
  authorization: string | undefined;
  apiKey: string | undefined;
  at: number;
}

export interface ModelServer {
  port: number;
  /** Base URL as containers see it (through host-gateway). */
  containerUrl: string;
  /** Base URL from the host. */
  hostUrl: string;
  requests: RecordedRequest[];
  /** Answer every model call with 401. */
  rejectAuth: boolean;
  /** Final answers wait until the returned function is called; resolves `held` when one is waiting. */
  holdFinal(): { release: () => void; held: Promise<void> };
  close(): Promise<void>;
}

type Step = { kind: 'text'; text: string } | { kind: 'tool'; file: string; content: string } | { kind: 'final'; text: string };

const MARKER = /FILE=([\w./-]+)\s+CONTENT=([\w.-]+)/;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (c && typeof c === 'object' && 'text' in c ? String(c.text) : '')).join('\n');
  return '';
}

/** Decides the next answer from an OpenAI-style or Anthropic-style message list. */
export function decideStep(all: any[], hasTools: boolean): Step {
  if (!hasTools) return { kind: 'text', text: 'Scripted title' };
  // Claude Code may append a role "system" message after the turn: not part of the conversation.
  const messages = all.filter((m) => m?.role !== 'system');
  const last = messages[messages.length - 1];
  const toolResult =
    last?.role === 'tool' ||
    (last?.role === 'user' && Array.isArray(last.content) && last.content.some((c: any) => c?.type === 'tool_result'));
  if (toolResult) {
    const firstUser = [...messages].reverse().find((m) => m.role === 'user' && MARKER.test(textOf(m.content)));
    const file = firstUser ? MARKER.exec(textOf(firstUser.content))![1] : 'the file';
    return { kind: 'final', text: `DONE ${file}` };
  }
  const m = MARKER.exec(textOf(last?.content));
  if (m) return { kind: 'tool', file: m[1], content: m[2] };
  return { kind: 'text', text: `Follow-up answer after ${messages.length} messages.` };
}

function readBody(req: IncomingMessage): Promise<any> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch {
        resolve({ unparsed: text });
      }
    });
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sse(res: ServerResponse, frames: { event?: string; data: unknown }[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const f of frames) {
    res.write(`${f.event ? `event: ${f.event}\n` : ''}data: ${typeof f.data === 'string' ? f.data : JSON.stringify(f.data)}\n\n`);
  }
  res.end();
}

let counter = 0;
const nextId = (p: string) => `${p}_${Date.now().toString(36)}${(counter++).toString(36)}`;

function openaiAnswer(res: ServerResponse, body: any, step: Step): void {
  const id = nextId('chatcmpl');
  const created = Math.floor(Date.now() / 1000);
  const model = body.model ?? 'scripted';
  const usage = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 };
  const toolName = (body.tools ?? []).map((t: any) => t.function?.name).find((n: string) => n === 'write') ?? 'write';
  const call =
    step.kind === 'tool'
      ? { id: nextId('call'), type: 'function', function: { name: toolName, arguments: JSON.stringify({ filePath: step.file, content: step.content }) } }
      : null;
  const finish = call ? 'tool_calls' : 'stop';
  if (!body.stream) {
    const message = call ? { role: 'assistant', content: null, tool_calls: [call] } : { role: 'assistant', content: (step as { text: string }).text };
    return json(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finish }], usage });
  }
  const chunk = (delta: unknown, finishReason: string | null = null) => ({
    data: { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] },
  });
  const frames: { data: unknown }[] = [chunk({ role: 'assistant', content: '' })];
  if (call) frames.push(chunk({ tool_calls: [{ index: 0, ...call }] }));
  else frames.push(chunk({ content: (step as { text: string }).text }));
  frames.push(chunk({}, finish));
  frames.push({ data: { id, object: 'chat.completion.chunk', created, model, choices: [], usage } });
  frames.push({ data: '[DONE]' });
  sse(res, frames);
}

function anthropicAnswer(res: ServerResponse, body: any, step: Step): void {
  const id = nextId('msg');
  const model = body.model ?? 'scripted';
  const toolName = (body.tools ?? []).map((t: any) => t.name).find((n: string) => n === 'Write') ?? 'Write';
  const block =
    step.kind === 'tool'
      ? { type: 'tool_use', id: nextId('toolu'), name: toolName, input: { file_path: step.file, content: step.content } }
      : { type: 'text', text: (step as { text: string }).text };
  const stopReason = step.kind === 'tool' ? 'tool_use' : 'end_turn';
  const usage = { input_tokens: 120, output_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  if (!body.stream) {
    return json(res, 200, { id, type: 'message', role: 'assistant', model, content: [block], stop_reason: stopReason, stop_sequence: null, usage });
  }
  const ev = (event: string, data: Record<string, unknown>) => ({ event, data: { type: event, ...data } });
  const frames = [
    ev('message_start', {
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
    }),
  ];
  if (block.type === 'tool_use') {
    frames.push(ev('content_block_start', { index: 0, content_block: { ...block, input: {} } }));
    frames.push(ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }));
  } else {
    frames.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    frames.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: block.text } }));
  }
  frames.push(ev('content_block_stop', { index: 0 }));
  frames.push(ev('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 30 } }));
  frames.push(ev('message_stop', {}));
  sse(res, frames);
}

export async function startModelServer(): Promise<ModelServer> {
  const requests: RecordedRequest[] = [];
  let gate: Promise<void> | null = null;
  let onHeld: (() => void) | null = null;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const body = req.method === 'POST' ? await readBody(req) : {};
    const apiKey = req.headers['x-api-key'];
    requests.push({ path, body, authorization: req.headers.authorization, apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey, at: Date.now() });
    const openai = path.endsWith('/chat/completions');
    const anthropic = path.endsWith('/v1/messages');
    if (path.endsWith('/v1/messages/count_tokens')) return json(res, 200, { input_tokens: 100 });
    if (!openai && !anthropic) return json(res, 404, { error: { message: `no route ${path}` } });
    if (server.rejectAuth) {
      return openai
        ? json(res, 401, { error: { message: 'Incorrect API key provided: scripted rejection', type: 'invalid_request_error', code: 'invalid_api_key' } })
        : json(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    }
    const messages: any[] = body.messages ?? [];
    const step = decideStep(messages, (body.tools ?? []).length > 0);
    if (step.kind === 'final' && gate) {
      onHeld?.();
      await gate;
    }
    if (openai) openaiAnswer(res, body, step);
    else anthropicAnswer(res, body, step);
  };

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => json(res, 500, { error: { message: err.message } }));
  });
  await new Promise<void>((resolve) => http.listen(0, '0.0.0.0', resolve));
  const port = (http.address() as AddressInfo).port;

  const server: ModelServer = {
    port,
    containerUrl: `http://host.docker.internal:${port}`,
    hostUrl: `http://127.0.0.1:${port}`,
    requests,
    rejectAuth: false,
    holdFinal() {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      const held = new Promise<void>((r) => (onHeld = r));
      return {
        held,
        release: () => {
          gate = null;
          onHeld = null;
          release();
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  return server;
}
