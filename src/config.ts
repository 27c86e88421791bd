/**
 * The only reader of process.env. Every variable is listed in .env.example with
 * the same default. An empty value counts as unset; anything unclear stops the
 * start with a message that names the variable.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export type EdgeMode = 'builtin' | 'traefik' | 'none';

export interface ApiToken {
  name: string;
  secret: string;
}

export interface Config {
  apiHost: string;
  apiPort: number;
  dataDir: string;
  instance: string;
  dockerSocket: string;
  image: string;
  network: string;
  edge: EdgeMode;
  edgeHost: string;
  /** Traefik mode: where the wake endpoint and forward-auth listen (Traefik's catch-all and middleware point here). */
  edgeInternalHost: string;
  edgeInternalPort: number;
  httpPort: number;
  previewDomain: string;
  previewEntrypoint: string;
  previewTls: boolean;
  previewCertResolver: string;
  authEnabled: boolean;
  tokens: readonly ApiToken[];
  idleThresholdMs: number;
  idleCheckIntervalMs: number;
  reconcileIntervalMs: number;
  defaultMemoryMb: number;
  maxMemoryMb: number;
  defaultCpus: number;
  maxCpus: number;
  pidsLimit: number;
  nofile: number;
  tmpfsMb: number;
  stopGraceS: number;
  execDefaultTimeoutS: number;
  execMaxTimeoutS: number;
  execOutputLimitBytes: number;
  maxFileBytes: number;
  taskDefaultTimeoutS: number;
  taskMaxTimeoutS: number;
  /** A task whose out.jsonl grows past this fails as an output flood (the tenant writes that file). */
  taskMaxOutputBytes: number;
  wakeTimeoutMs: number;
  extraCaCerts: string;
  networkIsolation: boolean;
  egressMode: 'open' | 'allowlist';
  egressAllow: string[];
  egressDeny: string[];
  egressAllowHostPorts: number[];
  memoryFloorMb: number;
  wakeReserveMb: number;
  pressureCheckIntervalMs: number;
  meminfoPath: string;
  cgroupRoot: string;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

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

function read(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function str(env: Env, name: string, def: string): string {
  return read(env, name) ?? def;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const v = read(env, name);
  if (v === undefined) return def;
  const lower = v.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(name, `"${v}" is not a boolean (use true or false)`);
}

function num(env: Env, name: string, def: number, min: number, max: number, integer = true): number {
  const v = read(env, name);
  if (v === undefined) return def;
  const schema = integer ? z.coerce.number().int() : z.coerce.number();
  const parsed = schema.min(min).max(max).safeParse(v);
  if (!parsed.success) {
    throw new ConfigError(name, `"${v}" must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return parsed.data;
}

function oneOf<T extends string>(env: Env, name: string, def: T, allowed: readonly T[]): T {
  const v = read(env, name);
  if (v === undefined) return def;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(name, `"${v}" must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;

function cidrs(env: Env, name: string): string[] {
  const v = read(env, name);
  if (v === undefined) return [];
  const list = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const c of list) if (!CIDR.test(c)) throw new ConfigError(name, `"${c}" is not an IPv4 CIDR like 203.0.113.0/24`);
  return list;
}

function ports(env: Env, name: string): number[] {
  const v = read(env, name);
  if (v === undefined) return [];
  return v.split(',').map((x) => x.trim()).filter((x) => x !== '').map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(name, `"${x}" is not a TCP port`);
    return n;
  });
}

/** `name:secret,name2:secret2`, split on the first colon so secrets may hold `:` and `=`. */
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
    const name = trimmed.slice(0, colon).trim();
    const secret = trimmed.slice(colon + 1).trim();
    if (name === '') throw new ConfigError('SANDBOXD_API_TOKENS', 'an entry has an empty name');
    if (secret === '') throw new ConfigError('SANDBOXD_API_TOKENS', `token "${name}" has an empty secret`);
    if (tokens.some((t) => t.name === name)) {
      throw new ConfigError('SANDBOXD_API_TOKENS', `token name "${name}" appears twice`);
    }
    tokens.push({ name, secret });
  }
  return tokens;
}

function parseBind(env: Env): { host: string; port: number } {
  const v = str(env, 'SANDBOXED_API_BIND', '127.0.0.1:9090');
  const colon = v.lastIndexOf(':');
  const host = v.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(v.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('SANDBOXED_API_BIND', `"${v}" must be host:port`);
  }
  return { host, port };
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const bind = parseBind(env);
  const tokens = parseTokens(read(env, 'SANDBOXD_API_TOKENS'));
  const authDisabledRaw = read(env, 'SANDBOXD_API_AUTH_DISABLED');
  const authDisabled = bool(env, 'SANDBOXD_API_AUTH_DISABLED', tokens.length === 0);
  if (!authDisabled && tokens.length === 0) {
    throw new ConfigError('SANDBOXD_API_TOKENS', 'auth is on (SANDBOXD_API_AUTH_DISABLED=false) but no token is set');
  }
  if (authDisabledRaw !== undefined && authDisabled && tokens.length > 0) {
    throw new ConfigError('SANDBOXD_API_AUTH_DISABLED', 'is true but SANDBOXD_API_TOKENS is set; unset one of them');
  }

  const dataDir = path.resolve(str(env, 'SANDBOXED_DATA_DIR', '/var/lib/sandboxed'));
  const instance = str(env, 'SANDBOXED_INSTANCE', 'default');
  if (!/^[a-z0-9][a-z0-9_.-]{0,62}$/.test(instance)) {
    throw new ConfigError('SANDBOXED_INSTANCE', `"${instance}" must be lowercase letters, digits, "-", "_" or "."`);
  }
  const previewDomain = str(env, 'PREVIEW_DOMAIN', 'localhost').toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(previewDomain)) {
    throw new ConfigError('PREVIEW_DOMAIN', `"${previewDomain}" is not a domain name`);
  }
  const hostCpus = os.availableParallelism();
  const defaultMemoryMb = num(env, 'SANDBOXD_DEFAULT_MEMORY_MB', 1024, 64, 1 << 20);
  const maxMemoryMb = num(env, 'SANDBOXD_MAX_MEMORY_MB', 8192, 64, 1 << 20);
  if (defaultMemoryMb > maxMemoryMb) {
    throw new ConfigError('SANDBOXD_DEFAULT_MEMORY_MB', 'is larger than SANDBOXD_MAX_MEMORY_MB');
  }
  const defaultCpus = num(env, 'SANDBOXD_DEFAULT_CPUS', 1, 0.1, 1024, false);
  const maxCpus = num(env, 'SANDBOXD_MAX_CPUS', hostCpus, 0.1, 1024, false);
  if (defaultCpus > maxCpus) throw new ConfigError('SANDBOXD_DEFAULT_CPUS', 'is larger than SANDBOXD_MAX_CPUS');
  const hardNofile = hostNofileHardLimit();
  const nofile = num(env, 'SANDBOXD_NOFILE', Math.min(65536, hardNofile), 64, 1 << 20);
  if (nofile > hardNofile) {
    throw new ConfigError('SANDBOXD_NOFILE', `${nofile} is above the host's hard limit (${hardNofile}); containers would fail to start`);
  }
  const execDefaultTimeoutS = num(env, 'SANDBOXD_EXEC_DEFAULT_TIMEOUT_SECONDS', 300, 1, 86400);
  const execMaxTimeoutS = num(env, 'SANDBOXD_EXEC_MAX_TIMEOUT_SECONDS', 3600, 1, 86400);
  if (execDefaultTimeoutS > execMaxTimeoutS) {
    throw new ConfigError('SANDBOXD_EXEC_DEFAULT_TIMEOUT_SECONDS', 'is larger than SANDBOXD_EXEC_MAX_TIMEOUT_SECONDS');
  }
  const taskDefaultTimeoutS = num(env, 'SANDBOXD_TASK_DEFAULT_TIMEOUT_SECONDS', 1800, 1, 7 * 86400);
  const taskMaxTimeoutS = num(env, 'SANDBOXD_TASK_MAX_TIMEOUT_SECONDS', 6 * 3600, 1, 7 * 86400);
  if (taskDefaultTimeoutS > taskMaxTimeoutS) {
    throw new ConfigError('SANDBOXD_TASK_DEFAULT_TIMEOUT_SECONDS', 'is larger than SANDBOXD_TASK_MAX_TIMEOUT_SECONDS');
  }
  const extraCaCerts = str(env, 'SANDBOXED_EXTRA_CA_CERTS', '');
  if (extraCaCerts !== '') {
    try {
      const pem = readFileSync(extraCaCerts, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate inside');
    } catch (err) {
      throw new ConfigError('SANDBOXED_EXTRA_CA_CERTS', `cannot use "${extraCaCerts}": ${(err as Error).message}`);
    }
  }

  return Object.freeze({
    apiHost: bind.host,
    apiPort: bind.port,
    dataDir,
    instance,
    dockerSocket: str(env, 'DOCKER_SOCKET', '/var/run/docker.sock'),
    image: str(env, 'SANDBOXD_IMAGE', 'sandboxed/sandbox:latest'),
    network: str(env, 'SANDBOXD_NETWORK', 'sandboxed-sandboxes'),
    edge: oneOf<EdgeMode>(env, 'SANDBOXED_EDGE', 'builtin', ['builtin', 'traefik', 'none']),
    edgeHost: str(env, 'SANDBOXED_EDGE_HOST', '0.0.0.0'),
    edgeInternalHost: str(env, 'SANDBOXED_EDGE_INTERNAL_HOST', '127.0.0.1'),
    edgeInternalPort: num(env, 'SANDBOXED_EDGE_INTERNAL_PORT', 8081, 0, 65535),
    httpPort: num(env, 'HTTP_PORT', 80, 0, 65535),
    previewDomain,
    previewEntrypoint: str(env, 'PREVIEW_ENTRYPOINT', 'web'),
    previewTls: bool(env, 'PREVIEW_TLS', false),
    previewCertResolver: str(env, 'PREVIEW_CERT_RESOLVER', ''),
    authEnabled: !authDisabled,
    tokens: Object.freeze(tokens),
    idleThresholdMs: num(env, 'SANDBOXD_IDLE_THRESHOLD_SECONDS', 2100, 1, 10 * 365 * 86400) * 1000,
    idleCheckIntervalMs: num(env, 'SANDBOXD_IDLE_CHECK_INTERVAL_SECONDS', 60, 1, 86400) * 1000,
    reconcileIntervalMs: num(env, 'SANDBOXD_RECONCILE_INTERVAL_SECONDS', 30, 1, 86400) * 1000,
    defaultMemoryMb,
    maxMemoryMb,
    defaultCpus,
    maxCpus,
    pidsLimit: num(env, 'SANDBOXD_PIDS_LIMIT', 512, 16, 1 << 22),
    nofile,
    tmpfsMb: num(env, 'SANDBOXD_TMPFS_MB', 512, 16, 1 << 20),
    stopGraceS: num(env, 'SANDBOXD_STOP_GRACE_SECONDS', 10, 0, 3600),
    execDefaultTimeoutS,
    execMaxTimeoutS,
    execOutputLimitBytes: num(env, 'SANDBOXD_EXEC_OUTPUT_LIMIT_BYTES', 1 << 20, 1024, 1 << 30),
    maxFileBytes: num(env, 'SANDBOXD_MAX_FILE_BYTES', 50 * 1024 * 1024, 1, 2 ** 40),
    taskDefaultTimeoutS,
    taskMaxTimeoutS,
    taskMaxOutputBytes: num(env, 'SANDBOXD_TASK_MAX_OUTPUT_MB', 64, 1, 1 << 16) * 1024 * 1024,
    wakeTimeoutMs: num(env, 'SANDBOXD_WAKE_TIMEOUT_SECONDS', 60, 1, 3600) * 1000,
    extraCaCerts,
    networkIsolation: bool(env, 'SANDBOXD_NETWORK_ISOLATION', true),
    egressMode: oneOf(env, 'SANDBOXD_EGRESS_MODE', 'open', ['open', 'allowlist'] as const),
    egressAllow: cidrs(env, 'SANDBOXD_EGRESS_ALLOW'),
    egressDeny: cidrs(env, 'SANDBOXD_EGRESS_DENY'),
    egressAllowHostPorts: ports(env, 'SANDBOXD_EGRESS_ALLOW_HOST_PORTS'),
    memoryFloorMb: num(env, 'SANDBOXD_MEMORY_FLOOR_MB', 512, 0, 1 << 24),
    wakeReserveMb: num(env, 'SANDBOXD_WAKE_RESERVE_MB', 256, 0, 1 << 24),
    pressureCheckIntervalMs: num(env, 'SANDBOXD_PRESSURE_CHECK_INTERVAL_SECONDS', 5, 1, 3600) * 1000,
    meminfoPath: str(env, 'SANDBOXD_MEMINFO_PATH', '/proc/meminfo'),
    cgroupRoot: str(env, 'SANDBOXD_CGROUP_ROOT', '/sys/fs/cgroup'),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  });
}
