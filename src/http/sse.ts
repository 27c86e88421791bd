/**
 * The one Server-Sent Events helper: replays from a cursor (`Last-Event-ID`
 * or `?after=`), then follows live, with a heartbeat comment so proxies and
 * clients see the stream alive, and ends after the source's last item or
 * when the client leaves. The source is read from the store on every wake,
 * so a slow or reconnecting client never misses nor repeats an item.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidError } from '../errors.js';

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

/** The open streams of one app: its close must end them, or it waits for them forever. */
export class SseStreams {
  private readonly open = new Set<AbortController>();

  closeAll(): void {
    for (const ac of this.open) ac.abort();
  }

  async serve(reply: FastifyReply, source: SseSource, after: number, heartbeatMs = HEARTBEAT_MS): Promise<void> {
    const ac = new AbortController();
    this.open.add(ac);
    try {
      await stream(reply, source, after, heartbeatMs, ac);
    } finally {
      this.open.delete(ac);
    }
  }
}

async function stream(reply: FastifyReply, source: SseSource, after: number, heartbeatMs: number, ac: AbortController): Promise<void> {
  const res = reply.raw;
  // The response's close is the client leaving (the request's may come earlier, once it is read).
  const onClose = (): void => ac.abort();
  res.on('close', onClose);
  reply.hijack();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });

  const write = async (chunk: string): Promise<void> => {
    if (ac.signal.aborted) return;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          ac.signal.removeEventListener('abort', done);
          resolve();
        };
        res.on('drain', done);
        ac.signal.addEventListener('abort', done, { once: true });
      });
    }
  };

  let cursor = after;
  try {
    await write(': stream open\n\n');
    while (!ac.signal.aborted) {
      // Register for changes before reading, so a change in between still wakes us.
      const round = new AbortController();
      const stopRound = (): void => round.abort();
      ac.signal.addEventListener('abort', stopRound, { once: true });
      const changed = source.changed(round.signal);
      const { items, ended } = source.read(cursor);
      for (const item of items) {
        await write(`id: ${item.id}\ndata: ${JSON.stringify(item.data)}\n\n`);
        cursor = item.id;
      }
      if (ended || items.length > 0) {
        round.abort();
        ac.signal.removeEventListener('abort', stopRound);
        if (ended) break;
        continue;
      }
      const timer = setTimeout(() => round.abort(), heartbeatMs);
      await changed;
      clearTimeout(timer);
      ac.signal.removeEventListener('abort', stopRound);
      if (round.signal.aborted && !ac.signal.aborted) await write(': heartbeat\n\n');
    }
  } finally {
    res.off('close', onClose);
    if (!res.writableEnded) res.end();
  }
}
