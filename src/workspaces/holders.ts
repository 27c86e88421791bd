/**
 * Host-side readers that keep a workspace's files open for as long as a
 * client wants (followed logs) would make its unmount fail (EBUSY): a
 * restore, a delete or a purge must never depend on a client leaving. Before
 * a disk is released its holders are told to let go, and the workspace
 * refuses new opens until its disk is mounted again.
 */
export class DiskHolders {
  private readonly letGos = new Map<string, Set<() => Promise<void>>>();
  private readonly released = new Set<string>();

  /** Registers `letGo` (close every file of workspace `id`) and returns its removal. */
  hold(id: string, letGo: () => Promise<void>): () => void {
    let set = this.letGos.get(id);
    if (!set) this.letGos.set(id, (set = new Set()));
    set.add(letGo);
    return () => {
      set.delete(letGo);
      if (set.size === 0 && this.letGos.get(id) === set) this.letGos.delete(id);
    };
  }

  /** The disk is being released, or is: nothing new may be opened in it. */
  isReleased(id: string): boolean {
    return this.released.has(id);
  }

  /** Before an unmount: no new opens, then every holder has closed its files. */
  async release(id: string): Promise<void> {
    this.released.add(id);
    await Promise.all([...(this.letGos.get(id) ?? [])].map((letGo) => letGo().catch(() => undefined)));
  }

  mounted(id: string): void {
    this.released.delete(id);
  }
}
