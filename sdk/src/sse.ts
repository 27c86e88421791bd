/**
 * Server-Sent Events over fetch (EventSource can neither send a token nor
 * POST): a reader of one response, and a stream that reconnects after a drop
 * and resumes with `Last-Event-ID`, so the caller sees every event once.
 */
import { SandboxedError } from './errors.js';

export interface SseMessage {
  /** The event's `id:` (absent when it has none). */
  id?: string;
  /** The `event:` name; "message" when none is given. */
  event: string;
  data: string;
}

/** The messages of one SSE body, as they arrive (comments and heartbeats skipped). */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let event = '';
  let id: string | undefined;
  let data: string[] = [];
  const line = (text: string): SseMessage | undefined => {
    if (text === '') {
      const message = data.length > 0 ? { ...(id === undefined ? {} : { id }), event: event || 'message', data: data.join('\n') } : undefined;
      event = '';
      data = [];
      return message;
    }
    if (text.startsWith(':')) return undefined;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(colon + (text[colon + 1] === ' ' ? 2 : 1));
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
    return undefined;
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buf += done ? decoder.decode() : decoder.decode(value, { stream: true });
      for (;;) {
        const end = buf.search(/[\r\n]/);
        // A lone CR at the end may be the first half of a CRLF: wait for the next chunk.
        if (end < 0 || (end === buf.length - 1 && buf[end] === '\r' && !done)) break;
        const next = buf[end] === '\r' && buf[end + 1] === '\n' ? end + 2 : end + 1;
        const message = line(buf.slice(0, end));
        buf = buf.slice(next);
        if (message) yield message;
      }
      if (done) return;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

export interface FollowOptions {
  /** Stops the stream; the iteration then throws a SandboxedError with status 0. */
  signal?: AbortSignal;
  /** Reconnects in a row without an event in between before giving up (default 20, about 80 s). */
  retries?: number;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Whether a failed connect is worth another try: no answer, or a 5xx (a restarting daemon). */
function retriable(err: unknown): boolean {
  return !(err instanceof SandboxedError) || err.status === 0 || err.status >= 500;
}

/**
 * The messages of a stream that `open(lastId)` (re)connects to, resumed after
 * the last id seen whenever the connection drops or the server ends it. The
 * caller ends the iteration (on the stream's last event); a refusal (4xx) is
 * thrown at once, no answer for `retries` attempts in a row is thrown too.
 */
export async function* followSse(open: (lastId: string | undefined) => Promise<Response>, lastId: string | undefined, opts: FollowOptions = {}): AsyncGenerator<SseMessage> {
  const retries = opts.retries ?? 20;
  let failures = 0;
  for (;;) {
    let failure: unknown = 'the stream ended';
    try {
      const res = await open(lastId);
      if (!res.body) throw new SandboxedError(0, 'the event stream has no body');
      for await (const message of readSse(res.body)) {
        failures = 0;
        if (message.id !== undefined) lastId = message.id;
        yield message;
      }
    } catch (err) {
      if (opts.signal?.aborted) throw SandboxedError.noAnswer('event stream', opts.signal.reason ?? err);
      if (!retriable(err)) throw err;
      failure = err;
    }
    if (opts.signal?.aborted) throw SandboxedError.noAnswer('event stream', opts.signal.reason ?? 'aborted');
    failures += 1;
    if (failures > retries) throw SandboxedError.noAnswer(`event stream (after ${retries} reconnects)`, failure);
    await sleep(Math.min(250 * 2 ** (failures - 1), 5000), opts.signal);
  }
}
