/**
 * Snapshots, restore, fork, templates and undoing an agent task, against the
 * real daemon, real Docker and the real Claude Code CLI (scripted model server).
 * Trees are compared by hashing every file inside the sandbox.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { until } from '../helpers/wait.js';

let d: TestDaemon;
let model: ModelServer;

beforeAll(async () => {
  model = await startModelServer();
  d = await startTestDaemon({ env: { SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(model.port), SANDBOXD_SNAPSHOT_MAX_COUNT: '4' } });
});
afterAll(async () => {
  await d?.dispose();
  await model?.close();
});

async function sh(sandbox: string, script: string): Promise<string> {
  const r = await d.api('POST', `/v1/sandboxes/${sandbox}/exec`, { cmd: ['sh', '-c', script], timeout_s: 120 });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.exit_code, r.body.stderr).toBe(0);
  return r.body.stdout;
}

/** Every file under the workspace (but the daemon's own dir), with its hash and mode. */
const tree = (sandbox: string) =>
  sh(sandbox, "cd $HOME/workspace && find . -type f -exec sha256sum {} + | sort && find . -printf '%p %m %y\\n' | sort");

async function sandbox(extra: Record<string, unknown> = {}): Promise<string> {
  const id = uniqueId('snap');
  const r = await d.api('POST', '/v1/sandboxes', { id, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return id;
}

describe('snapshot and restore', () => {
  it('puts the tree back byte for byte, and keeps what it replaced as a pre-restore snapshot', async () => {
    const id = await sandbox();
    await sh(id, 'cd $HOME/workspace/app && mkdir -p src/deep && head -c 300000 /dev/urandom > src/deep/blob.bin && echo one > a.txt && chmod 600 a.txt && ln -s a.txt link');
    const before = await tree(id);
    const snap = await d.api('POST', `/v1/sandboxes/${id}/snapshots`, { name: 'before changes' });
    expect(snap.status).toBe(201);
    expect(snap.body).toMatchObject({ sandbox_id: id, name: 'before changes', kind: 'manual', template: false });
    expect(snap.body.size_bytes).toBeGreaterThan(300000);

    await sh(id, 'cd $HOME/workspace/app && rm -rf src && echo two > a.txt && echo new > b.txt');
    const changed = await tree(id);
    expect(changed).not.toBe(before);

    const restored = await d.api('POST', `/v1/sandboxes/${id}/snapshots/${snap.body.id}/restore`);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.sandbox.status).toBe('running');
    expect(restored.body.saved_as).toMatchObject({ kind: 'pre-restore', sandbox_id: id });
    expect(await tree(id)).toBe(before);

    // The restore itself can be undone: the pre-restore snapshot holds the changed tree.
    expect((await d.api('POST', `/v1/sandboxes/${id}/snapshots/${restored.body.saved_as.id}/restore`)).status).toBe(200);
    expect(await tree(id)).toBe(changed);
    const list = (await d.api('GET', `/v1/sandboxes/${id}/snapshots`)).body;
    expect(list.snapshots.map((s: any) => s.kind)).toEqual(['manual', 'pre-restore', 'pre-restore']);
    expect(list.size_bytes).toBeGreaterThan(0);
  });

  it('snapshots and restores a stopped sandbox without starting it', async () => {
    const id = await sandbox();
    await sh(id, 'echo kept > $HOME/workspace/app/x.txt');
    expect((await d.api('POST', `/v1/sandboxes/${id}/stop`)).status).toBe(200);
    const snap = await d.api('POST', `/v1/sandboxes/${id}/snapshots`);
    expect(snap.status).toBe(201);
    await d.api('PUT', `/v1/sandboxes/${id}/files`, { path: 'workspace/app/x.txt', content: 'changed\n' });
    const restored = await d.api('POST', `/v1/sandboxes/${id}/snapshots/${snap.body.id}/restore`);
    expect(restored.body.sandbox.status).toBe('stopped');
    expect((await d.api('GET', `/v1/sandboxes/${id}/files/content?path=workspace/app/x.txt`)).body).toBe('kept\n');
  });

  it('answers bad input clearly: unknown ids 404, names validated, duplicates 409', async () => {
    const id = await sandbox();
    expect((await d.api('GET', `/v1/sandboxes/${id}/snapshots/01aaaaaaaaaaaaaaaaaaaaaaaa`)).status).toBe(404);
    expect((await d.api('POST', `/v1/sandboxes/${id}/snapshots/01aaaaaaaaaaaaaaaaaaaaaaaa/restore`)).status).toBe(404);
    expect((await d.api('GET', `/v1/sandboxes/${id}/snapshots/../../etc`)).status).toBe(404);
    expect((await d.api('GET', `/v1/sandboxes/${id}/snapshots/not-an-id`)).status).toBe(400);
    expect((await d.api('POST', `/v1/sandboxes/${id}/snapshots`, { name: '../x' })).status).toBe(400);
    expect((await d.api('POST', `/v1/sandboxes/${id}/snapshots`, { name: 'same' })).status).toBe(201);
    const dup = await d.api('POST', `/v1/sandboxes/${id}/snapshots`, { name: 'same' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatch(/already has a snapshot named "same"/);
    // Another sandbox's snapshot is not this one's.
    const other = await sandbox();
    const theirs = (await d.api('POST', `/v1/sandboxes/${other}/snapshots`)).body.id;
    expect((await d.api('POST', `/v1/sandboxes/${id}/snapshots/${theirs}/restore`)).status).toBe(404);
  });
});

describe('fork and templates', () => {
  it('starts a new sandbox from a snapshot; the two are independent; a template outlives its sandbox', async () => {
    const src = await sandbox();
    await sh(src, 'echo base > $HOME/workspace/app/base.txt');
    const snap = (await d.api('POST', `/v1/sandboxes/${src}/snapshots`, { name: 'tpl', template: true })).body;
    const forkId = uniqueId('fork');
    const fork = await d.api('POST', '/v1/sandboxes', { id: forkId, from_snapshot: snap.id, env: { ONLY_HERE: '1' } });
    expect(fork.status, JSON.stringify(fork.body)).toBe(201);
    expect(await sh(forkId, 'cat $HOME/workspace/app/base.txt; echo "$ONLY_HERE"')).toBe('base\n1\n');
    await sh(forkId, 'echo fork > $HOME/workspace/app/fork.txt');
    await sh(src, 'echo src > $HOME/workspace/app/src.txt');
    expect(await sh(src, 'ls $HOME/workspace/app')).toBe('base.txt\nsrc.txt\n');
    expect(await sh(forkId, 'ls $HOME/workspace/app')).toBe('base.txt\nfork.txt\n');

    // Purge takes the sandbox's snapshots, but not its templates.
    const plain = (await d.api('POST', `/v1/sandboxes/${src}/snapshots`)).body.id;
    expect((await d.api('POST', `/v1/sandboxes/${src}/purge`)).status).toBe(200);
    expect(existsSync(path.join(d.dataDir, 'snapshots', `${plain}.ext4`))).toBe(false);
    expect((await d.api('GET', '/v1/snapshots')).body.snapshots.map((s: any) => s.id)).toContain(snap.id);
    const again = uniqueId('fork');
    expect((await d.api('POST', '/v1/sandboxes', { id: again, from_snapshot: snap.id })).status).toBe(201);
    expect(await sh(again, 'cat $HOME/workspace/app/base.txt')).toBe('base\n');
    expect((await d.api('POST', '/v1/sandboxes', { from_snapshot: '01aaaaaaaaaaaaaaaaaaaaaaaa' })).status).toBe(404);
  });
});

describe('limits', () => {
  it('prunes automatic snapshots oldest first, never a named one; refuses when named ones alone are over', async () => {
    const id = await sandbox();
    const named = (await d.api('POST', `/v1/sandboxes/${id}/snapshots`, { name: 'keep' })).body.id;
    const saved: string[] = [];
    for (let i = 0; i < 4; i++) saved.push((await d.api('POST', `/v1/sandboxes/${id}/snapshots/${named}/restore`)).body.saved_as.id);
    // Max 4: the named one and the three newest pre-restore snapshots.
    const kept = (await d.api('GET', `/v1/sandboxes/${id}/snapshots`)).body.snapshots.map((s: any) => s.id);
    expect(kept).toEqual([named, ...saved.slice(1)]);
    expect(existsSync(path.join(d.dataDir, 'snapshots', `${saved[0]}.ext4`))).toBe(false);
    for (let i = 0; i < 3; i++) expect((await d.api('POST', `/v1/sandboxes/${id}/snapshots`, { name: `n${i}` })).status).toBe(201);
    const over = await d.api('POST', `/v1/sandboxes/${id}/snapshots`, { name: 'one too many' });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatch(/SANDBOXD_SNAPSHOT_MAX_COUNT=4/);
    expect((await d.api('GET', `/v1/sandboxes/${id}/snapshots`)).body.snapshots.every((s: any) => s.kind === 'manual')).toBe(true);
  });
});

describe('undo an agent task', () => {
  const prompt = (file: string, content: string) => `Create the file. FILE=/home/sandbox/workspace/app/${file} CONTENT=${content}`;
  const fields = { agent: 'claude-code', model: 'claude-sonnet-4-5' };

  async function runTask(id: string, body: Record<string, unknown>): Promise<any> {
    const r = await d.api('POST', `/v1/sandboxes/${id}/tasks`, { ...fields, base_url: model.hostUrl, env: { ANTHROPIC_API_KEY: 'k' }, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return until(async () => {
      const t = (await d.api('GET', `/v1/sandboxes/${id}/tasks/${r.body.id}`)).body;
      return ['queued', 'running'].includes(t.status) ? undefined : t;
    }, 'the task to end');
  }

  it('brings the workspace back as it was before the task, and refuses what would undo more', async () => {
    const id = await sandbox();
    await sh(id, 'echo original > $HOME/workspace/app/page.txt');
    const before = await tree(id);
    const first = await runTask(id, { prompt: prompt('agent.txt', 'agent-was-here') });
    expect(first).toMatchObject({ status: 'succeeded' });
    expect(first.checkpoint_id).toMatch(/^[0-9a-z]{26}$/);
    expect(await sh(id, 'cat $HOME/workspace/app/agent.txt')).toBe('agent-was-here');

    const second = await runTask(id, { prompt: prompt('other.txt', 'later') });
    const refused = await d.api('POST', `/v1/sandboxes/${id}/tasks/${first.id}/undo`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain(second.id);

    const undone = await d.api('POST', `/v1/sandboxes/${id}/tasks/${first.id}/undo`, { force: true });
    expect(undone.status, JSON.stringify(undone.body)).toBe(200);
    expect(await tree(id)).toBe(before);

    const noCheckpoint = await runTask(id, { prompt: prompt('x.txt', 'y'), checkpoint: false });
    expect(noCheckpoint.checkpoint_id).toBeNull();
    expect((await d.api('POST', `/v1/sandboxes/${id}/tasks/${noCheckpoint.id}/undo`)).status).toBe(409);
  });
});

describe('a daemon killed mid-restore', () => {
  it('ends fully old or fully new once it is back, and the sandbox runs again', async () => {
    const id = await sandbox({ disk_mb: 2048 });
    // Enough data that the copy takes a while: the kill lands between the disk's move and the copy's end.
    await sh(id, 'head -c 400000000 /dev/urandom > $HOME/workspace/app/big.bin && echo snap > $HOME/workspace/app/state.txt');
    const snapped = await tree(id);
    const snap = (await d.api('POST', `/v1/sandboxes/${id}/snapshots`)).body.id;
    await sh(id, 'rm $HOME/workspace/app/big.bin && echo changed > $HOME/workspace/app/state.txt');
    const changed = await tree(id);

    const live = path.join(d.dataDir, 'disks', `${id}.ext4`);
    const restoring = d.api('POST', `/v1/sandboxes/${id}/snapshots/${snap}/restore`).catch(() => undefined);
    // The live disk has been moved aside and the copy is under way.
    const deadline = Date.now() + 60_000;
    while (existsSync(live) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    expect(existsSync(live)).toBe(false);
    await d.kill();
    await restoring;
    await d.restart();

    const row = await until(async () => {
      const r = (await d.api('GET', `/v1/sandboxes/${id}`)).body;
      return r.status === 'running' ? r : undefined;
    }, 'the sandbox to run again');
    expect(row.status).toBe('running');
    const now = await tree(id);
    expect([snapped, changed]).toContain(now);
    expect(now).toBe(snapped);
    expect(existsSync(`${live}.incoming`)).toBe(false);
    await d.waitForLog(/interrupted restore recovered.*"outcome":"finished"|"outcome":"finished".*interrupted restore recovered/);
  });
});
