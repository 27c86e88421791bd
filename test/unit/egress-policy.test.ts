/** The egress proxy's decisions, table by table (src/egress/policy.ts). */
import { describe, expect, it } from 'vitest';
import { EgressRules, nameMatches, normalizeName } from '../../src/egress/policy.js';
import { Resolver } from '../../src/egress/resolve.js';

const none = { allow: [], deny: [] };
const host = new Set(['192.0.2.2']);

describe('names', () => {
  it.each([
    ['Registry.NPMJS.org.', 'registry.npmjs.org'],
    ['127.0.0.1', '127.0.0.1'],
    ['exa mple.com', null],
    ['', null],
    ['a'.repeat(254), null],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['under_score.example', null],
  ])('normalizeName(%j) → %j', (raw, want) => {
    expect(normalizeName(raw)).toBe(want);
  });

  it.each([
    ['api.github.com', '*.github.com', true],
    ['a.b.github.com', '*.github.com', true],
    ['github.com', '*.github.com', false],
    ['evilgithub.com', '*.github.com', false],
    ['github.com.evil.com', '*.github.com', false],
    ['registry.npmjs.org', 'registry.npmjs.org', true],
    ['x.registry.npmjs.org', 'registry.npmjs.org', false],
    ['10.0.0.1', '10.0.0.0/8', false],
  ])('%s against %s → %s', (name, entry, want) => {
    expect(nameMatches(name, entry)).toBe(want);
  });
});

describe('EgressRules', () => {
  const allowlist = new EgressRules({ mode: 'allowlist', allow: ['registry.npmjs.org', '*.github.com', '198.51.100.0/24'], deny: [] }, none);
  const open = new EgressRules({ mode: 'open', allow: [], deny: ['*.evil.example', '203.0.113.66/32'] }, none);

  it('allowlist: listed names pass, others wait for their addresses, which must be in an allowed CIDR', () => {
    expect(allowlist.name('registry.npmjs.org')).toEqual({ ok: true });
    expect(allowlist.name('api.github.com')).toEqual({ ok: true });
    expect(allowlist.name('deb.debian.org')).toBe('address');
    expect(allowlist.addresses(['151.101.2.132'], false, host)).toEqual({ ok: false, reason: 'not in the allowlist' });
    expect(allowlist.addresses(['198.51.100.7'], false, host)).toEqual({ ok: true });
  });

  it('open: everything but denied names and CIDRs', () => {
    expect(open.name('deb.debian.org')).toEqual({ ok: true });
    expect(open.name('a.evil.example')).toEqual({ ok: false, reason: 'denied by the egress policy' });
    expect(open.addresses(['203.0.113.66'], true, host)).toMatchObject({ ok: false });
    expect(open.addresses(['203.0.113.67'], true, host)).toEqual({ ok: true });
  });

  it.each([
    ['loopback', ['127.0.0.1']],
    ['this network', ['0.0.0.0']],
    ['private 10/8', ['10.1.2.3']],
    ['private 172.16/12', ['172.18.0.1']],
    ['private 192.168/16', ['192.168.1.1']],
    ['cloud metadata', ['169.254.169.254']],
    ['CGNAT', ['100.64.0.1']],
    ['multicast', ['239.1.1.1']],
    ["the host's own address", ['192.0.2.2']],
    ['one private answer among public ones', ['151.101.2.132', '10.0.0.1']],
    ['no answer', []],
  ])('DNS rebinding: an allowed name answering %s is refused', (_what, addresses) => {
    expect(open.addresses(addresses, true, host).ok).toBe(false);
    expect(allowlist.addresses(addresses, true, host).ok).toBe(false);
  });

  it("only the operator's allow list opens a private range; a sandbox's own policy cannot", () => {
    const own = new EgressRules({ mode: 'open', allow: ['10.0.0.0/8'], deny: [] }, none);
    expect(own.addresses(['10.1.2.3'], true, host).ok).toBe(false);
    const operator = new EgressRules({ mode: 'open', allow: [], deny: [] }, { allow: ['10.1.2.0/24'], deny: [] });
    expect(operator.addresses(['10.1.2.3'], true, host)).toEqual({ ok: true });
    expect(operator.addresses(['127.0.0.1'], true, host).ok).toBe(false);
  });

  it("the operator's deny list applies to every sandbox's policy", () => {
    const rules = new EgressRules({ mode: 'allowlist', allow: ['pastebin.com'], deny: [] }, { allow: [], deny: ['pastebin.com'] });
    expect(rules.name('pastebin.com')).toMatchObject({ ok: false });
  });
});

describe('Resolver', () => {
  it('uses a pin for its name and port, takes IPv4 literals as they are, and caches answers', async () => {
    let asked = 0;
    const r = new Resolver([{ host: 'mirror.internal', port: 443, address: '10.0.0.5', targetPort: 8443 }], async () => {
      asked++;
      return ['198.51.100.9'];
    });
    expect(await r.target('mirror.internal', 443)).toEqual({ addresses: ['10.0.0.5'], port: 8443, pinned: true });
    expect(await r.target('mirror.internal', 80)).toEqual({ addresses: ['198.51.100.9'], port: 80, pinned: false });
    expect(await r.target('2130706433', 80)).toEqual({ addresses: ['198.51.100.9'], port: 80, pinned: false });
    expect(await r.target('127.0.0.1', 443)).toEqual({ addresses: ['127.0.0.1'], port: 443, pinned: false });
    await r.target('mirror.internal', 80);
    expect(asked).toBe(2);
    expect(r.hostAddresses().has('127.0.0.1')).toBe(true);
  });
});
