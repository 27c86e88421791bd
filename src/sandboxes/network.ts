/**
 * The bridge every sandbox lives on, and the guard that keeps sandboxes off it
 * unless they are isolated: the bridge has inter-container traffic and IPv6
 * off, and the iptables rules are verified in place (re-applied when some are
 * missing) before any container starts. When they cannot be put in place the
 * cause is remembered, every start throws UnavailableError naming it, and
 * /readyz reports it; the next check that succeeds clears it.
 *
 * The daemon's listeners on the bridge's host address (the model gateway and
 * the egress proxy, which the rules redirect sandboxes' TCP 80/443 to) are part
 * of the same guard: they are bound before the rules are checked, and a start
 * is refused while they cannot be, so no sandbox runs with a redirect to nothing.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ContainerEngine, NetworkInfo } from '../docker/engine.js';
import { LABEL_INSTANCE, LABEL_KIND, LABEL_MANAGED } from '../docker/labels.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import { cidrsOf } from '../domain/egress.js';
import { readResolvers, sweepIsolation, verifyIsolation, type IsolationPolicy } from '../network/isolation.js';

export type NetworkConfig = Pick<
  Config,
  | 'network' | 'instance' | 'networkIsolation' | 'egressMode' | 'egressAllow' | 'egressDeny' | 'egressAllowHostPorts'
  | 'gatewayPort' | 'egressProxyHttpPort' | 'egressProxyTlsPort'
>;

/** The daemon's servers on the bridge's host address: bound (or moved) to `address`; throws when they cannot listen. */
export interface HostListeners {
  ensure(address: string): Promise<void>;
}

/** What the lifecycle calls before a container starts. */
export type NetworkGuard = Pick<SandboxNetwork, 'guard'>;

/** Seconds a client should wait before retrying a start refused for isolation. */
const RETRY_AFTER_S = 5;

/**
 * Why an existing network cannot hold sandboxes, or null. Pure. The rules are
 * IPv4 iptables: sandboxes reaching each other is stopped by icc=false alone,
 * and nothing filters IPv6.
 */
export function networkRefusal(net: Pick<NetworkInfo, 'name' | 'icc' | 'ipv6'>): string | null {
  const fix = `remove it (docker network rm ${net.name}) so sandboxd creates it isolated, or set SANDBOXD_NETWORK to a new name`;
  if (net.icc) return `network ${net.name} has inter-container traffic on (com.docker.network.bridge.enable_icc is not "false"): ${fix}`;
  if (net.ipv6) return `network ${net.name} has IPv6 enabled, which the isolation rules do not filter: ${fix}`;
  return null;
}

export class SandboxNetwork {
  /** Why isolation is not in place, from the last check; null once a check succeeded. */
  private cause: string | null = null;
  /** One check at a time: concurrent starts and readiness probes share it. */
  private inflight: Promise<void> | null = null;

  constructor(
    private readonly cfg: NetworkConfig,
    private readonly engine: ContainerEngine,
    private readonly log: Logger,
    private readonly listeners: HostListeners = { ensure: async () => undefined },
  ) {}

  /** The reconciler's first step: the bridge exists, its rules are in place, chains of vanished networks are swept. */
  async ensure(): Promise<void> {
    if (!this.cfg.networkIsolation) {
      await this.guard();
      return;
    }
    await this.guard();
    const swept = await sweepIsolation(() => this.engine.listNetworkIds());
    if (swept.length > 0) this.log.info({ networks: swept }, 'removed isolation chains of networks that are gone');
  }

  /**
   * Resolves when isolation is verified in place (re-applying missing rules
   * first); otherwise throws UnavailableError naming the cause. With
   * SANDBOXD_NETWORK_ISOLATION=false the operator chose no rules: nothing is checked.
   */
  guard(): Promise<void> {
    this.inflight ??= (this.cfg.networkIsolation ? this.check() : this.listen()).finally(() => (this.inflight = null));
    return this.inflight;
  }

  /** Without isolation: only the listeners (the gateway still keeps keys out of sandboxes). */
  private async listen(): Promise<void> {
    const net = await this.inspectOrCreate();
    try {
      if (!net.gateway) throw new Error(`network ${net.name} has no gateway address`);
      await this.listeners.ensure(net.gateway);
    } catch (err) {
      throw new UnavailableError(`the model gateway cannot listen: ${(err as Error).message}`, RETRY_AFTER_S);
    }
  }

  private async check(): Promise<void> {
    const { cfg, log } = this;
    // An engine that does not answer is its own error (502, "docker …"), not an isolation cause.
    const net = await this.inspectOrCreate();
    try {
      const refusal = networkRefusal(net);
      if (refusal) throw new Error(refusal);
      if (!net.gateway) throw new Error(`network ${net.name} has no gateway address for the egress proxy and the model gateway`);
      await this.listeners.ensure(net.gateway).catch((err: Error) => {
        throw new Error(`the egress proxy and model gateway cannot listen on ${net.gateway}: ${err.message}`, { cause: err });
      });
      const repaired = await verifyIsolation(net.id, net.bridge, this.policy(net.gateway));
      if (repaired.length > 0) log.info({ network: cfg.network, repaired }, 'isolation rules applied');
      if (this.cause !== null) log.info({ network: cfg.network }, 'network isolation is in place again');
      this.cause = null;
    } catch (err) {
      const cause = (err as Error).message;
      if (cause !== this.cause) log.error({ network: cfg.network, cause }, 'network isolation is not in place; no sandbox starts until it is');
      this.cause = cause;
      throw new UnavailableError(`network isolation is not in place: ${cause}; no sandbox starts until it is`, RETRY_AFTER_S, 'network_isolation');
    }
  }

  private async inspectOrCreate(): Promise<NetworkInfo> {
    try {
      return await this.engine.inspectNetwork(this.cfg.network);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    await this.create();
    return this.engine.inspectNetwork(this.cfg.network);
  }

  private async create(): Promise<void> {
    const { cfg, engine, log } = this;
    const outcome = await engine.ensureNetwork({
      name: cfg.network,
      labels: { [LABEL_MANAGED]: 'true', [LABEL_INSTANCE]: cfg.instance, [LABEL_KIND]: 'sandbox-network' },
      icc: false,
    });
    if (outcome === 'created') log.info({ network: cfg.network }, 'sandbox network created');
  }

  private policy(address: string): IsolationPolicy {
    const { cfg } = this;
    return {
      mode: cfg.egressMode,
      allow: cidrsOf(cfg.egressAllow),
      deny: cidrsOf(cfg.egressDeny),
      allowHostPorts: cfg.egressAllowHostPorts,
      resolvers: readResolvers(),
      host: { address, gatewayPort: cfg.gatewayPort, proxyHttpPort: cfg.egressProxyHttpPort, proxyTlsPort: cfg.egressProxyTlsPort },
    };
  }
}
