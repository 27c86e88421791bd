/**
 * A per-client cap on open connections to the built-in edge, which shares its
 * process (and its file descriptors) with the API: one client holding
 * thousands of half-open requests must not starve everyone else. Over the cap,
 * a new connection is closed at once, before a byte is read.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/** Refusals are logged once per client per this window. */
export const REFUSAL_LOG_WINDOW_MS = 60_000;
/** Bounds the "already logged" memory; past it, entries older than the window are dropped. */
const MAX_LOGGED_CLIENTS = 10_000;

/**
 * The key a client is counted under: its IPv4 address (IPv4-mapped IPv6 included),
 * or the /64 of an IPv6 address, since one host commonly holds a whole /64.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0].toLowerCase();
  const [head, tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = bare.includes('::') ? Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0') : [];
  const groups = [...left, ...zeros, ...right].slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16));
  return `${groups.join(':')}::/64`;
}

export class ClientConnectionCap {
  private readonly open = new Map<string, number>();
  private readonly logged = new Map<string, number>();

  constructor(
    /** 0 turns the cap off. */
    private readonly max: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** For the server's 'connection' event: counts the socket, or destroys it when its client is over the cap. */
  admit(socket: Socket): void {
    if (this.max <= 0) return;
    const client = clientKey(socket.remoteAddress);
    const count = this.open.get(client) ?? 0;
    if (count >= this.max) {
      socket.destroy();
      this.logRefusal(client);
      return;
    }
    this.open.set(client, count + 1);
    socket.once('close', () => {
      const left = (this.open.get(client) ?? 1) - 1;
      if (left > 0) this.open.set(client, left);
      else this.open.delete(client);
    });
  }

  openFrom(client: string): number {
    return this.open.get(client) ?? 0;
  }

  private logRefusal(client: string): void {
    const now = this.now();
    const last = this.logged.get(client);
    if (last !== undefined && now - last < REFUSAL_LOG_WINDOW_MS) return;
    if (this.logged.size >= MAX_LOGGED_CLIENTS) {
      for (const [k, at] of this.logged) if (now - at >= REFUSAL_LOG_WINDOW_MS) this.logged.delete(k);
      if (this.logged.size >= MAX_LOGGED_CLIENTS) this.logged.clear();
    }
    this.logged.set(client, now);
    this.log.warn({ client, max: this.max }, 'edge connection refused: too many open connections from this client');
  }
}
