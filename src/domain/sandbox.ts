/**
 * The sandbox as every layer sees it (camelCase; the store maps rows), its id
 * rules and the predicates on its state. A leaf: imports nothing of ours but
 * the metadata type.
 */
import type { Metadata } from './metadata.js';
import type { EgressPolicy } from './egress.js';

export type IdlePolicy = 'sleep' | 'always_on';
export type Visibility = 'public' | 'private';
export type DesiredState = 'running' | 'stopped' | 'destroyed' | 'purged';
/** What Docker last told us: no container, created/exited (not running), running. */
export type ObservedState = 'none' | 'stopped' | 'running' | 'unknown';
/**
 * The container runtime a sandbox runs under: runc (namespaces on the host's
 * kernel) or gVisor (runsc: a user-space kernel between the tenant and the host's).
 */
export type Runtime = 'runc' | 'gvisor';
export const RUNTIMES: readonly Runtime[] = ['runc', 'gvisor'];

export interface ServiceSpec {
  name: string;
  command: string;
  port?: number;
  cwd?: string;
}

export interface SandboxSpec {
  ports: number[];
  memoryMb: number;
  cpus: number;
  /** The workspace's disk quota; absent on rows from before quotas (the default applies). */
  diskMb?: number;
  idlePolicy: IdlePolicy;
  visibility: Visibility;
  services: ServiceSpec[];
  /** Lifetimes in seconds (absent: never): deleted ttlS after create, or idleDeleteS after it was stopped and last used. */
  ttlS?: number;
  idleDeleteS?: number;
  /** An expiry purges (workspace and snapshots go) instead of deleting (workspace kept). */
  purgeOnExpiry?: boolean;
  /** Absent on rows from before runtimes: those run under runc. */
  runtime?: Runtime;
  /** Where the sandbox may connect (ports 80 and 443 by name); absent: the settings' default. */
  egress?: EgressPolicy;
}

export function runtimeOf(spec: Pick<SandboxSpec, 'runtime'>): Runtime {
  return spec.runtime ?? 'runc';
}

export interface Sandbox {
  id: string;
  spec: SandboxSpec;
  desiredState: DesiredState;
  observedState: ObservedState;
  containerId: string | null;
  envNames: string[];
  createdAt: number;
  updatedAt: number;
  lastActiveAt: number;
  lastError: string | null;
  /** The image's name in SANDBOXD_IMAGES (the store always sets it; absent means `default`). */
  image?: string;
  /** The id of the image the current container was made from; null before its first container. */
  imageId?: string | null;
  /** Labels for filtering (domain/metadata.ts); `sandboxed.owner` names the token that created it. */
  metadata: Metadata;
  /** When it was last asked to stop; null while it is wanted running. */
  stoppedAt: number | null;
}

/**
 * What every process in the sandbox sees besides the injected env: its id and
 * PORT (the first declared port). Given per exec and by the supervisor, never
 * in the container's own env, so a pooled container can take any identity.
 */
export function identityEnv(sb: Pick<Sandbox, 'id' | 'spec'>): Record<string, string> {
  return { SANDBOX_ID: sb.id, ...(sb.spec.ports.length > 0 ? { PORT: String(sb.spec.ports[0]) } : {}) };
}

/** Strict id: lowercase so browser-lowered preview hosts match, no path characters, fits a DNS label. */
export const SANDBOX_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SANDBOX_ID_MAX = 40;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isValidSandboxId(id: string): boolean {
  return id.length <= SANDBOX_ID_MAX && SANDBOX_ID_PATTERN.test(id);
}

/** Deleted sandboxes stay as tombstones (the edge answers 410, the reconciler removes leftovers). */
export const DELETED_STATES: readonly DesiredState[] = ['destroyed', 'purged'];

export function isDeleted(sb: Pick<Sandbox, 'desiredState'>): boolean {
  return DELETED_STATES.includes(sb.desiredState);
}

/** Wanted running and Docker agrees, with a container to talk to. */
export function isUp(sb: Pick<Sandbox, 'desiredState' | 'observedState' | 'containerId'>): boolean {
  return sb.desiredState === 'running' && sb.observedState === 'running' && sb.containerId !== null;
}

export type SandboxStatus = 'running' | 'starting' | 'stopping' | 'stopped' | 'error';

/** The one word the API shows for desired and observed state together. */
export function statusOf(sb: Sandbox): SandboxStatus {
  if (sb.desiredState === 'running') {
    if (sb.observedState === 'running') return 'running';
    return sb.lastError ? 'error' : 'starting';
  }
  return sb.observedState === 'running' ? 'stopping' : 'stopped';
}
