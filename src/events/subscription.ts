/**
 * One live listener of the bus (an event stream): the events it has not
 * taken yet, at most `capacity`. The bus hands every event to every listener
 * at once and never waits for one; a listener whose client reads slower than
 * events come (or not at all) overflows and is dropped, which costs the
 * daemon nothing but the bounded queue it held. The client reconnects with
 * Last-Event-ID and replays what it missed from the store.
 */
import type { LifecycleEvent } from '../domain/event.js';

export class Subscription {
  private queue: LifecycleEvent[] = [];
  private wake: (() => void) | null = null;
  /** Overflowed: no event is taken any more, the stream ends. */
  dropped = false;
  closed = false;

  constructor(
    private readonly capacity: number,
    private readonly wants: (e: LifecycleEvent) => boolean,
    private readonly onEnd: (s: Subscription) => void,
  ) {}

  /** Called by the bus for every event; O(1), never blocks. */
  offer(e: LifecycleEvent): void {
    if (this.closed || !this.wants(e)) return;
    if (this.queue.length >= this.capacity) {
      this.dropped = true;
      this.end();
      return;
    }
    this.queue.push(e);
    this.wake?.();
  }

  /** The events waiting now, waiting for one first; null once the subscription ended. */
  async take(): Promise<LifecycleEvent[] | null> {
    while (this.queue.length === 0 && !this.closed) await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
    if (this.closed) return null;
    const batch = this.queue;
    this.queue = [];
    return batch;
  }

  /** Stops taking events (the client left, or the daemon is stopping). */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.wake?.();
    this.onEnd(this);
  }
}
