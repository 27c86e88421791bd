/**
 * The destination of a plain HTTP request: the Host header of the first
 * request on the connection (or the authority of an absolute-form target),
 * read from at most MAX_HEAD_BYTES of tenant bytes. Only the head is
 * scanned, once it is complete; nothing is rewritten.
 */

/** Request line and headers together: more is refused (real heads are a few hundred bytes). */
export const MAX_HEAD_BYTES = 16 * 1024;

export type HeadRead = { kind: 'more' } | { kind: 'name'; name: string } | { kind: 'refuse'; reason: string };

const REQUEST_LINE = /^[A-Z]{1,16} (\S{1,8192}) HTTP\/1\.[01]$/;

export function readHost(buf: Buffer): HeadRead {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return buf.length >= MAX_HEAD_BYTES ? { kind: 'refuse', reason: 'request head too large' } : { kind: 'more' };
  if (end > MAX_HEAD_BYTES) return { kind: 'refuse', reason: 'request head too large' };
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const target = REQUEST_LINE.exec(lines[0])?.[1];
  if (target === undefined) return { kind: 'refuse', reason: 'not an HTTP/1.x request' };
  const hosts = lines.slice(1).filter((l) => /^host[ \t]*:/i.test(l));
  if (hosts.length > 1) return { kind: 'refuse', reason: 'more than one Host header' };
  let authority = hosts.length === 1 ? hosts[0].slice(hosts[0].indexOf(':') + 1).trim() : '';
  if (authority === '' && /^https?:\/\//i.test(target)) authority = target.replace(/^https?:\/\//i, '').split('/')[0];
  if (authority === '') return { kind: 'refuse', reason: 'no Host header' };
  // The port is ignored: the connection was to port 80 and goes to port 80.
  const name = authority.replace(/:\d{1,5}$/, '');
  return { kind: 'name', name };
}

/** The answer to a refused request; `name` is already validated (a host name or an address). */
export function forbiddenResponse(text: string): string {
  const body = `sandboxed egress proxy: ${text}\n`;
  return `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}
