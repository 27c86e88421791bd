/**
 * A real browser against the built-in edge: opening the preview of a stopped
 * sandbox shows the warming page, which turns into the app by itself; a
 * private preview link sets a host-only cookie and hides the token.
 * Chromium resolves *.localhost to loopback, so no DNS is needed.
 */
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'test-artifacts');
const MARKER = 'Hello from a woken sandbox';

let d: TestDaemon;
let browser: Browser;
const id = uniqueId('web');

/** One request through the edge (held until the app answers), with the preview Host. */
function get(p = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: d.edgePort, path: p, headers: { host: `s-${id}-3000.preview.localhost:${d.edgePort}` }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  d = await startTestDaemon({ env: { SANDBOXD_WAKE_TIMEOUT_SECONDS: '60' } });
  const r = await d.api('POST', '/v1/sandboxes', {
    id,
    ports: [3000],
    services: [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }],
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const html = `<!doctype html><title>woken</title><style>body{font:24px sans-serif;margin:3rem}</style><h1>${MARKER}</h1>`;
  const w = await d.api('POST', `/v1/sandboxes/${id}/exec`, {
    cmd: ['node', '-e', `require('fs').writeFileSync('/home/sandbox/workspace/app/index.html', ${JSON.stringify(html)})`],
  });
  expect(w.body.exit_code).toBe(0);
  expect(await get()).toBe(200);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await d?.dispose();
});

describe('preview in a browser', () => {
  it('shows the warming page for a stopped sandbox, then the app itself', async () => {
    expect((await d.api('POST', `/v1/sandboxes/${id}/stop`)).body.status).toBe('stopped');
    const url = `http://s-${id}-3000.preview.localhost:${d.edgePort}/`;
    const page = await browser.newPage();
    const first = await page.goto(url);
    expect(first?.status()).toBe(503);
    expect(await page.textContent('h1')).toContain('Starting sandbox');

    await page.waitForFunction((m) => document.body.innerText.includes(m), MARKER, { timeout: 90_000 });
    expect(await page.title()).toBe('woken');
    expect(page.url()).toBe(url);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'preview-browser.png') });
    await page.close();
  });

  it('a private preview link sets a host-only cookie, drops the token from the URL, and keeps working', async () => {
    expect((await d.api('PATCH', `/v1/sandboxes/${id}`, { visibility: 'private' })).status).toBe(200);
    const t = (await d.api('POST', `/v1/sandboxes/${id}/preview-token`, { port: 3000 })).body;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(t.url);
    await page.waitForFunction((m) => document.body.innerText.includes(m), MARKER, { timeout: 90_000 });
    expect(page.url()).toBe(`http://s-${id}-3000.preview.localhost:${d.edgePort}/`);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({
      name: 'sandboxed_preview',
      domain: `s-${id}-3000.preview.localhost`,
      httpOnly: true,
      secure: false,
      sameSite: 'Lax',
    });
    await page.reload();
    expect(await page.textContent('h1')).toBe(MARKER);

    const stranger = await browser.newPage();
    const denied = await stranger.goto(`http://s-${id}-3000.preview.localhost:${d.edgePort}/`);
    expect(denied?.status()).toBe(401);
    expect(await stranger.textContent('h1')).toContain('private');
    await context.close();
    await stranger.close();
  });
});
