/**
 * Traefik's routes to running sandboxes, served to its HTTP provider (it
 * polls TRAEFIK_ROUTES_PATH on the internal edge listener): one router and
 * one service per declared port of every running sandbox, pointing at the
 * container's address. Routes come from the rows, not from container labels:
 * labels are fixed when a container is made, and a warm-pool container is
 * made before it has a sandbox. Priority 100 beats the priority-1 catch-all
 * in traefik/dynamic/ that wakes stopped sandboxes; a stopped sandbox has no
 * router, so its hosts reach that catch-all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import type { Sandbox } from '../domain/sandbox.js';
import { send } from './answers.js';
import { previewHost } from './hosts.js';

export type TraefikRouteConfig = Pick<Config, 'instance' | 'previewDomain' | 'previewEntrypoint' | 'previewTls' | 'previewCertResolver'>;

export const TRAEFIK_ROUTES_PATH = '/_sandboxed/traefik/routes';
export const ROUTER_PRIORITY = 100;

/**
 * The instance as it appears in Traefik names, which may not hold "." or "@".
 * SANDBOXED_INSTANCE allows only [a-z0-9_.-], so this is what the template in
 * traefik/dynamic/preview.yml computes with `replace "." "-" | replace "_" "-"`.
 */
export function traefikInstance(instance: string): string {
  return instance.replace(/[^a-z0-9-]/g, '-');
}

/** The instance keeps daemons sharing one Traefik apart. */
export function routerName(instance: string, id: string, port: number): string {
  return `sandboxed-${traefikInstance(instance)}-${id}-${port}`;
}

/**
 * The middlewares of a sandbox's routers, defined per instance in
 * traefik/dynamic/preview.yml (file provider, hence `@file`): this daemon's
 * forward-auth, then the header clean-up before the app.
 */
export function previewMiddlewares(instance: string): string[] {
  const i = traefikInstance(instance);
  return [`sandboxed-${i}-preview-auth@file`, `sandboxed-${i}-preview-headers@file`];
}

export interface RoutedSandbox {
  id: string;
  ports: number[];
  /** The container's address on the sandbox network (Traefik shares the host's network and routes there). */
  ip: string;
}

interface Router {
  rule: string;
  entryPoints: string[];
  priority: number;
  service: string;
  middlewares: string[];
  tls?: { certResolver?: string };
}

export interface TraefikDynamic {
  http: { routers: Record<string, Router>; services: Record<string, { loadBalancer: { servers: { url: string }[] } }> };
}

export function traefikRoutes(running: RoutedSandbox[], cfg: TraefikRouteConfig): TraefikDynamic {
  const out: TraefikDynamic = { http: { routers: {}, services: {} } };
  for (const sb of running) {
    for (const port of sb.ports) {
      const name = routerName(cfg.instance, sb.id, port);
      out.http.routers[name] = {
        rule: `Host(\`${previewHost(sb.id, port, cfg.previewDomain)}\`)`,
        entryPoints: [cfg.previewEntrypoint],
        priority: ROUTER_PRIORITY,
        service: name,
        middlewares: previewMiddlewares(cfg.instance),
        ...(cfg.previewTls ? { tls: cfg.previewCertResolver ? { certResolver: cfg.previewCertResolver } : {} } : {}),
      };
      out.http.services[name] = { loadBalancer: { servers: [{ url: `http://${sb.ip}:${port}` }] } };
    }
  }
  return out;
}

export interface RoutesDeps {
  config: TraefikRouteConfig;
  /** Live sandboxes (the rows). */
  list(): Sandbox[];
  /** Container id → address of this instance's running containers (one engine call). */
  addresses(): Promise<Map<string, string>>;
}

/** GET TRAEFIK_ROUTES_PATH: what Traefik routes right now. Anything else there is a 405. */
export async function answerRoutes(deps: RoutesDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET') return send(req, res, { status: 405, kind: 'method', json: { error: 'only GET' }, headers: { allow: 'GET' } });
  const ips = await deps.addresses();
  const running: RoutedSandbox[] = [];
  for (const sb of deps.list()) {
    const ip = sb.desiredState === 'running' && sb.observedState === 'running' && sb.containerId ? ips.get(sb.containerId) : undefined;
    if (ip && sb.spec.ports.length > 0) running.push({ id: sb.id, ports: sb.spec.ports, ip });
  }
  const body = JSON.stringify(traefikRoutes(running, deps.config));
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
}
