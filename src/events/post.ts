/**
 * One delivery attempt: POST the body, read the status, and nothing much
 * more. Whatever the receiver does costs at most `timeoutMs` and a few KiB:
 * one deadline covers DNS, connect, headers and body; a 2xx's body is never
 * read, another status's first 512 bytes are kept for the delivery's error;
 * redirects are not followed (they are failures). A fresh connection each
 * time (no agent): nothing lingers between attempts.
 *
 * Webhook URLs are the operator's (SANDBOXD_WEBHOOKS), trusted like the rest
 * of the config: no address is refused, so a webhook may point at a service
 * on the host or the LAN. Tenants cannot choose or change them.
 */
import http from 'node:http';
import https from 'node:https';

export interface AttemptResult {
  ok: boolean;
  /** The receiver's HTTP status; null when it gave none. */
  status: number | null;
  error: string | null;
}

const EXCERPT_BYTES = 512;

/** Printable, one line, short: what a receiver answered may be anything. */
function excerpt(bytes: Buffer): string {
  const text = bytes.subarray(0, EXCERPT_BYTES).toString('utf8').replace(/[^\x20-\x7e\u00a0-\uffff]+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const u = new URL(url);
    let settled = false;
    const finish = (r: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const req = (u.protocol === 'https:' ? https : http).request(u, {
      method: 'POST',
      agent: false,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    const timer = setTimeout(() => finish({ ok: false, status: null, error: `no answer within ${Math.round(timeoutMs / 1000)} s` }), timeoutMs);
    const onAbort = (): void => finish({ ok: false, status: null, error: 'the daemon stopped' });
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish({ ok: false, status: null, error: err.message }));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return finish({ ok: true, status, error: null });
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (): void => finish({ ok: false, status, error: `answered ${status}${size > 0 ? `: ${excerpt(Buffer.concat(chunks))}` : ''}` });
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= EXCERPT_BYTES) done();
      });
      res.on('end', done);
      res.on('error', done);
    });
    req.end(body);
  });
}
