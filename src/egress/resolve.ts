/**
 * Where the egress proxy connects for a name: the operator's pin
 * (SANDBOXD_EGRESS_CONNECT_TO) or the host's resolver, IPv4 only (sandboxes
 * and the rules are IPv4). Answers are cached for CACHE_MS so a burst of
 * connections resolves once; every connection still checks the cached
 * answers against its sandbox's policy. The host's own addresses are read
 * from its interfaces, refreshed as often.
 */
import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import os from 'node:os';
import type { ConnectTo } from '../config.js';

const CACHE_MS = 10_000;
/** Names cached at most; past it the cache starts over (a tenant resolving random names cannot grow it). */
const CACHE_MAX = 4096;

export interface Target {
  addresses: string[];
  port: number;
  /** The operator pinned this name: its address is theirs to choose and skips the range checks. */
  pinned: boolean;
}

export class Resolver {
  private readonly cache = new Map<string, { addresses: string[]; at: number }>();
  private own: { set: Set<string>; at: number } = { set: new Set(), at: 0 };

  constructor(
    private readonly pins: readonly ConnectTo[],
    private readonly resolve: (name: string) => Promise<string[]> = systemLookup,
  ) {}

  async target(name: string, port: 80 | 443): Promise<Target> {
    const pin = this.pins.find((p) => p.host === name && p.port === port);
    if (pin) return { addresses: [pin.address], port: pin.targetPort, pinned: true };
    if (isIPv4(name)) return { addresses: [name], port, pinned: false };
    const now = Date.now();
    const hit = this.cache.get(name);
    if (hit && now - hit.at < CACHE_MS) return { addresses: hit.addresses, port, pinned: false };
    const addresses = await this.resolve(name);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(name, { addresses, at: now });
    return { addresses, port, pinned: false };
  }

  /** The host's own IPv4 addresses (every interface): never a destination. */
  hostAddresses(): ReadonlySet<string> {
    const now = Date.now();
    if (now - this.own.at > CACHE_MS) {
      const set = new Set<string>();
      for (const list of Object.values(os.networkInterfaces())) {
        for (const a of list ?? []) if (a.family === 'IPv4') set.add(a.address);
      }
      this.own = { set, at: now };
    }
    return this.own.set;
  }
}

async function systemLookup(name: string): Promise<string[]> {
  try {
    return (await lookup(name, { all: true, family: 4 })).map((a) => a.address);
  } catch {
    return [];
  }
}
