/**
 * A terminal client for tests: a real WebSocket to the API that keeps every
 * byte it received, the control frames, and how the connection ended.
 */
import WebSocket from 'ws';
import { until } from './wait.js';

export interface Hello {
  type: 'hello';
  session: string;
  offset: number;
  end: number;
  missed: number;
  cols: number;
  rows: number;
}

export class TermClient {
  /** Terminal bytes received, as they came (contiguous from hello.offset). */
  private readonly chunks: Buffer[] = [];
  private joined: Buffer | null = null;
  /** How many terminal bytes arrived. */
  received = 0;
  /** JSON control frames received. */
  readonly frames: Record<string, any>[] = [];
  closed: { code: number; reason: string } | null = null;
  hello!: Hello;

  private constructor(
    readonly ws: WebSocket,
    /** Count terminal bytes without keeping them (a flood). */
    private readonly discard: boolean,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        if (!this.discard) this.chunks.push(data as Buffer);
        this.received += (data as Buffer).length;
        this.joined = null;
      } else this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, any>);
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    ws.on('error', () => undefined);
  }

  /** Opens `url` (ws://…) and waits for the hello frame. Rejects with the HTTP status when the upgrade is refused. */
  static async open(url: string, opts: { protocols?: string[]; headers?: Record<string, string>; discard?: boolean } = {}): Promise<TermClient> {
    const ws = new WebSocket(url, opts.protocols ?? ['sandboxed.pty.v1'], { headers: opts.headers });
    const client = new TermClient(ws, opts.discard ?? false);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
    });
    await until(async () => client.frames.find((f) => f.type === 'hello'), 'the hello frame', 30_000);
    client.hello = client.frames.find((f) => f.type === 'hello') as Hello;
    return client;
  }

  /** Terminal bytes received, in order. */
  get bytes(): Buffer {
    this.joined ??= Buffer.concat(this.chunks);
    return this.joined;
  }

  get text(): string {
    return this.bytes.toString('utf8');
  }

  /** The offset just past the last byte received. */
  get offset(): number {
    return this.hello.offset + this.received;
  }

  type(s: string): void {
    this.ws.send(Buffer.from(s), { binary: true });
  }

  control(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  async waitFor(pattern: string | RegExp, what = String(pattern), timeoutMs = 60_000): Promise<void> {
    await until(async () => (typeof pattern === 'string' ? this.text.includes(pattern) : pattern.test(this.text)), what, timeoutMs);
  }

  async waitFrame(type: string, timeoutMs = 60_000): Promise<Record<string, any>> {
    return until(async () => this.frames.find((f) => f.type === type), `a ${type} frame`, timeoutMs);
  }

  async waitClosed(timeoutMs = 60_000): Promise<{ code: number; reason: string }> {
    return until(async () => this.closed, 'the socket to close', timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.ws.close();
    await this.waitClosed(10_000).catch(() => this.ws.terminate());
  }
}

/** ws:// URL of an API path. */
export function wsUrl(apiUrl: string, p: string): string {
  return apiUrl.replace(/^http/, 'ws') + p;
}
