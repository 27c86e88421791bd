/**
 * The dashboard of a daemon without tokens (loopback only): no sign-in, a
 * banner that says auth is off; and the whole page works from the keyboard
 * (skip link, navigation, a confirmation dialog that Escape cancels).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const CHROMIUM = '/usr/bin/chromium';
let d: TestDaemon;
let browser: Browser;
let page: Page;
const id = uniqueId('open');

const focused = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText?.trim() ?? '');

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  d = await startTestDaemon();
  expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await d?.dispose();
});

describe('the dashboard with auth off', () => {
  it('asks for no sign-in and says in a banner that auth is off', async () => {
    await page.goto(`${d.url}/ui`);
    await page.getByRole('status').filter({ hasText: 'Auth is off' }).waitFor();
    await page.getByRole('link', { name: id, exact: true }).waitFor();
    expect(await page.getByLabel('API token').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it('works from the keyboard: skip link, navigation, a dialog Escape cancels', async () => {
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to content');
    // Through the header to the sandbox's row, then open it.
    for (let i = 0; i < 30 && (await focused()) !== id; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe(id);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: new RegExp(`Sandbox ${id}`) }).waitFor();
    for (let i = 0; i < 30 && (await focused()) !== 'Stop'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('Stop');
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    // Focus is inside the dialog; Escape closes it and nothing is stopped.
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).body.status).toBe('running');
  });
});
