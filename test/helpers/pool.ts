/** The warm pool as tests see it: its gauges and claims from /metrics, and its containers in Docker. */
import Docker from 'dockerode';
import type { TestDaemon } from './daemon.js';
import { until } from './wait.js';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });

/** The pool's gauges and the claims counter, from /metrics. */
export async function poolMetrics(d: TestDaemon, runtime = 'runc'): Promise<{ ready: number; filling: number; claims: Record<string, number> }> {
  const text = (await d.api<string>('GET', '/metrics')).body;
  const value = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
  const claims: Record<string, number> = {};
  for (const m of text.matchAll(/^sandboxed_pool_claims_total\{result="(\w+)"\} (\d+)/gm)) claims[m[1]] = Number(m[2]);
  return {
    ready: value(new RegExp(`^sandboxed_pool_entries\\{runtime="${runtime}",state="ready"\\} (\\d+)`, 'm')),
    filling: value(new RegExp(`^sandboxed_pool_entries\\{runtime="${runtime}",state="filling"\\} (\\d+)`, 'm')),
    claims,
  };
}

export async function poolReady(d: TestDaemon, n: number, runtime = 'runc'): Promise<void> {
  await until(async () => (await poolMetrics(d, runtime)).ready >= n, `${n} pooled ${runtime} containers ready`);
}

/** Pooled containers of the daemon that no sandbox has claimed (their name is still s-pool-…). */
export async function pooledContainers(d: TestDaemon): Promise<Docker.ContainerInfo[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`sandboxed.instance=${d.instance}`, 'sandboxed.kind=pool'] } });
  return list.filter((c) => c.Names[0]?.startsWith('/s-pool-'));
}

