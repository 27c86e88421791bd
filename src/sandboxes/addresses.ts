/**
 * Which sandbox a connection on the bridge comes from: its source address →
 * the running container that holds it. The model gateway (a capability is
 * bound to its sandbox) and the egress proxy (each sandbox has its own
 * policy) ask on every connection, so the map is cached and refreshed from
 * Docker (one list of this instance's containers) when an address is
 * unknown, when any sandbox's row changed state (a container started or
 * stopped, so an address may have moved), and at least every MAX_AGE_MS.
 */
import type { ContainerEngine } from '../docker/engine.js';

/** A refresh is forced after this long even when no row changed (a container restarted behind our back). */
const MAX_AGE_MS = 30_000;
/** Unknown addresses refresh at most this often: a flood from an unknown source cannot hammer Docker. */
const MISS_REFRESH_MS = 1000;

export interface SandboxAt {
  sandboxId: string;
  containerId: string;
}

export class SandboxAddresses {
  private byIp = new Map<string, SandboxAt>();
  private builtAt = 0;
  private builtGeneration = -1;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly engine: Pick<ContainerEngine, 'listManaged'>,
    private readonly instance: string,
    /** Changes whenever a sandbox row's state changes (SandboxStore.generation). */
    private readonly generation: () => number,
  ) {}

  /** The sandbox whose running container has this IPv4 address, or null. */
  async whoIs(ip: string): Promise<SandboxAt | null> {
    const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    const now = Date.now();
    const stale = this.generation() !== this.builtGeneration || now - this.builtAt > MAX_AGE_MS;
    const hit = this.byIp.get(address);
    if (hit && !stale) return hit;
    if (stale || now - this.builtAt > MISS_REFRESH_MS) await this.refresh();
    return this.byIp.get(address) ?? null;
  }

  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const generation = this.generation();
      const containers = await this.engine.listManaged(this.instance);
      const map = new Map<string, SandboxAt>();
      for (const c of containers) {
        if (c.running && c.ip && c.sandboxId) map.set(c.ip, { sandboxId: c.sandboxId, containerId: c.id });
      }
      this.byIp = map;
      this.builtAt = Date.now();
      this.builtGeneration = generation;
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }
}
