/**
 * The Engine API's answers in our words: its errors as our error types (with
 * the engine's own message) and its container descriptions as ContainerInfo.
 */
import type Docker from 'dockerode';
import { SANDBOX_HOME } from '../domain/layout.js';
import { ConflictError, NotFoundError, UpstreamError } from '../errors.js';
import { metrics } from '../telemetry/metrics.js';
import type { ContainerInfo, ContainerStats } from './engine.js';
import { LABEL_ID, LABEL_INSTANCE } from './labels.js';

interface EngineApiError {
  statusCode?: number;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

export function engineMessage(err: unknown): string {
  const e = err as EngineApiError;
  return e.json?.message ?? e.reason ?? e.message ?? String(err);
}

export function statusOf(err: unknown): number | undefined {
  return (err as EngineApiError).statusCode;
}

/** Keeps the engine's own words: "exit status 125" alone helps nobody. */
export function wrap(action: string, err: unknown): Error {
  const status = statusOf(err);
  // Answers the adapter takes as outcomes (304, a 404 on remove) are not counted: they never get here.
  metrics.dockerErrors.inc({ operation: action, status: status === undefined ? 'none' : String(status) });
  const msg = `docker ${action}: ${engineMessage(err)}`;
  if (status === 404) return new NotFoundError(msg);
  if (status === 409) return new ConflictError(msg);
  return new UpstreamError(msg);
}

function firstIp(networks: Record<string, { IPAddress?: string }> | undefined): string | null {
  for (const n of Object.values(networks ?? {})) if (n.IPAddress) return n.IPAddress;
  return null;
}

function homeVolumeOf(mounts: { Type?: string; Name?: string; Destination?: string }[] | undefined): string | null {
  const home = (mounts ?? []).find((m) => m.Destination === SANDBOX_HOME);
  return home?.Type === 'volume' && home.Name ? home.Name : null;
}

export function infoFromInspect(i: Docker.ContainerInspectInfo): ContainerInfo {
  const labels = i.Config.Labels ?? {};
  return {
    id: i.Id,
    name: i.Name.replace(/^\//, ''),
    sandboxId: labels[LABEL_ID] ?? null,
    instance: labels[LABEL_INSTANCE] ?? null,
    running: i.State.Running,
    status: i.State.Status,
    ip: i.State.Running ? firstIp(i.NetworkSettings.Networks) : null,
    exitCode: i.State.Running ? null : i.State.ExitCode,
    oomKilled: i.State.OOMKilled,
    labels,
    homeVolume: homeVolumeOf(i.Mounts),
    imageId: i.Image || null,
  };
}

export function infoFromList(c: Docker.ContainerInfo): ContainerInfo {
  const exited = /^Exited \((\d+)\)/.exec(c.Status);
  return {
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    sandboxId: c.Labels[LABEL_ID] ?? null,
    instance: c.Labels[LABEL_INSTANCE] ?? null,
    running: c.State === 'running',
    status: c.State,
    ip: c.State === 'running' ? firstIp(c.NetworkSettings?.Networks) : null,
    exitCode: exited ? Number(exited[1]) : null,
    oomKilled: false,
    labels: c.Labels,
    homeVolume: homeVolumeOf(c.Mounts),
    imageId: c.ImageID || null,
  };
}

/**
 * Memory as `docker stats` computes it: usage less the inactive page cache
 * (cgroup v2 `inactive_file`, v1 `total_inactive_file`), which the kernel
 * reclaims before the limit bites. A stopped container's sample is all zeros.
 */
export function statsFrom(s: Docker.ContainerStats): ContainerStats | null {
  const m = s.memory_stats as Partial<Docker.MemoryStats> & { stats?: Record<string, number> };
  if (m.usage === undefined) return null;
  const inactive = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0;
  return { memoryBytes: Math.max(0, m.usage - (inactive < m.usage ? inactive : 0)), memoryLimitBytes: m.limit ?? 0 };
}
