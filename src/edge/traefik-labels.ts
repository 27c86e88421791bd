/**
 * Docker labels with which Traefik v3 routes a sandbox's preview hosts to it.
 * One router and one service per declared port, and every router names its
 * service: with several services on one container and no explicit link,
 * Traefik drops all of that container's routers. Priority 100 beats the
 * priority-1 catch-all in traefik/dynamic/ that wakes stopped sandboxes.
 */
import type { Config } from '../config.js';
import type { Sandbox } from '../domain/sandbox.js';
import { previewHost } from './hosts.js';

export type TraefikLabelConfig = Pick<
  Config,
  'instance' | 'network' | 'previewDomain' | 'previewEntrypoint' | 'previewTls' | 'previewCertResolver'
>;

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

export function traefikLabels(sb: Pick<Sandbox, 'id' | 'spec'>, cfg: TraefikLabelConfig): Record<string, string> {
  if (sb.spec.ports.length === 0) return { 'traefik.enable': 'false' };
  const labels: Record<string, string> = {
    'traefik.enable': 'true',
    'traefik.docker.network': cfg.network,
  };
  for (const port of sb.spec.ports) {
    const name = routerName(cfg.instance, sb.id, port);
    const router = `traefik.http.routers.${name}`;
    labels[`${router}.rule`] = `Host(\`${previewHost(sb.id, port, cfg.previewDomain)}\`)`;
    labels[`${router}.entrypoints`] = cfg.previewEntrypoint;
    labels[`${router}.priority`] = String(ROUTER_PRIORITY);
    labels[`${router}.service`] = name;
    labels[`${router}.middlewares`] = previewMiddlewares(cfg.instance).join(',');
    if (cfg.previewTls) {
      labels[`${router}.tls`] = 'true';
      if (cfg.previewCertResolver) labels[`${router}.tls.certresolver`] = cfg.previewCertResolver;
    }
    labels[`traefik.http.services.${name}.loadbalancer.server.port`] = String(port);
  }
  return labels;
}
