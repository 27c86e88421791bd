/**
 * gVisor beside runc, both through our API on the same daemon, alternating
 * which goes first: create → first exec, exec round trip, app throughput
 * through the built-in edge, idle host memory of a sandbox serving an app,
 * and `npm install` of a real project (express 4, 71 packages) from a warm npm
 * cache, which is mostly file system calls. In these rows the "ours" column
 * is gVisor and the "raw" column runc, so the ratio is gVisor's overhead.
 */
import autocannon from 'autocannon';
import { previewHost } from '../../src/edge/hosts.js';
import { bothSides, type BenchContext, type BenchGroup } from '../lib/context.js';
import { sleep } from '../lib/daemon.js';
import { hostMemory, type HostMemory } from '../lib/host-memory.js';
import { until } from '../lib/probe.js';
import { Series, type ResultRow } from '../lib/result.js';
import { appAnswers, edgeUnavailable, expect200, NODE_WEB_SERVICE, WEB_PORT } from '../lib/web.js';

type Runtime = 'gvisor' | 'runc';
const RUNTIMES: Runtime[] = ['gvisor', 'runc'];
const COLUMNS = 'ours column = gVisor, raw column = runc (both through sandboxd)';
const IDLE_MS = 10_000;
const NPM_RUNS = 5;
const NPM_PROJECT = 'express@4.21.2';

/** Both runtimes, in an order that alternates with i. */
function each(i: number, fn: (rt: Runtime) => Promise<void>): Promise<void> {
  return bothSides(i, () => fn('gvisor'), () => fn('runc'));
}

async function create(ctx: BenchContext, id: string, runtime: Runtime, extra: Record<string, unknown> = {}): Promise<void> {
  const r = await ctx.daemon.api('POST', '/v1/sandboxes', { id, runtime, ...extra });
  if (r.status !== 201) throw new Error(`create ${runtime} → ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
}

async function exec(ctx: BenchContext, id: string, script: string, timeoutS = 120): Promise<string> {
  const r = await ctx.daemon.api<{ exit_code: number; stdout: string; stderr: string }>('POST', `/v1/sandboxes/${id}/exec`, {
    cmd: ['sh', '-c', script],
    timeout_s: timeoutS,
  });
  if (r.status !== 200 || r.body.exit_code !== 0) throw new Error(`exec in ${id}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body.stdout;
}

async function startup(ctx: BenchContext): Promise<ResultRow> {
  const s: Record<Runtime, Series> = { gvisor: new Series(), runc: new Series() };
  const n = Math.min(ctx.settings.n, 10);
  for (let i = -1; i < n; i++) {
    ctx.progress(`runtimes: create → first exec ${i + 1}/${n}`);
    await each(i, async (rt) => {
      const id = `b${ctx.tag}-rt-${rt}-${i + 1}`;
      // i = -1 is an untimed warm-up.
      const series = i < 0 ? new Series() : s[rt];
      await series.time(async () => {
        await create(ctx, id, rt);
        await until('first exec', async () => (await ctx.ours.exec(id, ['true'])) === 0, 30_000);
      });
      await ctx.ours.purge(id).catch(() => undefined);
    });
  }
  return { kind: 'latency', op: 'gVisor vs runc: create → first exec', ours: s.gvisor, raw: s.runc, note: COLUMNS };
}

async function roundTrip(ctx: BenchContext, ids: Record<Runtime, string>): Promise<ResultRow> {
  const s: Record<Runtime, Series> = { gvisor: new Series(), runc: new Series() };
  for (let i = -3; i < ctx.settings.execN; i++) {
    ctx.progress(`runtimes: exec round trip ${Math.max(0, i + 1)}/${ctx.settings.execN}`);
    await each(i, async (rt) => {
      await (i < 0 ? new Series() : s[rt]).time(async () => {
        if ((await ctx.ours.exec(ids[rt], ['true'])) !== 0) throw new Error('exit code');
      });
    });
  }
  return { kind: 'latency', op: 'gVisor vs runc: exec `true` round trip', ours: s.gvisor, raw: s.runc, note: `3 untimed warm-up execs each; ${COLUMNS}` };
}

async function throughput(ctx: BenchContext, ids: Record<Runtime, string>): Promise<ResultRow> {
  const { throughputSeconds: duration, throughputConnections: connections } = ctx.settings;
  const rps: Record<Runtime, number> = { gvisor: 0, runc: 0 };
  const hosts = { gvisor: previewHost(ids.gvisor, WEB_PORT, ctx.daemon.config.previewDomain), runc: previewHost(ids.runc, WEB_PORT, ctx.daemon.config.previewDomain) };
  for (const rt of RUNTIMES) await expect200(`${ctx.daemon.edgeUrl}/`, hosts[rt]);
  // Halves in the order gVisor, runc, runc, gVisor: load from elsewhere on the host hits both alike.
  for (let i = 0; i < 2; i++) {
    await each(i, async (rt) => {
      ctx.progress(`runtimes: edge throughput, ${rt}, ${duration / 2} s`);
      const r = await autocannon({ url: `${ctx.daemon.edgeUrl}/`, headers: { host: hosts[rt] }, connections, duration: duration / 2 });
      rps[rt] += r.requests.average / 2;
    });
  }
  return {
    kind: 'value',
    op: 'gVisor vs runc: app throughput via the edge',
    unit: 'req/s',
    ours: rps.gvisor,
    raw: rps.runc,
    note: `autocannon, ${connections} connections, ${duration} s each in two alternating halves, minimal Node app; below 1: gVisor serves fewer; ${COLUMNS}`,
  };
}

async function idleMemory(ctx: BenchContext, ids: Record<Runtime, string>): Promise<ResultRow[]> {
  await sleep(IDLE_MS);
  const mem = {} as Record<Runtime, HostMemory>;
  for (const rt of RUNTIMES) {
    const sb = (await ctx.daemon.api<{ container_id: string }>('GET', `/v1/sandboxes/${ids[rt]}`)).body;
    const pid = (await ctx.docker.getContainer(sb.container_id).inspect()).State.Pid;
    mem[rt] = await hostMemory(pid);
  }
  const procs =
    `host processes: gVisor ${mem.gvisor.processes} (sentry, gofer, stubs), runc ${mem.runc.processes}; ` +
    `their RSS summed (shared pages counted per process): gVisor ${mem.gvisor.rssMiB.toFixed(1)} MiB, runc ${mem.runc.rssMiB.toFixed(1)} MiB`;
  return [
    {
      kind: 'value',
      op: 'gVisor vs runc: idle host memory (PSS)',
      unit: 'MiB',
      ours: mem.gvisor.pssMiB,
      raw: mem.runc.pssMiB,
      note: `a sandbox serving a Node app, ${IDLE_MS / 1000} s idle; PSS summed over its memory cgroup's processes; ${procs}; ${COLUMNS}`,
    },
    {
      kind: 'value',
      op: 'gVisor vs runc: idle memory cgroup usage',
      unit: 'MiB',
      ours: mem.gvisor.cgroupMiB,
      raw: mem.runc.cgroupMiB,
      note: `the same sandboxes; the cgroup's figure adds the page cache they caused; ${COLUMNS}`,
    },
  ];
}

async function npmInstall(ctx: BenchContext, ids: Record<Runtime, string>): Promise<ResultRow> {
  const s: Record<Runtime, Series> = { gvisor: new Series(), runc: new Series() };
  const install = (dir: string): string =>
    `mkdir -p $HOME/${dir} && cd $HOME/${dir} && npm init -y >/dev/null && npm install --no-audit --no-fund --prefer-offline ${NPM_PROJECT} >/dev/null && ls node_modules | wc -l`;
  // Untimed: fills each sandbox's npm cache from the registry.
  for (const rt of RUNTIMES) await exec(ctx, ids[rt], install('warm'), 600);
  for (let i = 0; i < NPM_RUNS; i++) {
    ctx.progress(`runtimes: npm install ${i + 1}/${NPM_RUNS}`);
    await each(i, async (rt) => {
      await s[rt].time(async () => {
        if (Number(await exec(ctx, ids[rt], install(`p${i}`), 600)) < 50) throw new Error('fewer packages than express has');
      });
    });
  }
  return {
    kind: 'latency',
    op: `gVisor vs runc: npm install ${NPM_PROJECT}`,
    ours: s.gvisor,
    raw: s.runc,
    note: `71 packages into a new dir, npm cache warm (--prefer-offline), one exec each; ${COLUMNS}`,
  };
}

export const runtimeComparison: BenchGroup = {
  name: 'runtimes',
  async unavailable(ctx) {
    const runtimes = Object.keys(((await ctx.docker.info()) as { Runtimes?: object }).Runtimes ?? {});
    const name = ctx.daemon.config.gvisorRuntime;
    if (!runtimes.includes(name)) return `Docker has no runtime ${name} (bash scripts/lib/gvisor.sh setup)`;
    return edgeUnavailable(ctx);
  },
  async run(ctx) {
    const rows: ResultRow[] = [await startup(ctx)];
    const ids: Record<Runtime, string> = { gvisor: `b${ctx.tag}-rt-gvisor`, runc: `b${ctx.tag}-rt-runc` };
    try {
      for (const rt of RUNTIMES) {
        ctx.progress(`runtimes: creating a ${rt} sandbox with a web service`);
        await create(ctx, ids[rt], rt, { ports: [WEB_PORT], services: [NODE_WEB_SERVICE] });
        const sb = (await ctx.daemon.api<{ container_id: string }>('GET', `/v1/sandboxes/${ids[rt]}`)).body;
        await appAnswers(ctx, ctx.docker.getContainer(sb.container_id));
      }
      rows.push(await roundTrip(ctx, ids));
      rows.push(...(await idleMemory(ctx, ids)));
      rows.push(await throughput(ctx, ids));
      rows.push(await npmInstall(ctx, ids));
    } finally {
      for (const rt of RUNTIMES) await ctx.ours.purge(ids[rt]).catch(() => undefined);
    }
    return rows;
  },
};
