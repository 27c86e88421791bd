/**
 * The anchors beside the built-in edge: HAProxy and nginx from Debian's
 * packages, each a plain keep-alive reverse proxy to one app address, with a
 * config this file writes into a temp dir, run as a child process on a
 * loopback port and stopped by the caller. Installed with apt-get when missing
 * (as .ci/run does); when that fails, the anchor is reported as not measured.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, sleep } from './daemon.js';
import { tcpAccepts, until } from './probe.js';

export type AnchorName = 'haproxy' | 'nginx';

const BINARIES: Record<AnchorName, string> = { haproxy: '/usr/sbin/haproxy', nginx: '/usr/sbin/nginx' };

export interface RunningProxy {
  name: AnchorName;
  url: string;
  /** What the proxy ran with, for the table's notes. */
  describe: string;
  stop(): Promise<void>;
}

/** Installs the Debian packages that are missing; returns why an anchor cannot run, per name. */
export function ensureProxies(log: (msg: string) => void): Partial<Record<AnchorName, string>> {
  const missing = (Object.keys(BINARIES) as AnchorName[]).filter((n) => !existsSync(BINARIES[n]));
  if (missing.length > 0) {
    log(`bench: installing ${missing.join(', ')} from Debian (apt-get)`);
    // The packages must not start their services (nginx would take port 80): policy-rc.d says no.
    const policy = '/usr/sbin/policy-rc.d';
    const ownPolicy = !existsSync(policy);
    try {
      if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
      execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'ignore', env });
    } catch (err) {
      log(`bench: apt-get failed: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      if (ownPolicy) rmSync(policy, { force: true });
    }
  }
  const why: Partial<Record<AnchorName, string>> = {};
  for (const n of Object.keys(BINARIES) as AnchorName[]) if (!existsSync(BINARIES[n])) why[n] = `${BINARIES[n]} is missing and apt-get could not install it`;
  return why;
}

function haproxyConfig(port: number, upstream: string): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    'frontend bench',
    `  bind 127.0.0.1:${port}`,
    '  default_backend app',
    'backend app',
    '  http-reuse always',
    `  server app ${upstream} maxconn 2000`,
    '',
  ].join('\n');
}

function nginxConfig(port: number, upstream: string, dir: string): string {
  const tmp = (n: string) => path.join(dir, n);
  return `daemon off;
worker_processes auto;
pid ${tmp('nginx.pid')};
error_log ${tmp('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp('body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
  upstream app { server ${upstream}; keepalive 256; }
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
      proxy_max_temp_file_size 0;
    }
  }
}
`;
}

/** Starts one anchor in front of `upstream` (ip:port) and waits until it accepts. */
export async function startProxy(name: AnchorName, upstream: string, dir: string): Promise<RunningProxy> {
  const port = await freePort();
  const home = path.join(dir, name);
  await mkdir(home, { recursive: true });
  const conf = path.join(home, `${name}.conf`);
  let args: string[];
  if (name === 'haproxy') {
    await writeFile(conf, haproxyConfig(port, upstream));
    args = ['-db', '-f', conf];
  } else {
    await writeFile(conf, nginxConfig(port, upstream, home));
    args = ['-p', home, '-c', conf];
  }
  const child: ChildProcess = spawn(BINARIES[name], args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  await until(`${name} on 127.0.0.1:${port}`, async () => {
    if (exited) throw new Error(`${name} exited: ${stderr.trim()}`);
    return tcpAccepts('127.0.0.1', port);
  }, 15_000, 50);
  const describe = name === 'haproxy' ? 'HAProxy (its default threads), http-reuse always' : 'nginx, worker_processes auto, upstream keepalive 256';
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    describe,
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await Promise.race([gone, sleep(5000).then(() => child.kill('SIGKILL'))]);
    },
  };
}
