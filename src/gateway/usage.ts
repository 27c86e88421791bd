/**
 * Token usage read from a provider's response as it streams through the
 * gateway, for both APIs, streamed (SSE) and not (JSON):
 *
 * - Anthropic: `message_start` (model, input tokens, cache tokens) then
 *   `message_delta` (cumulative output tokens); a JSON message's `usage`.
 * - OpenAI-compatible: the chunk carrying `usage` (the gateway asks for it
 *   with stream_options.include_usage), `response.completed` of the Responses
 *   API; a JSON completion's `usage`.
 *
 * The response bytes pass to the agent untouched; the meter sees a copy. It
 * keeps at most MAX_LINE_BYTES of an SSE line and MAX_JSON_BYTES of a JSON
 * body, and parses only lines that can carry usage.
 */
export const MAX_LINE_BYTES = 1024 * 1024;
export const MAX_JSON_BYTES = 8 * 1024 * 1024;

export interface CallUsage {
  model: string | null;
  inputTokens: number;
  outputTokens: number;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const has = (o: Json, k: string): boolean => typeof o[k] === 'number';

export class UsageMeter {
  private model: string | null = null;
  private input = 0;
  private output = 0;
  private seen = false;
  private line: Buffer[] = [];
  private lineBytes = 0;
  private skipping = false;
  private body: Buffer[] = [];
  private bodyBytes = 0;

  constructor(private readonly streaming: boolean) {}

  feed(chunk: Buffer): void {
    if (!this.streaming) {
      this.bodyBytes += chunk.length;
      if (this.bodyBytes <= MAX_JSON_BYTES) this.body.push(chunk);
      return;
    }
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.addToLine(chunk.subarray(start, nl));
      if (!this.skipping) this.onLine(Buffer.concat(this.line).toString('utf8'));
      this.line = [];
      this.lineBytes = 0;
      this.skipping = false;
      start = nl + 1;
    }
    this.addToLine(chunk.subarray(start));
  }

  /** What the response reported, or null when it reported no usage. */
  result(): CallUsage | null {
    if (!this.streaming && this.bodyBytes <= MAX_JSON_BYTES && this.bodyBytes > 0) {
      try {
        this.take(JSON.parse(Buffer.concat(this.body).toString('utf8')));
      } catch {
        /* not JSON: no usage */
      }
      this.body = [];
    }
    return this.seen ? { model: this.model, inputTokens: this.input, outputTokens: this.output } : null;
  }

  private addToLine(part: Buffer): void {
    if (this.skipping || part.length === 0) return;
    this.lineBytes += part.length;
    if (this.lineBytes > MAX_LINE_BYTES) {
      this.skipping = true;
      this.line = [];
    } else this.line.push(part);
  }

  private onLine(line: string): void {
    if (!line.startsWith('data:')) return;
    if (!line.includes('usage') && !line.includes('message_start')) return;
    try {
      this.take(JSON.parse(line.slice(5)));
    } catch {
      /* "[DONE]" or a line cut by the provider */
    }
  }

  private take(value: unknown): void {
    const o = obj(value);
    if (!o) return;
    if (o.type === 'message_start') return this.read(obj(o.message), true);
    if (o.type === 'response.completed') return this.read(obj(o.response), true);
    if (o.type === 'message_delta') return this.read(o, false);
    this.read(o, true);
  }

  /** `o.usage` in either API's words; `input` false: an Anthropic delta, whose input tokens are optional. */
  private read(o: Json | null, full: boolean): void {
    if (!o) return;
    if (typeof o.model === 'string' && o.model.length <= 256) this.model = o.model;
    const u = obj(o.usage);
    if (!u) return;
    this.seen = true;
    const direct = has(u, 'input_tokens') ? num(u.input_tokens) : num(u.prompt_tokens);
    const cached = num(u.cache_creation_input_tokens) + num(u.cache_read_input_tokens);
    if (full || has(u, 'input_tokens')) this.input = direct + cached;
    if (has(u, 'output_tokens') || has(u, 'completion_tokens')) this.output = has(u, 'output_tokens') ? num(u.output_tokens) : num(u.completion_tokens);
  }
}
