/**
 * A real browser drives a terminal through the API: a small page (served by
 * this test, not a product UI) runs xterm.js, opens a WebSocket with the API
 * token as a subprotocol entry, types, resizes, and after a reload attaches to
 * the same session again and shows its history. A page on an origin the API
 * does not allow gets no terminal.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const XTERM = path.join(ROOT, 'node_modules', '@xterm', 'xterm');
const SECRET = 'browser-terminal-secret';

/**
 * The page: ?api=, ?sandbox=, ?token=. It remembers its session in
 * sessionStorage, so a reload attaches to it again with since=0 (the whole
 * history still in the buffer).
 */
const PAGE = `<!doctype html><title>terminal</title>
<link rel="stylesheet" href="/xterm.css"><script src="/xterm.js"></script>
<body style="margin:0;background:#000"><div id="t"></div><script>
const q = new URLSearchParams(location.search);
const api = q.get('api').replace(/^http/, 'ws'), sandbox = q.get('sandbox');
const term = new Terminal({ cols: 80, rows: 24 });
term.open(document.getElementById('t'));
window.controls = [];
const session = sessionStorage.getItem('session');
const url = session ? api + '/v1/sandboxes/' + sandbox + '/pty/' + session + '?since=0' : api + '/v1/sandboxes/' + sandbox + '/pty?cols=80&rows=24';
const ws = new WebSocket(url, ['sandboxed.pty.v1', 'sandboxed.token.' + q.get('token')]);
ws.binaryType = 'arraybuffer';
ws.onmessage = (e) => {
  if (typeof e.data !== 'string') return term.write(new Uint8Array(e.data));
  const m = JSON.parse(e.data);
  window.controls.push(m);
  if (m.type === 'hello') { sessionStorage.setItem('session', m.session); window.hello = m; }
};
ws.onclose = (e) => { window.closed = e.code; };
const encoder = new TextEncoder();
term.onData((d) => ws.readyState === 1 && ws.send(encoder.encode(d)));
term.onResize(({ cols, rows }) => ws.readyState === 1 && ws.send(JSON.stringify({ type: 'resize', cols, rows })));
window.term = term;
window.screenText = () => {
  const b = term.buffer.active, lines = [];
  for (let i = 0; i < b.length; i++) lines.push(b.getLine(i).translateToString(true));
  return lines.join('\\n');
};
</script>`;

let d: TestDaemon;
let browser: Browser;
const servers: http.Server[] = [];
const id = uniqueId('xterm');

/** Serves the page and xterm.js on 127.0.0.1:`port`. */
async function servePage(port: number): Promise<string> {
  const files: Record<string, [string, string]> = {
    '/xterm.js': [readFileSync(path.join(XTERM, 'lib', 'xterm.js'), 'utf8'), 'text/javascript'],
    '/xterm.css': [readFileSync(path.join(XTERM, 'css', 'xterm.css'), 'utf8'), 'text/css'],
  };
  const server = http.createServer((req, res) => {
    const [body, type] = files[(req.url ?? '/').split('?')[0]] ?? [PAGE, 'text/html'];
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function screen(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { screenText(): string }).screenText());
}

async function waitScreen(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => (window as unknown as { screenText(): string }).screenText().includes(t), text, { timeout: 60_000 });
}

let pageOrigin: string;
let foreignOrigin: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const pagePort = await freePort();
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `dash:${SECRET}`, SANDBOXD_API_ALLOWED_ORIGINS: `http://127.0.0.1:${pagePort}` } });
  const r = await d.api('POST', '/v1/sandboxes', { id }, { authorization: `Bearer ${SECRET}` });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  pageOrigin = await servePage(pagePort);
  foreignOrigin = await servePage(await freePort());
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) s.close();
  await d?.dispose();
});

async function sessions(): Promise<{ count: number; sessions: { id: string }[] }> {
  return (await d.api('GET', `/v1/sandboxes/${id}/pty`, undefined, { authorization: `Bearer ${SECRET}` })).body;
}

describe('a terminal in a browser (xterm.js)', () => {
  it('types, resizes, and after a reload shows the same session with its history', async () => {
    const page = await browser.newPage();
    const query = `?api=${encodeURIComponent(d.url)}&sandbox=${id}&token=${SECRET}`;
    await page.goto(`${pageOrigin}/${query}`);
    await page.waitForFunction(() => (window as unknown as { hello?: unknown }).hello !== undefined, undefined, { timeout: 60_000 });
    await page.evaluate(() => (window as unknown as { term: { focus(): void } }).term.focus());
    await page.keyboard.type('echo hello-$((6*7))');
    await page.keyboard.press('Enter');
    await waitScreen(page, 'hello-42');

    await page.evaluate(() => (window as unknown as { term: { resize(c: number, r: number): void } }).term.resize(100, 30));
    await page.keyboard.type('stty size');
    await page.keyboard.press('Enter');
    await waitScreen(page, '30 100');
    const first = await sessions();
    expect(first.count).toBe(1);

    await page.reload();
    await page.waitForFunction(() => (window as unknown as { hello?: unknown }).hello !== undefined, undefined, { timeout: 60_000 });
    await waitScreen(page, '30 100');
    expect(await screen(page)).toContain('hello-42');
    const hello = await page.evaluate(() => (window as unknown as { hello: { session: string; offset: number } }).hello);
    expect(hello).toMatchObject({ session: first.sessions[0].id, offset: 0 });
    expect((await sessions()).count).toBe(1);

    // Still live after the reload.
    await page.evaluate(() => (window as unknown as { term: { focus(): void } }).term.focus());
    await page.keyboard.type('echo again-$((2*2))');
    await page.keyboard.press('Enter');
    await waitScreen(page, 'again-4');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'terminal-browser.png') });
    await page.close();
  });

  it('a page on an origin the API does not allow gets no terminal, even with the token', async () => {
    const before = (await sessions()).count;
    const page = await browser.newPage();
    await page.goto(`${foreignOrigin}/?api=${encodeURIComponent(d.url)}&sandbox=${id}&token=${SECRET}`);
    await page.waitForFunction(() => (window as unknown as { closed?: number }).closed !== undefined, undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { hello?: unknown }).hello)).toBeUndefined();
    expect((await sessions()).count).toBe(before);
    await d.waitForLog(/"url":"\/v1\/sandboxes\/[^"]+\/pty\?cols=80&rows=24","status":403.*"msg":"browser guard refused a request"/);
    await page.close();
  });
});
