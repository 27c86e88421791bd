/**
 * Boots the real daemon as a child process (`tsx src/main.ts`) with a temp
 * data dir, random ports and an instance label unique to the test, so its
 * reconciler only ever sees containers it created. kill() is a real SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { cleanupInstance, testDataPrefix } from './cleanup.js';
import { freePort } from './net.js';

export { freePort };

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestDaemon {
  url: string;
  edgeUrl: string;
  edgePort: number;
  dataDir: string;
  instance: string;
  network: string;
  env: Record<string, string>;
  logFile: string;
  api<T = any>(method: string, p: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL, no cleanup: the daemon gets no chance to finish anything. */
  kill(): Promise<void>;
  /** Start again on the same data dir, ports and instance. */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  /** Stop and remove everything this daemon's instance created. */
  dispose(): Promise<void>;
  log(): string;
  /** The running daemon process's pid (its memory is in /proc/<pid>/status). */
  pid(): number;
  /** Waits until the log (written through a pipe, so a little behind) matches. */
  waitForLog(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
}


export function testRunId(): string {
  try {
    return inject('testRun') ?? 'manual';
  } catch {
    return process.env.SANDBOXED_TEST_RUN ?? 'manual';
  }
}

/** The runtime this run's sandboxes get by default: SANDBOXED_TEST_RUNTIME (the integration-gvisor project sets gvisor). */
export function testRuntime(): 'runc' | 'gvisor' {
  return process.env.SANDBOXED_TEST_RUNTIME === 'gvisor' ? 'gvisor' : 'runc';
}

export function uniqueId(prefix = 't'): string {
  return `${prefix}${Math.random().toString(36).slice(2, 10)}${Date.now().toString(36).slice(-4)}`;
}

/** `apiHost`: the address the API binds (on the helper's port); the helper still calls it on 127.0.0.1. */
export async function startTestDaemon(opts: { env?: Record<string, string>; dataDir?: string; apiHost?: string } = {}): Promise<TestDaemon> {
  const instance = `${testRunId()}-${uniqueId('d')}`;
  const dataDir = opts.dataDir ?? mkdtempSync(testDataPrefix(testRunId()));
  // The gateway and the egress proxy listen on the bridge's host address: ports no other test daemon holds.
  // The kernel may hand the same free port out twice in a row: five distinct ones, or the daemon refuses its settings.
  const taken = new Set<number>();
  while (taken.size < 5) taken.add(await freePort());
  const [apiPort, edgePort, gatewayPort, proxyHttpPort, proxyTlsPort] = [...taken];
  const network = `sbx-${instance}`.slice(0, 60);
  const logFile = path.join(dataDir, 'sandboxd.log');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    SANDBOXED_API_BIND: `${opts.apiHost ?? '127.0.0.1'}:${apiPort}`,
    SANDBOXED_DATA_DIR: dataDir,
    SANDBOXED_INSTANCE: instance,
    SANDBOXD_NETWORK: network,
    SANDBOXED_EDGE: 'builtin',
    SANDBOXED_EDGE_HOST: '127.0.0.1',
    HTTP_PORT: String(edgePort),
    PREVIEW_DOMAIN: 'localhost',
    SANDBOXD_STOP_GRACE_SECONDS: '2',
    // Off unless a test is about the pool: a pool per test daemon would only add containers on a 2-core box.
    SANDBOXD_POOL_SIZE: '0',
    SANDBOXD_RECONCILE_INTERVAL_SECONDS: '3600',
    SANDBOXD_DEFAULT_MEMORY_MB: '512',
    LOG_LEVEL: 'debug',
    SANDBOXD_GATEWAY_PORT: String(gatewayPort),
    SANDBOXD_EGRESS_PROXY_HTTP_PORT: String(proxyHttpPort),
    SANDBOXD_EGRESS_PROXY_TLS_PORT: String(proxyTlsPort),
    ...(process.env.SANDBOXD_IMAGE ? { SANDBOXD_IMAGE: process.env.SANDBOXD_IMAGE } : {}),
    ...(process.env.SANDBOXED_EXTRA_CA_CERTS ? { SANDBOXED_EXTRA_CA_CERTS: process.env.SANDBOXED_EXTRA_CA_CERTS } : {}),
    // The integration-gvisor project runs the same suites with every sandbox under gVisor.
    ...(testRuntime() !== 'runc' ? { SANDBOXD_DEFAULT_RUNTIME: testRuntime() } : {}),
    ...opts.env,
  };
  const url = `http://127.0.0.1:${apiPort}`;
  let child: ChildProcess | undefined;

  const boot = async (extra: Record<string, string> = {}): Promise<void> => {
    const out = createWriteStream(logFile, { flags: 'a' });
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
      cwd: ROOT,
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    const exited = new Promise<never>((_, reject) =>
      child!.once('exit', (code) => reject(new Error(`daemon exited with ${code}; log:\n${readFileSync(logFile, 'utf8').slice(-4000)}`))),
    );
    const ready = (async () => {
      for (let i = 0; i < 600; i++) {
        try {
          const r = await fetch(`${url}/healthz`);
          if (r.ok) return;
        } catch {
          /* not yet */
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('daemon did not answer /healthz within 60 s');
    })();
    await Promise.race([ready, exited]);
    exited.catch(() => undefined);
  };

  const waitExit = (signal: NodeJS.Signals): Promise<void> =>
    new Promise((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });

  await boot();
  const daemon: TestDaemon = {
    url,
    edgeUrl: `http://127.0.0.1:${edgePort}`,
    edgePort,
    dataDir,
    instance,
    network,
    env,
    logFile,
    async api(method, p, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const r = await fetch(`${url}${p}`, init);
      const text = await r.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: r.status, body: parsed as any, headers: r.headers };
    },
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
    async restart(extraEnv = {}) {
      await waitExit('SIGTERM');
      await boot(extraEnv);
    },
    async dispose() {
      await waitExit('SIGTERM');
      await cleanupInstance(instance, dataDir);
      // A data dir this helper made goes too: its workspace disks are real gigabytes, and a full
      // /tmp makes every later create refuse (SANDBOXD_DISK_RESERVE_MB). One a test passed in is the test's.
      try {
        if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      } catch {
        /* a disk still busy: the global teardown's cleanup releases it */
      }
    },
    log: () => readFileSync(logFile, 'utf8'),
    pid: () => child!.pid!,
    async waitForLog(pattern, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const text = readFileSync(logFile, 'utf8');
        if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
        if (Date.now() > end) throw new Error(`log never matched ${String(pattern)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  return daemon;
}
