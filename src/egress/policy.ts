/**
 * What the egress proxy decides, purely: whether a sandbox may reach a name,
 * and whether the addresses that name resolved to may be connected to. Table-
 * tested (test/unit/egress-policy.test.ts).
 *
 * - A name denied by the sandbox's policy or the operator's deny list: refused.
 * - mode open: every other name; mode allowlist: names matching an allow
 *   entry, or whose every address is inside an allowed CIDR.
 * - Addresses (DNS rebinding): every answer must be outside the always-blocked
 *   ranges (loopback, "this network", multicast, reserved, the host's own
 *   addresses) and outside the private and link-local ranges unless the
 *   operator allowed it (SANDBOXD_EGRESS_ALLOW); a sandbox's own policy cannot
 *   open private ranges. One bad answer refuses the name: a resolver that mixes
 *   a public and a private address is not trusted with either.
 */
import { BlockList, isIPv4 } from 'node:net';
import { HOST_NAME, isCidr, type EgressPolicy } from '../domain/egress.js';

/** Never reachable through the proxy, whatever the policy (the host's own addresses are added per check). */
const ALWAYS_BLOCKED = ['0.0.0.0/8', '127.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4'];
/** Blocked unless the operator's allow list (a setting) opens them. */
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '192.0.0.0/24', '198.18.0.0/15'];

export type Verdict = { ok: true } | { ok: false; reason: string };
const ok: Verdict = { ok: true };

/** A name as the policy compares it (lowercase, no trailing dot), or null when it is neither a host name nor an IPv4 address. */
export function normalizeName(raw: string): string | null {
  const name = raw.toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253) return null;
  if (isIPv4(name)) return name;
  return HOST_NAME.test(name) ? name : null;
}

/** `*.github.com` matches names below github.com; any other name entry matches itself. CIDRs match no name. */
export function nameMatches(name: string, entry: string): boolean {
  if (isCidr(entry)) return false;
  if (entry.startsWith('*.')) return name.endsWith(entry.slice(1));
  return name === entry;
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr, bits] = c.split('/');
    list.addSubnet(addr, Number(bits), 'ipv4');
  }
  return list;
}

const ALWAYS = blockListOf(ALWAYS_BLOCKED);

/** The operator's part of every sandbox's policy: its allow and deny lists (settings). */
export interface OperatorRules {
  allow: readonly string[];
  deny: readonly string[];
}

/** Compiled once per policy change; checks are then a few BlockList lookups. */
export class EgressRules {
  private readonly names: { allow: string[]; deny: string[] };
  private readonly allowCidrs: BlockList;
  private readonly denyCidrs: BlockList;
  private readonly operatorOpens: BlockList;
  private readonly private = blockListOf(PRIVATE);

  constructor(
    private readonly policy: EgressPolicy,
    operator: OperatorRules,
  ) {
    const deny = [...policy.deny, ...operator.deny];
    this.names = { allow: policy.allow.filter((e) => !isCidr(e)), deny: deny.filter((e) => !isCidr(e)) };
    this.allowCidrs = blockListOf(policy.allow.filter(isCidr));
    this.denyCidrs = blockListOf(deny.filter(isCidr));
    this.operatorOpens = blockListOf(operator.allow.filter(isCidr));
  }

  /** Before resolving: denied names go no further; "address" means the addresses decide (allowlist by CIDR). */
  name(name: string): Verdict | 'address' {
    if (this.names.deny.some((e) => nameMatches(name, e))) return { ok: false, reason: 'denied by the egress policy' };
    if (this.policy.mode === 'open' || this.names.allow.some((e) => nameMatches(name, e))) return ok;
    return 'address';
  }

  /**
   * The resolved addresses. `nameAllowed`: the name itself was allowed (else
   * every address must be inside an allowed CIDR). `hostOwn`: the host's own
   * addresses, always blocked.
   */
  addresses(addresses: readonly string[], nameAllowed: boolean, hostOwn: ReadonlySet<string>): Verdict {
    if (addresses.length === 0) return { ok: false, reason: 'the name has no IPv4 address' };
    for (const a of addresses) {
      if (ALWAYS.check(a, 'ipv4') || hostOwn.has(a)) return { ok: false, reason: `it resolves to ${a}, a loopback, reserved or host address` };
      if (this.private.check(a, 'ipv4') && !this.operatorOpens.check(a, 'ipv4')) {
        return { ok: false, reason: `it resolves to ${a}, a private or link-local address` };
      }
      if (this.denyCidrs.check(a, 'ipv4')) return { ok: false, reason: `it resolves to ${a}, denied by the egress policy` };
      if (!nameAllowed && !this.allowCidrs.check(a, 'ipv4')) return { ok: false, reason: 'not in the allowlist' };
    }
    return ok;
  }
}
