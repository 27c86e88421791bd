/**
 * Attack: a tenant plants markup where the operator's dashboard shows it (a
 * file name and its content, a service's log, metadata, a task's prompt, the
 * agent's output), hoping it runs as script in the operator's signed-in
 * page, where it could drive the API with the session.
 * Defence: the dashboard renders every tenant string as text (Preact, never
 * innerHTML), links only http(s) URLs, and the page is served with a CSP
 * that allows scripts from the daemon only (src/http/ui.ts). The hostile
 * strings show up literally, nothing runs, and the sandboxes are untouched.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { until } from '../helpers/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = `ui-${uniqueId()}`;
const APP = '/home/sandbox/workspace/app';
/** Each payload sets window.__pwned when it runs. */
const IMG = (n: number) => `<img src=x onerror="window.__pwned=${n}">`;
const SCRIPT = (n: number) => `<script>window.__pwned=${n}</script>`;

let d: TestDaemon;
let model: ModelServer;
let browser: Browser;
let page: Page;
const tenant = uniqueId('evil');
const neighbour = uniqueId('peer');
const api = (method: string, p: string, body?: unknown) => d.api(method, p, body, { authorization: `Bearer ${TOKEN}` });

async function notPwned(): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  model = await startModelServer();
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `operator:${TOKEN}`, SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(model.port) } });
  const created = await api('POST', '/v1/sandboxes', {
    id: tenant,
    memory_mb: 1024,
    metadata: { note: IMG(1) },
    services: [{ name: 'web', command: `echo '${SCRIPT(2)}${IMG(3)}'; exec sleep infinity` }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await api('POST', '/v1/sandboxes', { id: neighbour })).status).toBe(201);
  const files = await api('POST', `/v1/sandboxes/${tenant}/exec`, {
    cmd: ['node', '-e', `const fs=require('fs');fs.writeFileSync(${JSON.stringify(`${APP}/${IMG(4)}.txt`)}, ${JSON.stringify(SCRIPT(5))});`],
  });
  expect(files.body.exit_code, JSON.stringify(files.body)).toBe(0);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  page = await browser.newPage();
  await page.goto(`${d.url}/ui`);
  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await d?.dispose();
  await model?.close();
});

describe('tenant markup in the dashboard', () => {
  it('is served with a CSP that allows scripts from the daemon only', async () => {
    const r = await fetch(`${d.url}/ui`);
    expect(r.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(r.headers.get('x-frame-options')).toBe('DENY');
  });

  it('shows metadata and a service log as text', async () => {
    await page.getByRole('link', { name: tenant, exact: true }).click();
    await page.getByText(IMG(1)).waitFor();
    await page.getByRole('button', { name: 'Follow log' }).click();
    await page.getByLabel('Log of web').getByText(SCRIPT(2), { exact: false }).waitFor({ timeout: 60_000 });
    await notPwned();
  });

  it('shows a file named with markup, and its content, as text', async () => {
    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('button', { name: `${IMG(4)}.txt` }).click();
    await expect.poll(() => page.locator('.cm-content').innerText(), { timeout: 60_000 }).toContain(SCRIPT(5));
    await notPwned();
  });

  it('shows a task’s prompt and the agent’s steps as text', async () => {
    await page.getByRole('link', { name: 'Agent tasks', exact: true }).click();
    await page.getByLabel(/^Model/).first().fill('scripted-model');
    await page.getByLabel(/^Model endpoint/).fill(`${model.hostUrl}/v1`);
    await page.getByLabel(/^Key \(/).fill('sk-scripted-key');
    await page.getByLabel('Prompt').fill(`${IMG(6)} FILE=${APP}/x.txt CONTENT=x`);
    await page.getByRole('button', { name: 'Run the agent' }).click();
    const detail = page.locator('section[aria-labelledby="task-title"]');
    // Its end, whichever it is; then which (a failure's message is on the page and in the error).
    await detail.getByRole('heading').getByText(/succeeded|failed|cancelled|timed/).waitFor({ timeout: 300_000 });
    expect(await detail.innerText()).toMatch(/task\s+succeeded/);
    await page.locator('.task-list').getByText(IMG(6), { exact: false }).waitFor();
    await notPwned();
  });

  it('leaves the sandboxes and the daemon as they were', async () => {
    await until(async () => (await api('GET', `/v1/sandboxes/${neighbour}`)).body.status === 'running', 'the neighbour running');
    expect((await api('GET', `/v1/sandboxes/${tenant}`)).body.status).toBe('running');
    expect((await d.api('GET', '/healthz')).status).toBe(200);
  });
});
