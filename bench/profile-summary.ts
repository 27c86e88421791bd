/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [seconds]`: where the
 * daemon's CPU went, from a profile written by `BENCH_CPU_PROF=<dir> npm run
 * bench` (node --cpu-prof). With `seconds`, only the busiest window of that
 * length counts (e.g. 5 for the edge group's load phase, leaving out boot and
 * setup). Prints self time by area (our edge, undici, Node's HTTP and net,
 * GC…) and the top functions. Figures only.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Sample indexes [from, to) of the window of `ms` with the most non-idle samples. */
function busiestWindow(p: Profile, idle: Set<number>, ms: number): [number, number] {
  const at: number[] = [];
  let t = p.startTime;
  for (const d of p.timeDeltas) at.push((t += d));
  let best: [number, number] = [0, p.samples.length];
  let bestBusy = -1;
  let busy = 0;
  let from = 0;
  for (let to = 0; to < p.samples.length; to++) {
    if (!idle.has(p.samples[to])) busy++;
    while (at[to] - at[from] > ms * 1000) if (!idle.has(p.samples[from++])) busy--;
    if (busy > bestBusy) [bestBusy, best] = [busy, [from, to + 1]];
  }
  return best;
}

const AREAS: [string, RegExp][] = [
  ['idle', /^\(idle\)$/],
  ['garbage collector', /^\(garbage collector\)$/],
  ['program (native, unattributed)', /^\(program\)$/],
  ['sandboxed edge', /\/dist\/edge\//],
  ['sandboxed, other', /\/dist\//],
  ['undici', /node_modules\/undici\//],
  ['http-proxy-3', /node_modules\/http-proxy-3\//],
  ['pino', /node_modules\/(pino|sonic-boom|thread-stream)/],
  ['other packages', /node_modules\//],
  ["Node's HTTP (server and parser glue)", /node:_http_|node:internal\/http/],
  ["Node's net and streams", /node:net|node:internal\/streams|node:stream|node:internal\/stream_base|node:internal\/net/],
  ['Node, other', /^node:/],
  ['native / builtin', /^$/],
];

function area(n: Node): string {
  const key = n.callFrame.url || n.callFrame.functionName;
  for (const [name, re] of AREAS) if (re.test(n.callFrame.url) || re.test(key)) return name;
  return 'other';
}

function main(file: string, windowS: number | null): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const [from, to] = windowS ? busiestWindow(p, idle, windowS * 1000) : [0, p.samples.length];
  const counts = new Map<number, number>();
  for (let i = from; i < to; i++) counts.set(p.samples[i], (counts.get(p.samples[i]) ?? 0) + 1);
  const hits = to - from;
  const totalMs = windowS ? windowS * 1000 : (p.endTime - p.startTime) / 1000;
  const msPerHit = totalMs / Math.max(1, hits);
  const byArea = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const n of p.nodes) {
    const h = counts.get(n.id) ?? 0;
    if (h === 0) continue;
    const a = area(n);
    byArea.set(a, (byArea.get(a) ?? 0) + h);
    const url = n.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/');
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
    byFn.set(fn, (byFn.get(fn) ?? 0) + h);
  }
  const busy = hits - (byArea.get('idle') ?? 0);
  const pct = (h: number, of: number) => `${((100 * h) / Math.max(1, of)).toFixed(1)}%`.padStart(6);
  process.stdout.write(`${file}: ${(totalMs / 1000).toFixed(1)} s ${windowS ? '(busiest window)' : 'profiled'}, ${hits} samples, busy ${pct(busy, hits)}\n\nself time by area (share of busy time):\n`);
  for (const [a, h] of [...byArea].filter(([a]) => a !== 'idle').sort((x, y) => y[1] - x[1])) {
    process.stdout.write(`  ${pct(h, busy)}  ${(h * msPerHit).toFixed(0).padStart(7)} ms  ${a}\n`);
  }
  process.stdout.write('\ntop functions by self time (share of busy time):\n');
  for (const [fn, h] of [...byFn].filter(([f]) => !f.startsWith('(idle)')).sort((x, y) => y[1] - x[1]).slice(0, 30)) {
    process.stdout.write(`  ${pct(h, busy)}  ${fn}\n`);
  }
}

const [file, seconds] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: tsx bench/profile-summary.ts <file.cpuprofile> [seconds]\n');
  process.exit(2);
}
main(file, seconds ? Number(seconds) : null);
