/** Reads a Server-Sent Events response as it arrives, keeping every event. */
import { until } from './wait.js';

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

export class SseReader {
  readonly events: SseEvent[] = [];
  done = false;
  private readonly ac = new AbortController();
  private response!: Response;

  private constructor() {}

  /** fetch()es `url` and starts reading; rejects when the answer is not an event stream. */
  static async open(url: string, init: RequestInit = {}): Promise<SseReader> {
    const r = new SseReader();
    r.response = await fetch(url, { ...init, signal: r.ac.signal });
    if (!(r.response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      throw new Error(`not an event stream: ${r.response.status} ${await r.response.text()}`);
    }
    void r.pump();
    return r;
  }

  get status(): number {
    return this.response.status;
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev: SseEvent = { event: 'message', data: undefined };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length === 0) continue;
          ev.data = JSON.parse(data.join('\n'));
          this.events.push(ev);
        }
      }
    } catch {
      /* aborted */
    }
    this.done = true;
  }

  /** Text of the `text` fields of the events named `name`, joined. */
  text(name: string): string {
    return this.events.filter((e) => e.event === name).map((e) => e.data.text as string).join('');
  }

  async waitFor(pred: (e: SseEvent) => boolean, what: string, timeoutMs = 90_000): Promise<SseEvent> {
    return until(async () => this.events.find(pred), what, timeoutMs);
  }

  async waitDone(timeoutMs = 90_000): Promise<void> {
    await until(async () => this.done, 'the stream to end', timeoutMs);
  }

  close(): void {
    this.ac.abort();
  }
}
