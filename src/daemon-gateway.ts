/**
 * Composition of the model gateway and the egress proxy (issue 19): both
 * listen on the sandbox bridge's host address, and the network guard binds
 * them before any container starts (hostListeners).
 */
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { ContainerEngine } from './docker/engine.js';
import { EgressProxy } from './egress/proxy.js';
import { Resolver } from './egress/resolve.js';
import { issueCapability } from './gateway/capability.js';
import { Prices } from './gateway/prices.js';
import { ModelGateway, type GatewayTasks } from './gateway/server.js';
import { SandboxAddresses } from './sandboxes/addresses.js';
import type { HostListeners } from './sandboxes/network.js';
import type { SandboxView } from './sandboxes/view.js';
import type { Db } from './store/db.js';
import { GrantStore } from './store/grants.js';
import type { SandboxStore } from './store/sandboxes.js';
import { loadKeyFile } from './store/sealed.js';
import type { TaskStore } from './store/tasks.js';
import type { TaskGateway } from './tasks/service.js';

export interface GatewayParts {
  gateway: ModelGateway;
  egress: EgressProxy;
  grants: GrantStore;
  /** What the task service hands agents: the gateway's URL, a capability, the grant store. */
  forTasks: TaskGateway;
  /** For the network guard: binds both listeners to the bridge's host address. */
  listeners: HostListeners;
}

export function buildGateway(
  config: Readonly<Config>,
  deps: {
    db: Db;
    secretKey: Buffer;
    engine: ContainerEngine;
    store: SandboxStore;
    view: SandboxView;
    taskStore: TaskStore;
    /** The task service, made after this: the gateway calls it only once serving requests. */
    tasks: () => Pick<GatewayTasks, 'recordUsage' | 'stopForBudget'>;
    child: (component: string) => Logger;
  },
): GatewayParts {
  const grants = new GrantStore(deps.db, deps.secretKey);
  const gatewayKey = loadKeyFile(config.dataDir, 'gateway.key');
  const addresses = new SandboxAddresses(deps.engine, config.instance, () => deps.store.generation());
  const defaultEgress = { mode: config.egressMode, allow: config.egressAllow, deny: config.egressDeny };
  const egress = new EgressProxy({
    addresses,
    // From memory: asked on every connection a sandbox opens.
    policyOf: (id) => {
      const sb = deps.view.get(id);
      return (typeof sb === 'object' ? sb.spec.egress : undefined) ?? defaultEgress;
    },
    operator: { allow: config.egressAllow, deny: config.egressDeny },
    resolver: new Resolver(config.egressConnectTo),
    log: deps.child('egress'),
  });
  const gateway = new ModelGateway({
    key: gatewayKey,
    grants,
    tasks: {
      get: (id) => deps.taskStore.get(id),
      recordUsage: (id, usage) => deps.tasks().recordUsage(id, usage),
      stopForBudget: (id, reason) => deps.tasks().stopForBudget(id, reason),
      spent: (day, token) => deps.taskStore.spent(day, token),
    },
    addresses,
    prices: new Prices(config.modelPrices),
    budgets: config,
    log: deps.child('gateway'),
  });
  let bound: string | null = null;
  const listeners: HostListeners = {
    async ensure(address) {
      if (bound === address) return;
      bound = null;
      await gateway.listen(address, config.gatewayPort);
      await egress.listen(address, config.egressProxyHttpPort, config.egressProxyTlsPort);
      bound = address;
    },
  };
  const forTasks: TaskGateway = {
    url: () => gateway.url(),
    issue: (taskId, sandboxId) => issueCapability(gatewayKey, taskId, sandboxId),
    grants,
  };
  return { gateway, egress, grants, forTasks, listeners };
}
