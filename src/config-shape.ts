/** The daemon's settings as the code sees them (src/config.ts reads them from the environment). */
import type { EventsSettings } from './config-events.js';
import type { ApiToken, ConnectTo, PriceTable } from './config-values.js';
import type { Runtime } from './domain/sandbox.js';

export type EdgeMode = 'builtin' | 'traefik' | 'none';

/** EventsSettings: images per sandbox, lifecycle events and webhooks (config-events.ts). */
export interface Config extends EventsSettings {
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
  /** The default egress policy of sandboxes that have none; CIDRs also rule the ports other than 80 and 443 (iptables). */
  egressMode: 'open' | 'allowlist';
  egressAllow: string[];
  egressDeny: string[];
  egressAllowHostPorts: number[];
  // --- model gateway and egress proxy (issue 19) ---
  /** The model gateway's port on the sandbox bridge's host address. */
  gatewayPort: number;
  /** The transparent egress proxy's ports on that address (sandboxes' TCP 80 and 443 are redirected there). */
  egressProxyHttpPort: number;
  egressProxyTlsPort: number;
  /** Names the egress proxy connects to at a fixed address instead of resolving them (operator's pins). */
  egressConnectTo: ConnectTo[];
  /** Model prices over the built-in table (USD per million tokens). */
  modelPrices: PriceTable;
  /** Daily (UTC) budgets through the gateway, over all tasks and per API token; 0: none. */
  budgetDailyTokens: number;
  budgetDailyCostUsd: number;
  budgetTokenDailyTokens: number;
  budgetTokenDailyCostUsd: number;
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
  /** The runtime of a sandbox whose create names none. */
  defaultRuntime: Runtime;
  /** Docker's name for the gVisor runtime (a key of "runtimes" in daemon.json). */
  gvisorRuntime: string;
  /** A gVisor container's pids limit: it counts the sentry's host threads, not the tenant's processes (see .env.example). */
  gvisorPidsLimit: number;
}
