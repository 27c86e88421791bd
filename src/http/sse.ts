/**
 * Replay-then-follow for Server-Sent Events over @fastify/sse (which owns the
 * wire: headers, heartbeats, backpressure, the client's close). A stream
 * replays from a cursor (`Last-Event-ID` or `?after=`), then follows live, and
 * ends after the source's last item or when the client leaves. The source is
 * read from the store on every wake, so a slow or reconnecting client never
 * misses nor repeats an item. Routes register with `{ sse: 'only' }`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidError } from '../errors.js';

/** Heartbeat comment interval (the plugin's option): proxies and clients see the stream alive. */
export const HEARTBEAT_MS = 15_000;

export interface SseItem {
  id: number;
  data: unknown;
}

export interface SseSource {
  /** Items after the cursor, in order; `ended`: nothing will ever follow them. */
  read(after: number): { items: SseItem[]; ended: boolean };
  /** Resolves when new items may exist, or when `signal` aborts. */
  changed(signal: AbortSignal): Promise<void>;
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
async function* follow(source: SseSource, after: number, signal: AbortSignal): AsyncGenerator<{ id: string; data: unknown }> {
  let cursor = after;
  while (!signal.aborted) {
    // Register for changes before reading, so a change in between still wakes us.
    const round = new AbortController();
    const stopRound = (): void => round.abort();
    signal.addEventListener('abort', stopRound, { once: true });
    try {
      const changed = source.changed(round.signal);
      const { items, ended } = source.read(cursor);
      for (const item of items) {
        yield { id: String(item.id), data: item.data };
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
    }
  }
}
