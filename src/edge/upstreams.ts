/**
 * The app's address: the container's IP on the sandbox network and the
 * ports known to accept, probed with one TCP connect.
 */
import { connect } from 'node:net';
import type { Sandbox } from '../domain/sandbox.js';

export interface Upstream {
  ip: string;
  port: number;
}

/** Does the app accept connections on the container's address? */
export type PortProbe = (target: { containerId: string; ip: string }, port: number) => Promise<boolean>;

/** One TCP connect with a deadline; refused, unreachable or slow all mean "not yet". */
export function tcpProbe(timeoutMs = 1000): PortProbe {
  return ({ ip }, port) =>
    new Promise((resolve) => {
      const socket = connect({ host: ip, port });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
}

export interface InspectOnly {
  inspect(ref: string): Promise<{ running: boolean; ip: string | null }>;
}

interface CacheEntry {
  containerId: string;
  version: number;
  ip: string;
  ready: Set<number>;
}

/**
 * Container IP per sandbox and the ports known to accept. An entry is only
 * trusted for the row version it was filled from (any state change bumps
 * updated_at), and dropped on connection errors and after a start.
 */
export class Upstreams {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly engine: InspectOnly,
    private readonly probe: PortProbe,
  ) {}

  /** The hot path: an address known to accept, from memory alone, or null (then ask ready()). */
  cached(sb: Sandbox, port: number): Upstream | null {
    const entry = this.cache.get(sb.id);
    if (!entry || entry.containerId !== sb.containerId || entry.version !== sb.updatedAt || !entry.ready.has(port)) return null;
    if (sb.desiredState !== 'running' || sb.observedState !== 'running') return null;
    return { ip: entry.ip, port };
  }

  async ready(sb: Sandbox, port: number): Promise<Upstream | null> {
    if (sb.desiredState !== 'running' || sb.observedState !== 'running' || !sb.containerId) return null;
    let entry = this.cache.get(sb.id);
    if (!entry || entry.containerId !== sb.containerId || entry.version !== sb.updatedAt) {
      const info = await this.engine.inspect(sb.containerId).catch(() => null);
      if (!info?.running || !info.ip) {
        this.cache.delete(sb.id);
        return null;
      }
      entry = { containerId: sb.containerId, version: sb.updatedAt, ip: info.ip, ready: new Set() };
      this.cache.set(sb.id, entry);
    }
    if (entry.ready.has(port)) return { ip: entry.ip, port };
    if (!(await this.probe({ containerId: entry.containerId, ip: entry.ip }, port))) return null;
    entry.ready.add(port);
    return { ip: entry.ip, port };
  }

  invalidate(id: string): void {
    this.cache.delete(id);
  }
}
