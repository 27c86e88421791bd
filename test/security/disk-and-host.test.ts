/**
 * Attacks on the host's disk and file system by a tenant: filling the disk,
 * setuid files, symlinks planted where the daemon seeds the workspace, and
 * reading other tenants' data through the data dir's permissions. Each test
 * shows the attack fails while a neighbour sandbox and the daemon go on.
 */
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, testRuntime, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const docker = new Docker();

let d: TestDaemon;
const victim = uniqueId('fill');
const neighbour = uniqueId('nb');

async function exec(sandbox: string, script: string): Promise<{ exit_code: number; stdout: string; stderr: string }> {
  const r = await d.api('POST', `/v1/sandboxes/${sandbox}/exec`, { cmd: ['sh', '-c', script], timeout_s: 120 });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

function mountOptions(dir: string): string[] {
  const line = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === dir);
  return line ? line.split(' ')[5].split(',') : [];
}

beforeAll(async () => {
  d = await startTestDaemon();
  expect((await d.api('POST', '/v1/sandboxes', { id: victim, disk_mb: 128 })).status).toBe(201);
  expect((await d.api('POST', '/v1/sandboxes', { id: neighbour, disk_mb: 128 })).status).toBe(201);
});
afterAll(async () => {
  await d?.dispose();
});

describe('filling the disk', () => {
  it('gives the tenant ENOSPC at its quota; the neighbour and the daemon keep writing', async () => {
    const fill = await exec(victim, 'dd if=/dev/zero of=$HOME/fill bs=1M count=1024 2>&1; echo "dd=$?"');
    expect(fill.stdout).toMatch(/No space left on device/);
    expect(fill.stdout).toMatch(/dd=1/);
    // What the tenant got is what it asked for, not the host's disk.
    const used = await exec(victim, 'du -sm $HOME/fill | cut -f1');
    expect(Number(used.stdout.trim())).toBeLessThanOrEqual(128);
    const df = await exec(victim, "df -m $HOME | tail -1 | awk '{print $2}'");
    expect(Number(df.stdout.trim())).toBeLessThanOrEqual(128);

    // The files API says the workspace is full, clearly (past ext4's small root reserve, which the daemon may use).
    const write = await d.api('PUT', `/v1/sandboxes/${victim}/files`, { path: 'more.bin', content: 'x'.repeat(20 * 1024 * 1024) });
    expect(write.status).toBe(413);
    expect(write.body.error).toMatch(/space/i);

    // The neighbour writes; the daemon writes SQLite (a create and a stop are rows).
    const nb = await exec(neighbour, 'dd if=/dev/zero of=$HOME/ok bs=1M count=20 2>&1 >/dev/null; echo "dd=$?"');
    expect(nb.stdout).toMatch(/dd=0/);
    const extra = uniqueId('after');
    expect((await d.api('POST', '/v1/sandboxes', { id: extra })).status).toBe(201);
    expect((await d.api('POST', `/v1/sandboxes/${extra}/stop`)).body.status).toBe('stopped');

    // Freeing space gives it back.
    await exec(victim, 'rm -f $HOME/fill');
    expect((await d.api('PUT', `/v1/sandboxes/${victim}/files`, { path: 'more.bin', content: 'x'.repeat(512 * 1024) })).status).toBe(200);
  });

  it('refuses a disk_mb over the maximum before anything is created', async () => {
    const r = await d.api('POST', '/v1/sandboxes', { id: uniqueId('big'), disk_mb: 10_000_000 });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/disk_mb/);
  });

  it('keeps the workspace on its disk across a stop, a daemon restart and a file read while stopped', async () => {
    await exec(victim, 'echo kept > $HOME/workspace/app/kept.txt');
    expect((await d.api('POST', `/v1/sandboxes/${victim}/stop`)).status).toBe(200);
    await d.restart();
    const read = await d.api('GET', `/v1/sandboxes/${victim}/files/content?path=workspace/app/kept.txt`);
    expect(read.status).toBe(200);
    expect(read.body).toBe('kept\n');
    expect((await d.api('GET', `/v1/sandboxes/${victim}`)).body.status).toBe('stopped');
    // The daemon's own view never executes or honours setuid from the tenant's disk.
    expect(mountOptions(path.join(d.dataDir, 'workspaces', victim))).toEqual(expect.arrayContaining(['nosuid', 'nodev', 'noexec']));
  });
});

describe('setuid files', () => {
  it('are inert on the host: the daemon mounts the disk nosuid,noexec, and the sandbox nosuid', async () => {
    const made = await exec(neighbour, 'cp /bin/sh $HOME/suid-sh && chmod 4755 $HOME/suid-sh && stat -c %a $HOME/suid-sh');
    expect(made.stdout.trim()).toBe('4755');
    const onHost = path.join(d.dataDir, 'workspaces', neighbour, 'suid-sh');
    expect(fs.statSync(onHost).mode & 0o4000).toBe(0o4000);
    // noexec: the host cannot run it at all, so its setuid bit can never apply there.
    expect(() => execFileSync(onHost, ['-c', 'id -u'], { stdio: 'pipe' })).toThrow(/EACCES|permission denied/i);
    const inside = await d.api('GET', `/v1/sandboxes/${neighbour}`);
    const info = await docker.getContainer(inside.body.container_id).inspect();
    const home = info.Mounts.find((m) => m.Destination === '/home/sandbox');
    expect(home?.Type).toBe('volume');
    // gVisor shows its own view of the mount (9p, without the host's flags): what counts is below.
    if (testRuntime() === 'runc') {
      const opts = await exec(neighbour, "grep ' /home/sandbox ' /proc/mounts");
      expect(opts.stdout).toMatch(/nosuid/);
      expect(opts.stdout).toMatch(/nodev/);
    }
    // A setuid-root program on the tenant's disk (however it got there) runs as the sandbox user inside.
    await exec(neighbour, 'cp /usr/bin/id $HOME/suid-id');
    const suid = path.join(d.dataDir, 'workspaces', neighbour, 'suid-id');
    fs.chownSync(suid, 0, 0);
    fs.chmodSync(suid, 0o4755);
    expect((await exec(neighbour, '$HOME/suid-id -u; $HOME/suid-id -ru')).stdout).toBe('100000\n100000\n');
  });
});

describe('symlinks planted where the daemon seeds the workspace', () => {
  it('are never followed on the host: the sandbox starts and nothing outside changes', async () => {
    const target = fs.mkdtempSync(path.join(d.dataDir, '..', 'outside-'));
    const id = uniqueId('plant');
    expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
    // The tenant replaces its seeded dirs with links to host paths (as seen from the host).
    await exec(id, `rm -rf $HOME/workspace $HOME/.sandboxed && ln -s ${target} $HOME/workspace && ln -s /etc $HOME/.sandboxed`);
    expect((await d.api('POST', `/v1/sandboxes/${id}/stop`)).status).toBe(200);
    const start = await d.api('POST', `/v1/sandboxes/${id}/start`);
    expect(start.status).toBe(200);
    expect(start.body.status).toBe('running');
    expect(fs.readdirSync(target)).toEqual([]);
    expect(fs.existsSync('/etc/logs')).toBe(false);
    await d.waitForLog(new RegExp(`"sandboxId":"${id}".*workspace seeding skipped`));
  });
});

describe('the data dir on the host', () => {
  it('is readable by root only, so no host user reads a tenant file or the database', () => {
    for (const dir of ['workspaces', 'disks', 'runtime', 'state']) {
      expect((fs.statSync(path.join(d.dataDir, dir)).mode & 0o777).toString(8), dir).toBe('700');
    }
    for (const f of fs.readdirSync(path.join(d.dataDir, 'disks'))) {
      expect((fs.statSync(path.join(d.dataDir, 'disks', f)).mode & 0o777).toString(8)).toBe('600');
    }
  });

  it('leaves no disk attached or mounted after a purge', async () => {
    const id = uniqueId('gone');
    expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
    const image = path.join(d.dataDir, 'disks', `${id}.ext4`);
    expect(execFileSync('losetup', ['--associated', image], { encoding: 'utf8' })).toMatch(/loop/);
    expect((await d.api('POST', `/v1/sandboxes/${id}/purge`)).status).toBe(200);
    expect(fs.existsSync(image)).toBe(false);
    expect(mountOptions(path.join(d.dataDir, 'workspaces', id))).toEqual([]);
    expect((await docker.listVolumes({ filters: { label: [`sandboxed.id=${id}`] } })).Volumes).toEqual([]);
  });
});

describe('a workspace from before quotas', () => {
  it('moves into its own disk at its next start, files and all, and its old container is replaced', async () => {
    const old = await startTestDaemon({ env: { SANDBOXD_DISK_QUOTA: 'false' } });
    try {
      const id = uniqueId('legacy');
      expect((await old.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
      const wrote = await old.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'echo from-before > $HOME/workspace/app/old.txt && ln -s /etc/passwd $HOME/link'] });
      expect(wrote.body.exit_code).toBe(0);
      const before = (await old.api('GET', `/v1/sandboxes/${id}`)).body.container_id;
      expect((await docker.getContainer(before).inspect()).Mounts.find((m) => m.Destination === '/home/sandbox')?.Type).toBe('bind');

      await old.restart({ SANDBOXD_DISK_QUOTA: 'true' });
      const started = await old.api('POST', `/v1/sandboxes/${id}/start`);
      expect(started.status).toBe(200);
      const info = await docker.getContainer(started.body.container_id).inspect();
      expect(info.Mounts.find((m) => m.Destination === '/home/sandbox')?.Type).toBe('volume');
      const read = await old.api('POST', `/v1/sandboxes/${id}/exec`, {
        cmd: ['sh', '-c', 'cat $HOME/workspace/app/old.txt; readlink $HOME/link; df -m --output=source,size $HOME | tail -1'],
      });
      expect(read.body.stdout).toMatch(/^from-before\n\/etc\/passwd\n/);
      // HOME is the disk: its loop device under runc; under gVisor (which names no device) a filesystem of the disk's size.
      const [source, sizeMb] = read.body.stdout.trim().split('\n')[2].trim().split(/\s+/);
      if (testRuntime() === 'runc') expect(source).toMatch(/^\/dev\/loop\d+$/);
      expect(Number(sizeMb)).toBeGreaterThan(4500);
      expect(Number(sizeMb)).toBeLessThanOrEqual(5120);
      expect(fs.existsSync(path.join(old.dataDir, 'disks', `${id}.ext4`))).toBe(true);
      expect(mountOptions(path.join(old.dataDir, 'workspaces', id))).toContain('noexec');
    } finally {
      await old.dispose();
    }
  });
});


describe('the sandbox user', () => {
  it('is uid 100000 by default, and a changed setting reaches a sandbox at its next start, files and all', async () => {
    const own = await startTestDaemon();
    try {
      const id = uniqueId('uid');
      expect((await own.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
      const first = await own.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'id -u; echo mine > $HOME/workspace/app/mine.txt'] });
      expect(first.body.stdout).toBe('100000\n');
      expect((await own.api('POST', `/v1/sandboxes/${id}/stop`)).status).toBe(200);

      await own.restart({ SANDBOXD_SANDBOX_UID: '100500' });
      const started = await own.api('POST', `/v1/sandboxes/${id}/start`);
      expect(started.status).toBe(200);
      expect((await docker.getContainer(started.body.container_id).inspect()).Config.User).toBe('100500:100500');
      const after = await own.api('POST', `/v1/sandboxes/${id}/exec`, {
        cmd: ['sh', '-c', 'id -un; stat -c %u $HOME/workspace/app/mine.txt; echo more >> $HOME/workspace/app/mine.txt && echo wrote'],
      });
      expect(after.body.stdout).toBe('sandbox\n100500\nwrote\n');
    } finally {
      await own.dispose();
    }
  });
});
