/**
 * The edge, built from the config: `builtin` proxies preview hosts on
 * HTTP_PORT; `traefik` serves only the wake endpoint, forward-auth and the
 * routes Traefik's HTTP provider polls on SANDBOXED_EDGE_INTERNAL_PORT (Traefik proxies);
 * `none` serves nothing.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ContainerEngine } from '../docker/engine.js';
import type { EventSink } from '../domain/event.js';
import type { ActivityTracker } from '../sandboxes/activity.js';
import type { SandboxService } from '../sandboxes/service.js';
import { AccessGate } from './access.js';
import { AppProxy } from './app-proxy.js';
import { execPortCheck } from './port-check.js';
import { PreviewServer } from './preview-server.js';
import type { PreviewTokens } from './tokens.js';
import { tcpProbe, Upstreams } from './upstreams.js';
import { Waker } from './waker.js';

export interface EdgeDeps {
  config: Readonly<Config>;
  sandboxes: Pick<SandboxService, 'forEdge' | 'touch' | 'start' | 'list'>;
  activity: Pick<ActivityTracker, 'begin'>;
  engine: ContainerEngine;
  tokens: PreviewTokens;
  log: Logger;
  /** wake.refused goes here. */
  events?: EventSink;
}

export interface Edge {
  /** Resolves with the address listened on, or null when the edge is off. */
  listen(): Promise<string | null>;
  close(): Promise<void>;
}

export function createEdge(deps: EdgeDeps): Edge {
  const { config, sandboxes, activity, engine, tokens, log, events } = deps;
  if (config.edge === 'none') return { listen: async () => null, close: async () => undefined };
  const mode = config.edge === 'builtin' ? 'proxy' : 'wake-only';
  // Both modes probe the container's IP, the path Traefik takes too (it shares the host's network):
  // an app listening on localhost only is "not up", and the failure page says why.
  const upstreams = new Upstreams(engine, tcpProbe());
  // A held request is answered early when nothing is on its way up on its port (port-check.ts).
  const checkPort = execPortCheck(engine);
  const waker = new Waker({ start: (id) => sandboxes.start(id), upstreams, checkPort, timeoutMs: config.wakeTimeoutMs, log, events });
  const access = new AccessGate({ config, sandboxes, tokens });
  const proxy = mode === 'proxy' ? new AppProxy({ previewTls: config.previewTls, activity, upstreams, log }) : null;
  // The cap guards the public built-in edge; behind Traefik every connection comes from Traefik itself.
  const maxConnectionsPerClient = mode === 'proxy' ? config.edgeMaxConnectionsPerClient : 0;
  const routes =
    mode === 'wake-only'
      ? {
          config,
          list: () => sandboxes.list(),
          addresses: async () => new Map((await engine.listManaged(config.instance)).flatMap((c) => (c.ip ? [[c.id, c.ip] as const] : []))),
        }
      : null;
  const preview = new PreviewServer({ config, sandboxes, access, upstreams, waker, proxy, routes, maxConnectionsPerClient, log });
  const server = preview.server;
  const [host, port] = mode === 'proxy' ? [config.edgeHost, config.httpPort] : [config.edgeInternalHost, config.edgeInternalPort];

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
          log.info({ url, mode }, 'edge listening');
          resolve(url);
        });
      }),
    close: () => (server.listening ? preview.close() : Promise.resolve()),
  };
}
