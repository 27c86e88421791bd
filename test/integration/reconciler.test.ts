/**
 * Drift between SQLite and Docker converges: at boot, periodically, and on
 * demand; a kill -9 between writing the row and starting the container heals.
 */
import Database from 'better-sqlite3';
import Docker from 'dockerode';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/wait.js';

const docker = new Docker();
let d: TestDaemon;

async function containerOf(id: string): Promise<Docker.ContainerInspectInfo | null> {
  try {
    return await docker.getContainer(`s-${id}`).inspect();
  } catch {
    return null;
  }
}

beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.dispose();
});

describe('POST /v1/admin/reconcile', () => {
  it('recreates a container removed behind the daemon\'s back, from the stored spec', async () => {
    const id = uniqueId('rm');
    const created = await d.api('POST', '/v1/sandboxes', { id, ports: [3000], env: { TOKEN: 'keep-me' } });
    await docker.getContainer(created.body.container_id).remove({ force: true });

    const r = await d.api('POST', '/v1/admin/reconcile');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 1, errors: [] });
    const info = await containerOf(id);
    expect(info?.State.Running).toBe(true);
    const row = (await d.api('GET', `/v1/sandboxes/${id}`)).body;
    expect(row.container_id).toBe(info?.Id);
    const e = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'echo $TOKEN'] });
    expect(e.body.stdout).toBe('keep-me\n');
  });

  it('starts a container that was stopped behind its back', async () => {
    const id = uniqueId('st');
    await d.api('POST', '/v1/sandboxes', { id });
    await docker.getContainer(`s-${id}`).stop({ t: 1 });
    const r = await d.api('POST', '/v1/admin/reconcile');
    expect(r.body).toMatchObject({ started: 1, errors: [] });
    expect((await containerOf(id))?.State.Running).toBe(true);
  });

  it('stops a container started behind its back when the row wants it stopped', async () => {
    const id = uniqueId('sp');
    await d.api('POST', '/v1/sandboxes', { id });
    await d.api('POST', `/v1/sandboxes/${id}/stop`);
    await docker.getContainer(`s-${id}`).start();
    const r = await d.api('POST', '/v1/admin/reconcile');
    expect(r.body).toMatchObject({ stopped: 1, errors: [] });
    expect((await containerOf(id))?.State.Running).toBe(false);
  });

  it('removes a managed container that has no row, keeping its workspace', async () => {
    const id = uniqueId('orph');
    await d.api('POST', '/v1/sandboxes', { id });
    const ws = path.join(d.dataDir, 'workspaces', id);
    // Forget the row as if the DB had been restored from an older backup.
    const db = new Database(path.join(d.dataDir, 'state', 'sandboxd.db'));
    db.prepare('DELETE FROM sandboxes WHERE id = ?').run(id);
    db.close();
    const r = await d.api('POST', '/v1/admin/reconcile');
    expect(r.body.removed).toBeGreaterThanOrEqual(1);
    expect(await containerOf(id)).toBeNull();
    expect(existsSync(ws)).toBe(true);
    await d.waitForLog(/removed unknown container, workspace kept/);
  });

  it('never touches containers of another instance', async () => {
    const other = await startTestDaemon();
    try {
      const id = uniqueId('other');
      await other.api('POST', '/v1/sandboxes', { id });
      await d.api('POST', '/v1/admin/reconcile');
      expect((await containerOf(id))?.State.Running).toBe(true);
    } finally {
      await other.dispose();
    }
  });
});

describe('restarts', () => {
  it('heals a kill -9 between writing the row and starting the container', async () => {
    const id = uniqueId('crash');
    await d.kill();
    // Exactly what a crash after the INSERT leaves: a row that wants running, no container.
    const db = new Database(path.join(d.dataDir, 'state', 'sandboxd.db'));
    const now = Date.now();
    db.prepare(
      `INSERT INTO sandboxes (id, desired_state, observed_state, container_id, spec_json, env_json, created_at, updated_at, last_active_at)
       VALUES (?, 'running', 'none', NULL, ?, '{}', ?, ?, ?)`,
    ).run(id, JSON.stringify({ ports: [], memoryMb: 256, cpus: 1, idlePolicy: 'sleep', visibility: 'public', services: [] }), now, now, now);
    db.close();
    mkdirSync(path.join(d.dataDir, 'workspaces'), { recursive: true });
    await d.restart();
    expect((await containerOf(id))?.State.Running).toBe(true);
    const row = (await d.api('GET', `/v1/sandboxes/${id}`)).body;
    expect(row.status).toBe('running');
    expect(existsSync(path.join(d.dataDir, 'workspaces', id, 'workspace', 'app'))).toBe(true);
  });

  it('keeps sandboxes, their state and workspaces across a daemon restart', async () => {
    const a = uniqueId('keep');
    const b = uniqueId('keepst');
    await d.api('POST', '/v1/sandboxes', { id: a });
    await d.api('POST', '/v1/sandboxes', { id: b });
    await d.api('POST', `/v1/sandboxes/${a}/exec`, { cmd: ['sh', '-c', 'echo persisted > /home/sandbox/note.txt'] });
    await d.api('POST', `/v1/sandboxes/${b}/stop`);
    await d.restart();
    expect((await d.api('GET', `/v1/sandboxes/${a}`)).body.status).toBe('running');
    expect((await d.api('GET', `/v1/sandboxes/${b}`)).body.status).toBe('stopped');
    const e = await d.api('POST', `/v1/sandboxes/${a}/exec`, { cmd: ['cat', '/home/sandbox/note.txt'] });
    expect(e.body.stdout).toBe('persisted\n');
  });

  it('repairs drift periodically without a restart', async () => {
    const p = await startTestDaemon({ env: { SANDBOXD_RECONCILE_INTERVAL_SECONDS: '1' } });
    try {
      const id = uniqueId('drift');
      await p.api('POST', '/v1/sandboxes', { id });
      await docker.getContainer(`s-${id}`).remove({ force: true });
      await until(async () => (await containerOf(id))?.State.Running === true, 'the periodic reconciler to recreate it');
    } finally {
      await p.dispose();
    }
  });
});
