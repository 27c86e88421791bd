/**
 * Groups of settings read together, each with the checks that tie its values
 * to each other. Only src/config.ts calls them, with the environment it reads.
 */
import type { Config } from './config-shape.js';
import { bool, ConfigError, connectTo, num, oneOf, priceTable, str, type Env } from './config-values.js';
import { RUNTIMES } from './domain/sandbox.js';

/** SANDBOXD_METRICS_BIND: empty for none, else host:port like SANDBOXED_API_BIND. */
export function metricsBind(env: Env): Config['metricsBind'] {
  const v = str(env, 'SANDBOXD_METRICS_BIND', '');
  if (v === '') return null;
  const colon = v.lastIndexOf(':');
  const host = v.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(v.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('SANDBOXD_METRICS_BIND', `"${v}" must be host:port`);
  return { host, port };
}

/** Container runtimes. Docker is asked at start and on /readyz whether it has them. */
export function runtimes(env: Env): Pick<Config, 'defaultRuntime' | 'gvisorRuntime' | 'gvisorPidsLimit'> {
  const gvisorRuntime = str(env, 'SANDBOXD_GVISOR_RUNTIME', 'runsc');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(gvisorRuntime)) {
    throw new ConfigError('SANDBOXD_GVISOR_RUNTIME', `"${gvisorRuntime}" is not a Docker runtime name (letters, digits, ".", "_", "-")`);
  }
  return {
    defaultRuntime: oneOf(env, 'SANDBOXD_DEFAULT_RUNTIME', 'runc', RUNTIMES),
    gvisorRuntime,
    gvisorPidsLimit: num(env, 'SANDBOXD_GVISOR_PIDS_LIMIT', 2048, 256, 1 << 22),
  };
}

/** The preview server's limits on clients. Node refuses a headers timeout above the request timeout. */
export function edgeLimits(env: Env): Pick<Config, 'edgeHeadersTimeoutMs' | 'edgeRequestTimeoutMs' | 'edgeMaxConnectionsPerClient'> {
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
export function ptyLimits(env: Env): Pick<Config, 'ptyBufferBytes' | 'ptyGraceMs' | 'ptyMaxPerSandbox' | 'ptyMaxSessions'> {
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
export function lifetimeLimits(env: Env): Pick<Config, 'defaultTtlS' | 'maxTtlS' | 'defaultIdleDeleteS' | 'maxIdleDeleteS' | 'expiryCheckIntervalMs'> {
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

/** The model gateway, the egress proxy and budgets (issue 19). */
export function gatewaySettings(env: Env): Pick<
  Config,
  | 'gatewayPort' | 'egressProxyHttpPort' | 'egressProxyTlsPort' | 'egressConnectTo' | 'modelPrices'
  | 'budgetDailyTokens' | 'budgetDailyCostUsd' | 'budgetTokenDailyTokens' | 'budgetTokenDailyCostUsd'
> {
  const listeners = {
    gatewayPort: num(env, 'SANDBOXD_GATEWAY_PORT', 8790, 1, 65535),
    egressProxyHttpPort: num(env, 'SANDBOXD_EGRESS_PROXY_HTTP_PORT', 8791, 1, 65535),
    egressProxyTlsPort: num(env, 'SANDBOXD_EGRESS_PROXY_TLS_PORT', 8792, 1, 65535),
  };
  if (new Set(Object.values(listeners)).size !== 3) {
    throw new ConfigError('SANDBOXD_GATEWAY_PORT', 'SANDBOXD_GATEWAY_PORT and SANDBOXD_EGRESS_PROXY_HTTP_PORT/_TLS_PORT must be three different ports');
  }
  return {
    ...listeners,
    egressConnectTo: connectTo(env, 'SANDBOXD_EGRESS_CONNECT_TO'),
    modelPrices: priceTable(env, 'SANDBOXD_MODEL_PRICES'),
    budgetDailyTokens: num(env, 'SANDBOXD_BUDGET_DAILY_TOKENS', 0, 0, Number.MAX_SAFE_INTEGER),
    budgetDailyCostUsd: num(env, 'SANDBOXD_BUDGET_DAILY_COST_USD', 0, 0, 1e9, false),
    budgetTokenDailyTokens: num(env, 'SANDBOXD_BUDGET_TOKEN_DAILY_TOKENS', 0, 0, Number.MAX_SAFE_INTEGER),
    budgetTokenDailyCostUsd: num(env, 'SANDBOXD_BUDGET_TOKEN_DAILY_COST_USD', 0, 0, 1e9, false),
  };
}

/** The dashboard at /ui and its sign-in (src/http/ui.ts, src/http/session.ts). */
export function uiSettings(env: Env): Pick<Config, 'ui' | 'uiSessionTtlMs'> {
  return {
    ui: bool(env, 'SANDBOXD_UI', true),
    uiSessionTtlMs: num(env, 'SANDBOXD_UI_SESSION_HOURS', 12, 1, 24 * 30) * 3600 * 1000,
  };
}
