/**
 * Runtimes against real Docker: a gVisor sandbox beside a runc one on one
 * daemon, what a create or /readyz says when Docker lacks a runtime, rows from
 * before runtimes, a runtime that changed while its sandbox was stopped, a
 * snapshot taken while a gVisor sandbox writes, and what a gVisor tenant that
 * exhausts its memory or process limit can break (only its own sandbox).
 * Needs Docker's runsc runtime (.ci/run registers it: scripts/lib/gvisor.sh).
 */
import Database from 'better-sqlite3';
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { poolMetrics, pooledContainers, poolReady } from '../helpers/pool.js';
import { previewStatus } from '../helpers/probes.js';
import { until } from '../helpers/wait.js';

const docker = new Docker();
let d: TestDaemon;
const g = uniqueId('gv');
const r = uniqueId('rc');

async function sh(id: string, script: string, timeoutS = 60): Promise<{ exit_code: number | null; stdout: string; stderr: string; timed_out: boolean }> {
  const res = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', script], timeout_s: timeoutS });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Edits a row's stored spec while the daemon is stopped (what an older version, or another runtime, wrote). */
function editSpec(dataDir: string, id: string, edit: (spec: Record<string, unknown>) => void): void {
  const db = new Database(path.join(dataDir, 'state', 'sandboxd.db'));
  try {
    const row = db.prepare<[string], { spec_json: string }>('SELECT spec_json FROM sandboxes WHERE id = ?').get(id)!;
    const spec = JSON.parse(row.spec_json) as Record<string, unknown>;
    edit(spec);
    db.prepare('UPDATE sandboxes SET spec_json = ? WHERE id = ?').run(JSON.stringify(spec), id);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_DEFAULT_RUNTIME: 'runc' } });
  const web = [{ name: 'web', command: 'python3 -m http.server 3000' }];
  expect((await d.api('POST', '/v1/sandboxes', { id: g, runtime: 'gvisor', ports: [3000], services: web, memory_mb: 256 })).status).toBe(201);
  expect((await d.api('POST', '/v1/sandboxes', { id: r, ports: [3000], services: web })).status).toBe(201);
});

afterAll(async () => {
  await d?.dispose();
});

describe('a gVisor sandbox beside a runc one', () => {
  it('shows its runtime, runs under runsc with its own kernel, and the runc one on the host kernel', async () => {
    expect((await d.api('GET', `/v1/sandboxes/${g}`)).body.runtime).toBe('gvisor');
    expect((await d.api('GET', `/v1/sandboxes/${r}`)).body.runtime).toBe('runc');
    expect((await docker.getContainer(`s-${g}`).inspect()).HostConfig.Runtime).toBe('runsc');
    expect((await docker.getContainer(`s-${r}`).inspect()).HostConfig.Runtime).toBe('runc');
    expect((await sh(g, 'dmesg | head -n 1')).stdout).toMatch(/Starting gVisor/);
    const hostKernel = execFileSync('uname', ['-r'], { encoding: 'utf8' });
    expect((await sh(r, 'uname -r')).stdout).toBe(hostKernel);
    expect((await sh(g, 'uname -r')).stdout).not.toBe(hostKernel);
  });

  it('runs coreutils that stat files (ls -l, stat, cp -a) though this runsc refuses one of their statx flags', async () => {
    const out = await sh(g, 'cd $HOME/workspace/app && echo hi > f && ls -l f && stat -c "%s %U" f && cp -a f g && ls -la | grep -c " g$"');
    expect(out).toMatchObject({ exit_code: 0, stderr: '' });
    expect(out.stdout).toMatch(/^-rw-r--r-- 1 sandbox sandbox 3 .* f\n3 sandbox\n1\n$/);
  });

  it('serves its app through the edge and wakes it after a stop', async () => {
    const preview = (): Promise<number> => previewStatus(d, g, 3000);
    await until(async () => (await preview()) === 200, 'the gVisor app to answer');
    expect((await d.api('POST', `/v1/sandboxes/${g}/stop`)).body.status).toBe('stopped');
    expect(await preview()).toBe(200);
    expect((await d.api('GET', `/v1/sandboxes/${g}`)).body).toMatchObject({ status: 'running', runtime: 'gvisor' });
  });
});

describe('a runtime Docker does not have', () => {
  it('refuses an unknown runtime name with 400 naming the field', async () => {
    const res = await d.api('POST', '/v1/sandboxes', { id: uniqueId('kata'), runtime: 'kata' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/runtime/);
  });

  it('refuses gvisor with 400 naming Docker’s missing runtime, before anything is written; /readyz says why when it is the default', async () => {
    const missing = `runsc-missing-${uniqueId('x')}`;
    const other = await startTestDaemon({ env: { SANDBOXD_GVISOR_RUNTIME: missing } });
    try {
      expect((await other.api('GET', '/readyz')).status).toBe(200);
      const id = uniqueId('nort');
      const res = await other.api('POST', '/v1/sandboxes', { id, runtime: 'gvisor' });
      expect(res.status).toBe(400);
      expect(res.body.error).toContain(`needs the Docker runtime "${missing}", which this engine does not have`);
      expect((await other.api('GET', `/v1/sandboxes/${id}`)).status).toBe(404);
      expect(existsSync(path.join(other.dataDir, 'disks', `${id}.ext4`))).toBe(false);
      expect(await docker.listContainers({ all: true, filters: { name: [`s-${id}`] } })).toEqual([]);

      await other.restart({ SANDBOXD_DEFAULT_RUNTIME: 'gvisor' });
      const ready = await other.api('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.error).toContain(`the default runtime "gvisor" (SANDBOXD_DEFAULT_RUNTIME) needs the Docker runtime "${missing}"`);
      // Sandboxes that name runc still run.
      const runc = await other.api('POST', '/v1/sandboxes', { id: uniqueId('stillrunc'), runtime: 'runc' });
      expect(runc.status, JSON.stringify(runc.body)).toBe(201);
    } finally {
      await other.dispose();
    }
  });
});

describe('rows and containers across runtimes', () => {
  it('a row from before runtimes is runc and keeps its container; one whose runtime changed while stopped is recreated under it', async () => {
    const id = uniqueId('old');
    const created = await d.api('POST', '/v1/sandboxes', { id, runtime: 'runc' });
    await sh(id, 'echo kept > $HOME/workspace/app/kept.txt');
    expect((await d.api('POST', `/v1/sandboxes/${id}/stop`)).status).toBe(200);
    await d.stop();
    editSpec(d.dataDir, id, (spec) => delete spec.runtime);
    await d.restart();
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).body.runtime).toBe('runc');
    const same = await d.api('POST', `/v1/sandboxes/${id}/start`);
    expect(same.body.container_id).toBe(created.body.container_id);

    expect((await d.api('POST', `/v1/sandboxes/${id}/stop`)).status).toBe(200);
    await d.stop();
    editSpec(d.dataDir, id, (spec) => (spec.runtime = 'gvisor'));
    await d.restart();
    const moved = await d.api('POST', `/v1/sandboxes/${id}/start`);
    expect(moved.body).toMatchObject({ status: 'running', runtime: 'gvisor' });
    expect(moved.body.container_id).not.toBe(created.body.container_id);
    expect((await docker.getContainer(moved.body.container_id).inspect()).HostConfig.Runtime).toBe('runsc');
    expect((await sh(id, 'cat $HOME/workspace/app/kept.txt; dmesg | head -n 1')).stdout).toMatch(/^kept\n.*Starting gVisor/);
  });
});

describe('a snapshot while a gVisor sandbox writes', () => {
  it('holds every write that finished before it, in order, on a clean filesystem', async () => {
    const id = uniqueId('snapw');
    expect((await d.api('POST', '/v1/sandboxes', { id, runtime: 'gvisor', disk_mb: 256 })).status).toBe(201);
    const writer = 'i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); echo "line $i" >> $HOME/log.txt; done';
    expect((await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', writer], background: true })).status).toBe(202);
    await until(async () => Number((await sh(id, 'wc -l < $HOME/log.txt')).stdout) > 500, 'the writer to get going');
    // Every line counted here was written (write returned, file closed) before the snapshot began.
    const before = Number((await sh(id, 'wc -l < $HOME/log.txt')).stdout);
    const snap = await d.api('POST', `/v1/sandboxes/${id}/snapshots`, { name: 'while writing' });
    expect(snap.status, JSON.stringify(snap.body)).toBe(201);
    const after = Number((await sh(id, 'wc -l < $HOME/log.txt')).stdout);
    expect(after).toBeGreaterThan(before);

    const image = path.join(d.dataDir, 'snapshots', `${snap.body.id}.ext4`);
    expect(execFileSync('e2fsck', ['-fn', image], { encoding: 'utf8', stdio: 'pipe' })).toMatch(/clean|files/);
    const fork = uniqueId('snapf');
    expect((await d.api('POST', '/v1/sandboxes', { id: fork, runtime: 'gvisor', from_snapshot: snap.body.id })).status).toBe(201);
    // "lines bad last-byte": every line is "line N" for N = 1.., and the file ends with a whole line.
    const check = await sh(fork, `awk '$0 != "line " NR { bad++ } END { print NR, bad + 0 }' $HOME/log.txt; tail -c 1 $HOME/log.txt | od -An -c`);
    const [counts, last] = check.stdout.split('\n');
    const [lines, bad] = counts.split(' ').map(Number);
    expect(bad).toBe(0);
    expect(lines).toBeGreaterThanOrEqual(before);
    expect(lines).toBeLessThanOrEqual(after);
    expect(last.trim()).toBe('\\n');
  });
});

describe('a gVisor tenant that exhausts its limits', () => {
  it('ends at most its own sandbox: the exec returns, the neighbour and the daemon go on, a reconcile brings it back', async () => {
    // Past memory_mb (256) the host's OOM killer hits the sandbox's processes (a guest process's stub, or the whole sandbox).
    const hog = await d.api('POST', `/v1/sandboxes/${g}/exec`, { cmd: ['node', '-e', 'const a = []; for (;;) a.push(Buffer.alloc(16 << 20, 1))'], timeout_s: 30 });
    expect(hog.status).toBe(200);
    expect(hog.body.exit_code).not.toBe(0);
    expect((await sh(r, 'echo fine')).stdout).toBe('fine\n');
    // The OOM kill may take the whole gVisor sandbox down a moment after the exec returned: a reconcile brings it back.
    await until(async () => {
      expect((await d.api('POST', '/v1/admin/reconcile')).body.errors).toEqual([]);
      return (await sh(g, 'echo back')).stdout === 'back\n';
    }, 'the gVisor sandbox to answer after the memory hog');

    // Past the pids limit (host threads: SANDBOXD_GVISOR_PIDS_LIMIT) the sandbox stops as a whole.
    const flood = await d.api('POST', `/v1/sandboxes/${g}/exec`, { cmd: ['sh', '-c', 'while :; do sleep 600 & done'], timeout_s: 60 });
    expect(flood.status).toBe(200);
    expect(flood.body.exit_code).not.toBe(0);
    expect((await sh(r, 'echo fine')).stdout).toBe('fine\n');
    expect((await d.api('GET', '/readyz')).status).toBe(200);

    expect((await d.api('POST', '/v1/admin/reconcile')).body.errors).toEqual([]);
    await until(async () => (await sh(g, 'echo back')).stdout === 'back\n', 'the gVisor sandbox to answer again');
  });
});

describe('the warm pool and runtimes', () => {
  it('pools the default runtime only: a create naming the other starts cold; under a gVisor default a pooled gVisor container is handed over', async () => {
    const p = await startTestDaemon({ env: { SANDBOXD_POOL_SIZE: '1', SANDBOXD_POOL_CHECK_INTERVAL_SECONDS: '1', SANDBOXD_DEFAULT_RUNTIME: 'runc' } });
    try {
      await poolReady(p, 1, 'runc');
      const cold = uniqueId('gvcold');
      expect((await p.api('POST', '/v1/sandboxes', { id: cold, runtime: 'gvisor' })).status).toBe(201);
      expect((await poolMetrics(p, 'runc')).claims).toMatchObject({ ineligible: 1 });
      expect((await docker.getContainer(`s-${cold}`).inspect()).HostConfig.Runtime).toBe('runsc');
      expect((await pooledContainers(p)).length).toBe(1);

      // The default changes: the runc entry no longer fits and is replaced by a gVisor one.
      await p.restart({ SANDBOXD_DEFAULT_RUNTIME: 'gvisor' });
      await poolReady(p, 1, 'gvisor');
      await until(async () => (await poolMetrics(p, 'runc')).ready === 0, 'the runc entry to be pruned');
      const warm = uniqueId('gvwarm');
      const created = await p.api('POST', '/v1/sandboxes', { id: warm });
      expect(created.body).toMatchObject({ runtime: 'gvisor', status: 'running' });
      expect((await poolMetrics(p, 'gvisor')).claims).toMatchObject({ hit: 1 });
      const info = await docker.getContainer(`s-${warm}`).inspect();
      expect(info.HostConfig.Runtime).toBe('runsc');
      expect(info.Config.Labels['sandboxed.kind']).toBe('pool');
      const out = await p.api('POST', `/v1/sandboxes/${warm}/exec`, { cmd: ['sh', '-c', 'echo $SANDBOX_ID; dmesg | head -n 1; echo hi > ~/f && cat ~/f'] });
      expect(out.body.exit_code).toBe(0);
      expect(out.body.stdout).toMatch(new RegExp(`^${warm}\\n.*gVisor.*\\nhi\\n$`));
    } finally {
      await p.dispose();
    }
  });
});
