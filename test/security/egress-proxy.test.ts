/**
 * Egress by name, through the transparent proxy, probed from inside real
 * sandboxes. The destinations are real: the npm registry (its host read from
 * npm's config) over HTTPS and the Debian mirror (its host read from apt's
 * sources) over HTTP, both of which this box reaches only through its own
 * upstream, so a pass means the proxy really spliced the connection. Sandbox
 * A allows the registry only, B the mirror only, C keeps the settings'
 * default (open). Hostile inputs: an allowed SNI aimed at another address,
 * a forged SNI or Host, garbage and oversized ClientHellos, names that
 * resolve to loopback, private and metadata addresses (DNS rebinding).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { hostAddress } from '../helpers/probes.js';
import { nodeIn } from '../helpers/sandbox-node.js';

const docker = new Docker();
let d: TestDaemon;
const a = uniqueId('eg-a');
const b = uniqueId('eg-b');
const c = uniqueId('eg-c');
let bIp: string;
let bridgeIp: string;

/** The npm registry's host, from npm's own config. */
const REGISTRY = new URL(execFileSync('npm', ['config', 'get', 'registry']).toString().trim()).hostname;
/** The Debian mirror's host, from apt's sources (deb822 or one-line). */
const MIRROR = (() => {
  const dir = '/etc/apt/sources.list.d';
  const text = [...readdirSync(dir).map((f) => readFileSync(`${dir}/${f}`, 'utf8')), ...(() => { try { return [readFileSync('/etc/apt/sources.list', 'utf8')]; } catch { return []; } })()].join('\n');
  return new URL(/(?:URIs:\s*|^deb\s+(?:\[[^\]]*\]\s+)?)(https?:\/\/\S+)/m.exec(text)![1]).hostname;
})();

/** A TLS handshake from inside `id` to `host`:443 naming `sni`: "tls-ok" or "tls-refused <why>". */
const TLS = `const [host, sni] = process.argv.slice(1); const s = require('tls').connect({ host, port: 443, servername: sni, rejectUnauthorized: false, timeout: 10000 });
s.on('secureConnect', () => { console.log('tls-ok'); s.destroy(); }); s.on('error', (e) => console.log('tls-refused ' + e.message)); s.on('timeout', () => { console.log('tls-timeout'); s.destroy(); });`;
/** An HTTP GET from inside to `host`:80 with a Host header: "<status> <body start>". */
const HTTP = `const [host, name, path] = process.argv.slice(1); require('http').get({ host, port: 80, path, headers: { host: name }, timeout: 10000 }, (r) => {
let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => console.log(r.statusCode + ' ' + b.slice(0, 200).replace(/\\s+/g, ' '))); }).on('error', (e) => console.log('error ' + e.message));`;
/** HTTPS to `ip` naming `sni` (and Host), the registry's answer for a package, printed: "<status> <name field>". */
const FRONTED = `const [ip, sni, path] = process.argv.slice(1); require('https').get({ host: ip, servername: sni, headers: { host: sni }, path, rejectUnauthorized: false, timeout: 20000 }, (r) => {
let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => { let n = null; try { n = JSON.parse(b).name; } catch {} console.log(r.statusCode + ' ' + n); }); }).on('error', (e) => console.log('error ' + e.message));`;
/** Raw bytes to `host`:443 (hex in argv[2]): what comes back, and whether the proxy closed the connection. */
const RAW = `const [host, hex, repeat] = process.argv.slice(1); const s = require('net').connect({ host, port: 443 }, () => { const b = Buffer.from(hex, 'hex'); for (let i = 0; i < Number(repeat); i++) s.write(b); });
let got = Buffer.alloc(0); s.on('data', (c) => (got = Buffer.concat([got, c]))); s.on('close', () => { console.log('closed ' + got.toString('hex')); process.exit(0); }); s.on('error', () => undefined); setTimeout(() => { console.log('still-open'); process.exit(0); }, 15000);`;

const tls = (id: string, host: string, sni: string) => nodeIn(d, id, TLS, [host, sni]);
const http = (id: string, host: string, name: string, path = '/') => nodeIn(d, id, HTTP, [host, name, path]);
const npmView = async (id: string) =>
  String((await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['npm', 'view', 'is-number@7.0.0', 'version'], timeout_s: 120 })).body.stdout).trim();
const RELEASE = '/debian/dists/bookworm/Release';

beforeAll(async () => {
  d = await startTestDaemon();
  const create = (id: string, egress?: unknown) => d.api('POST', '/v1/sandboxes', { id, ...(egress ? { egress } : {}) });
  expect((await create(a, { mode: 'allowlist', allow: [REGISTRY] })).status).toBe(201);
  expect((await create(b, { mode: 'allowlist', allow: [MIRROR.toUpperCase()] })).status).toBe(201);
  expect((await create(c)).status).toBe(201);
  bIp = (await docker.getContainer(`s-${b}`).inspect()).NetworkSettings.Networks[d.network].IPAddress;
  bridgeIp = (await docker.getNetwork(d.network).inspect()).IPAM!.Config![0].Gateway!;
}, 120_000);

afterAll(async () => {
  await d?.dispose();
});

describe('an allowlist per sandbox', () => {
  it(`A reaches ${REGISTRY} (npm install over HTTPS) and is refused ${MIRROR}; B the other way round`, async () => {
    expect(await npmView(a)).toBe('7.0.0');
    expect(await http(a, MIRROR, MIRROR, RELEASE)).toMatch(/^403 sandboxed egress proxy: .* is not allowed for this sandbox: not in the allowlist/);
    expect(await tls(a, MIRROR, MIRROR)).toMatch(/^tls-refused .*access denied/);

    expect(await http(b, MIRROR, MIRROR, RELEASE)).toMatch(/^200 .*Origin: Debian/);
    expect(await npmView(b)).not.toBe('7.0.0');
    expect(await tls(b, REGISTRY, REGISTRY)).toMatch(/^tls-refused .*access denied/);
    // Refusals are logged with the sandbox and the name.
    const log = await d.waitForLog(new RegExp(`"sandboxId":"${b}","name":"${REGISTRY.replace(/\./g, '\\.')}".*egress refused`));
    expect(log).toContain(`"sandboxId":"${a}","name":"${MIRROR}"`);
  });

  it('C keeps the open default: both are reachable', async () => {
    expect(await npmView(c)).toBe('7.0.0');
    expect(await http(c, MIRROR, MIRROR, RELEASE)).toMatch(/^200 /);
    const shown = (await d.api('GET', `/v1/sandboxes/${c}`)).body;
    expect(shown).toMatchObject({ egress: { mode: 'open', allow: [], deny: [] }, egress_default: true });
    expect((await d.api('GET', `/v1/sandboxes/${b}`)).body).toMatchObject({ egress: { mode: 'allowlist', allow: [MIRROR] }, egress_default: false });
  });
});

describe('the name decides, never the address dialled', () => {
  it("an allowed SNI aimed at another address (B's container, which serves nothing) still reaches only the allowed domain", async () => {
    expect(await nodeIn(d, a, FRONTED, [bIp, REGISTRY, '/is-number'])).toBe('200 is-number');
  });

  it("a forged SNI or Host naming an unlisted domain is refused, even on a connection to the allowed domain's address", async () => {
    expect(await tls(a, REGISTRY, MIRROR)).toMatch(/^tls-refused .*access denied/);
    expect(await http(a, REGISTRY, MIRROR, RELEASE)).toMatch(/^403 /);
    // Without a name there is nothing to allow: an SNI-less ClientHello (TLS to a bare IP) is refused.
    expect(await tls(c, '198.51.100.7', '')).toMatch(/^tls-refused /);
  });
});

describe('hostile bytes at the proxy', () => {
  it('garbage, an oversized record and a ClientHello cut short are refused quickly; neighbours and the daemon are unaffected', async () => {
    // 64 KiB of junk that does not look like TLS: closed at once, nothing but maybe an alert back.
    expect(await nodeIn(d, c, RAW, [bridgeIp, 'deadbeef'.repeat(512), '32'])).toMatch(/^closed /);
    // A handshake header announcing a record over 16 KiB.
    expect(await nodeIn(d, c, RAW, [bridgeIp, '16030140ff', '1'])).toMatch(/^closed 15030300020231$/);
    // A well-formed record whose ClientHello claims more bytes than the record holds.
    expect(await nodeIn(d, c, RAW, [bridgeIp, '1603010008' + '01ffffff' + '03030000', '1'])).toMatch(/^closed 15030300020231$/);
    expect(await npmView(a)).toBe('7.0.0');
    expect(await http(b, MIRROR, MIRROR, RELEASE)).toMatch(/^200 /);
    expect((await d.api('GET', '/readyz')).status).toBe(200);
  });

  it('a flood of idle connections is capped per sandbox; the neighbours still get through', async () => {
    const FLOOD = `const [host, port, n] = process.argv.slice(1); let closed = 0; const all = [];
for (let i = 0; i < Number(n); i++) { const s = require('net').connect({ host, port: Number(port) }); s.on('error', () => undefined); s.on('close', () => closed++); all.push(s); }
setTimeout(async () => { const r = await new Promise((res) => require('http').get({ host, port: 80, headers: { host: ${JSON.stringify(REGISTRY)} } }, (x) => res(x.statusCode)).on('error', (e) => res(e.message)));
console.log(JSON.stringify({ closed, own: r })); process.exit(0); }, 3000);`;
    const flood = JSON.parse(await nodeIn(d, c, FLOOD, [bridgeIp, '443', '700']));
    // Past 512 open connections the proxy closes new ones unread; the source's own new request is one of them.
    expect(flood.closed).toBeGreaterThanOrEqual(700 - 512);
    expect(await npmView(a)).toBe('7.0.0');
    expect(await http(b, MIRROR, MIRROR, RELEASE)).toMatch(/^200 /);
    // Once the flood is gone, C is served again.
    expect(await http(c, MIRROR, MIRROR, RELEASE)).toMatch(/^200 /);
  });

  it.each([
    ['localhost', 'loopback'],
    ['2130706433', 'loopback (decimal form of 127.0.0.1)'],
    ['127.1', 'loopback (short form)'],
    ['169.254.169.254', 'cloud metadata'],
    ['10.0.0.1', 'a private address'],
  ])('DNS rebinding: an open sandbox asking for %s (%s) is refused', async (name) => {
    expect(await http(c, '198.51.100.7', name, '/latest/meta-data/')).toMatch(/^403 sandboxed egress proxy: .*(loopback|private|link-local|reserved|host address)/);
  });

  it("the bridge's own address, the host's address and localhost over TLS are refused too", async () => {
    expect(await http(c, bridgeIp, bridgeIp)).toMatch(/^403 /);
    expect(await http(c, bridgeIp, hostAddress())).toMatch(/^403 .*host address/);
    expect(await tls(c, bridgeIp, 'localhost')).toMatch(/^tls-refused /);
  });
});

describe('policy changes', () => {
  it('PATCH applies at the next connection, survives a daemon restart, and null returns to the default', async () => {
    const r = await d.api('PATCH', `/v1/sandboxes/${a}`, { egress: { mode: 'allowlist', allow: [REGISTRY, `*.${MIRROR.split('.').slice(1).join('.')}`], deny: [] } });
    expect(r.status).toBe(200);
    expect(await http(a, MIRROR, MIRROR, RELEASE)).toMatch(/^200 /);
    expect((await d.api('PATCH', `/v1/sandboxes/${a}`, { egress: { mode: 'open', allow: [], deny: [MIRROR] } })).status).toBe(200);
    await d.restart();
    expect(await http(a, MIRROR, MIRROR, RELEASE)).toMatch(/^403 .*denied by the egress policy/);
    expect(await http(b, MIRROR, MIRROR, RELEASE)).toMatch(/^200 /);
    expect(await tls(b, REGISTRY, REGISTRY)).toMatch(/^tls-refused /);
    expect((await d.api('PATCH', `/v1/sandboxes/${a}`, { egress: null })).body.egress_default).toBe(true);
    expect(await http(a, MIRROR, MIRROR, RELEASE)).toMatch(/^200 /);
  });

  it('refuses entries that are neither names, wildcards nor CIDRs (400)', async () => {
    for (const entry of ['10.0.0.1', 'http://x.example/', 'a..b', '*', '*.', 'x'.repeat(300), 'ex ample.com']) {
      const res = await d.api('PATCH', `/v1/sandboxes/${c}`, { egress: { mode: 'allowlist', allow: [entry] } });
      expect(res.status, entry).toBe(400);
      expect(res.body.error).toMatch(/egress/);
    }
  });
});
