/**
 * In-memory activity the reapers must respect: in-flight execs and open
 * WebSockets per sandbox, plus throttled last-active writes to the store.
 */
export class ActivityTracker {
  private readonly busy = new Map<string, number>();
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly persist: (id: string, at: number) => void,
    private readonly throttleMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Marks activity; writes to the store at most once per throttle window per id. */
  touch(id: string): void {
    const at = this.now();
    const last = this.lastWrite.get(id) ?? 0;
    if (at - last < this.throttleMs) return;
    this.lastWrite.set(id, at);
    this.persist(id, at);
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
      this.lastWrite.delete(id);
      this.touch(id);
    };
  }

  busyCount(id: string): number {
    return this.busy.get(id) ?? 0;
  }

  forget(id: string): void {
    this.busy.delete(id);
    this.lastWrite.delete(id);
  }
}
