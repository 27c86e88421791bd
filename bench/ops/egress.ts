/**
 * The egress proxy and the model gateway beside direct connections, measured
 * from inside one sandbox in the same run, sides alternating round by round:
 *
 * - TLS connection set-up (TCP connect + full TLS 1.3 handshake, nothing sent
 *   after): to a name through the proxy (SNI read, policy checked, upstream
 *   connected, bytes spliced) vs the same host server by its allowed port;
 * - a 100 MB download over HTTP, through the proxy (Host read) vs direct;
 * - a model call's first byte (streamed Anthropic /v1/messages to the
 *   scripted model server): through the gateway with a running task's
 *   capability vs direct with the key.
 *
 * "ours" is through the proxy or gateway, "raw" direct: ratio = added cost.
 */
import { readFileSync } from 'node:fs';
import type { Series as SeriesT } from '../lib/result.js';
import { bothSides, type BenchContext, type BenchGroup } from '../lib/context.js';
import { BENCH_NAME, DOWNLOAD_BYTES } from '../lib/egress-servers.js';
import { Series, type ResultRow } from '../lib/result.js';

const ROUNDS = 5;
const TLS_PER_ROUND = 40;
const DOWNLOADS = 5;
const CALLS_PER_ROUND = 20;

/** Handshakes alternating between port A (proxy) and port B (direct), one by one: both sides see the same load. */
const TLS_SCRIPT = `const [host, portA, portB, sni, n] = process.argv.slice(1); const tls = require('tls'); const out = [[], []];
const one = (port) => new Promise((res, rej) => { const t = performance.now(); const s = tls.connect({ host, port: Number(port), servername: sni, rejectUnauthorized: false }, () => { res(performance.now() - t); s.destroy(); }); s.on('error', rej); });
(async () => { for (let i = 0; i < Number(n); i++) { const first = i % 2; for (const side of [first, 1 - first]) out[side].push(await one(side === 0 ? portA : portB)); }
console.log(JSON.stringify(out)); })().catch((e) => console.log(JSON.stringify({ error: e.message })));`;

const DOWNLOAD_SCRIPT = `const [host, port, name] = process.argv.slice(1); const t = performance.now();
require('http').get({ host, port: Number(port), path: '/100mb', headers: { host: name } }, (r) => { let n = 0; r.on('data', (c) => (n += c.length));
r.on('end', () => console.log(JSON.stringify([performance.now() - t, n]))); }).on('error', (e) => console.log(JSON.stringify({ error: e.message })));`;

/** Streamed calls alternating between A (gateway, capability) and B (direct, key), call by call, on kept-alive connections. */
const MODEL_SCRIPT = `const [urlA, keyA, urlB, keyB, n] = process.argv.slice(1); const out = [[], []];
const body = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] });
const one = async (url, key) => { const t = performance.now();
const r = await fetch(url + '/v1/messages', { method: 'POST', headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body });
const reader = r.body.getReader(); await reader.read(); const ms = performance.now() - t; while (!(await reader.read()).done); if (r.status !== 200) throw new Error('status ' + r.status); return ms; };
(async () => { for (let i = 0; i < Number(n); i++) { const first = i % 2; for (const side of [first, 1 - first]) out[side].push(side === 0 ? await one(urlA, keyA) : await one(urlB, keyB)); }
console.log(JSON.stringify(out)); })().catch((e) => console.log(JSON.stringify({ error: e.message })));`;

async function run<T>(ctx: BenchContext, id: string, script: string, args: string[]): Promise<T> {
  const r = await ctx.daemon.api<{ stdout: string }>('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['node', '-e', script, ...args], timeout_s: 300 });
  const parsed = JSON.parse(r.body.stdout.trim() || '{"error":"no output"}') as T | { error: string };
  if (!Array.isArray(parsed)) throw new Error((parsed as { error: string }).error);
  return parsed;
}

/** Two interleaved series from one script: [ours, raw]. */
async function intoBoth(pair: { ours: SeriesT; raw: SeriesT }, samples: Promise<[number[], number[]]>): Promise<void> {
  try {
    const [ours, raw] = await samples;
    for (const ms of ours) pair.ours.add(ms);
    for (const ms of raw) pair.raw.add(ms);
  } catch (err) {
    pair.ours.fail(err);
    pair.raw.fail(err);
  }
}

/** A claude-code task held mid-flight through the gateway; its capability, read where the agent has it. */
async function heldCapability(ctx: BenchContext, id: string): Promise<{ capability: string; release: () => void }> {
  const hold = ctx.model!.holdFinal();
  const body = { agent: 'claude-code', prompt: 'FILE=held.txt CONTENT=x', model: 'claude-sonnet-4-5', base_url: ctx.model!.hostUrl, env: { ANTHROPIC_API_KEY: 'bench-key' } };
  const r = await ctx.daemon.api('POST', `/v1/sandboxes/${id}/tasks`, body);
  if (r.status !== 202) throw new Error(`task: ${r.status}`);
  await hold.held;
  const env = await ctx.daemon.api<{ stdout: string }>('POST', `/v1/sandboxes/${id}/exec`, {
    cmd: ['sh', '-c', 'cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n" | grep -m1 ^ANTHROPIC_API_KEY=sbx-cap-'],
  });
  const capability = env.body.stdout.trim().split('=')[1];
  if (!capability) throw new Error('no capability found in the agent env');
  return { capability, release: hold.release };
}

export const egressGroup: BenchGroup = {
  name: 'egress',
  async unavailable(ctx) {
    if (!ctx.egress || !ctx.model) return 'no host servers';
    return ctx.daemon.config.networkIsolation ? null : 'network isolation is off (no egress proxy redirect)';
  },
  async run(ctx) {
    const id = `b${ctx.tag}-egress`;
    const servers = ctx.egress!;
    const gw = (await ctx.docker.getNetwork(ctx.daemon.config.network).inspect()).IPAM!.Config![0].Gateway!;
    await ctx.ours.create({ id });
    const tls = { ours: new Series(), raw: new Series() };
    const dl = { ours: new Series(), raw: new Series() };
    const call = { ours: new Series(), raw: new Series() };
    /** The daemon's CPU time (user + system) per proxied download: what splicing 100 MB costs it. */
    const proxyCpu: number[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        ctx.progress(`egress: TLS set-up round ${i + 1}/${ROUNDS}`);
        await intoBoth(tls, run(ctx, id, TLS_SCRIPT, [gw, '443', String(servers.tlsPort), BENCH_NAME, String(TLS_PER_ROUND)]));
      }
      for (let i = 0; i < DOWNLOADS; i++) {
        ctx.progress(`egress: 100 MB download ${i + 1}/${DOWNLOADS}`);
        const one = async (s: SeriesT, port: string, cpu?: number[]): Promise<void> => {
          try {
            const before = daemonCpuMs(ctx);
            const [ms, bytes] = await run<number[]>(ctx, id, DOWNLOAD_SCRIPT, [gw, port, BENCH_NAME]);
            if (bytes !== DOWNLOAD_BYTES) throw new Error(`got ${bytes} bytes`);
            s.add(ms);
            cpu?.push(daemonCpuMs(ctx) - before);
          } catch (err) {
            s.fail(err);
          }
        };
        await bothSides(i, () => one(dl.ours, '80', proxyCpu), () => one(dl.raw, String(servers.httpPort)));
      }
      const held = await heldCapability(ctx, id);
      try {
        for (let i = 0; i < ROUNDS; i++) {
          ctx.progress(`egress: model calls round ${i + 1}/${ROUNDS}`);
          const gateway = `http://${gw}:${ctx.daemon.config.gatewayPort}`;
          await intoBoth(call, run(ctx, id, MODEL_SCRIPT, [gateway, held.capability, `http://${gw}:${ctx.model!.port}`, 'bench-key', String(CALLS_PER_ROUND)]));
        }
      } finally {
        held.release();
      }
    } finally {
      await ctx.ours.purge(id).catch(() => undefined);
    }
    const mbps = (s: SeriesT): string => (s.samples.length ? ((DOWNLOAD_BYTES / 1e6) / (median(s.samples) / 1000)).toFixed(0) : '?');
    const rows: ResultRow[] = [
      { kind: 'latency', op: 'TLS connect + handshake, from a sandbox', ...tls, note: 'ours: to a name through the egress proxy (SNI); raw: the same host server, direct' },
      {
        kind: 'latency',
        op: '100 MB HTTP download, from a sandbox',
        ...dl,
        note: `ours: through the egress proxy (Host) ≈ ${mbps(dl.ours)} MB/s, daemon CPU ≈ ${proxyCpu.length ? median(proxyCpu).toFixed(0) : '?'} ms per download; raw: direct ≈ ${mbps(dl.raw)} MB/s`,
      },
      { kind: 'latency', op: 'model call → first byte, from a sandbox', ...call, note: 'streamed /v1/messages to the scripted model server; ours: through the gateway (capability); raw: direct (key)' },
    ];
    return rows;
  },
};

/** utime + stime of the daemon process, in ms (clock ticks of 10 ms). */
function daemonCpuMs(ctx: BenchContext): number {
  const stat = readFileSync(`/proc/${ctx.daemon.pid()}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}
