/**
 * The egress proxy's readers of tenant bytes: the TLS ClientHello's SNI and
 * the HTTP Host. Real ClientHellos come from Node's own TLS client (captured
 * on loopback); hostile ones are cut, lied about, oversized and random.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { MAX_HELLO_BYTES, readSni } from '../../src/egress/client-hello.js';
import { MAX_HEAD_BYTES, readHost } from '../../src/egress/http-head.js';

/** The first bytes a real TLS client sends for `servername`. */
async function captureHello(servername: string | undefined): Promise<Buffer> {
  const server = createServer();
  const got = new Promise<Buffer>((resolve) =>
    server.once('connection', (s) => {
      let buf = Buffer.alloc(0);
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        if (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
          resolve(buf);
          s.destroy();
        }
      });
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername, rejectUnauthorized: false });
  client.on('error', () => undefined);
  const hello = await got;
  client.destroy();
  server.close();
  return hello;
}

describe('readSni', () => {
  it('reads the server name of a real ClientHello, and asks for more until the record is complete', async () => {
    const hello = await captureHello('registry.npmjs.org');
    expect(readSni(hello)).toEqual({ kind: 'name', name: 'registry.npmjs.org' });
    for (const cut of [0, 3, 5, 40, hello.length - 1]) expect(readSni(hello.subarray(0, cut))).toEqual({ kind: 'more' });
  });

  it('refuses a ClientHello without SNI (what a client dialling a bare IP sends)', async () => {
    const hello = await captureHello(undefined);
    expect(readSni(hello)).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/no SNI|names no server/) });
  });

  it('refuses what is not a TLS handshake, an oversized record and a ClientHello that claims to span records', async () => {
    expect(readSni(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toMatchObject({ kind: 'refuse', reason: 'not a TLS handshake' });
    expect(readSni(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff]))).toMatchObject({ kind: 'refuse', reason: 'TLS record length out of range' });
    const hello = Buffer.from(await captureHello('a.example'));
    hello[6] = 0x7f; // handshake length far beyond the record
    expect(readSni(hello)).toMatchObject({ kind: 'refuse', reason: 'the ClientHello spans more than one TLS record' });
  });

  it('refuses lying inner lengths without reading past the record', async () => {
    const hello = await captureHello('b.example');
    // Every 2-byte field set to 0xffff in turn: no offset makes the parser read outside the buffer or throw.
    for (let i = 9; i < hello.length - 1; i++) {
      const bad = Buffer.from(hello);
      bad[i] = 0xff;
      bad[i + 1] = 0xff;
      const r = readSni(bad);
      expect(['name', 'refuse']).toContain(r.kind);
    }
  });

  it('answers every random input quickly, without throwing', () => {
    const started = performance.now();
    for (let i = 0; i < 2000; i++) {
      const junk = randomBytes(1 + (i % 600));
      if (i % 2 === 0 && junk.length >= 6) junk.set([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);
      expect(() => readSni(junk)).not.toThrow();
    }
    // Bounded by construction (16 KiB per hello): 2000 inputs take milliseconds, far from the second allowed here.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(MAX_HELLO_BYTES).toBe(16389);
  });
});

describe('readHost', () => {
  it.each([
    ['GET / HTTP/1.1\r\nHost: deb.debian.org\r\n\r\n', 'deb.debian.org'],
    ['GET / HTTP/1.1\r\nhost:Deb.Debian.Org:8080\r\n\r\n', 'Deb.Debian.Org'],
    ['GET http://example.com/x HTTP/1.1\r\nAccept: */*\r\n\r\n', 'example.com'],
  ])('%j → %s', (head, name) => {
    expect(readHost(Buffer.from(head))).toEqual({ kind: 'name', name });
  });

  it('waits for the whole head, and refuses two Host headers, no Host, not HTTP and an oversized head', () => {
    expect(readHost(Buffer.from('GET / HTTP/1.1\r\nHost: a'))).toEqual({ kind: 'more' });
    expect(readHost(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'))).toMatchObject({ kind: 'refuse' });
    expect(readHost(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toMatchObject({ kind: 'refuse', reason: 'no Host header' });
    expect(readHost(Buffer.from('\x16\x03\x01 junk\r\n\r\n'))).toMatchObject({ kind: 'refuse' });
    expect(readHost(Buffer.alloc(MAX_HEAD_BYTES, 'a'))).toMatchObject({ kind: 'refuse', reason: 'request head too large' });
  });
});
