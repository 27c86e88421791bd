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
 * - sandbox → TCP 80 and 443 anywhere: redirected (nat PREROUTING) to the
 *   daemon's transparent egress proxy on the bridge's host address, which
 *   decides by the HTTP Host or TLS SNI; INPUT admits the proxy's two ports
 *   and the model gateway's port on that address only.
 * The edge (built-in or Traefik, both on the host network) reaches sandboxes
 * from the host, which no rule here touches; replies come back as ESTABLISHED.
 *
 * Rules live in three chains per network, replaced atomically with
 * iptables-restore --noflush. verifyIsolation compares one `iptables -S`
 * listing with what buildRules installs and re-applies what is missing; the
 * lifecycle runs it before every container start and every reconcile tick.
 * IPv6 is not filtered here: sandboxes have it disabled (src/docker/spec.ts)
 * and the network is refused when it has IPv6 enabled.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const DEFAULT_DENY = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'];

/** The daemon's listeners on the bridge's host address that sandboxes may reach. */
export interface HostListeners {
  address: string;
  gatewayPort: number;
  proxyHttpPort: number;
  proxyTlsPort: number;
}

export interface IsolationPolicy {
  mode: 'open' | 'allowlist';
  /** IPv4 CIDRs only: names are the egress proxy's business. */
  allow: string[];
  deny: string[];
  allowHostPorts: number[];
  resolvers: string[];
  host: HostListeners;
}

export interface Chains {
  forward: string;
  input: string;
  /** In the nat table: the redirect of TCP 80/443 to the egress proxy. */
  nat: string;
}

export function chainsFor(networkId: string): Chains {
  const id = networkId.slice(0, 12);
  return { forward: `SBX-F-${id}`, input: `SBX-I-${id}`, nat: `SBX-N-${id}` };
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

/** `-d <cidr> ` as `iptables -S` prints it: host bits cleared, and nothing for a /0 (which matches any address). */
export function destination(cidr: string): string {
  const [addr, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? 32);
  if (bits === 0) return '';
  const value = addr.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const net = value - (value % 2 ** (32 - bits));
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(net / 2 ** shift) % 256);
  return `-d ${octets.join('.')}/${bits} `;
}

/**
 * The iptables-restore input that (re)defines both chains. Pure; table-tested.
 * Every rule is written the way `iptables -S` lists it back (explicit `-m tcp`,
 * canonical CIDRs), so the guard can compare the listing with this line by line.
 */
export function buildRules(chains: Chains, p: IsolationPolicy): string {
  const f = chains.forward;
  const i = chains.input;
  const lines = ['*filter', `:${f} - [0:0]`, `:${i} - [0:0]`];
  lines.push(`-A ${f} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`);
  for (const r of p.resolvers) {
    lines.push(`-A ${f} ${destination(`${r}/32`)}-p udp -m udp --dport 53 -j RETURN`);
    lines.push(`-A ${f} ${destination(`${r}/32`)}-p tcp -m tcp --dport 53 -j RETURN`);
  }
  for (const cidr of p.allow) lines.push(`-A ${f} ${destination(cidr)}-j RETURN`);
  for (const cidr of [...DEFAULT_DENY, ...p.deny]) lines.push(`-A ${f} ${destination(cidr)}-j DROP`);
  if (p.mode === 'allowlist') lines.push(`-A ${f} -j DROP`);
  lines.push(`-A ${i} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`);
  const h = p.host;
  for (const port of [h.gatewayPort, h.proxyHttpPort, h.proxyTlsPort]) {
    lines.push(`-A ${i} ${destination(`${h.address}/32`)}-p tcp -m tcp --dport ${port} -j RETURN`);
  }
  for (const port of p.allowHostPorts) lines.push(`-A ${i} -p tcp -m tcp --dport ${port} -j RETURN`);
  lines.push(`-A ${i} -j DROP`);
  lines.push('COMMIT');
  // REDIRECT sends to the address of the interface the packet came in on: the bridge's host address.
  lines.push('*nat', `:${chains.nat} - [0:0]`);
  lines.push(`-A ${chains.nat} -p tcp -m tcp --dport 80 -j REDIRECT --to-ports ${h.proxyHttpPort}`);
  lines.push(`-A ${chains.nat} -p tcp -m tcp --dport 443 -j REDIRECT --to-ports ${h.proxyTlsPort}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The three jumps into our chains, as `iptables -S` lists them (PREROUTING: in the nat table). */
export function jumpsFor(chains: Chains, bridge: string): { parent: string; rule: string; chain: string; table: 'filter' | 'nat' }[] {
  return [
    { parent: 'DOCKER-USER', chain: chains.forward, rule: `-A DOCKER-USER -i ${bridge} -j ${chains.forward}`, table: 'filter' },
    { parent: 'INPUT', chain: chains.input, rule: `-A INPUT -i ${bridge} -j ${chains.input}`, table: 'filter' },
    { parent: 'PREROUTING', chain: chains.nat, rule: `-A PREROUTING -i ${bridge} -j ${chains.nat}`, table: 'nat' },
  ];
}

/** A jump counts only when nothing before it in its parent chain accepts or returns every packet unconditionally. */
function jumpInPlace(lines: string[], parent: string, rule: string): boolean {
  for (const line of lines) {
    if (line === rule) return true;
    if (line === `-A ${parent} -j RETURN` || line === `-A ${parent} -j ACCEPT`) return false;
  }
  return false;
}

/**
 * What an `iptables -S` listing lacks of the isolation `rules` (buildRules'
 * output) for `bridge`: each chain must hold exactly those rules in that order,
 * and each jump must be reachable. Empty when everything is in place. Pure.
 */
export function isolationGaps(listing: string, chains: Chains, bridge: string, rules: string): string[] {
  const lines = listing.split('\n').map((l) => l.trim());
  const wanted = rules.split('\n');
  const gaps: string[] = [];
  for (const chain of [chains.forward, chains.input, chains.nat]) {
    const prefix = `-A ${chain} `;
    const expected = wanted.filter((l) => l.startsWith(prefix));
    const actual = lines.filter((l) => l.startsWith(prefix));
    if (!lines.includes(`-N ${chain}`)) gaps.push(`chain ${chain} is missing`);
    else if (actual.length !== expected.length || actual.some((l, n) => l !== expected[n])) {
      const absent = expected.filter((l) => !actual.includes(l)).length;
      gaps.push(`chain ${chain} holds ${actual.length} rules, not the ${expected.length} expected (${absent} missing)`);
    }
  }
  for (const jump of jumpsFor(chains, bridge)) {
    if (!jumpInPlace(lines, jump.parent, jump.rule)) gaps.push(`the jump from ${jump.parent} to ${jump.chain} is missing`);
  }
  return gaps;
}

/** An iptables failure in a few words: the command and what it printed (first lines), not Node's "Command failed". */
function commandError(cmd: string, err: Error & { stderr?: string | Buffer }): Error {
  const said = String(err.stderr ?? '').trim() || err.message;
  return new Error(`${cmd}: ${said.split('\n').slice(0, 3).join(' / ').slice(0, 300)}`, { cause: err });
}

async function iptables(args: string[]): Promise<string> {
  try {
    return (await run('iptables', ['-w', '5', ...args])).stdout;
  } catch (err) {
    throw commandError(`iptables ${args[0]}`, err as Error);
  }
}

/**
 * Every rule of the filter table, then of the nat table, as `iptables -S`
 * prints them. One text: our chain names differ between the tables, and the
 * filter table's INPUT comes first.
 */
export async function listRules(): Promise<string> {
  return (await iptables(['-S'])) + (await iptables(['-t', 'nat', '-S']));
}

async function restore(rules: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('iptables-restore', ['-w', '5', '--noflush'], (err, _stdout, stderr) =>
      err ? reject(commandError('iptables-restore', Object.assign(err, { stderr }))) : resolve(),
    );
    // A binary that is missing or dies early closes stdin under us: the callback reports it.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(rules);
  });
}

/** Writes both chains (atomically) and inserts, first in their parents, the jumps the listing lacks. */
export async function applyIsolation(networkId: string, bridge: string, policy: IsolationPolicy): Promise<void> {
  const chains = chainsFor(networkId);
  await restore(buildRules(chains, policy));
  const lines = (await listRules()).split('\n');
  for (const jump of jumpsFor(chains, bridge)) {
    if (!jumpInPlace(lines, jump.parent, jump.rule)) await iptables(['-t', jump.table, '-I', jump.parent, '1', '-i', bridge, '-j', jump.chain]);
  }
}

/**
 * Makes sure the rules are in place: one listing when they are; otherwise
 * re-applies them and lists again to prove it. Returns the gaps it repaired
 * (none when everything was in place). Throws, naming the command and what it
 * said or what is still missing, when they cannot be put in place.
 */
export async function verifyIsolation(networkId: string, bridge: string, policy: IsolationPolicy): Promise<string[]> {
  const chains = chainsFor(networkId);
  const rules = buildRules(chains, policy);
  const found = isolationGaps(await listRules(), chains, bridge, rules);
  if (found.length === 0) return [];
  await applyIsolation(networkId, bridge, policy);
  const left = isolationGaps(await listRules(), chains, bridge, rules);
  if (left.length > 0) throw new Error(`rules applied but not in place: ${left.join('; ')}`);
  return found;
}

/** Network id prefixes (12 hex) of our chains in an `iptables -S` listing. */
export function chainNetworkIds(listing: string): string[] {
  return [...new Set([...listing.matchAll(/^-N SBX-[FIN]-([0-9a-f]{12})$/gm)].map((m) => m[1]))];
}

/**
 * Removes the chains of networks that no longer exist (whoever created them):
 * a network removed without uninstall.sh leaves rules that match nothing.
 * The rules are listed before the networks: a chain is only ever added after
 * its network exists, so one seen in the listing has its network in the list.
 */
export async function sweepIsolation(listNetworkIds: () => Promise<string[]>): Promise<string[]> {
  const stdout = await listRules();
  const alive = new Set((await listNetworkIds()).map((id) => id.slice(0, 12)));
  const dead = chainNetworkIds(stdout).filter((id) => !alive.has(id));
  for (const id of dead) {
    // The jumps as they stand (whatever the bridge was called), then the chains.
    const jumps = stdout.split('\n').filter((l) => l.startsWith('-A ') && new RegExp(`-j SBX-[FIN]-${id}$`).test(l));
    for (const rule of jumps) {
      const table = rule.startsWith('-A PREROUTING ') ? 'nat' : 'filter';
      await iptables(['-t', table, '-D', ...rule.slice(3).split(' ')]).catch(() => undefined);
    }
    for (const [table, chain] of [['filter', `SBX-F-${id}`], ['filter', `SBX-I-${id}`], ['nat', `SBX-N-${id}`]]) {
      await iptables(['-t', table, '-F', chain]).catch(() => undefined);
      await iptables(['-t', table, '-X', chain]).catch(() => undefined);
    }
  }
  return dead;
}

/** Removes the jumps and chains of one network (tests; uninstall.sh does the same in shell). */
export async function removeIsolation(networkId: string, bridge: string): Promise<void> {
  const chains = chainsFor(networkId);
  for (const jump of jumpsFor(chains, bridge)) {
    await iptables(['-t', jump.table, '-D', jump.parent, '-i', bridge, '-j', jump.chain]).catch(() => undefined);
    await iptables(['-t', jump.table, '-F', jump.chain]).catch(() => undefined);
    await iptables(['-t', jump.table, '-X', jump.chain]).catch(() => undefined);
  }
}
