/**
 * Lifecycle events of every sandbox (GET /v1/events): created, started,
 * stopped, deleted, purged, expired, failed, tasks. A dropped stream resumes
 * after the last id seen (`Last-Event-ID`), so each event comes once.
 */
import type { components } from './generated/api.js';
import type { Http } from './http.js';
import { followSse, type FollowOptions } from './sse.js';

type Schemas = components['schemas'];

/** One lifecycle event, or `gap`: events after `after` up to `oldest_id` were pruned before they could be replayed. */
export type LifecycleEvent = Schemas['LifecycleEvent'] | ({ type: 'gap' } & Schemas['EventGap']);

export interface EventStreamOptions extends FollowOptions {
  /** Replay the stored events after this id first (0: every one kept); absent: only new events. */
  since?: number;
  /** Types or families, e.g. `['sandbox.*']`. */
  types?: string[];
  /** Only this sandbox's events. */
  sandboxId?: string;
  /** Called each time the stream is (re)connected: from then on no change goes unseen. */
  onOpen?: () => void;
}

export class Events {
  constructor(private readonly http: Http) {}

  /** The events as they happen; the iteration ends only when `signal` aborts (break out of the loop otherwise). */
  async *stream(opts: EventStreamOptions = {}): AsyncGenerator<LifecycleEvent> {
    const open = async (lastId: string | undefined) => {
      const res = await this.http.send('get', '/v1/events', {
        query: { types: opts.types?.join(','), sandbox_id: opts.sandboxId },
        headers: { accept: 'text/event-stream', ...(lastId === undefined ? {} : { 'last-event-id': lastId }) },
        signal: opts.signal,
      });
      opts.onOpen?.();
      return res;
    };
    for await (const m of followSse(open, opts.since === undefined ? undefined : String(opts.since), opts)) {
      if (m.event === 'gap') yield { type: 'gap', ...(JSON.parse(m.data) as Schemas['EventGap']) };
      else yield JSON.parse(m.data) as Schemas['LifecycleEvent'];
    }
  }
}
