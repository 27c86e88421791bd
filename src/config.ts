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
  ConfigError,
  egressEntries,
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
  type Env,
} from './config-values.js';
import type { Config, EdgeMode } from './config-shape.js';
import { edgeLimits, gatewaySettings, lifetimeLimits, metricsBind, ptyLimits, runtimes, uiSettings } from './config-sections.js';
import { eventsConfig } from './config-events.js';

export { ConfigError, hostNofileHardLimit, isLoopbackHost, parseTokens, type ApiToken, type ConnectTo, type PriceTable } from './config-values.js';

export type { Config, EdgeMode } from './config-shape.js';
export { DEFAULT_IMAGE, type WebhookConfig } from './config-events.js';

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
  const extraCaCerts = str(env, 'SANDBOXED_EXTRA_CA_CERTS', '');
  if (extraCaCerts !== '') {
    try {
      const pem = readFileSync(extraCaCerts, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate inside');
    } catch (err) {
      throw new ConfigError('SANDBOXED_EXTRA_CA_CERTS', `cannot use "${extraCaCerts}": ${(err as Error).message}`);
    }
  }

  const image = str(env, 'SANDBOXD_IMAGE', 'sandboxed/sandbox:latest');
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
    egressAllow: egressEntries(env, 'SANDBOXD_EGRESS_ALLOW'),
    egressDeny: egressEntries(env, 'SANDBOXD_EGRESS_DENY'),
    egressAllowHostPorts: ports(env, 'SANDBOXD_EGRESS_ALLOW_HOST_PORTS'),
    ...gatewaySettings(env),
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
    ...runtimes(env),
    ...eventsConfig(env, image),
  });
}
