/**
 * Logs of a sandbox's services and background execs: the tail, or followed
 * live. A followed log resumes by byte offset after a dropped connection
 * (`Last-Event-ID`), so no byte is lost or repeated; it works while the
 * sandbox sleeps and never wakes it.
 */
import { SandboxedError } from './errors.js';
import type { components } from './generated/api.js';
import type { Http } from './http.js';
import { followSse, type FollowOptions } from './sse.js';

/** Whose log: a declared service's, or a background exec's (its id). */
export type LogSource = { service: string } | { exec: string };

type Schemas = components['schemas'];

/**
 * `log`: bytes of the file from `offset` as UTF-8 text (a character cut at a read's end waits
 * for its rest); `reset`: the file was truncated or replaced, what follows starts again at 0;
 * `exit`: the background exec ended and its log is complete (a service's log never ends).
 */
export type LogEvent = ({ type: 'log' } & Schemas['LogTextEvent']) | ({ type: 'reset' } & Schemas['LogResetEvent']) | ({ type: 'exit' } & Schemas['LogExitEvent']);

export interface Tail {
  text: string;
  /** The byte offset of the tail's first byte in the file. */
  start: number;
  /** The file's size: follow from here with `since`. */
  size: number;
}

export interface LogFollowOptions extends FollowOptions {
  /** Start at this byte offset (default: the tail's start). */
  since?: number;
  /** Without `since`, start this many bytes before the end (default 64 KiB). */
  bytes?: number;
}

function route(src: LogSource): { path: string; params: Record<string, string> } {
  return 'service' in src
    ? { path: '/v1/sandboxes/{id}/services/{name}/logs', params: { name: src.service } }
    : { path: '/v1/sandboxes/{id}/exec/{execId}/logs', params: { execId: src.exec } };
}

export class Logs {
  constructor(
    private readonly http: Http,
    private readonly id: string,
  ) {}

  /** The end of the log (`bytes`, default 64 KiB, at most 1 MiB). */
  async tail(src: LogSource, opts: { bytes?: number; signal?: AbortSignal } = {}): Promise<Tail> {
    const { path, params } = route(src);
    const res = await this.http.send('get', path, { path: { id: this.id, ...params }, query: { bytes: opts.bytes }, signal: opts.signal });
    return { text: await res.text(), start: Number(res.headers.get('x-log-start') ?? 0), size: Number(res.headers.get('x-log-size') ?? 0) };
  }

  /** The log as it grows; ends after a background exec's exit, a service's never (break out of the loop). */
  async *follow(src: LogSource, opts: LogFollowOptions = {}): AsyncGenerator<LogEvent> {
    const { path, params } = route(src);
    const open = (lastId: string | undefined) =>
      this.http.send('get', path, {
        path: { id: this.id, ...params },
        query: { follow: '1', bytes: opts.bytes },
        headers: { accept: 'text/event-stream', ...(lastId === undefined ? {} : { 'last-event-id': lastId }) },
        signal: opts.signal,
      });
    for await (const m of followSse(open, opts.since === undefined ? undefined : String(opts.since), opts)) {
      if (m.event === 'log') yield { type: 'log', ...(JSON.parse(m.data) as Schemas['LogTextEvent']) };
      else if (m.event === 'reset') yield { type: 'reset', ...(JSON.parse(m.data) as Schemas['LogResetEvent']) };
      else if (m.event === 'exit') {
        yield { type: 'exit', ...(JSON.parse(m.data) as Schemas['LogExitEvent']) };
        return;
      } else if (m.event === 'error') throw new SandboxedError(400, (JSON.parse(m.data) as Schemas['LogErrorEvent']).error);
    }
  }
}
