/**
 * Metadata filters and pagination of the sandbox list over 300 rows, with
 * real sandboxes created while a client pages through them. Creating 300 real
 * containers would take most of an hour on a 2-core box, so 300 rows go into
 * the daemon's SQLite through the real store code before it boots (stopped,
 * no container: boot has nothing to do for them, as in bench/ops/list.ts);
 * the sandboxes created during the walk are real (containers, disks).
 */
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateDir } from '../../src/domain/layout.js';
import { openDb } from '../../src/store/db.js';
import { SandboxStore } from '../../src/store/sandboxes.js';
import { loadSecretKey } from '../../src/store/sealed.js';
import { testDataPrefix } from '../helpers/cleanup.js';
import { startTestDaemon, testRunId, uniqueId, type ApiResponse, type TestDaemon } from '../helpers/daemon.js';

const ROWS = 300;
const prefix = uniqueId('l');
const rowId = (i: number) => `${prefix}-${String(i).padStart(3, '0')}`;
let d: TestDaemon;

/** 300 stopped sandboxes: user = i % 30 (10 rows per user), plan alternating, created a second apart before now. */
function fill(dataDir: string): void {
  const db = openDb(path.join(stateDir(dataDir), 'sandboxd.db'));
  try {
    const store = new SandboxStore(db, loadSecretKey(dataDir));
    const spec = { ports: [3000], memoryMb: 256, cpus: 1, idlePolicy: 'sleep' as const, visibility: 'public' as const, services: [] };
    const start = Date.now() - ROWS * 1000;
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) {
        const metadata = { user: String(i % 30), plan: i % 2 === 0 ? 'free' : 'pro', row: String(i) };
        if (!store.insert({ id: rowId(i), spec, env: {}, metadata, now: start + i * 1000 })) throw new Error(`${rowId(i)} exists`);
        store.setDesired(rowId(i), 'stopped', start + i * 1000);
      }
    })();
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  const dataDir = mkdtempSync(testDataPrefix(testRunId()));
  fill(dataDir);
  d = await startTestDaemon({ dataDir });
});

afterAll(async () => {
  await d?.dispose();
});

const ids = (body: any): string[] => body.sandboxes.map((s: any) => s.id);

async function walk(query: string, limit: number, between: () => Promise<void> = async () => undefined): Promise<{ seen: string[]; pages: number }> {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r: ApiResponse = await d.api('GET', `/v1/sandboxes?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.count).toBe(r.body.sandboxes.length);
    expect(r.body.count).toBeLessThanOrEqual(limit);
    seen.push(...ids(r.body));
    cursor = r.body.next_cursor;
    pages++;
    await between();
  } while (cursor !== null);
  return { seen, pages };
}

describe('the sandbox list over 300 rows', () => {
  const created: string[] = [];
  const deleted: string[] = [];

  it('answers every row at once without limit or cursor, as before pagination, with next_cursor null', async () => {
    const r = await d.api('GET', '/v1/sandboxes');
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(ROWS);
    expect(r.body.next_cursor).toBeNull();
    expect(ids(r.body)).toEqual(Array.from({ length: ROWS }, (_, i) => rowId(i)));
    expect(r.body.sandboxes[7]).toMatchObject({ status: 'stopped', metadata: { user: '7', plan: 'pro', row: '7' } });
    expect((await d.api('GET', '/sandboxes')).body.count).toBe(ROWS);
  });

  it('pages through every row once while real sandboxes are created and rows deleted between the pages', async () => {
    // Given creates running concurrently with the walk (one started before each page is read), and
    // rows already seen deleted between pages: an offset would then skip rows, a keyset does not.
    const inFlight: Promise<void>[] = [];
    const startCreate = (): void => {
      if (created.length >= 4) return;
      const id = `${prefix}-new${created.length}`;
      created.push(id);
      inFlight.push(
        d.api('POST', '/v1/sandboxes', { id, metadata: { user: '7', plan: 'pro', row: 'new' } }).then((r) => {
          expect(r.status, JSON.stringify(r.body)).toBe(201);
        }),
      );
    };
    const betweenPages = async (): Promise<void> => {
      if (deleted.length < 6) {
        deleted.push(rowId(deleted.length));
        expect((await d.api('DELETE', `/v1/sandboxes/${deleted.at(-1)}`)).status).toBe(200);
      }
      startCreate();
    };
    startCreate();
    const { seen, pages } = await walk('', 40, betweenPages);
    await Promise.all(inFlight);
    // Then every row that existed before the walk came exactly once and in order; nothing came twice.
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => !created.includes(id))).toEqual(Array.from({ length: ROWS }, (_, i) => rowId(i)));
    expect(pages).toBeGreaterThanOrEqual(8);
    // And a walk now sees exactly what one unpaginated list answers.
    const all = ids((await d.api('GET', '/v1/sandboxes')).body);
    expect(deleted.length).toBe(6);
    expect(all.length).toBe(ROWS - deleted.length + created.length);
    expect((await walk('', 33)).seen).toEqual(all);
    expect((await walk('', 1000)).pages).toBe(1);
  });

  it('filters on metadata (exact, ANDed) and on status, paged or not', async () => {
    const user7 = Array.from({ length: 10 }, (_, k) => rowId(7 + 30 * k));
    const r = await d.api('GET', '/v1/sandboxes?metadata.user=7&status=stopped');
    expect(ids(r.body)).toEqual(user7);
    expect(r.body.next_cursor).toBeNull();
    // The example of the API: the running sandbox of user 7.
    expect(ids((await d.api('GET', '/v1/sandboxes?metadata.user=7&status=running')).body).sort()).toEqual([...created].sort());
    expect(ids((await d.api('GET', '/v1/sandboxes?metadata.user=7&metadata.plan=pro&metadata.row=37')).body)).toEqual([rowId(37)]);
    expect(ids((await d.api('GET', '/v1/sandboxes?metadata.user=7&metadata.plan=free')).body)).toEqual([]);
    expect(ids((await d.api('GET', '/v1/sandboxes?metadata.user=70')).body)).toEqual([]);
    // Rows 0-5 were deleted: three of them free.
    expect((await d.api('GET', '/v1/sandboxes?metadata.plan=free')).body.count).toBe(ROWS / 2 - 3);
    expect((await d.api('GET', '/v1/sandboxes?status=running')).body.count).toBe(created.length);
    expect((await walk('metadata.user=7&status=stopped', 3)).seen).toEqual(user7);
  });

  it('follows a PATCH of metadata and keeps it across a restart', async () => {
    const id = created[0];
    const patched = await d.api('PATCH', `/v1/sandboxes/${id}`, { metadata: { user: '8', row: null, team: 'red' } });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata).toEqual({ user: '8', plan: 'pro', team: 'red' });
    expect(ids((await d.api('GET', '/v1/sandboxes?metadata.team=red')).body)).toEqual([id]);
    expect(ids((await d.api('GET', '/v1/sandboxes?metadata.user=7&status=running')).body)).not.toContain(id);
    await d.restart();
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).body.metadata).toEqual({ user: '8', plan: 'pro', team: 'red' });
    expect(ids((await d.api('GET', '/v1/sandboxes?metadata.team=red')).body)).toEqual([id]);
  });

  it.each([
    ['limit=0', /querystring.limit/],
    ['limit=1001', /querystring.limit/],
    ['limit=ten', /querystring.limit/],
    ['cursor=bm90IGEgY3Vyc29y', /querystring.cursor: not a cursor of this list/],
    ['status=sleeping', /querystring.status/],
    ['metdata.user=7', /querystring.metdata.user: unknown parameter/],
    ['metadata.user=7&metadata.user=8', /give each metadata filter once/],
    ['metadata.=7', /querystring.metadata.: key/],
    [Array.from({ length: 17 }, (_, i) => `metadata.k${i}=v`).join('&'), /at most 16 metadata filters/],
  ])('refuses ?%s with a 400 naming the parameter', async (query, problem) => {
    const r: ApiResponse = await d.api('GET', `/v1/sandboxes?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(problem);
  });

  it('refuses a cursor of another list', async () => {
    const page = await d.api('GET', `/v1/sandboxes/${created[1]}/snapshots?limit=1`);
    expect(page.body).toMatchObject({ snapshots: [], count: 0, next_cursor: null, size_bytes: 0 });
    const sandboxesCursor = (await d.api('GET', '/v1/sandboxes?limit=1')).body.next_cursor;
    const r = await d.api('GET', `/v1/sandboxes/${created[1]}/tasks?cursor=${sandboxesCursor}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^querystring.cursor: not a cursor of this list of tasks/);
  });
});
