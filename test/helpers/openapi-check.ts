/**
 * Checks real answers of a daemon against its own OpenAPI document: the
 * operation exists, the status and content type are listed, a JSON body or an
 * SSE message's `data` fits the schema given for them (Ajv, JSON Schema
 * 2020-12). Problems are collected, to be asserted once at the end; `seen`
 * records `operationId status` of every answer checked.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

export const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

export interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

export class DocumentCheck {
  readonly seen = new Set<string>();
  readonly problems: string[] = [];
  readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    readonly doc: any,
    private readonly baseUrl: string,
    private readonly auth: Record<string, string>,
  ) {
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema(doc, 'openapi.json');
  }

  validatorAt(ptr: string): ValidateFunction {
    let v = this.validators.get(ptr);
    if (!v) this.validators.set(ptr, (v = this.ajv.compile({ $ref: `openapi.json#/${ptr}` })));
    return v;
  }

  /** The document's path template for a concrete URL path. */
  templateOf(urlPath: string): string | undefined {
    return Object.keys(this.doc.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(urlPath));
  }

  /** Checks one real answer against the document. */
  check(method: string, url: string, status: number, headers: Headers, text: string): void {
    const where = `${method} ${url} → ${status}`;
    if (!headers.get('x-request-id')) this.problems.push(`${where}: no x-request-id`);
    const template = this.templateOf(url.split('?')[0]);
    const op = template ? this.doc.paths[template][method.toLowerCase()] : undefined;
    if (!op) return void this.problems.push(`${where}: no such operation in the document`);
    this.seen.add(`${op.operationId} ${status}`);
    let response = op.responses[String(status)];
    if (!response) return void this.problems.push(`${where}: status not in the document (${Object.keys(op.responses).join(', ')})`);
    let base = pointer('paths', template!, method.toLowerCase(), 'responses', String(status));
    if (response.$ref) {
      base = response.$ref.slice(2);
      response = this.doc.components.responses[response.$ref.split('/').pop()];
    }
    // A 101 (a WebSocket upgrade) has no content: the connection is no longer HTTP.
    if (!response.content) return void (text === '' || this.problems.push(`${where}: a body where the document has none`));
    const type = (headers.get('content-type') ?? '').split(';')[0].trim();
    const mediaType = type in response.content ? type : '*/*' in response.content ? '*/*' : undefined;
    if (!mediaType) return void this.problems.push(`${where}: content type ${type} not in the document`);
    const schemaAt = `${base}/${pointer('content', mediaType, 'schema')}`;
    if (type === 'application/json') this.fits(schemaAt, JSON.parse(text), where);
    if (type === 'text/event-stream') for (const e of sseMessages(text)) this.fits(schemaAt, e.data, `${where} event ${e.event}`);
  }

  private fits(schemaAt: string, value: unknown, where: string): void {
    const validate = this.validatorAt(schemaAt);
    if (!validate(value)) this.problems.push(`${where}: ${this.ajv.errorsText(validate.errors)}: ${JSON.stringify(value).slice(0, 300)}`);
  }

  /** An HTTP call with the token, its answer checked. */
  async call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...this.auth, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const r = await fetch(`${this.baseUrl}${url}`, init);
    const text = await r.text();
    this.check(method, url, r.status, r.headers, text);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* bytes, text or events */
    }
    return { status: r.status, body: parsed, text, headers: r.headers };
  }

  /** A GET whose answer does not end by itself (a followed log): read until `enough(text)`, then its whole messages checked. */
  async read(url: string, enough: (text: string) => boolean, headers: Record<string, string> = {}): Promise<Answer> {
    const ac = new AbortController();
    const r = await fetch(`${this.baseUrl}${url}`, { headers: { ...this.auth, ...headers }, signal: AbortSignal.any([ac.signal, AbortSignal.timeout(90_000)]) });
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (enough(text)) break;
    }
    ac.abort();
    text = text.slice(0, text.lastIndexOf('\n\n') + 2);
    this.check('GET', url, r.status, r.headers, text);
    return { status: r.status, body: text, text, headers: r.headers };
  }

  /** A WebSocket handshake with the token: the 101 (or the refusal) is checked; an opened socket is returned to the caller. */
  async upgrade(url: string, protocols = ['sandboxed.pty.v1']): Promise<{ status: number; socket: WebSocket | null; body: string }> {
    const ws = new WebSocket(`${this.baseUrl.replace(/^http/, 'ws')}${url}`, protocols, { headers: this.auth });
    ws.on('error', () => undefined);
    const answer = await new Promise<{ res: IncomingMessage; body: string; opened: boolean }>((resolve) => {
      ws.once('upgrade', (res) => resolve({ res, body: '', opened: true }));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ res, body, opened: false }));
      });
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(answer.res.headers)) if (typeof v === 'string') headers.set(k, v);
    this.check('GET', url, answer.res.statusCode ?? 0, headers, answer.body);
    return { status: answer.res.statusCode ?? 0, socket: answer.opened ? ws : null, body: answer.body };
  }
}

/** The messages of an SSE body: `event` (default "message") and `data` parsed as JSON. */
export function sseMessages(text: string): { event: string; id?: string; data: unknown }[] {
  return text
    .split('\n\n')
    .map((block) => {
      const lines = block.split('\n');
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
      return data.length === 0 ? null : { event, id, data: JSON.parse(data.join('\n')) as unknown };
    })
    .filter((m) => m !== null);
}
