/**
 * The second wall: a tenant under gVisor talks to gVisor's kernel, not the
 * host's. The probe is io_uring, a host-kernel interface behind many local
 * privilege escalations, which Docker 20.10's default seccomp profile lets
 * through: under runc the tenant's process holds an io_uring of the host
 * kernel; under gVisor the same call succeeds inside the sentry and no process
 * of the sandbox holds one on the host. A neighbour and the daemon go on.
 */
import Docker from 'dockerode';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/wait.js';

const docker = new Docker();
let d: TestDaemon;
const ids = { runc: uniqueId('krunc'), gvisor: uniqueId('kgv') };
const neighbour = uniqueId('knb');

/** Sets up an io_uring and keeps it open; prints "ring" once it has it. */
const HOLD_RING = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.syscall(425, 4, ctypes.create_string_buffer(120))
print("ring" if fd >= 0 else "no ring: " + os.strerror(ctypes.get_errno()), flush=True)
time.sleep(60)
`;

/** Host pids of every process in the container's memory cgroup (runc: the tenant's; gVisor: sentry, gofer, stubs). */
function hostProcesses(pid: number): string[] {
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:|^0::/.test(l))!;
  const dir = line.startsWith('0::') ? `/sys/fs/cgroup${line.slice(3)}` : `/sys/fs/cgroup/memory${line.split(':')[2]}`;
  return readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean);
}

/** How many io_uring instances of the host kernel the sandbox's processes hold. */
function hostRings(pid: number): number {
  let rings = 0;
  for (const p of hostProcesses(pid)) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p}/fd`);
    } catch {
      continue; // gone meanwhile
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${p}/fd/${fd}`) === 'anon_inode:[io_uring]') rings++;
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return rings;
}

beforeAll(async () => {
  d = await startTestDaemon();
  for (const [runtime, id] of Object.entries(ids)) expect((await d.api('POST', '/v1/sandboxes', { id, runtime })).status).toBe(201);
  expect((await d.api('POST', '/v1/sandboxes', { id: neighbour })).status).toBe(201);
});
afterAll(async () => {
  await d?.dispose();
});

describe('a kernel interface behind many exploits (io_uring)', () => {
  it.each(['runc', 'gvisor'] as const)('under %s: the tenant gets a ring; it is the host kernel’s only under runc', async (runtime) => {
    const id = ids[runtime];
    const bg = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['python3', '-c', HOLD_RING], background: true });
    expect(bg.status).toBe(202);
    const said = await until(async () => {
      const r = await d.api('GET', `/v1/sandboxes/${id}/files/content?path=${encodeURIComponent(bg.body.log_path)}`);
      return r.status === 200 && String(r.body).includes('ring') ? String(r.body) : undefined;
    }, "the tenant's io_uring");
    expect(said.trim()).toBe('ring');

    const pid = (await docker.getContainer(`s-${id}`).inspect()).State.Pid;
    expect(hostRings(pid)).toBe(runtime === 'runc' ? 1 : 0);

    // The neighbour and the daemon are untouched either way.
    expect((await d.api('POST', `/v1/sandboxes/${neighbour}/exec`, { cmd: ['echo', 'fine'] })).body.stdout).toBe('fine\n');
    expect((await d.api('GET', '/readyz')).status).toBe(200);
  });
});
