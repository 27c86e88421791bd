/**
 * Where things are: inside the sandbox (its user, home, app and log dirs, the
 * read-only runtime mount) and on the host (the data dir's layout). Host paths
 * check the id again: an id is never trusted to be a single path segment.
 */
import path from 'node:path';
import { isValidSandboxId } from './sandbox.js';

/**
 * The sandbox user is a setting (SANDBOXD_SANDBOX_UID/GID in config.ts): the
 * container's User, and so every exec's, since execs name no user of their own.
 */
export const SANDBOX_HOME = '/home/sandbox';
export const SANDBOX_APP_DIR = `${SANDBOX_HOME}/workspace/app`;
/** Service and background-exec logs, relative to the workspace root (the sandbox's HOME). */
export const LOG_DIR_REL = '.sandboxed/logs';
export const SANDBOX_LOG_DIR = `${SANDBOX_HOME}/${LOG_DIR_REL}`;
/** Inside the container: read-only, holds env, services.json, sandbox.json, extra-ca.pem. */
export const RUNTIME_MOUNT = '/etc/sandboxed';

/** A service's log, as the sandbox user sees it. */
export function serviceLogPath(name: string): string {
  return `${SANDBOX_LOG_DIR}/${name}.log`;
}

/** A background exec's output, and the file its exit code lands in once it has ended. */
export function execLogName(execId: string): string {
  return `exec-${execId}.log`;
}
export function execExitName(execId: string): string {
  return `exec-${execId}.exit`;
}
/** Background exec ids (lowercase ULIDs). */
export const EXEC_ID_PATTERN = /^[0-9a-z]{26}$/;

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

/** Workspace disk images (quota'd ext4, one per sandbox). */
export function disksDir(dataDir: string): string {
  return path.join(dataDir, 'disks');
}

/** Snapshot images, one file per snapshot (templates outlive their sandbox). */
export function snapshotsDir(dataDir: string): string {
  return path.join(dataDir, 'snapshots');
}

export function snapshotImage(dataDir: string, snapshotId: string): string {
  if (!/^[0-9a-z]{26}$/.test(snapshotId)) throw new Error('refusing a path for an invalid snapshot id');
  return path.join(snapshotsDir(dataDir), `${snapshotId}.ext4`);
}

export function runtimesDir(dataDir: string): string {
  return path.join(dataDir, 'runtime');
}

export function workspaceDir(dataDir: string, id: string): string {
  return path.join(workspacesDir(dataDir), checked(id));
}

export function runtimeDir(dataDir: string, id: string): string {
  return path.join(runtimesDir(dataDir), checked(id));
}
