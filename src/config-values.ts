/**
 * How config.ts reads values: one parser per kind (booleans, bounded numbers,
 * enums, CIDRs, ports, tokens, origins, host names), each naming the variable
 * in its error. Pure functions of the env object passed in: only config.ts
 * hands them process.env.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { metadataValueProblem } from './domain/metadata.js';
import type { TokenLimits } from './domain/principal.js';
import { egressEntryProblem, HOST_NAME } from './domain/egress.js';

export interface ApiToken {
  name: string;
  secret: string;
  /** Sees and acts on every sandbox; otherwise only on the ones it created. */
  admin: boolean;
  limits: TokenLimits;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Reads the host's hard limit on open files; a container asking for more fails to start. */
export function hostNofileHardLimit(limitsText?: string): number {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return 1024;
    }
  }
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  const hard = line?.trim().split(/\s+/)[4];
  if (!hard) return 1024;
  return hard === 'unlimited' ? 1 << 20 : Number(hard);
}

export function read(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function str(env: Env, name: string, def: string): string {
  return read(env, name) ?? def;
}

export function bool(env: Env, name: string, def: boolean): boolean {
  const v = read(env, name);
  if (v === undefined) return def;
  const lower = v.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(name, `"${v}" is not a boolean (use true or false)`);
}

export function num(env: Env, name: string, def: number, min: number, max: number, integer = true): number {
  const v = read(env, name);
  if (v === undefined) return def;
  const schema = integer ? z.coerce.number().int() : z.coerce.number();
  const parsed = schema.min(min).max(max).safeParse(v);
  if (!parsed.success) {
    throw new ConfigError(name, `"${v}" must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return parsed.data;
}

export function oneOf<T extends string>(env: Env, name: string, def: T, allowed: readonly T[]): T {
  const v = read(env, name);
  if (v === undefined) return def;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(name, `"${v}" must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;

export function cidrs(env: Env, name: string): string[] {
  const v = read(env, name);
  if (v === undefined) return [];
  const list = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const c of list) if (!CIDR.test(c)) throw new ConfigError(name, `"${c}" is not an IPv4 CIDR like 203.0.113.0/24`);
  return list;
}

export function ports(env: Env, name: string): number[] {
  const v = read(env, name);
  if (v === undefined) return [];
  return v.split(',').map((x) => x.trim()).filter((x) => x !== '').map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(name, `"${x}" is not a TCP port`);
    return n;
  });
}

/**
 * `name:secret,name2:secret2`, split on the first colon so secrets may hold `:`
 * and `=`. The name may carry options after `;`:
 * `team-a;max_sandboxes=20;max_memory_mb=16384;max_running_tasks=4:secret`.
 * An entry without options is an admin token (every token was, before options
 * existed); an entry with any option is scoped to its own sandboxes unless it
 * says `admin` (or `admin=true`).
 */
export function parseTokens(raw: string | undefined): ApiToken[] {
  if (raw === undefined) return [];
  const tokens: ApiToken[] = [];
  for (const entry of raw.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const colon = trimmed.indexOf(':');
    if (colon < 0) {
      throw new ConfigError('SANDBOXD_API_TOKENS', 'every entry must be name:secret (an entry has no colon)');
    }
    const [name, ...options] = trimmed.slice(0, colon).split(';').map((x) => x.trim());
    const secret = trimmed.slice(colon + 1).trim();
    if (name === '') throw new ConfigError('SANDBOXD_API_TOKENS', 'an entry has an empty name');
    // The name becomes the metadata value sandboxed.owner of every sandbox the token creates.
    if (name.length > 64 || metadataValueProblem(name) !== null) {
      throw new ConfigError('SANDBOXD_API_TOKENS', 'a token name is at most 64 characters, without control characters');
    }
    if (secret === '') throw new ConfigError('SANDBOXD_API_TOKENS', `token "${name}" has an empty secret`);
    if (tokens.some((t) => t.name === name)) {
      throw new ConfigError('SANDBOXD_API_TOKENS', `token name "${name}" appears twice`);
    }
    tokens.push({ name, secret, ...tokenOptions(name, options) });
  }
  return tokens;
}

const LIMIT_OPTIONS: Record<string, keyof TokenLimits> = {
  max_sandboxes: 'maxSandboxes',
  max_memory_mb: 'maxMemoryMb',
  max_running_tasks: 'maxRunningTasks',
};

function tokenOptions(name: string, options: string[]): Pick<ApiToken, 'admin' | 'limits'> {
  const bad = (problem: string) => new ConfigError('SANDBOXD_API_TOKENS', `token "${name}": ${problem}`);
  let admin = options.length === 0;
  const limits: TokenLimits = {};
  const seen = new Set<string>();
  for (const option of options) {
    const eq = option.indexOf('=');
    const key = (eq < 0 ? option : option.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : option.slice(eq + 1).trim();
    if (seen.has(key)) throw bad(`option ${key} appears twice`);
    seen.add(key);
    if (key === 'admin') {
      if (value !== undefined && value !== 'true' && value !== 'false') throw bad('admin is admin, admin=true or admin=false');
      admin = value !== 'false';
    } else if (key in LIMIT_OPTIONS) {
      const n = Number(value);
      if (value === undefined || value === '' || !Number.isSafeInteger(n) || n < 0) throw bad(`${key} must be a whole number (0 or more)`);
      limits[LIMIT_OPTIONS[key]] = n;
    } else {
      throw bad(`unknown option "${key}" (admin, ${Object.keys(LIMIT_OPTIONS).join(', ')})`);
    }
  }
  return { admin, limits };
}

export function parseBind(env: Env): { host: string; port: number } {
  const v = str(env, 'SANDBOXED_API_BIND', '127.0.0.1:9090');
  const colon = v.lastIndexOf(':');
  const host = v.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(v.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('SANDBOXED_API_BIND', `"${v}" must be host:port`);
  }
  return { host, port };
}

/** 127.0.0.0/8, ::1 or localhost: only this host's processes can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** Comma-separated exact origins; anything with a path, a query or a non-HTTP scheme is refused. */
export function origins(env: Env, name: string): string[] {
  return list(env, name).map((o) => {
    let origin: string | undefined;
    try {
      const u = new URL(o);
      if (u.protocol === 'http:' || u.protocol === 'https:') origin = u.origin;
    } catch {
      /* refused below */
    }
    if (origin !== o) throw new ConfigError(name, `"${o}" is not an origin like https://app.example.com (scheme, host and port only, lowercase)`);
    return o;
  });
}

const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** The names the Host header may carry; the default is loopback's names plus a specific bind address. */
export function hostnames(env: Env, name: string, bindHost: string): string[] {
  const given = list(env, name).map((h) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
  for (const h of given) {
    if (!HOSTNAME.test(h) && isIP(h) === 0) throw new ConfigError(name, `"${h}" is not a host name or IP address (give names only, no port)`);
  }
  if (given.length > 0) return given;
  const defaults = ['localhost', '127.0.0.1', '::1'];
  const bind = bindHost.toLowerCase();
  if (bind !== '0.0.0.0' && bind !== '::' && !defaults.includes(bind)) defaults.push(bind);
  return defaults;
}

export function list(env: Env, name: string): string[] {
  return (read(env, name) ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
}

/** Host names, wildcards (*.github.com) and IPv4 CIDRs, comma-separated (egress policies). */
export function egressEntries(env: Env, name: string): string[] {
  const entries = list(env, name).map((e) => e.toLowerCase());
  for (const e of entries) {
    const problem = egressEntryProblem(e);
    if (problem) throw new ConfigError(name, problem);
  }
  return entries;
}

export interface ConnectTo {
  host: string;
  port: 80 | 443;
  address: string;
  targetPort: number;
}

/** `name:port=address:port` pins (like curl --connect-to): where the egress proxy connects for a name, instead of resolving it. */
export function connectTo(env: Env, name: string): ConnectTo[] {
  return list(env, name).map((entry) => {
    const m = /^([a-z0-9.-]+):(80|443)=(\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(entry.toLowerCase());
    const targetPort = Number(m?.[4]);
    if (!m || !HOST_NAME.test(m[1]) || isIP(m[3]) !== 4 || targetPort < 1 || targetPort > 65535) {
      throw new ConfigError(name, `"${entry}" must be name:80|443=ipv4:port, like mirror.internal:443=10.0.0.5:8443`);
    }
    return { host: m[1], port: Number(m[2]) as 80 | 443, address: m[3], targetPort };
  });
}

/** USD per million tokens, input and output, by model name or name prefix. */
export type PriceTable = Record<string, { input: number; output: number }>;

/** A JSON object {"model": [input_per_mtok, output_per_mtok]}. */
export function priceTable(env: Env, name: string): PriceTable {
  const v = read(env, name);
  if (v === undefined) return {};
  const schema = z.record(z.string().min(1).max(256), z.tuple([z.number().min(0), z.number().min(0)]));
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw new ConfigError(name, 'is not JSON (want {"model": [input_usd_per_mtok, output_usd_per_mtok]})');
  }
  const r = schema.safeParse(parsed);
  if (!r.success) throw new ConfigError(name, 'must be {"model": [input_usd_per_mtok, output_usd_per_mtok], …}');
  return Object.fromEntries(Object.entries(r.data).map(([m, [input, output]]) => [m, { input, output }]));
}
