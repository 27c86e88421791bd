/**
 * In-sandbox idle overhead: the RSS of every process in an idle sandbox that
 * is not one of the user's services (docker-init, sandboxed-init and its
 * transient `sleep`), read from /proc through one exec. Service processes are
 * recognised by their session (each service runs under setsid; its session id
 * is the pid sandboxed-init publishes in ~/.sandboxed/status/<name>.json); the
 * measuring exec's own process tree is left out. No raw counterpart: a raw
 * container runs the same image and init.
 */
import type { BenchContext, BenchGroup } from '../lib/context.js';
import { sleep } from '../lib/daemon.js';
import type { ResultRow } from '../lib/result.js';
import { appAnswers, createWebPair } from '../lib/web.js';

const IDLE_MS = 5000;
const MARK = 'sbx-bench-probe';

/** One line per process: RSS kB, tab, /proc/<pid>/stat, tab, cmdline. Then the service status files. */
const SCRIPT = `
for d in /proc/[0-9]*; do
  s=$(cat "$d/stat" 2>/dev/null) || continue
  r=$(sed -n 's/^VmRSS:[[:space:]]*\\([0-9]*\\) kB/\\1/p' "$d/status" 2>/dev/null)
  c=$(tr '\\0' ' ' <"$d/cmdline" 2>/dev/null)
  printf 'P\\t%s\\t%s\\t%s\\n' "\${r:-0}" "$s" "$c"
done
for f in "$HOME"/.sandboxed/status/*.json; do [ -f "$f" ] && printf 'S\\t%s\\n' "$(cat "$f")"; done
`;

interface Proc {
  pid: number;
  ppid: number;
  session: number;
  rssKb: number;
  comm: string;
  cmd: string;
}

function parse(stdout: string): { procs: Proc[]; servicePids: number[] } {
  const procs: Proc[] = [];
  const servicePids: number[] = [];
  for (const line of stdout.split('\n')) {
    const [kind, a, b, c] = line.split('\t');
    if (kind === 'S') {
      const pid = (JSON.parse(a) as { pid: number | null }).pid;
      if (pid !== null) servicePids.push(pid);
    } else if (kind === 'P') {
      // stat: "pid (comm) state ppid pgrp session …"; comm may hold spaces.
      const close = b.lastIndexOf(')');
      const rest = b.slice(close + 2).split(' ');
      procs.push({
        pid: Number(b.split(' ')[0]),
        ppid: Number(rest[1]),
        session: Number(rest[3]),
        rssKb: Number(a),
        comm: b.slice(b.indexOf('(') + 1, close),
        cmd: (c ?? '').trim(),
      });
    }
  }
  return { procs, servicePids };
}

/** Processes that are neither a service's nor the probe's own tree. */
export function overheadProcesses(procs: Proc[], servicePids: number[]): Proc[] {
  const excluded = new Set<number>();
  for (const p of procs) {
    if (servicePids.includes(p.session) || p.cmd.includes(MARK)) excluded.add(p.pid);
  }
  // Children of excluded processes (the probe's `cat`, `sed`, `tr`; a service's workers).
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of procs) {
      if (!excluded.has(p.pid) && excluded.has(p.ppid)) {
        excluded.add(p.pid);
        changed = true;
      }
    }
  }
  return procs.filter((p) => !excluded.has(p.pid));
}

async function measure(ctx: BenchContext, id: string): Promise<{ overhead: Proc[]; services: Proc[] }> {
  const r = await ctx.daemon.api<{ exit_code: number; stdout: string; stderr: string }>('POST', `/v1/sandboxes/${id}/exec`, {
    // `timeout` parents the probe; the marker names the probe's shell so its tree can be left out.
    cmd: ['sh', '-c', SCRIPT, MARK],
  });
  if (r.status !== 200 || r.body.exit_code !== 0) throw new Error(`probe exec failed: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  const { procs, servicePids } = parse(r.body.stdout);
  if (servicePids.length === 0) throw new Error('no running service found in ~/.sandboxed/status');
  // Docker gives every exec its own session: whatever shares the probe's is the probe.
  const probeSessions = new Set(procs.filter((p) => p.cmd.startsWith('timeout -k') || p.cmd.includes(MARK)).map((p) => p.session));
  const overhead = overheadProcesses(procs, servicePids).filter((p) => !probeSessions.has(p.session));
  const services = procs.filter((p) => servicePids.includes(p.session));
  return { overhead, services };
}

export const idleOverhead: BenchGroup = {
  name: 'idle',
  async run(ctx) {
    ctx.progress('idle overhead: creating a sandbox with a web service');
    const pair = await createWebPair(ctx, 'idle', { withRaw: false });
    try {
      await appAnswers(ctx, await pair.oursContainer());
      await sleep(IDLE_MS);
      const { overhead, services } = await measure(ctx, pair.oursId);
      const kb = (ps: Proc[]): number => ps.reduce((s, p) => s + p.rssKb, 0);
      const list = overhead.map((p) => `${p.comm} (${p.cmd.slice(0, 40)}) ${(p.rssKb / 1024).toFixed(1)} MiB`).join(', ');
      const rows: ResultRow[] = [
        {
          kind: 'value',
          op: 'in-sandbox idle overhead (RSS, non-service)',
          unit: 'MiB',
          ours: kb(overhead) / 1024,
          raw: null,
          rawNote: 'n/a: same image and init',
          note: `${overhead.length} processes after ${IDLE_MS / 1000} s idle: ${list}; the service itself: ${(kb(services) / 1024).toFixed(1)} MiB`,
        },
      ];
      return rows;
    } finally {
      await pair.remove();
    }
  },
};
