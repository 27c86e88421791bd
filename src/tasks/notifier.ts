/** Wakes SSE streams when a task has new events; the store stays the only source of them. */
export class TaskNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  notify(taskId: string): void {
    const set = this.waiters.get(taskId);
    if (!set) return;
    this.waiters.delete(taskId);
    for (const wake of set) wake();
  }

  /** Resolves at the task's next notify, or at once when `signal` aborts. Register before reading the store. */
  next(taskId: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      let set = this.waiters.get(taskId);
      if (!set) this.waiters.set(taskId, (set = new Set()));
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const s = this.waiters.get(taskId);
        s?.delete(wake);
        if (s?.size === 0) this.waiters.delete(taskId);
        resolve();
      };
      set.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
