/**
 * The dashboard in a real browser, the way an operator uses it: sign in with
 * a token, create a sandbox from the form, open its preview, run a command in
 * a terminal, run an agent (OpenCode against the scripted model server) and
 * watch it finish, edit the file it wrote, undo the task, stop the sandbox and
 * wake it from its preview, and read the system page. The table follows every
 * change from the lifecycle event stream. A screenshot of each view goes to
 * test-artifacts/dashboard-*.png.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { until } from '../helpers/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'test-artifacts');
const TOKEN = `ui-${uniqueId()}`;
const APP = '/home/sandbox/workspace/app';
const MARKER = 'Served from a dashboard sandbox';
const SLOW = 120_000;

let d: TestDaemon;
let model: ModelServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const id = uniqueId('dash');
const api = (method: string, p: string, body?: unknown) => d.api(method, p, body, { authorization: `Bearer ${TOKEN}` });

async function shot(name: string, target: Page = page): Promise<void> {
  await target.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
}

/** The text xterm.js shows (its DOM renderer's rows). */
async function terminalText(): Promise<string> {
  return page.locator('.xterm-rows').innerText();
}

/** Fills the task form (OpenCode against the scripted model) and starts it. */
async function runAgent(prompt: string): Promise<void> {
  await page.getByLabel(/^Model/).first().fill('scripted-model');
  await page.getByLabel(/^Model endpoint/).fill(`${model.hostUrl}/v1`);
  await page.getByLabel(/^Key \(/).fill('sk-scripted-key');
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Run the agent' }).click();
}

async function confirm(button: string, verb = button): Promise<void> {
  await page.getByRole('button', { name: button, exact: true }).first().click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByRole('button', { name: verb, exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: SLOW });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  model = await startModelServer();
  d = await startTestDaemon({
    env: { SANDBOXD_API_TOKENS: `operator:${TOKEN}`, SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(model.port), SANDBOXD_WAKE_TIMEOUT_SECONDS: '90' },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
});

// A failed step leaves a picture of where it stood.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await d?.dispose();
  await model?.close();
});

describe('the dashboard in a browser', () => {
  it('signs in with a token; the page keeps no copy of it, the cookie is HttpOnly and SameSite=Strict', async () => {
    await page.goto(`${d.url}/ui`);
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('not an API token');
    await shot('sign-in');
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
    await page.getByText('No sandboxes yet').waitFor();
    const [cookie] = await context.cookies(d.url);
    expect(cookie).toMatchObject({ name: 'sandboxed_session', httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.content()).not.toContain(TOKEN);
    // The stream of sandbox changes is open: the table is live.
    await page.locator('.live-live').waitFor({ timeout: SLOW });
  });

  it('creates a sandbox from the form and shows it in the table as it changes', async () => {
    await page.getByRole('link', { name: 'New sandbox' }).first().click();
    await page.getByLabel(/^Id \(/).fill(id);
    await page.getByLabel(/^Ports/).fill('3000');
    // Room for an agent beside the app: OpenCode alone takes most of 512 MiB.
    await page.getByLabel('Memory (MiB)').fill('1024');
    await page.getByLabel('Name', { exact: true }).fill('web');
    await page.getByLabel('Command', { exact: true }).fill('python3 -m http.server 3000');
    await page.getByLabel('Port', { exact: true }).fill('3000');
    await shot('create');
    await page.getByRole('button', { name: 'Create sandbox' }).click();
    await page.getByRole('heading', { name: new RegExp(`Sandbox ${id}`) }).waitFor({ timeout: SLOW });
    // The table learns of it from the event stream (no reload in this page).
    await page.getByRole('link', { name: 'Sandboxes', exact: true }).click();
    await page.getByRole('row', { name: new RegExp(id) }).getByText('running').waitFor({ timeout: SLOW });
    await shot('sandboxes');
  });

  it('opens the preview from the sandbox page', async () => {
    const html = `<!doctype html><title>dash</title><h1>${MARKER}</h1>`;
    const w = await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['node', '-e', `require('fs').writeFileSync('${APP}/index.html', ${JSON.stringify(html)})`] });
    expect(w.body.exit_code).toBe(0);
    await page.getByRole('link', { name: id, exact: true }).click();
    const link = page.locator('a.preview-link').first();
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`http://s-${id}-3000.preview.localhost:${d.edgePort}/`);
    const [preview] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await preview.waitForFunction((m) => document.body?.innerText.includes(m), MARKER, { timeout: SLOW });
    await shot('preview', preview);
    await preview.close();
    // Private: the link carries a token, which the edge trades for a cookie of that preview host only.
    await page.getByLabel('Preview visibility').selectOption('private');
    await expect.poll(() => link.getAttribute('href')).toMatch(/[?&]token=/);
    const [privatePage] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await privatePage.waitForFunction((m) => document.body?.innerText.includes(m), MARKER, { timeout: SLOW });
    await privatePage.close();
    expect((await api('GET', `/v1/sandboxes/${id}`)).body.visibility).toBe('private');
    await page.getByLabel('Preview visibility').selectOption('public');
    await expect.poll(async () => (await api('GET', `/v1/sandboxes/${id}`)).body.visibility).toBe('public');
    // The service, its state, and its log followed live (the preview's request shows up in it).
    await page.getByRole('button', { name: 'Follow log' }).click();
    await page.getByLabel('Log of web').getByText('GET / HTTP/1.1').first().waitFor({ timeout: SLOW });
    await shot('sandbox');
  });

  it('opens a terminal and runs a command in it', async () => {
    await page.getByRole('link', { name: 'Terminal', exact: true }).click();
    await page.getByRole('link', { name: 'Open a terminal' }).click();
    await page.locator('.xterm-rows').waitFor({ timeout: SLOW });
    await expect.poll(terminalText, { timeout: SLOW }).toMatch(/\$\s*$/m);
    await page.getByLabel('Terminal', { exact: true }).click();
    await page.keyboard.type('echo "sum=$((6*7))"; pwd\n');
    await expect.poll(terminalText, { timeout: SLOW }).toContain('sum=42');
    expect(await terminalText()).toContain(APP);
    await shot('terminal');
    // The session is in the URL: a reload attaches again and replays what it showed.
    await page.reload();
    await expect.poll(terminalText, { timeout: SLOW }).toContain('sum=42');
    // A smaller window is a smaller terminal for the shell too.
    const size = async () => {
      await page.getByLabel('Terminal', { exact: true }).click();
      await page.keyboard.type('clear; stty size\n');
      let found = '';
      await expect.poll(async () => (found = /^(\d+ \d+)\s*$/m.exec(await terminalText())?.[1] ?? ''), { timeout: SLOW }).not.toBe('');
      return found;
    };
    const wide = await size();
    await page.setViewportSize({ width: 900, height: 600 });
    await expect.poll(size, { timeout: SLOW }).not.toBe(wide);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('runs an agent task against the scripted model and shows its steps until it finishes', async () => {
    await page.getByRole('link', { name: 'Agent tasks', exact: true }).click();
    await runAgent(`Create the file. FILE=${APP}/agent.txt CONTENT=from-the-agent`);
    const detail = page.locator('section[aria-labelledby="task-title"]');
    // Its end, whichever it is; then which (a failure's message is on the page and in the error).
    await detail.getByRole('heading').getByText(/succeeded|failed|cancelled|timed/).waitFor({ timeout: 300_000 });
    expect(await detail.innerText()).toMatch(/task\s+succeeded/);
    await detail.getByText('agent.txt').first().waitFor();
    await detail.getByText(/DONE/).first().waitFor();
    await shot('task');
    const file = await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['cat', `${APP}/agent.txt`] });
    expect(file.body.stdout).toContain('from-the-agent');
  });

  it('edits the agent’s file in the editor and saves it', async () => {
    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('button', { name: 'agent.txt' }).click();
    const editor = page.locator('.cm-content');
    await editor.waitFor({ timeout: SLOW });
    await expect.poll(() => editor.innerText()).toContain('from-the-agent');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type(' and a human');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Saved/).waitFor({ timeout: SLOW });
    await shot('files');
    const read = await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['cat', `${APP}/agent.txt`] });
    expect(read.body.stdout).toContain('from-the-agent and a human');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('agent.txt');
    expect(readFileSync(await download.path(), 'utf8')).toBe('from-the-agent and a human');
    await page.locator('input[type=file]').setInputFiles({ name: 'uploaded.txt', mimeType: 'text/plain', buffer: Buffer.from('sent from the browser') });
    await page.getByText('Uploaded uploaded.txt').waitFor({ timeout: SLOW });
    await page.getByRole('button', { name: 'uploaded.txt' }).waitFor();
    expect((await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['cat', `${APP}/uploaded.txt`] })).body.stdout).toBe('sent from the browser');
  });

  it('undoes the task from its row: the file the agent wrote is gone', async () => {
    await page.getByRole('link', { name: 'Agent tasks', exact: true }).click();
    await page.locator('.task-list a').first().click();
    // A file changed after the task: the undo has to be forced, and says so.
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByLabel(/Even if/).check();
    await dialog.getByRole('button', { name: 'Undo', exact: true }).click();
    await dialog.waitFor({ state: 'hidden', timeout: SLOW });
    await until(async () => (await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['test', '-e', `${APP}/agent.txt`] })).body.exit_code === 1, 'the undo to remove agent.txt');
    await shot('undone');
  });

  it('cancels a running task', async () => {
    const hold = model.holdFinal();
    try {
      // The form remembers the last run's model and endpoint (not its key) across views.
      expect(await page.getByLabel(/^Model endpoint/).inputValue()).toBe(`${model.hostUrl}/v1`);
      expect(await page.getByLabel(/^Key \(/).inputValue()).toBe('');
      await runAgent(`Again. FILE=${APP}/held.txt CONTENT=held`);
      const detail = page.locator('section[aria-labelledby="task-title"]');
      await detail.getByRole('heading').getByText('running').waitFor({ timeout: SLOW });
      await hold.held;
      await confirm('Cancel task', 'Stop the agent');
      await detail.getByRole('heading').getByText('cancelled').waitFor({ timeout: SLOW });
    } finally {
      hold.release();
    }
  });

  it('takes a snapshot and restores it', async () => {
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByLabel(/^Name/).fill('before-more');
    await page.getByRole('button', { name: 'Take a snapshot' }).click();
    const row = page.getByRole('row', { name: /before-more/ });
    await row.waitFor({ timeout: SLOW });
    expect((await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['touch', `${APP}/later.txt`] })).body.exit_code).toBe(0);
    await row.getByRole('button', { name: 'Restore' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await dialog.waitFor({ state: 'hidden', timeout: SLOW });
    await shot('snapshots');
    await until(async () => (await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['test', '-e', `${APP}/later.txt`] })).body.exit_code === 1, 'the restore to remove later.txt');
  });

  it('stops the sandbox with a confirmation, and a visit to its preview wakes it; the page follows both', async () => {
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await confirm('Stop');
    const heading = page.getByRole('heading', { name: new RegExp(`Sandbox ${id}`) });
    await heading.getByText('stopped').waitFor({ timeout: SLOW });
    await shot('stopped');
    const preview = await context.newPage();
    await preview.goto(`http://s-${id}-3000.preview.localhost:${d.edgePort}/`);
    await preview.waitForFunction((m) => document.body?.innerText.includes(m), MARKER, { timeout: SLOW });
    await preview.close();
    // Woken by the preview, not by this page: the event stream tells it.
    await heading.getByText('running').waitFor({ timeout: SLOW });
  });

  it('shows the system page, and works at a phone width', async () => {
    await page.getByRole('link', { name: 'System', exact: true }).click();
    await page.getByText(/ready/i).first().waitFor({ timeout: SLOW });
    await shot('system');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Sandboxes', exact: true }).click();
    await page.getByRole('link', { name: id, exact: true }).waitFor();
    await shot('phone');
  });
});
