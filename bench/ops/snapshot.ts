/**
 * Snapshot and restore of a workspace holding a real node_modules (npm install
 * of a Next.js app's dependencies, ~300 MB in ~20,000 files), beside copying
 * the same tree on the host with `cp -a` and with `tar c | tar x`, in one run.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext, BenchGroup } from '../lib/context.js';
import { Series, type ResultRow } from '../lib/result.js';

const PACKAGES = ['next@15', 'react@19', 'react-dom@19', 'typescript@5', 'eslint@9', '@types/node@22', '@types/react@19'];

async function sh(ctx: BenchContext, id: string, script: string): Promise<string> {
  const r = await ctx.daemon.api<{ exit_code: number; stdout: string; stderr: string }>('POST', `/v1/sandboxes/${id}/exec`, {
    cmd: ['sh', '-c', script],
    timeout_s: 900,
  });
  if (r.status !== 200 || r.body.exit_code !== 0) throw new Error(`${script}: ${r.body.stderr?.slice(-500) ?? r.status}`);
  return r.body.stdout;
}

function time(series: Series, fn: () => void): void {
  const t0 = performance.now();
  fn();
  series.add(performance.now() - t0);
}

export const snapshotGroup: BenchGroup = {
  name: 'snapshot',
  async run(ctx) {
    const id = `b${ctx.tag}-snap`;
    await ctx.ours.create({ id, disk_mb: 4096 });
    const scratch = path.join(ctx.daemon.dataDir, '..', 'copies');
    try {
      ctx.progress('snapshot: npm install of a Next.js app (a real node_modules)');
      await sh(ctx, id, `cd ~/workspace/app && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error ${PACKAGES.join(' ')} >/dev/null`);
      const [files, mb] = (await sh(ctx, id, 'cd ~/workspace/app && find node_modules -type f | wc -l && du -sm node_modules | cut -f1')).trim().split('\n');
      const tree = path.join(ctx.daemon.dataDir, 'workspaces', id, 'workspace', 'app', 'node_modules');
      const snapshot = new Series();
      const restore = new Series();
      const cpA = new Series();
      const tar = new Series();
      let snap = '';
      const rounds = Math.min(ctx.settings.cycles, 10);
      for (let i = 0; i < rounds; i++) {
        ctx.progress(`snapshot: ${i + 1}/${rounds}`);
        await snapshot.time(async () => {
          const r = await ctx.daemon.api<{ id: string }>('POST', `/v1/sandboxes/${id}/snapshots`, {});
          if (r.status !== 201) throw new Error(`snapshot → ${r.status}`);
          snap = r.body.id;
        });
        await restore.time(async () => {
          const r = await ctx.daemon.api('POST', `/v1/sandboxes/${id}/snapshots/${snap}/restore`);
          if (r.status !== 200) throw new Error(`restore → ${r.status}`);
        });
        // Untimed: keep within the per-sandbox snapshot limits.
        for (const s of (await ctx.daemon.api<{ snapshots: { id: string }[] }>('GET', `/v1/sandboxes/${id}/snapshots`)).body.snapshots) {
          await ctx.daemon.api('DELETE', `/v1/sandboxes/${id}/snapshots/${s.id}`);
        }
        rmSync(scratch, { recursive: true, force: true });
        time(cpA, () => execFileSync('cp', ['-a', tree, scratch]));
        rmSync(scratch, { recursive: true, force: true });
        execFileSync('mkdir', ['-p', scratch]);
        time(tar, () => execFileSync('sh', ['-c', 'tar -C "$1" -cf - . | tar -C "$2" -xf -', 'sh', tree, scratch]));
        rmSync(scratch, { recursive: true, force: true });
      }
      const what = `${mb} MB in ${files} files (npm install of ${PACKAGES.length} packages)`;
      const rows: ResultRow[] = [
        { kind: 'latency', op: 'snapshot of a workspace', ours: snapshot, raw: cpA, note: `${what}; raw: cp -a of node_modules on the host; ours: filesystem frozen, image copied (sparse or reflink)` },
        { kind: 'latency', op: 'restore (sandbox running)', ours: restore, raw: tar, note: `raw: tar c | tar x of node_modules on the host; ours: stop, swap the disk image, start` },
      ];
      return rows;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await ctx.ours.purge(id).catch(() => undefined);
    }
  },
};
