/**
 * Where a sandbox lives on the host. Ids are validated before they get here
 * (isValidSandboxId), and this module checks again: an id is never trusted to
 * be a single path segment.
 */
import path from 'node:path';
import { isValidSandboxId } from '../sandboxes/types.js';

export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 1000;
export const SANDBOX_HOME = '/home/sandbox';
export const SANDBOX_APP_DIR = '/home/sandbox/workspace/app';
/** Inside the container: read-only, holds env, services.json, sandbox.json, extra-ca.pem. */
export const RUNTIME_MOUNT = '/etc/sandboxed';

function checked(id: string): string {
  if (!isValidSandboxId(id)) throw new Error(`refusing a path for an invalid sandbox id`);
  return id;
}

export function stateDir(dataDir: string): string {
  return path.join(dataDir, 'state');
}

export function workspacesDir(dataDir: string): string {
  return path.join(dataDir, 'workspaces');
}

export function workspaceDir(dataDir: string, id: string): string {
  return path.join(workspacesDir(dataDir), checked(id));
}

export function runtimeDir(dataDir: string, id: string): string {
  return path.join(dataDir, 'runtime', checked(id));
}
