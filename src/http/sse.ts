/**
 * Replay-then-follow for Server-Sent Events over @fastify/sse (which owns the
 * wire: headers, heartbeats, backpressure, the client's close). A stream
 * replays from a cursor (`Last-Event-ID` or `?after=`), then follows live, and
 * ends after the source's last item or when the client leaves. The source is
 * read from the store on every wake, so a slow or reconnecting client never
 * misses nor repeats an item. Routes register with `{ sse: 'only' }`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, InvalidError } from '../errors.js';

/** Heartbeat comment interval (the plugin's option): proxies and clients see the stream alive. */
export const HEARTBEAT_MS = 15_000;

export interface SseItem {
  id: number;
  /** The SSE event name; absent: the default ("message"). */
  event?: string;
  data: unknown;
}

type Page = { items: SseItem[]; ended: boolean };

export interface SseSource {
  /** Items after the cursor, in order; `ended`: nothing will ever follow them. */
  read(after: number): Page | Promise<Page>;
  /** Resolves when new items may exist, or when `signal` aborts. */
  changed(signal: AbortSignal): Promise<void>;
  /** Called once when the stream is over (a file to close). */
  close?(): unknown;
}

/** An SSE message for reply.sse.send. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: unknown;
}

/** The cursor: `Last-Event-ID` (what a reconnecting EventSource sends) wins over `?after=`. */
export function sseCursor(req: FastifyRequest, after: number | undefined): number {
  const header = req.headers['last-event-id'];
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw.trim() === '') return after ?? 0;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 0) throw new InvalidError('Last-Event-ID: must be a non-negative integer');
  return n;
}

/** Items after `after`, then live ones as the source changes, until it ends or `signal` aborts. */
async function* follow(source: SseSource, after: number, signal: AbortSignal): AsyncGenerator<SseMessage> {
  let cursor = after;
  while (!signal.aborted) {
    // Register for changes before reading, so a change in between still wakes us.
    const round = new AbortController();
    const stopRound = (): void => round.abort();
    signal.addEventListener('abort', stopRound, { once: true });
    try {
      const changed = source.changed(round.signal);
      const { items, ended } = await source.read(cursor);
      for (const item of items) {
        yield { id: String(item.id), event: item.event, data: item.data };
        cursor = item.id;
      }
      if (ended) return;
      if (items.length === 0) await changed;
    } finally {
      round.abort();
      signal.removeEventListener('abort', stopRound);
    }
  }
}

/** The open streams of one app: its close must end them, or it waits for them forever. */
export class SseStreams {
  private readonly open = new Set<AbortController>();

  closeAll(): void {
    for (const ac of this.open) ac.abort();
  }

  async serve(reply: FastifyReply, source: SseSource, after: number): Promise<void> {
    const ac = new AbortController();
    this.open.add(ac);
    reply.sse.onClose(() => ac.abort());
    try {
      // Headers now (and the plugin's heartbeat with them), so a client sees the stream open at once.
      reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache, no-transform');
      reply.sse.sendHeaders();
      reply.raw.write(': stream open\n\n');
      await reply.sse.send(follow(source, after, ac.signal));
    } finally {
      this.open.delete(ac);
      await source.close?.();
    }
  }

  /**
   * Streams what `produce` pushes, as it pushes it, until it returns. Headers
   * go out when the producer calls `open` (or with the first message), so a
   * failure before is still an ordinary error answer. The client leaving
   * stops the sending, not the producer. What waits for the client is bounded
   * by what the producer pushes (exec output is capped per stream).
   */
  async push(reply: FastifyReply, produce: (push: (m: SseMessage) => void, open: () => void) => Promise<void>): Promise<void> {
    const queue = new PushQueue();
    const ac = new AbortController();
    ac.signal.addEventListener('abort', () => queue.end(), { once: true });
    this.open.add(ac);
    reply.sse.onClose(() => ac.abort());
    reply.header('cache-control', 'no-cache, no-transform');
    const sending = reply.sse.send(queue);
    try {
      const open = (): void => {
        if (queue.started || queue.done) return;
        queue.started = true;
        reply.sse.sendHeaders();
        reply.raw.write(': stream open\n\n');
      };
      await produce((m) => queue.push(m), open);
    } catch (err) {
      // Before any output the failure is an ordinary error answer; after it, the stream's last event.
      if (!queue.started) throw err;
      reply.log.warn({ err }, 'stream failed');
      queue.push({ event: 'error', data: { error: err instanceof DomainError ? err.message : 'internal error; see the daemon log' } });
    } finally {
      queue.end();
      await sending.catch(() => undefined);
      this.open.delete(ac);
    }
  }
}

/** Messages pushed by a producer, read as an async iterable; ends at end(). */
class PushQueue implements AsyncIterable<SseMessage> {
  private items: SseMessage[] = [];
  done = false;
  /** Something was pushed: the response is (or is about to be) committed as SSE. */
  started = false;
  private wake: (() => void) | null = null;

  push(m: SseMessage): void {
    if (this.done) return;
    this.started = true;
    this.items.push(m);
    this.wake?.();
  }

  end(): void {
    this.done = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SseMessage> {
    for (;;) {
      const batch = this.items;
      this.items = [];
      for (const m of batch) yield m;
      if (this.done && this.items.length === 0) return;
      if (this.items.length === 0) await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }
}
