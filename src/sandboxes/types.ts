/** The sandbox as the rest of the daemon sees it (camelCase; the store maps rows). */
export type IdlePolicy = 'sleep' | 'always_on';
export type Visibility = 'public' | 'private';
export type DesiredState = 'running' | 'stopped' | 'destroyed' | 'purged';
/** What Docker last told us: no container, created/exited (not running), running. */
export type ObservedState = 'none' | 'stopped' | 'running' | 'unknown';

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
  idlePolicy: IdlePolicy;
  visibility: Visibility;
  services: ServiceSpec[];
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
}

/** Strict id: lowercase so browser-lowered preview hosts match, no path characters, fits a DNS label. */
export const SANDBOX_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SANDBOX_ID_MAX = 40;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isValidSandboxId(id: string): boolean {
  return id.length <= SANDBOX_ID_MAX && SANDBOX_ID_PATTERN.test(id);
}
