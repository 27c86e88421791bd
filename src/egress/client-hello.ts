/**
 * The server name (SNI) of a TLS ClientHello, read without decrypting
 * anything. The bytes come from a tenant, so the work is bounded by
 * construction: only the first TLS record is read (at most 16 KiB + 5 bytes,
 * MAX_HELLO_BYTES), every length is checked against what is left before it
 * is used, and the loop over extensions advances at least 4 bytes per turn.
 * A ClientHello split over several records is refused (real clients send
 * one record; a post-quantum key share still fits in 16 KiB).
 */

/** One TLS record: the 5-byte header and at most 2^14 bytes of payload (RFC 8446 §5.1). */
export const MAX_HELLO_BYTES = 5 + 16384;

export type HelloRead = { kind: 'more' } | { kind: 'name'; name: string } | { kind: 'refuse'; reason: string };

const MORE: HelloRead = { kind: 'more' };
const refuse = (reason: string): HelloRead => ({ kind: 'refuse', reason });

/** A cursor that throws RangeError rather than read past its end. */
class Cursor {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  left(): number {
    return this.buf.length - this.at;
  }
  private take(n: number): Buffer {
    if (n > this.left()) throw new RangeError('truncated');
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0];
  }
  u16(): number {
    return this.take(2).readUInt16BE(0);
  }
  u24(): number {
    const b = this.take(3);
    return (b[0] << 16) | (b[1] << 8) | b[2];
  }
  skip(n: number): void {
    this.take(n);
  }
  sub(n: number): Cursor {
    return new Cursor(this.take(n));
  }
  bytes(n: number): Buffer {
    return this.take(n);
  }
}

/** Reads the host_name of the server_name extension (RFC 6066 §3) from the bytes received so far. */
export function readSni(buf: Buffer): HelloRead {
  if (buf.length < 5) return MORE;
  if (buf[0] !== 0x16) return refuse('not a TLS handshake');
  if (buf[1] !== 0x03) return refuse('not a TLS record version');
  const recordLength = buf.readUInt16BE(3);
  if (recordLength < 4 || recordLength > 16384) return refuse('TLS record length out of range');
  if (buf.length < 5 + recordLength) return MORE;
  try {
    return sniOf(new Cursor(buf.subarray(5, 5 + recordLength)));
  } catch {
    return refuse('malformed or fragmented ClientHello');
  }
}

function sniOf(record: Cursor): HelloRead {
  if (record.u8() !== 1) return refuse('the first handshake message is not a ClientHello');
  const helloLength = record.u24();
  if (helloLength > record.left()) return refuse('the ClientHello spans more than one TLS record');
  const hello = record.sub(helloLength);
  hello.skip(2 + 32); // legacy_version, random
  hello.skip(hello.u8()); // legacy_session_id
  hello.skip(hello.u16()); // cipher_suites
  hello.skip(hello.u8()); // legacy_compression_methods
  if (hello.left() === 0) return refuse('the ClientHello names no server (no extensions)');
  const extensions = hello.sub(hello.u16());
  while (extensions.left() > 0) {
    const type = extensions.u16();
    const data = extensions.sub(extensions.u16());
    if (type !== 0) continue;
    const names = data.sub(data.u16());
    while (names.left() > 0) {
      const nameType = names.u8();
      const name = names.bytes(names.u16());
      if (nameType === 0) return { kind: 'name', name: name.toString('latin1') };
    }
  }
  return refuse('the ClientHello names no server (no SNI)');
}

/** A fatal TLS alert, access_denied (49): what a refused client sees ("tlsv1 alert access denied"). */
export const ACCESS_DENIED_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 49]);
