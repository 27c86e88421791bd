/**
 * Is anything on its way up on a sandbox's port, or is a held request
 * waiting for nothing? Decided purely from what the in-sandbox supervisor
 * (images/base/sandboxed-init) says it runs and what listens in the
 * container. Table-tested in test/unit/port-decide.test.ts.
 */

export interface DeclaredService {
  name: string;
  /** null: the service has no port of its own and gets the container's PORT (the first declared port). */
  port: number | null;
  /** The supervisor's state: new, running, backoff, failed, stopped (unknown when its file is missing). */
  state: string;
}

export interface PortFacts {
  /** False until the supervisor has read its config after a start (its `desired` file exists). */
  supervisorReady: boolean;
  /** What the supervisor runs, declared services and the default `dev` script alike. */
  services: DeclaredService[];
  /** Addresses listening on the port inside the container, e.g. `127.0.0.1`, `0.0.0.0`, `::`. */
  listeners: string[];
}

export type PortState = 'closed' | 'loopback-only' | 'listening';

export type PortVerdict =
  | { kind: 'wait' }
  /** Nothing will come up: answer now, saying what runs and what to do. */
  | { kind: 'answer'; portState: PortState; services: DeclaredService[] };

/** After a start, the supervisor this long to launch what it declares before "nothing declared" is believed. */
export const PORT_GRACE_MS = 3_000;

/** Supervisor states from which a service may still come up by itself. */
const COMING_UP = new Set(['new', 'running', 'backoff', 'unknown']);

export function servesPort(s: DeclaredService, port: number, firstPort: number | undefined): boolean {
  return s.port === port || (s.port === null && port === firstPort);
}

export function portState(listeners: string[]): PortState {
  if (listeners.length === 0) return 'closed';
  const loopback = (a: string) => a.startsWith('127.') || a === '::1';
  return listeners.every(loopback) ? 'loopback-only' : 'listening';
}

/**
 * Hold while a start or a declared service is on its way up; answer once the
 * grace after the start has passed and nothing that serves the port can come
 * up by itself (none declared, every one failed or stopped, or the app listens
 * on loopback only, where the edge cannot reach it).
 */
export function decidePortWait(f: PortFacts, port: number, firstPort: number | undefined, sinceStartMs: number): PortVerdict {
  if (!f.supervisorReady || sinceStartMs < PORT_GRACE_MS) return { kind: 'wait' };
  const state = portState(f.listeners);
  const serving = f.services.filter((s) => servesPort(s, port, firstPort));
  if (state !== 'loopback-only' && serving.some((s) => COMING_UP.has(s.state))) return { kind: 'wait' };
  return { kind: 'answer', portState: state, services: f.services };
}

const MAX_LINES = 2000;

/**
 * Parses the check's output (port-check.ts): `desired` lines of the
 * supervisor (`name port cwd64 cmd64`, or `#none` before it read its config),
 * then `#state <name> <state>` and `#listen <hexaddr>:<hexport>` lines.
 * The tenant can write all of it: at most MAX_LINES lines are read, and
 * anything malformed is skipped.
 */
export function parsePortFacts(out: string, port: number): PortFacts {
  const services: DeclaredService[] = [];
  const states = new Map<string, string>();
  const listeners: string[] = [];
  let supervisorReady = true;
  const lines = out.split('\n', MAX_LINES);
  for (const line of lines) {
    const f = line.trim().split(/\s+/, 4);
    if (f[0] === '#none') supervisorReady = false;
    else if (f[0] === '#state' && f.length >= 3) states.set(f[1], f[2].slice(0, 20));
    else if (f[0] === '#listen' && f[1]) {
      const addr = listenAddress(f[1], port);
      if (addr !== null) listeners.push(addr);
    } else if (f.length === 4 && /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(f[0]) && /^(-|\d{1,5})$/.test(f[1])) {
      services.push({ name: f[0], port: f[1] === '-' ? null : Number(f[1]), state: 'unknown' });
    }
  }
  for (const s of services) s.state = states.get(s.name) ?? 'unknown';
  return { supervisorReady, services: services.slice(0, 100), listeners };
}

/** `0100007F:0BB8` (/proc/net/tcp, little-endian words) → `127.0.0.1` when the port matches, else null. */
function listenAddress(field: string, port: number): string | null {
  const m = /^([0-9A-F]{8}|[0-9A-F]{32}):([0-9A-F]{4})$/i.exec(field);
  if (!m || parseInt(m[2], 16) !== port) return null;
  const words = m[1].match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
  if (words.length === 1) return words[0].match(/../g)!.map((b) => parseInt(b, 16)).join('.');
  const v6 = words.join('').toLowerCase();
  if (/^0{32}$/.test(v6)) return '::';
  if (/^0{31}1$/.test(v6)) return '::1';
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address decides loopback.
  if (/^0{20}ffff/.test(v6)) return v6.slice(24).match(/../g)!.map((b) => parseInt(b, 16)).join('.');
  return v6;
}
