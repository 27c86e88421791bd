/**
 * Tenant isolation on the sandbox bridge, in iptables (the only place the
 * daemon runs an external command; it is not the docker CLI).
 *
 * - sandbox ↔ sandbox: the bridge has inter-container traffic disabled (icc=false).
 * - sandbox → host (any of its addresses, the gateway, services bound anywhere):
 *   dropped in INPUT for new connections from the bridge, except the TCP ports
 *   the operator allows (a model server on the host, say).
 * - sandbox → private and link-local ranges (other hosts on the LAN, the cloud
 *   metadata address 169.254.169.254, other Docker networks): dropped in
 *   DOCKER-USER, except DNS to the host's resolvers and CIDRs the operator allows.
 *   With egress mode "allowlist" everything not allowed is dropped.
 * The edge (built-in or Traefik, both on the host network) reaches sandboxes
 * from the host, which no rule here touches; replies come back as ESTABLISHED.
 *
 * Rules live in two chains per network, replaced atomically with
 * iptables-restore --noflush, and are re-applied by every reconcile tick, so a
 * dockerd or host restart that lost them gets them back within one interval.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const DEFAULT_DENY = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'];

export interface IsolationPolicy {
  mode: 'open' | 'allowlist';
  allow: string[];
  deny: string[];
  allowHostPorts: number[];
  resolvers: string[];
}

export interface Chains {
  forward: string;
  input: string;
}

export function chainsFor(networkId: string): Chains {
  const id = networkId.slice(0, 12);
  return { forward: `SBX-F-${id}`, input: `SBX-I-${id}` };
}

/** Nameservers from resolv.conf text (IPv4 only: the sandbox network is IPv4). */
export function parseResolvers(text: string): string[] {
  return [...text.matchAll(/^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => m[1]);
}

export function readResolvers(file = '/etc/resolv.conf'): string[] {
  try {
    return parseResolvers(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}

/** The iptables-restore input that (re)defines both chains. Pure; table-tested. */
export function buildRules(chains: Chains, p: IsolationPolicy): string {
  const f = chains.forward;
  const i = chains.input;
  const lines = ['*filter', `:${f} - [0:0]`, `:${i} - [0:0]`];
  lines.push(`-A ${f} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`);
  for (const r of p.resolvers) {
    lines.push(`-A ${f} -d ${r}/32 -p udp --dport 53 -j RETURN`);
    lines.push(`-A ${f} -d ${r}/32 -p tcp --dport 53 -j RETURN`);
  }
  for (const cidr of p.allow) lines.push(`-A ${f} -d ${cidr} -j RETURN`);
  for (const cidr of [...DEFAULT_DENY, ...p.deny]) lines.push(`-A ${f} -d ${cidr} -j DROP`);
  if (p.mode === 'allowlist') lines.push(`-A ${f} -j DROP`);
  lines.push(`-A ${i} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`);
  for (const port of p.allowHostPorts) lines.push(`-A ${i} -p tcp --dport ${port} -j RETURN`);
  lines.push(`-A ${i} -j DROP`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

async function iptables(args: string[]): Promise<void> {
  await run('iptables', ['-w', '5', ...args]);
}

async function ensureJump(parent: string, bridge: string, chain: string): Promise<void> {
  try {
    await iptables(['-C', parent, '-i', bridge, '-j', chain]);
  } catch {
    await iptables(['-I', parent, '1', '-i', bridge, '-j', chain]);
  }
}

async function restore(rules: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('iptables-restore', ['-w', '5', '--noflush'], (err: Error | null) => (err ? reject(err) : resolve()));
    child.stdin!.end(rules);
  });
}

export async function applyIsolation(networkId: string, bridge: string, policy: IsolationPolicy): Promise<void> {
  const chains = chainsFor(networkId);
  await restore(buildRules(chains, policy));
  await ensureJump('DOCKER-USER', bridge, chains.forward);
  await ensureJump('INPUT', bridge, chains.input);
}

/** Network id prefixes (12 hex) of our chains in an `iptables -S` listing. */
export function chainNetworkIds(listing: string): string[] {
  return [...new Set([...listing.matchAll(/^-N SBX-[FI]-([0-9a-f]{12})$/gm)].map((m) => m[1]))];
}

/**
 * Removes the chains of networks that no longer exist (whoever created them):
 * a network removed without uninstall.sh leaves rules that match nothing.
 * The rules are listed before the networks: a chain is only ever added after
 * its network exists, so one seen in the listing has its network in the list.
 */
export async function sweepIsolation(listNetworkIds: () => Promise<string[]>): Promise<string[]> {
  const { stdout } = await run('iptables', ['-w', '5', '-S']);
  const alive = new Set((await listNetworkIds()).map((id) => id.slice(0, 12)));
  const dead = chainNetworkIds(stdout).filter((id) => !alive.has(id));
  for (const id of dead) {
    // The jumps as they stand (whatever the bridge was called), then the chains.
    const jumps = stdout.split('\n').filter((l) => l.startsWith('-A ') && new RegExp(`-j SBX-[FI]-${id}$`).test(l));
    for (const rule of jumps) await iptables(['-D', ...rule.slice(3).split(' ')]).catch(() => undefined);
    for (const chain of [`SBX-F-${id}`, `SBX-I-${id}`]) {
      await iptables(['-F', chain]).catch(() => undefined);
      await iptables(['-X', chain]).catch(() => undefined);
    }
  }
  return dead;
}

/** Removes the jumps and chains of one network (uninstall, tests). */
export async function removeIsolation(networkId: string, bridge: string): Promise<void> {
  const chains = chainsFor(networkId);
  for (const [parent, chain] of [
    ['DOCKER-USER', chains.forward],
    ['INPUT', chains.input],
  ]) {
    await iptables(['-D', parent, '-i', bridge, '-j', chain]).catch(() => undefined);
    await iptables(['-F', chain]).catch(() => undefined);
    await iptables(['-X', chain]).catch(() => undefined);
  }
}
