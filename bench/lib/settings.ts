/**
 * The bench's knobs, read from the environment in this one place. BENCH_N
 * lowers every sample count at once for a quick run (`BENCH_N=5 npm run bench`).
 */
export interface BenchSettings {
  /** Sequential create → first exec samples. */
  n: number;
  bursts: number;
  burstSize: number;
  /** Exec round trips on a running sandbox. */
  execN: number;
  /** Stop / start cycles. */
  cycles: number;
  listRows: number;
  listCalls: number;
  /** Requests sent at once to a stopped sandbox's preview URL. */
  wakeConcurrency: number;
  throughputSeconds: number;
  throughputConnections: number;
  /** Rounds through direct, HAProxy, nginx and the edge (figures averaged). */
  edgeRounds: number;
  /** WebSocket echo round trips per proxy and round. */
  wsRoundTrips: number;
  /** 50 MB downloads per proxy and round. */
  downloads: number;
  /** Edge at scale: sandboxes with routes, how many of them run, and keep-alive connections over those. */
  scaleRoutes: number;
  scaleRunning: number;
  scaleConnections: number;
  /** Given to the daemon (SANDBOXD_STOP_GRACE_SECONDS) and to raw `docker stop -t`. */
  stopGraceS: number;
  /** BENCH_CPU_PROF=<dir>: the daemon runs with node --cpu-prof and writes its profile there at each exit. */
  cpuProfDir: string | null;
  /** Group names to run (BENCH_ONLY=tti,exec); empty runs all. */
  only: string[];
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min = 1): number {
  const v = env[name]?.trim();
  if (!v) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}: "${v}" must be an integer ≥ ${min}`);
  return n;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const n = int(env, 'BENCH_N', 30);
  return {
    n,
    bursts: int(env, 'BENCH_BURSTS', Math.min(3, Math.max(1, Math.round(n / 10)))),
    burstSize: int(env, 'BENCH_BURST_SIZE', 10),
    execN: int(env, 'BENCH_EXEC_N', Math.min(50, Math.max(10, 2 * n))),
    cycles: int(env, 'BENCH_CYCLES', Math.min(n, 20)),
    listRows: int(env, 'BENCH_LIST_ROWS', 1000),
    listCalls: int(env, 'BENCH_LIST_CALLS', 20),
    wakeConcurrency: int(env, 'BENCH_WAKE_CONCURRENCY', 200),
    throughputSeconds: int(env, 'BENCH_THROUGHPUT_SECONDS', n >= 30 ? 10 : 5),
    throughputConnections: int(env, 'BENCH_THROUGHPUT_CONNECTIONS', 10),
    edgeRounds: int(env, 'BENCH_EDGE_ROUNDS', n >= 30 ? 2 : 1),
    wsRoundTrips: int(env, 'BENCH_WS_ROUND_TRIPS', n >= 30 ? 1000 : 300),
    downloads: int(env, 'BENCH_DOWNLOADS', n >= 30 ? 3 : 1),
    scaleRoutes: int(env, 'BENCH_SCALE_ROUTES', 500),
    scaleRunning: int(env, 'BENCH_SCALE_RUNNING', 50),
    scaleConnections: int(env, 'BENCH_SCALE_CONNECTIONS', 1000),
    stopGraceS: int(env, 'BENCH_STOP_GRACE_SECONDS', 2, 0),
    cpuProfDir: env.BENCH_CPU_PROF?.trim() || null,
    only: (env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}
