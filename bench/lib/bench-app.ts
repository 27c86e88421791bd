/**
 * The app the proxy benches run in a sandbox: dependency-free Node, so every
 * proxy in front of it (direct, HAProxy, nginx, the built-in edge) measures
 * the same thing. `/` answers "ok" (keep-alive), `/big` streams BIG_BYTES,
 * and an upgrade becomes a WebSocket echo (unmasked replies, frames up to 64 KiB).
 */
import type { BenchContext } from './context.js';

export const BIG_BYTES = 50 * 1024 * 1024;
export const APP_FILE = '/home/sandbox/workspace/app/bench-app.js';

export const BENCH_APP = String.raw`
const http = require('http'), crypto = require('crypto');
const BIG = ${BIG_BYTES}, chunk = Buffer.alloc(65536, 97);
const srv = http.createServer((req, res) => {
  if (!req.url.startsWith('/big')) return res.end('ok');
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG });
  let sent = 0;
  const pump = () => { while (sent < BIG) { const n = Math.min(chunk.length, BIG - sent); sent += n; if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return res.once('drain', pump); } res.end(); };
  pump();
});
srv.on('upgrade', (req, sock, head) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  sock.setNoDelay(true);
  sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  let buf = head && head.length ? Buffer.from(head) : Buffer.alloc(0);
  const onData = (d) => {
    if (d) buf = buf.length ? Buffer.concat([buf, d]) : d;
    for (;;) {
      if (buf.length < 2) return;
      const op = buf[0] & 15; let len = buf[1] & 127, off = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
      if (buf.length < off + 4 + len) return;
      const mask = buf.subarray(off, off + 4), data = Buffer.from(buf.subarray(off + 4, off + 4 + len));
      for (let i = 0; i < data.length; i++) data[i] ^= mask[i % 4];
      buf = buf.subarray(off + 4 + len);
      if (op === 8) return sock.end();
      const hdr = len < 126 ? Buffer.from([0x80 | op, len]) : Buffer.from([0x80 | op, 126, len >> 8, len & 255]);
      sock.write(Buffer.concat([hdr, data]));
    }
  };
  sock.on('data', onData);
  sock.on('error', () => {});
  onData(null);
});
srv.keepAliveTimeout = 65000;
srv.listen(Number(process.env.PORT), '0.0.0.0');
`;

export const BENCH_APP_SERVICE = { name: 'web', command: `node ${APP_FILE}` };

/** Writes the app into the sandbox, then declares it as the service on the first port. */
export async function installBenchApp(ctx: BenchContext, id: string): Promise<void> {
  const write = `require('fs').writeFileSync(${JSON.stringify(APP_FILE)}, ${JSON.stringify(BENCH_APP)})`;
  const code = await ctx.ours.exec(id, ['node', '-e', write]);
  if (code !== 0) throw new Error(`writing the bench app into ${id} exited ${code}`);
  const r = await ctx.daemon.api('PATCH', `/v1/sandboxes/${id}`, { services: [BENCH_APP_SERVICE] });
  if (r.status !== 200) throw new Error(`PATCH services of ${id} → ${r.status}`);
}
