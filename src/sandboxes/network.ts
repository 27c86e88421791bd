/**
 * The bridge every sandbox lives on, and its isolation rules: created with
 * inter-container traffic off, rules (re)applied and chains of vanished
 * networks swept. The reconciler runs this before it starts any container.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ContainerEngine } from '../docker/engine.js';
import { LABEL_INSTANCE, LABEL_KIND, LABEL_MANAGED } from '../docker/labels.js';
import { applyIsolation, readResolvers, sweepIsolation } from '../network/isolation.js';

export type NetworkConfig = Pick<
  Config,
  'network' | 'instance' | 'networkIsolation' | 'egressMode' | 'egressAllow' | 'egressDeny' | 'egressAllowHostPorts'
>;

export class SandboxNetwork {
  constructor(
    private readonly cfg: NetworkConfig,
    private readonly engine: ContainerEngine,
    private readonly log: Logger,
  ) {}

  async ensure(): Promise<void> {
    const { cfg, engine, log } = this;
    const outcome = await engine.ensureNetwork({
      name: cfg.network,
      labels: { [LABEL_MANAGED]: 'true', [LABEL_INSTANCE]: cfg.instance, [LABEL_KIND]: 'sandbox-network' },
      icc: false,
    });
    if (outcome === 'created') log.info({ network: cfg.network }, 'sandbox network created');
    if (!cfg.networkIsolation) return;
    const net = await engine.inspectNetwork(cfg.network);
    await applyIsolation(net.id, net.bridge, {
      mode: cfg.egressMode,
      allow: cfg.egressAllow,
      deny: cfg.egressDeny,
      allowHostPorts: cfg.egressAllowHostPorts,
      resolvers: readResolvers(),
    });
    const swept = await sweepIsolation(() => engine.listNetworkIds());
    if (swept.length > 0) log.info({ networks: swept }, 'removed isolation chains of networks that are gone');
  }
}
