/**
 * The only reader of process.env. Every variable is listed in .env.example with
 * the same default. An empty value counts as unset; anything unclear stops the
 * start with a message that names the variable.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';


import {
  bool,
  cidrs,
  ConfigError,
  hostnames,
  hostNofileHardLimit,
  isLoopbackHost,
  num,
  oneOf,
  origins,
  parseBind,
  parseTokens,
  ports,
  read,
  str,
  type ApiToken,
  type Env,
} from './config-values.js';

export { ConfigError, hostNofileHardLimit, isLoopbackHost, parseTokens, type ApiToken } from './config-values.js';
import { parseImages, parseWebhooks, type WebhookConfig } from './config-events.js';
export { DEFAULT_IMAGE, type WebhookConfig } from './config-events.js';

export type EdgeMode = 'builtin' | 'traefik' | 'none';

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
  /** The preview server's limits on how clients send requests (slowloris); see edgeLimits. */
  edgeHeadersTimeoutMs: number;
  edgeRequestTimeoutMs: number;
  /** Built-in edge: open connections per client address; 0 turns the cap off. */
  edgeMaxConnectionsPerClient: number;
  httpPort: number;
  previewDomain: string;
  previewEntrypoint: string;
  previewTls: boolean;
  previewCertResolver: string;
  authEnabled: boolean;
  tokens: readonly ApiToken[];
  /** Browser origins that may call the API (exact, like https://app.example.com); empty: none. */
  apiAllowedOrigins: readonly string[];
  /** Names the API answers to in the Host header (lowercase, no port, IPv6 without brackets). */
  apiHostnames: readonly string[];
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
  /** Workspaces on their own ext4 image (the disk quota); false: plain directories, no quota. */
  diskQuota: boolean;
  defaultDiskMb: number;
  maxDiskMb: number;
  /** Creates and starts are refused while the data disk has less free than this. */
  diskReserveMb: number;
  /** Per sandbox: snapshots kept at most, and the bytes they may take together. */
  snapshotMaxCount: number;
  snapshotMaxMb: number;
  /** Tasks take a checkpoint snapshot before the agent starts unless they say otherwise. */
  taskCheckpoint: boolean;
  /** Warm pool: running generic containers kept ready for creates, per runtime; 0 turns it off. */
  poolSize: number;
  /** How often the pool is checked (dead entries replaced, refills); a claim also triggers a check. */
  poolCheckIntervalMs: number;
  /** Tests only: the daemon kills itself (SIGKILL) on reaching this named step (crash recovery tests). */
  faultKillAt: string;
  /** The uid and gid every sandbox process runs as (never a host admin's). */
  sandboxUid: number;
  sandboxGid: number;
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
  /** GET /metrics on its own listener without the API's token; null: served on the API only (with its auth). */
  metricsBind: { host: string; port: number } | null;
  /** Terminal sessions (src/terminals/): output kept per session for replay, in bytes. */
  ptyBufferBytes: number;
  /** A session with no viewer and no output for this long ends. */
  ptyGraceMs: number;
  ptyMaxPerSandbox: number;
  ptyMaxSessions: number;
  /** The dashboard: served at /ui (false: not served), and how long its sign-in lasts. */
  ui: boolean;
  uiSessionTtlMs: number;
  /** Sandbox lifetimes (ttl_s, auto_delete_after_idle_s), in seconds; 0: never (a default) or no maximum (a max). */
  defaultTtlS: number;
  maxTtlS: number;
  defaultIdleDeleteS: number;
  maxIdleDeleteS: number;
  /** How often the expiry loop looks for sandboxes past their lifetime. */
  expiryCheckIntervalMs: number;
  // --- Images per sandbox, lifecycle events and webhooks (eventsConfig) ---
  /** Image names a create may ask for → references; `default` is SANDBOXD_IMAGE. */
  images: Readonly<Record<string, string>>;
  /** The event store keeps at most this many events, none older than eventsMaxAgeMs. */
  eventsMaxCount: number;
  eventsMaxAgeMs: number;
  /** Open GET /v1/events streams at most; more get 429. */
  eventsMaxClients: number;
  /** Live events waiting for one stream's client at most; past it the client is dropped. */
  eventsClientBuffer: number;
  webhooks: readonly WebhookConfig[];
  /** One delivery attempt, connect to the last byte read. */
  webhookTimeoutMs: number;
  /** How long a delivery is retried (from its event) before it is given up. */
  webhookRetryMs: number;
  /** Deliveries in flight per webhook (each to another sandbox's queue). */
  webhookConcurrency: number;
  /** Undelivered events per webhook at most; past it new ones are recorded as failed. */
  webhookMaxPending: number;
}

/** The dashboard at /ui and its sign-in (src/http/ui.ts, src/http/session.ts). */
function uiSettings(env: Env): Pick<Config, 'ui' | 'uiSessionTtlMs'> {
  return {
    ui: bool(env, 'SANDBOXD_UI', true),
    uiSessionTtlMs: num(env, 'SANDBOXD_UI_SESSION_HOURS', 12, 1, 24 * 30) * 3600 * 1000,
  };
}

/** SANDBOXD_METRICS_BIND: empty for none, else host:port like SANDBOXED_API_BIND. */
function metricsBind(env: Env): Config['metricsBind'] {
  const v = str(env, 'SANDBOXD_METRICS_BIND', '');
  if (v === '') return null;
  const colon = v.lastIndexOf(':');
  const host = v.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(v.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('SANDBOXD_METRICS_BIND', `"${v}" must be host:port`);
  return { host, port };
}

/** The preview server's limits on clients. Node refuses a headers timeout above the request timeout. */
function edgeLimits(env: Env): Pick<Config, 'edgeHeadersTimeoutMs' | 'edgeRequestTimeoutMs' | 'edgeMaxConnectionsPerClient'> {
  const headersS = num(env, 'SANDBOXED_EDGE_HEADERS_TIMEOUT_SECONDS', 20, 1, 3600);
  const requestS = num(env, 'SANDBOXED_EDGE_REQUEST_TIMEOUT_SECONDS', 300, 1, 86400);
  if (headersS > requestS) {
    throw new ConfigError('SANDBOXED_EDGE_HEADERS_TIMEOUT_SECONDS', 'is larger than SANDBOXED_EDGE_REQUEST_TIMEOUT_SECONDS');
  }
  return {
    edgeHeadersTimeoutMs: headersS * 1000,
    edgeRequestTimeoutMs: requestS * 1000,
    edgeMaxConnectionsPerClient: num(env, 'SANDBOXED_EDGE_MAX_CONNECTIONS_PER_CLIENT', 256, 0, 1 << 20),
  };
}

/** Terminal sessions: the replay buffer, how long a session outlives its viewers, and the caps. */
function ptyLimits(env: Env): Pick<Config, 'ptyBufferBytes' | 'ptyGraceMs' | 'ptyMaxPerSandbox' | 'ptyMaxSessions'> {
  const perSandbox = num(env, 'SANDBOXD_PTY_MAX_PER_SANDBOX', 8, 0, 1024);
  const total = num(env, 'SANDBOXD_PTY_MAX_SESSIONS', 64, 0, 65536);
  if (perSandbox > total) throw new ConfigError('SANDBOXD_PTY_MAX_PER_SANDBOX', 'is larger than SANDBOXD_PTY_MAX_SESSIONS');
  return {
    ptyBufferBytes: num(env, 'SANDBOXD_PTY_BUFFER_BYTES', 1 << 20, 4096, 64 << 20),
    ptyGraceMs: num(env, 'SANDBOXD_PTY_GRACE_SECONDS', 600, 1, 7 * 86400) * 1000,
    ptyMaxPerSandbox: perSandbox,
    ptyMaxSessions: total,
  };
}

const TEN_YEARS_S = 10 * 365 * 86400;

/** A lifetime's default within its maximum: with a maximum, "never" is no longer a choice. */
function withinMax(def: number, max: number, defName: string, maxName: string): void {
  if (max > 0 && (def === 0 || def > max)) throw new ConfigError(defName, `must be 1 to ${maxName} (${max}) when ${maxName} is set`);
}

/** Sandbox lifetimes: defaults applied at create, the most a request may ask for, and the expiry loop's pace. */
function lifetimeLimits(env: Env): Pick<Config, 'defaultTtlS' | 'maxTtlS' | 'defaultIdleDeleteS' | 'maxIdleDeleteS' | 'expiryCheckIntervalMs'> {
  const defaultTtlS = num(env, 'SANDBOXD_DEFAULT_TTL_SECONDS', 0, 0, TEN_YEARS_S);
  const maxTtlS = num(env, 'SANDBOXD_MAX_TTL_SECONDS', 0, 0, TEN_YEARS_S);
  withinMax(defaultTtlS, maxTtlS, 'SANDBOXD_DEFAULT_TTL_SECONDS', 'SANDBOXD_MAX_TTL_SECONDS');
  const defaultIdleDeleteS = num(env, 'SANDBOXD_DEFAULT_AUTO_DELETE_AFTER_IDLE_SECONDS', 0, 0, TEN_YEARS_S);
  const maxIdleDeleteS = num(env, 'SANDBOXD_MAX_AUTO_DELETE_AFTER_IDLE_SECONDS', 0, 0, TEN_YEARS_S);
  withinMax(defaultIdleDeleteS, maxIdleDeleteS, 'SANDBOXD_DEFAULT_AUTO_DELETE_AFTER_IDLE_SECONDS', 'SANDBOXD_MAX_AUTO_DELETE_AFTER_IDLE_SECONDS');
  return {
    defaultTtlS,
    maxTtlS,
    defaultIdleDeleteS,
    maxIdleDeleteS,
    expiryCheckIntervalMs: num(env, 'SANDBOXD_EXPIRY_CHECK_INTERVAL_SECONDS', 30, 1, 86400) * 1000,
  };
}

/** Images per sandbox, the event store, event streams and webhooks. */
function eventsConfig(env: Env, defaultImage: string): Pick<
  Config,
  'images' | 'eventsMaxCount' | 'eventsMaxAgeMs' | 'eventsMaxClients' | 'eventsClientBuffer' | 'webhooks' | 'webhookTimeoutMs' | 'webhookRetryMs' | 'webhookConcurrency' | 'webhookMaxPending'
> {
  return {
    images: Object.freeze(parseImages(read(env, 'SANDBOXD_IMAGES'), defaultImage)),
    eventsMaxCount: num(env, 'SANDBOXD_EVENTS_MAX_COUNT', 10_000, 100, 10_000_000),
    eventsMaxAgeMs: num(env, 'SANDBOXD_EVENTS_MAX_AGE_SECONDS', 7 * 86400, 60, 365 * 86400) * 1000,
    eventsMaxClients: num(env, 'SANDBOXD_EVENTS_MAX_CLIENTS', 64, 1, 10_000),
    eventsClientBuffer: num(env, 'SANDBOXD_EVENTS_CLIENT_BUFFER', 1000, 1, 100_000),
    webhooks: Object.freeze(parseWebhooks(read(env, 'SANDBOXD_WEBHOOKS')).map((h) => Object.freeze(h))),
    webhookTimeoutMs: num(env, 'SANDBOXD_WEBHOOK_TIMEOUT_SECONDS', 10, 1, 300) * 1000,
    webhookRetryMs: num(env, 'SANDBOXD_WEBHOOK_RETRY_SECONDS', 86400, 1, 30 * 86400) * 1000,
    webhookConcurrency: num(env, 'SANDBOXD_WEBHOOK_CONCURRENCY', 4, 1, 256),
    webhookMaxPending: num(env, 'SANDBOXD_WEBHOOK_MAX_PENDING', 10_000, 10, 10_000_000),
  };
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
  // Without auth, whoever can connect drives every sandbox: only this host's processes may.
  if (authDisabled && !isLoopbackHost(bind.host)) {
    throw new ConfigError('SANDBOXED_API_BIND', `"${bind.host}" is not loopback: auth is off, so the API may only listen on loopback; set SANDBOXD_API_TOKENS`);
  }
  const apiAllowedOrigins = origins(env, 'SANDBOXD_API_ALLOWED_ORIGINS');
  const apiHostnames = hostnames(env, 'SANDBOXD_API_HOSTNAMES', bind.host);

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
  const defaultDiskMb = num(env, 'SANDBOXD_DEFAULT_DISK_MB', 5120, 64, 1 << 24);
  const maxDiskMb = num(env, 'SANDBOXD_MAX_DISK_MB', 51200, 64, 1 << 24);
  if (defaultDiskMb > maxDiskMb) throw new ConfigError('SANDBOXD_DEFAULT_DISK_MB', 'is larger than SANDBOXD_MAX_DISK_MB');
  const sandboxUid = num(env, 'SANDBOXD_SANDBOX_UID', 100000, 1, 2 ** 31 - 2);
  const image = str(env, 'SANDBOXD_IMAGE', 'sandboxed/sandbox:latest');
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
    image,
    network: str(env, 'SANDBOXD_NETWORK', 'sandboxed-sandboxes'),
    edge: oneOf<EdgeMode>(env, 'SANDBOXED_EDGE', 'builtin', ['builtin', 'traefik', 'none']),
    edgeHost: str(env, 'SANDBOXED_EDGE_HOST', '0.0.0.0'),
    edgeInternalHost: str(env, 'SANDBOXED_EDGE_INTERNAL_HOST', '127.0.0.1'),
    edgeInternalPort: num(env, 'SANDBOXED_EDGE_INTERNAL_PORT', 8081, 0, 65535),
    ...edgeLimits(env),
    httpPort: num(env, 'HTTP_PORT', 80, 0, 65535),
    previewDomain,
    previewEntrypoint: str(env, 'PREVIEW_ENTRYPOINT', 'web'),
    previewTls: bool(env, 'PREVIEW_TLS', false),
    previewCertResolver: str(env, 'PREVIEW_CERT_RESOLVER', ''),
    authEnabled: !authDisabled,
    tokens: Object.freeze(tokens),
    apiAllowedOrigins: Object.freeze(apiAllowedOrigins),
    apiHostnames: Object.freeze(apiHostnames),
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
    diskQuota: bool(env, 'SANDBOXD_DISK_QUOTA', true),
    snapshotMaxCount: num(env, 'SANDBOXD_SNAPSHOT_MAX_COUNT', 20, 1, 10_000),
    snapshotMaxMb: num(env, 'SANDBOXD_SNAPSHOT_MAX_MB', 20480, 1, 1 << 24),
    taskCheckpoint: bool(env, 'SANDBOXD_TASK_CHECKPOINT', true),
    poolSize: num(env, 'SANDBOXD_POOL_SIZE', 2, 0, 64),
    poolCheckIntervalMs: num(env, 'SANDBOXD_POOL_CHECK_INTERVAL_SECONDS', 5, 1, 3600) * 1000,
    faultKillAt: str(env, 'SANDBOXD_FAULT_KILL_AT', ''),
    defaultDiskMb,
    maxDiskMb,
    diskReserveMb: num(env, 'SANDBOXD_DISK_RESERVE_MB', 2048, 0, 1 << 24),
    sandboxUid,
    sandboxGid: num(env, 'SANDBOXD_SANDBOX_GID', sandboxUid, 1, 2 ** 31 - 2),
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
    metricsBind: metricsBind(env),
    ...ptyLimits(env),
    ...uiSettings(env),
    ...lifetimeLimits(env),
    ...eventsConfig(env, image),
  });
}
