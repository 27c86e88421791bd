import { describe, expect, it } from 'vitest';
import { buildRules, chainNetworkIds, chainsFor, destination, isolationGaps, parseResolvers } from '../../src/network/isolation.js';
import { networkRefusal } from '../../src/sandboxes/network.js';

const host = { address: '172.18.0.1', gatewayPort: 8790, proxyHttpPort: 8791, proxyTlsPort: 8792 };

describe('isolation rules', () => {
  const chains = chainsFor('0123456789abcdef0123');

  it('names three chains per network from its id', () => {
    expect(chains).toEqual({ forward: 'SBX-F-0123456789ab', input: 'SBX-I-0123456789ab', nat: 'SBX-N-0123456789ab' });
  });

  it('redirects TCP 80 and 443 to the egress proxy and admits the proxy and the gateway on the host address only', () => {
    const lines = buildRules(chains, { mode: 'open', allow: [], deny: [], allowHostPorts: [], resolvers: [], host }).split('\n');
    expect(lines.filter((l) => l.startsWith('-A SBX-N-'))).toEqual([
      '-A SBX-N-0123456789ab -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8791',
      '-A SBX-N-0123456789ab -p tcp -m tcp --dport 443 -j REDIRECT --to-ports 8792',
    ]);
    // The nat chain is declared in its own table section.
    expect(lines.indexOf('*nat')).toBeLessThan(lines.indexOf(':SBX-N-0123456789ab - [0:0]'));
    expect(lines.filter((l) => l.startsWith('-A SBX-I-'))).toEqual([
      '-A SBX-I-0123456789ab -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      '-A SBX-I-0123456789ab -d 172.18.0.1/32 -p tcp -m tcp --dport 8790 -j RETURN',
      '-A SBX-I-0123456789ab -d 172.18.0.1/32 -p tcp -m tcp --dport 8791 -j RETURN',
      '-A SBX-I-0123456789ab -d 172.18.0.1/32 -p tcp -m tcp --dport 8792 -j RETURN',
      '-A SBX-I-0123456789ab -j DROP',
    ]);
  });

  it('lets established traffic and DNS through, then drops private ranges and every new connection to the host', () => {
    const rules = buildRules(chains, { mode: 'open', allow: ['10.1.2.0/24'], deny: ['203.0.113.0/24'], allowHostPorts: [11434], resolvers: ['10.255.255.53'], host });
    const lines = rules.split('\n');
    const f = lines.filter((l) => l.startsWith('-A SBX-F-'));
    expect(f[0]).toMatch(/ESTABLISHED -j RETURN$/);
    expect(f).toContain('-A SBX-F-0123456789ab -d 10.255.255.53/32 -p udp -m udp --dport 53 -j RETURN');
    // Allowed CIDRs come before the drops that would cover them.
    expect(f.indexOf('-A SBX-F-0123456789ab -d 10.1.2.0/24 -j RETURN')).toBeLessThan(f.indexOf('-A SBX-F-0123456789ab -d 10.0.0.0/8 -j DROP'));
    for (const cidr of ['169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '203.0.113.0/24']) {
      expect(f).toContain(`-A SBX-F-0123456789ab -d ${cidr} -j DROP`);
    }
    expect(f.at(-1)).not.toBe('-A SBX-F-0123456789ab -j DROP');
    const i = lines.filter((l) => l.startsWith('-A SBX-I-'));
    expect(i).toEqual([
      '-A SBX-I-0123456789ab -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      '-A SBX-I-0123456789ab -d 172.18.0.1/32 -p tcp -m tcp --dport 8790 -j RETURN',
      '-A SBX-I-0123456789ab -d 172.18.0.1/32 -p tcp -m tcp --dport 8791 -j RETURN',
      '-A SBX-I-0123456789ab -d 172.18.0.1/32 -p tcp -m tcp --dport 8792 -j RETURN',
      '-A SBX-I-0123456789ab -p tcp -m tcp --dport 11434 -j RETURN',
      '-A SBX-I-0123456789ab -j DROP',
    ]);
  });

  it('drops everything not allowed in allowlist mode', () => {
    const f = buildRules(chains, { mode: 'allowlist', allow: [], deny: [], allowHostPorts: [], resolvers: [], host })
      .split('\n')
      .filter((l) => l.startsWith('-A SBX-F-'));
    expect(f.at(-1)).toBe('-A SBX-F-0123456789ab -j DROP');
  });

  it('reads IPv4 resolvers and finds our chains in a listing', () => {
    expect(parseResolvers('nameserver 10.255.255.53\nnameserver ::1\nsearch x\n')).toEqual(['10.255.255.53']);
    const listing = '-N SBX-F-aaaaaaaaaaaa\n-N SBX-I-aaaaaaaaaaaa\n-N DOCKER-USER\n-A INPUT -i br-aaaaaaaaaaaa -j SBX-I-aaaaaaaaaaaa\n-N SBX-N-bbbbbbbbbbbb\n';
    expect(chainNetworkIds(listing)).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
  });
});

describe('rules are written the way iptables -S lists them back', () => {
  it.each([
    ['10.1.2.3/24', '-d 10.1.2.0/24 '],
    ['203.0.113.7/32', '-d 203.0.113.7/32 '],
    ['172.31.255.255/12', '-d 172.16.0.0/12 '],
    ['255.255.255.255/1', '-d 128.0.0.0/1 '],
    ['0.0.0.0/0', ''],
  ])('%s → "%s"', (cidr, shown) => {
    expect(destination(cidr)).toBe(shown);
  });

  it('an allowed /0 is a bare RETURN, as iptables prints it', () => {
    const f = buildRules(chainsFor('ab'.repeat(6)), { mode: 'open', allow: ['0.0.0.0/0'], deny: [], allowHostPorts: [], resolvers: [], host }).split('\n');
    expect(f).toContain('-A SBX-F-abababababab -j RETURN');
  });
});

describe('isolationGaps (an iptables -S listing against the rules buildRules installs)', () => {
  const chains = chainsFor('0123456789abcdef0123');
  const bridge = 'br-0123456789ab';
  const rules = buildRules(chains, { mode: 'open', allow: ['10.1.2.0/24'], deny: [], allowHostPorts: [11434], resolvers: ['10.255.255.53'], host });
  const ruleLines = rules.split('\n').filter((l) => l.startsWith('-A '));
  const jumpF = `-A DOCKER-USER -i ${bridge} -j ${chains.forward}`;
  const jumpI = `-A INPUT -i ${bridge} -j ${chains.input}`;
  const jumpN = `-A PREROUTING -i ${bridge} -j ${chains.nat}`;
  /** A listing shaped like the real one: policies, chains, then rules chain by chain, other networks' rules around ours. */
  const listing = (
    opts: { jumps?: string[]; chainRules?: string[]; chainsDeclared?: string[]; dockerUser?: string[]; natDeclared?: string[]; natJumps?: string[] } = {},
  ): string =>
    [
      '-P INPUT ACCEPT',
      '-P FORWARD DROP',
      '-N DOCKER-USER',
      ...(opts.chainsDeclared ?? [`-N ${chains.forward}`, `-N ${chains.input}`]),
      '-N SBX-F-ffffffffffff',
      ...(opts.jumps ?? [jumpI]),
      '-A INPUT -i br-ffffffffffff -j SBX-I-ffffffffffff',
      ...(opts.dockerUser ?? ['-A DOCKER-USER -i br-ffffffffffff -j SBX-F-ffffffffffff', jumpF, '-A DOCKER-USER -j RETURN']),
      ...(opts.chainRules ?? ruleLines),
      '-A SBX-F-ffffffffffff -d 10.0.0.0/8 -j DROP',
      // The nat table's listing follows the filter table's.
      '-P PREROUTING ACCEPT',
      ...(opts.natDeclared ?? [`-N ${chains.nat}`]),
      '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      ...(opts.natJumps ?? [jumpN]),
      '',
    ].join('\n');

  it('finds nothing missing when the chains and both jumps are in place', () => {
    expect(isolationGaps(listing(), chains, bridge, rules)).toEqual([]);
  });

  it('sees a flushed chain', () => {
    const gaps = isolationGaps(listing({ chainRules: ruleLines.filter((l) => !l.startsWith(`-A ${chains.forward} `)) }), chains, bridge, rules);
    expect(gaps).toEqual([`chain ${chains.forward} holds 0 rules, not the 9 expected (9 missing)`]);
    const noRedirect = isolationGaps(listing({ chainRules: ruleLines.filter((l) => !l.startsWith(`-A ${chains.nat} `)) }), chains, bridge, rules);
    expect(noRedirect).toEqual([`chain ${chains.nat} holds 0 rules, not the 2 expected (2 missing)`]);
  });

  it('sees chains that do not exist (a dockerd or host restart)', () => {
    const gaps = isolationGaps(listing({ chainsDeclared: [], chainRules: [], jumps: [], dockerUser: [], natDeclared: [], natJumps: [] }), chains, bridge, rules);
    expect(gaps).toEqual([
      `chain ${chains.forward} is missing`,
      `chain ${chains.input} is missing`,
      `chain ${chains.nat} is missing`,
      `the jump from DOCKER-USER to ${chains.forward} is missing`,
      `the jump from INPUT to ${chains.input} is missing`,
      `the jump from PREROUTING to ${chains.nat} is missing`,
    ]);
  });

  it('sees one rule missing, one rule added and rules out of order', () => {
    const dropped = ruleLines.filter((l) => !l.includes('169.254.0.0/16'));
    expect(isolationGaps(listing({ chainRules: dropped }), chains, bridge, rules)).toHaveLength(1);
    const added = [...ruleLines, `-A ${chains.input} -j ACCEPT`];
    expect(isolationGaps(listing({ chainRules: added }), chains, bridge, rules)).toEqual([
      `chain ${chains.input} holds 7 rules, not the 6 expected (0 missing)`,
    ]);
    const swapped = [...ruleLines];
    [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
    expect(isolationGaps(listing({ chainRules: swapped }), chains, bridge, rules)).toHaveLength(1);
  });

  it('sees a missing jump, a jump for another bridge and a jump behind an unconditional RETURN', () => {
    expect(isolationGaps(listing({ jumps: [] }), chains, bridge, rules)).toEqual([`the jump from INPUT to ${chains.input} is missing`]);
    expect(isolationGaps(listing({ natJumps: [] }), chains, bridge, rules)).toEqual([`the jump from PREROUTING to ${chains.nat} is missing`]);
    expect(isolationGaps(listing({ jumps: [`-A INPUT -i br-other -j ${chains.input}`] }), chains, bridge, rules)).toHaveLength(1);
    expect(isolationGaps(listing({ dockerUser: ['-A DOCKER-USER -j RETURN', jumpF] }), chains, bridge, rules)).toEqual([
      `the jump from DOCKER-USER to ${chains.forward} is missing`,
    ]);
    // A conditional rule before the jump (someone else's) does not hide it.
    expect(isolationGaps(listing({ dockerUser: ['-A DOCKER-USER -s 192.0.2.0/24 -j RETURN', jumpF] }), chains, bridge, rules)).toEqual([]);
  });
});

describe('networkRefusal (an existing network the guard will not put sandboxes on)', () => {
  it('accepts a bridge with icc and IPv6 off', () => {
    expect(networkRefusal({ name: 'sbx', icc: false, ipv6: false })).toBeNull();
  });

  it('refuses icc on and IPv6 on, saying what to do', () => {
    const icc = networkRefusal({ name: 'sbx', icc: true, ipv6: false });
    expect(icc).toMatch(/network sbx has inter-container traffic on/);
    expect(icc).toMatch(/docker network rm sbx/);
    expect(icc).toMatch(/SANDBOXD_NETWORK/);
    expect(networkRefusal({ name: 'sbx', icc: false, ipv6: true })).toMatch(/network sbx has IPv6 enabled.*docker network rm sbx.*SANDBOXD_NETWORK/);
  });
});
