/** The pure parts of terminals and streams: the replay ring, the frame protocol, UTF-8 cuts, URL redaction. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { redactUrl } from '../../src/http/log-fields.js';
import { completeUtf8 } from '../../src/terminals/log-follower.js';
import { parseClientText } from '../../src/terminals/protocol.js';
import { ByteRing } from '../../src/terminals/ring.js';

describe('ByteRing', () => {
  it('keeps the newest bytes, addressed by their offset since the start', () => {
    const r = new ByteRing(8);
    r.append(Buffer.from('abcde'));
    expect([r.start, r.end]).toEqual([0, 5]);
    expect(r.read(2).bytes.toString()).toBe('cde');
    r.append(Buffer.from('fghij'));
    expect([r.start, r.end]).toEqual([2, 10]);
    expect(r.read(0)).toEqual({ from: 2, bytes: Buffer.from('cdefghij') });
    expect(r.read(7).bytes.toString()).toBe('hij');
    expect(r.read(99)).toEqual({ from: 10, bytes: Buffer.alloc(0) });
  });

  it('takes a chunk larger than itself, and wraps any number of times', () => {
    const r = new ByteRing(4);
    r.append(Buffer.from('0123456789'));
    expect(r.read(0)).toEqual({ from: 6, bytes: Buffer.from('6789') });
    let all = '0123456789';
    for (let i = 0; i < 50; i++) {
      const s = String.fromCharCode(97 + (i % 26)).repeat((i % 3) + 1);
      r.append(Buffer.from(s));
      all += s;
      expect(r.read(0).bytes.toString()).toBe(all.slice(-4));
      expect(r.end).toBe(all.length);
    }
    expect(r.read(r.end - 2, 1).bytes.toString()).toBe(all.slice(-2, -1));
  });
});

describe('client control frames', () => {
  it.each([
    ['{"type":"resize","cols":120,"rows":40}', { type: 'resize', cols: 120, rows: 40 }],
    ['{"type":"signal","name":"SIGint"}', { type: 'signal', name: 'INT' }],
    ['{"type":"signal","name":"TERM"}', { type: 'signal', name: 'TERM' }],
    ['{"type":"ping"}', { type: 'ping' }],
  ])('accepts %s', (text, msg) => {
    expect(parseClientText(text)).toEqual(msg);
  });

  it.each([
    ['ls\r', 'binary frames'],
    ['[1,2]', 'JSON object'],
    ['null', 'JSON object'],
    ['{"type":"resize","cols":0,"rows":40}', 'cols must be'],
    ['{"type":"resize","cols":80,"rows":100000}', 'rows must be'],
    ['{"type":"resize","cols":"80","rows":24}', 'cols must be'],
    ['{"type":"resize","cols":80.5,"rows":24}', 'cols must be'],
    ['{"type":"signal","name":"STOP"}', 'one of INT'],
    ['{"type":"signal","name":"__proto__"}', 'one of INT'],
    ['{"type":"signal","name":7}', 'one of INT'],
    ['{"type":"exec"}', 'unknown message type'],
  ])('refuses %s, saying why', (text, why) => {
    const r = parseClientText(text);
    expect('error' in r && r.error).toContain(why);
  });
});

describe('completeUtf8', () => {
  it('holds back a character cut at the end, and only that', () => {
    const e = Buffer.from('é€😀');
    expect(completeUtf8(e)).toBe(e.length);
    for (let cut = 1; cut <= 3; cut++) expect(completeUtf8(e.subarray(0, e.length - cut))).toBe(e.length - 4);
    expect(completeUtf8(Buffer.from('ab'))).toBe(2);
    expect(completeUtf8(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1);
    // Stray continuation bytes are no character in progress: they go out (as U+FFFD).
    expect(completeUtf8(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80]))).toBe(5);
  });
});

describe('redactUrl', () => {
  it('replaces every token query value and nothing else', () => {
    expect(redactUrl('/v1/sandboxes/a/pty?token=s3cret&cols=80')).toBe('/v1/sandboxes/a/pty?token=[redacted]&cols=80');
    expect(redactUrl('/x?cols=1&TOKEN=a%20b&token=c')).toBe('/x?cols=1&TOKEN=[redacted]&token=[redacted]');
    expect(redactUrl('/v1/sandboxes/token=x')).toBe('/v1/sandboxes/token=x');
    expect(redactUrl('/x?mytoken=keep')).toBe('/x?mytoken=keep');
  });
});

describe('terminal settings', () => {
  it('default to a 1 MiB buffer, 10 min grace, 8 per sandbox and 64 in all; a per-sandbox cap above the total is refused', () => {
    expect(loadConfig({})).toMatchObject({ ptyBufferBytes: 1048576, ptyGraceMs: 600_000, ptyMaxPerSandbox: 8, ptyMaxSessions: 64 });
    expect(() => loadConfig({ SANDBOXD_PTY_MAX_PER_SANDBOX: '10', SANDBOXD_PTY_MAX_SESSIONS: '5' })).toThrow(/SANDBOXD_PTY_MAX_PER_SANDBOX/);
    expect(() => loadConfig({ SANDBOXD_PTY_BUFFER_BYTES: '100' })).toThrow(/SANDBOXD_PTY_BUFFER_BYTES/);
  });
});
