/**
 * In-memory activity the reapers must respect: in-flight execs and open
 * WebSockets per sandbox, and the last time each sandbox was used. A touch is
 * a map write (a preview request makes one); the times reach the store in
 * batches, one transaction per flush, at most once per `flushMs`. Until then
 * `current` gives readers (the lifecycle service's get and list, so the API
 * and the reapers) the newer time, so nothing waits for a flush.
 */
export class ActivityTracker {
  private readonly busy = new Map<string, number>();
  /** Touches not yet written: id → the latest time. */
  private readonly pending = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  private readonly flushMs: number;
  private readonly now: () => number;
  /** A failed batch is reported and dropped: activity times are a hint for the reapers, not data. */
  private readonly onError: (err: unknown) => void;

  constructor(
    /** Writes one batch (SandboxStore.touchMany). */
    private readonly persist: (entries: [string, number][]) => void,
    opts: { flushMs?: number; now?: () => number; onError?: (err: unknown) => void } = {},
  ) {
    this.flushMs = opts.flushMs ?? 5000;
    this.now = opts.now ?? Date.now;
    this.onError = opts.onError ?? (() => undefined);
  }

  /** Marks activity: memory only; a flush is scheduled when none is. */
  touch(id: string): void {
    this.pending.set(id, this.now());
    // A daemon that exits loses at most flushMs of activity: the timer never holds it open.
    this.timer ??= setTimeout(() => {
      try {
        this.flush();
      } catch (err) {
        this.onError(err);
      }
    }, this.flushMs).unref();
  }

  /** The row with a touch not yet written applied (the store's row lags by up to one flush). */
  current<T extends { id: string; lastActiveAt: number }>(row: T): T {
    const at = this.pending.get(row.id);
    return at !== undefined && at > row.lastActiveAt ? { ...row, lastActiveAt: at } : row;
  }

  /** Writes every pending touch in one batch. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    this.persist(batch);
  }

  /** Something long-lived started (exec, WebSocket); returns its end. */
  begin(id: string): () => void {
    this.busy.set(id, (this.busy.get(id) ?? 0) + 1);
    this.touch(id);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = (this.busy.get(id) ?? 1) - 1;
      if (n <= 0) this.busy.delete(id);
      else this.busy.set(id, n);
      this.touch(id);
    };
  }

  busyCount(id: string): number {
    return this.busy.get(id) ?? 0;
  }

  forget(id: string): void {
    this.busy.delete(id);
    this.pending.delete(id);
  }
}
