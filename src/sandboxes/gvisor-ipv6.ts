/**
 * runsc does not apply a container's sysctls, so the spec's disable_ipv6 does
 * nothing under gVisor: IPv6 is off in a gVisor sandbox only because Docker
 * turns it off in the network namespace of a container on a network without
 * IPv6 (which SandboxNetwork insists on). That is the engine's behaviour, so
 * the first gVisor start after boot checks it: the sandbox's table of IPv6
 * addresses (with --network=host gVisor shows the namespace's own) must be
 * empty. Where it is not, that container is stopped and every gVisor start
 * is refused naming why, since link-local IPv6 would pass icc=false.
 */
import type { ContainerEngine } from '../docker/engine.js';
import { UnavailableError } from '../errors.js';

const CHECK = { cmd: ['/bin/cat', '/proc/net/if_inet6'], timeoutS: 30, outputLimitBytes: 64 * 1024 };

export class GvisorIpv6Check {
  /** null until a check has run; then whether the engine leaves IPv6 on. */
  private ipv6On: string | null | undefined;

  constructor(private readonly engine: Pick<ContainerEngine, 'exec' | 'stop'>) {}

  /** Before a gVisor container starts: refused once the engine was seen to leave IPv6 on. */
  refuseIfKnownBad(): void {
    if (this.ipv6On) throw this.refusal(this.ipv6On);
  }

  /** After a gVisor container started. Throws, with the container stopped, unless it is seen without IPv6. */
  async verify(containerId: string): Promise<void> {
    if (this.ipv6On === null) return;
    try {
      const r = await this.engine.exec(containerId, CHECK);
      if (r.exitCode !== 0) throw new UnavailableError(`cannot read the sandbox's IPv6 addresses (exit ${r.exitCode}): ${r.stderr.slice(0, 200)}`, 5);
      const first = r.stdout.split('\n').find((l) => l.trim() !== '');
      if (first === undefined) {
        this.ipv6On = null;
        return;
      }
      this.ipv6On = first.trim().split(/\s+/).pop() ?? 'an interface';
      throw this.refusal(this.ipv6On);
    } catch (err) {
      await this.engine.stop(containerId, 0);
      throw err;
    }
  }

  private refusal(iface: string): UnavailableError {
    return new UnavailableError(
      `gVisor sandboxes are refused: a gVisor sandbox had IPv6 on (${iface}). runsc ignores the container's disable_ipv6 sysctls and this Docker engine leaves IPv6 on for containers on an IPv4-only network, so sandboxes could reach each other over link-local IPv6 past the isolation rules; use runc, or an engine that turns IPv6 off (Docker >= 17.05 on a network without IPv6)`,
    );
  }
}
