/**
 * The SDK in a real browser (Chromium): a page on an allowed origin imports
 * sdk/dist as plain ES modules (no bundler) and drives the API with it —
 * sandboxes, exec and its stream, files as text, bytes and a Blob, a log tail,
 * a terminal over the browser's own WebSocket with the token in the handshake,
 * and a typed error with the request id the page may read.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const CHROMIUM = '/usr/bin/chromium';
const DIST = path.resolve(import.meta.dirname, '../../sdk/dist');
const SECRET = 'browser-sdk-secret';

const PAGE = `<!doctype html><title>sdk</title><script type="module">
import { Sandboxed, SandboxedError } from '/sdk/index.js';
const q = new URLSearchParams(location.search);
const client = new Sandboxed({ url: q.get('api'), token: q.get('token') });
const until = async (check) => { for (let i = 0; i < 600; i++) { if (check()) return; await new Promise((r) => setTimeout(r, 100)); } throw new Error('timed out'); };
window.run = async (id) => {
  const out = {};
  const sb = await client.sandboxes.create({ id, ports: [3000] });
  out.status = sb.info.status;
  out.exec = (await sb.exec(['sh', '-c', 'echo from-browser'])).stdout;
  out.stream = [];
  for await (const c of sb.exec.stream('echo one; echo two >&2')) out.stream.push(c.type === 'exit' ? 'exit ' + c.exit_code : c.type + ' ' + c.text.trim());
  await sb.files.writeText('workspace/app/page.txt', 'héllo');
  out.text = await sb.files.readText('workspace/app/page.txt');
  await sb.files.writeBytes('workspace/app/b.bin', new Uint8Array([0, 255, 128]));
  out.bytes = Array.from(await sb.files.readBytes('workspace/app/b.bin'));
  out.blob = (await sb.files.upload('workspace/app/blob.txt', new Blob(['a blob']))).size;
  const bg = await sb.exec.background('echo logged-line');
  let exited = false;
  for await (const ev of sb.logs.follow({ exec: bg.id })) if (ev.type === 'exit') exited = true;
  out.tail = await sb.logs.tail({ exec: bg.id });
  out.followed = exited;
  const term = await sb.pty.create({ cols: 70, rows: 10 });
  let screen = '';
  term.onData((b) => (screen += new TextDecoder().decode(b)));
  term.write('stty size; echo "x=$((3*4))"\\r');
  await until(() => screen.includes('x=12'));
  out.pty = /10 70/.test(screen);
  term.write('exit\\r');
  out.ptyClosed = (await term.closed).code;
  try {
    await client.sandbox('no-such-one').refresh();
  } catch (err) {
    out.error = { isSdkError: err instanceof SandboxedError, status: err.status, message: err.message, requestId: err.requestId };
  }
  await sb.purge();
  return out;
};
window.ready = true;
</script>`;

let d: TestDaemon;
let browser: Browser;
let server: http.Server;
let origin: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  if (!existsSync(path.join(DIST, 'index.js'))) throw new Error('sdk/dist is missing: npm run build --workspace @sandboxed/cli');
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `dash:${SECRET}`, SANDBOXD_API_ALLOWED_ORIGINS: origin } });
  server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const file = url.startsWith('/sdk/') ? path.join(DIST, path.normalize(url.slice('/sdk/'.length))) : null;
    if (file === null) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    if (!file.startsWith(DIST) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  await d?.dispose();
});

describe('the SDK in a browser', () => {
  it('drives sandboxes, exec, files, logs and a terminal from a page, and its errors carry the request id', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${origin}/?api=${encodeURIComponent(d.url)}&token=${SECRET}`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 60_000 });
    const id = uniqueId('browser');
    const out = await page.evaluate((sid) => (window as unknown as { run(id: string): Promise<Record<string, unknown>> }).run(sid), id);
    expect(problems).toEqual([]);
    expect(out).toMatchObject({
      status: 'running',
      exec: 'from-browser\n',
      text: 'héllo',
      bytes: [0, 255, 128],
      blob: 6,
      followed: true,
      // x-log-start and x-log-size are headers the page may read (CORS exposes them).
      tail: { text: 'logged-line\n', start: 0, size: 12 },
      pty: true,
      ptyClosed: 1000,
      error: { isSdkError: true, status: 404, message: 'sandbox no-such-one not found' },
    });
    expect((out.error as { requestId?: string }).requestId).toMatch(/\S/);
    // stdout and stderr are two pipes: which arrives first is the scheduler's choice; the exit comes last.
    const stream = out.stream as string[];
    expect([stream.slice(0, -1).sort(), stream.at(-1)]).toEqual([['stderr two', 'stdout one'], 'exit 0']);
    await page.close();
  });
});
