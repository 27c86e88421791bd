/**
 * Boots the real daemon as a child process, compiled as in production
 * (`npm run build`, then `node dist/main.js`: the TypeScript loader would add
 * its own memory and start-up time to every figure),
 * on a temp data dir with random ports and a bench-only instance label, so
 * its reconciler sees only what this bench run created. The child's pid is
 * the daemon's own node process, which is what RSS is read from.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { freePort } from '../../test/helpers/net.js';

export { freePort };

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BOOT_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export interface BenchDaemon {
  url: string;
  edgeUrl: string;
  dataDir: string;
  instance: string;
  network: string;
  /** The config the daemon runs with, parsed from the same env it gets. */
  config: Readonly<Config>;
  api<T = any>(method: string, p: string, body?: unknown): Promise<ApiResponse<T>>;
  pid(): number | undefined;
  /** VmRSS of the daemon process, in MiB. */
  rssMiB(): Promise<number>;
  /** SIGTERM and wait (SIGKILL after a while). Containers are left as they are. */
  stop(): Promise<void>;
  /** Boot again on the same data dir, ports and instance. */
  start(): Promise<void>;
  /** Stop, then boot with these settings changed (e.g. the warm pool's size). */
  restart(env: Record<string, string>): Promise<void>;
  logTail(lines?: number): string;
}


export interface DaemonOptions {
  dataDir: string;
  instance: string;
  network: string;
  stopGraceS: number;
  /** Settings on top of the bench's own (e.g. the model server's host port). */
  extraEnv?: Record<string, string>;
  /** Node flags for the daemon (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export async function startBenchDaemon(opts: DaemonOptions): Promise<BenchDaemon> {
  const apiPort = await freePort();
  const edgePort = await freePort();
  const logFile = path.join(opts.dataDir, '..', 'sandboxd.log');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    SANDBOXED_API_BIND: `127.0.0.1:${apiPort}`,
    SANDBOXED_DATA_DIR: opts.dataDir,
    SANDBOXED_INSTANCE: opts.instance,
    SANDBOXD_NETWORK: opts.network,
    SANDBOXED_EDGE: 'builtin',
    SANDBOXED_EDGE_HOST: '127.0.0.1',
    HTTP_PORT: String(edgePort),
    PREVIEW_DOMAIN: 'localhost',
    SANDBOXD_STOP_GRACE_SECONDS: String(opts.stopGraceS),
    SANDBOXD_RECONCILE_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'warn',
    ...pick(process.env, ['DOCKER_SOCKET', 'SANDBOXD_IMAGE', 'SANDBOXED_EXTRA_CA_CERTS', 'SANDBOXD_NETWORK_ISOLATION']),
    ...opts.extraEnv,
  };
  const config = loadConfig(env);
  const url = `http://127.0.0.1:${apiPort}`;
  let child: ChildProcess | undefined;

  const boot = async (): Promise<void> => {
    const out = createWriteStream(logFile, { flags: 'a' });
    const c = spawn(process.execPath, [...(opts.nodeArgs ?? []), path.join(ROOT, 'dist/main.js')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    c.stdout.pipe(out);
    c.stderr.pipe(out);
    let exitCode: number | null | undefined;
    c.once('exit', (code, signal) => (exitCode = code ?? (signal ? -1 : null)));
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`daemon exited with ${exitCode} during boot; log tail:\n${tail(logFile, 40)}`);
      try {
        if ((await fetch(`${url}/healthz`)).ok) return;
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    throw new Error(`daemon did not answer /healthz within ${BOOT_TIMEOUT_MS / 1000} s; log tail:\n${tail(logFile, 40)}`);
  };

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      const killer = setTimeout(() => c.kill('SIGKILL'), STOP_TIMEOUT_MS);
      c.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      c.kill('SIGTERM');
    });

  await boot();
  return {
    url,
    edgeUrl: `http://127.0.0.1:${edgePort}`,
    dataDir: opts.dataDir,
    instance: opts.instance,
    network: opts.network,
    config,
    async api(method, p, body) {
      const init: RequestInit = { method };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers = { 'content-type': 'application/json' };
      }
      const r = await fetch(`${url}${p}`, init);
      const text = await r.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: r.status, body: parsed as any };
    },
    pid: () => child?.pid,
    async rssMiB() {
      const pid = child?.pid;
      if (pid === undefined) throw new Error('daemon is not running');
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
      return Number(kb[1]) / 1024;
    },
    stop,
    start: boot,
    async restart(extra) {
      await stop();
      Object.assign(env, extra);
      await boot();
    },
    logTail: (lines = 40) => tail(logFile, lines),
  };
}

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (env[n]) out[n] = env[n]!;
  return out;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
