/**
 * GET /v1/sandboxes with 1,000 rows, and the daemon's RSS around it; then the
 * same rows filtered on metadata (10 of them match) and one page of 100. Rows
 * go straight into the daemon's SQLite (through the store, while the daemon is
 * stopped): desired stopped, observed none, no container, so boot reconcile
 * has nothing to do. The raw counterpart, GET /containers/json over 1,000 real
 * containers, is not measured: creating them would dominate the whole run.
 * Restarts the daemon, so it runs last.
 */
import path from 'node:path';
import { openDb } from '../../src/store/db.js';
import { SandboxStore } from '../../src/store/sandboxes.js';
import { loadSecretKey } from '../../src/store/sealed.js';
import { stateDir } from '../../src/domain/layout.js';
import type { BenchContext, BenchGroup } from '../lib/context.js';
import { sleep } from '../lib/daemon.js';
import { Series, type ResultRow } from '../lib/result.js';

const SETTLE_MS = 1000;
const RAW_NOTE = 'n/a: would need as many real containers';

function insertRows(ctx: BenchContext, count: number): void {
  const cfg = ctx.daemon.config;
  const db = openDb(path.join(stateDir(cfg.dataDir), 'sandboxd.db'));
  try {
    const store = new SandboxStore(db, loadSecretKey(cfg.dataDir));
    const now = Date.now();
    const spec = { ports: [3000], memoryMb: cfg.defaultMemoryMb, cpus: cfg.defaultCpus, idlePolicy: 'sleep' as const, visibility: 'public' as const, services: [] };
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const id = `b${ctx.tag}-row${i}`;
        const metadata = { user: String(i % 100), plan: i % 2 === 0 ? 'free' : 'pro' };
        if (!store.insert({ id, spec, env: {}, metadata, now: now + i })) throw new Error(`row ${id} exists`);
        store.setDesired(id, 'stopped', now + i);
      }
    })();
  } finally {
    db.close();
  }
}

async function rssAfterBoot(ctx: BenchContext): Promise<number> {
  await ctx.daemon.start();
  await sleep(SETTLE_MS);
  return ctx.daemon.rssMiB();
}

/** GET /v1/sandboxes?<query> listCalls times; each answer must hold `want` sandboxes. */
async function timeList(ctx: BenchContext, what: string, query: string, want: number): Promise<Series> {
  const series = new Series();
  for (let i = 0; i < ctx.settings.listCalls; i++) {
    ctx.progress(`${what} ${i + 1}/${ctx.settings.listCalls}`);
    await series.time(async () => {
      const { count } = await ctx.ours.list(query);
      if (count !== want) throw new Error(`?${query} listed ${count} sandboxes, expected ${want}`);
    });
  }
  return series;
}

export const listRows: BenchGroup = {
  name: 'list',
  async run(ctx) {
    const { listRows: rows, listCalls } = ctx.settings;
    ctx.progress('list: restarting the daemon with no live rows');
    await ctx.daemon.stop();
    const rssEmpty = await rssAfterBoot(ctx);
    const before = (await ctx.ours.list()).count;

    ctx.progress(`list: inserting ${rows} rows with the daemon stopped`);
    await ctx.daemon.stop();
    insertRows(ctx, rows);
    const rssBefore = await rssAfterBoot(ctx);

    const series = new Series();
    for (let i = 0; i < listCalls; i++) {
      ctx.progress(`list: GET /v1/sandboxes ${i + 1}/${listCalls}`);
      await series.time(async () => {
        const { count } = await ctx.ours.list();
        if (count !== before + rows) throw new Error(`listed ${count} sandboxes, expected ${before + rows}`);
      });
    }
    const rssAfter = await ctx.daemon.rssMiB();
    const filtered = await timeList(ctx, 'list: filtered on metadata', 'metadata.user=7&status=stopped', Math.floor((rows + 92) / 100));
    const paged = await timeList(ctx, 'list: one page', 'limit=100', Math.min(100, before + rows));

    const label = rows.toLocaleString('en-US');
    const result: ResultRow[] = [
      { kind: 'latency', op: `list, ${label} rows`, ours: series, raw: null, rawNote: RAW_NOTE, note: 'first call after boot included' },
      { kind: 'latency', op: `list ?metadata.user=7&status=stopped, ${label} rows`, ours: filtered, raw: null, rawNote: RAW_NOTE },
      { kind: 'latency', op: `list ?limit=100, ${label} rows`, ours: paged, raw: null, rawNote: RAW_NOTE },
      { kind: 'value', op: `daemon RSS after boot, ${before} live rows`, unit: 'MiB', ours: rssEmpty, raw: null },
      { kind: 'value', op: `daemon RSS after boot, ${label} rows`, unit: 'MiB', ours: rssBefore, raw: null },
      { kind: 'value', op: `daemon RSS after ${listCalls} lists, ${label} rows`, unit: 'MiB', ours: rssAfter, raw: null },
    ];
    return result;
  },
};
