/**
 * A sandbox that serves an app, on both sides: ours declares the service
 * through the API; raw gets the same spec and a runtime dir with the same
 * services.json, so the image's init starts the same process. Plus the HTTP
 * calls the preview benches make.
 */
import type Docker from 'dockerode';
import http from 'node:http';
import type { BenchContext } from './context.js';
import { tcpAccepts, until } from './probe.js';

export const WEB_PORT = 3000;
export const WEB_SERVICE = { name: 'web', command: `python3 -m http.server ${WEB_PORT}`, port: WEB_PORT };
/**
 * For load: python's http.server has a listen backlog of 5 and closes every
 * connection, so under concurrency it measures SYN retransmits, not the edge.
 * Node's server keeps connections alive and has a backlog of 511.
 */
export const NODE_WEB_SERVICE = {
  name: 'web',
  command: `node -e "require('http').createServer((q, s) => s.end('ok')).listen(${WEB_PORT})"`,
  port: WEB_PORT,
};

type Service = typeof WEB_SERVICE;
export const APP_DEADLINE_MS = 60_000;

export interface WebPair {
  oursId: string;
  rawId: string;
  raw: Docker.Container;
  /** Our sandbox's current container (it changes only if the daemon recreates it). */
  oursContainer(): Promise<Docker.Container>;
  remove(): Promise<void>;
}

export async function createWebPair(
  ctx: BenchContext,
  name: string,
  { withRaw = true, service = WEB_SERVICE }: { withRaw?: boolean; service?: Service } = {},
): Promise<WebPair> {
  const oursId = `b${ctx.tag}-${name}`;
  const rawId = `braw-${ctx.tag}-${name}`;
  await ctx.ours.create({ id: oursId, ports: [WEB_PORT], services: [service] });
  const raw = withRaw
    ? await ctx.raw.createAndStart(await ctx.raw.prepare(rawId, { ports: [WEB_PORT], services: [service] }))
    : (undefined as unknown as Docker.Container);
  return {
    oursId,
    rawId,
    raw,
    async oursContainer() {
      const sb = (await ctx.daemon.api<{ container_id: string | null }>('GET', `/v1/sandboxes/${oursId}`)).body;
      if (!sb.container_id) throw new Error(`sandbox ${oursId} has no container`);
      return ctx.docker.getContainer(sb.container_id);
    },
    async remove() {
      await ctx.ours.purge(oursId).catch(() => undefined);
      if (withRaw) await ctx.raw.remove(rawId).catch(() => undefined);
    },
  };
}

/** Inspects for the IP, then polls TCP connect until the app accepts. Returns the IP. */
export async function appAnswers(ctx: BenchContext, c: Docker.Container, deadlineMs = APP_DEADLINE_MS): Promise<string> {
  const ip = await ctx.raw.ip(c);
  if (!ip) throw new Error('container has no IP');
  await until(`app on ${ip}:${WEB_PORT}`, () => tcpAccepts(ip, WEB_PORT), deadlineMs);
  return ip;
}

/** One GET on a fresh connection, body drained; resolves with the status. */
export function httpGet(url: string, hostHeader?: string, timeoutMs = 120_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: hostHeader ? { host: hostHeader } : {}, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', reject);
  });
}

export async function expect200(url: string, hostHeader?: string): Promise<void> {
  const status = await httpGet(url, hostHeader);
  if (status !== 200) throw new Error(`GET → ${status}`);
}

/** Why the built-in edge cannot be benched here, or null when it answers on HTTP_PORT. */
export async function edgeUnavailable(ctx: BenchContext): Promise<string | null> {
  if (ctx.daemon.config.edge !== 'builtin') return `SANDBOXED_EDGE is ${ctx.daemon.config.edge}, not builtin`;
  try {
    await httpGet(`${ctx.daemon.edgeUrl}/`, 'not-a-preview.invalid', 5000);
    return null;
  } catch (err) {
    return `the built-in edge does not answer on ${ctx.daemon.edgeUrl} (${(err as Error).message})`;
  }
}
