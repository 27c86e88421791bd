import { describe, expect, it } from 'vitest';
import { buildRules, chainNetworkIds, chainsFor, parseResolvers } from '../../src/network/isolation.js';

describe('isolation rules', () => {
  const chains = chainsFor('0123456789abcdef0123');

  it('names two chains per network from its id', () => {
    expect(chains).toEqual({ forward: 'SBX-F-0123456789ab', input: 'SBX-I-0123456789ab' });
  });

  it('lets established traffic and DNS through, then drops private ranges and every new connection to the host', () => {
    const rules = buildRules(chains, { mode: 'open', allow: ['10.1.2.0/24'], deny: ['203.0.113.0/24'], allowHostPorts: [11434], resolvers: ['10.255.255.53'] });
    const lines = rules.split('\n');
    const f = lines.filter((l) => l.startsWith('-A SBX-F-'));
    expect(f[0]).toMatch(/ESTABLISHED -j RETURN$/);
    expect(f).toContain('-A SBX-F-0123456789ab -d 10.255.255.53/32 -p udp --dport 53 -j RETURN');
    // Allowed CIDRs come before the drops that would cover them.
    expect(f.indexOf('-A SBX-F-0123456789ab -d 10.1.2.0/24 -j RETURN')).toBeLessThan(f.indexOf('-A SBX-F-0123456789ab -d 10.0.0.0/8 -j DROP'));
    for (const cidr of ['169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '203.0.113.0/24']) {
      expect(f).toContain(`-A SBX-F-0123456789ab -d ${cidr} -j DROP`);
    }
    expect(f.at(-1)).not.toBe('-A SBX-F-0123456789ab -j DROP');
    const i = lines.filter((l) => l.startsWith('-A SBX-I-'));
    expect(i).toEqual([
      '-A SBX-I-0123456789ab -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      '-A SBX-I-0123456789ab -p tcp --dport 11434 -j RETURN',
      '-A SBX-I-0123456789ab -j DROP',
    ]);
  });

  it('drops everything not allowed in allowlist mode', () => {
    const f = buildRules(chains, { mode: 'allowlist', allow: [], deny: [], allowHostPorts: [], resolvers: [] })
      .split('\n')
      .filter((l) => l.startsWith('-A SBX-F-'));
    expect(f.at(-1)).toBe('-A SBX-F-0123456789ab -j DROP');
  });

  it('reads IPv4 resolvers and finds our chains in a listing', () => {
    expect(parseResolvers('nameserver 10.255.255.53\nnameserver ::1\nsearch x\n')).toEqual(['10.255.255.53']);
    const listing = '-N SBX-F-aaaaaaaaaaaa\n-N SBX-I-aaaaaaaaaaaa\n-N DOCKER-USER\n-A INPUT -i br-aaaaaaaaaaaa -j SBX-I-aaaaaaaaaaaa\n';
    expect(chainNetworkIds(listing)).toEqual(['aaaaaaaaaaaa']);
  });
});
