/**
 * What one sandbox costs the host in memory, seen from the host: every
 * process in the container's memory cgroup (runc: the tenant's processes;
 * gVisor: the sentry, the gofer and the platform's stub processes, which hold
 * the guest's memory), summed as PSS so pages they share (gVisor's guest
 * memory file, shared libraries) count once. Docker's containerd-shim sits
 * outside the cgroup and is the same for every runtime: not counted. Also the
 * cgroup's own usage figure, which adds the page cache the sandbox caused.
 */
import { readFile } from 'node:fs/promises';

export interface HostMemory {
  /** Sum of PSS over the cgroup's processes, MiB. */
  pssMiB: number;
  /** Sum of RSS over the same processes, MiB: counts shared pages once per process (gVisor's stubs map the guest's memory). */
  rssMiB: number;
  /** The memory cgroup's usage (memory.current or memory.usage_in_bytes), MiB. */
  cgroupMiB: number;
  processes: number;
}

async function memoryCgroupDir(pid: number): Promise<string> {
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n');
  const v1 = lines.find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  if (v1) return `/sys/fs/cgroup/memory${v1.split(':')[2]}`;
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2) return `/sys/fs/cgroup${v2.slice(3)}`;
  throw new Error(`no memory cgroup for pid ${pid}`);
}

/** [PSS, RSS] of one process in kB; zeros when it is gone meanwhile. */
async function sizesKb(pid: string): Promise<[number, number]> {
  try {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return [field('Pss'), field('Rss')];
  } catch {
    return [0, 0];
  }
}

/** `pid`: the container's State.Pid (runc's init, or gVisor's sentry). */
export async function hostMemory(pid: number): Promise<HostMemory> {
  const dir = await memoryCgroupDir(pid);
  const pids = (await readFile(`${dir}/cgroup.procs`, 'utf8')).split('\n').filter(Boolean);
  const sizes = await Promise.all(pids.map(sizesKb));
  const sum = (i: 0 | 1): number => sizes.reduce((a, s) => a + s[i], 0) / 1024;
  const usage = await readFile(`${dir}/memory.current`, 'utf8').catch(() => readFile(`${dir}/memory.usage_in_bytes`, 'utf8'));
  return { pssMiB: sum(0), rssMiB: sum(1), cgroupMiB: Number(usage.trim()) / 2 ** 20, processes: pids.length };
}
