import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, SHOTS, launchChromium } from '../support/browser';
import { type BackendEnv, type RunningObstack, freshBackend, startObstack } from '../support/obstack';

/** What a new user does in a real browser: first run, keys, members, theme, sign out and in. */
describe.skipIf(!existsSync(CHROMIUM))('foundation UI in Chromium', () => {
  let store: BackendEnv;
  let app: RunningObstack;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    store = await freshBackend('pglite');
    app = await startObstack(store.env);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await store?.cleanup();
  });

  it('walks through first-run setup and shows the ingest key once', async () => {
    await page.goto(`${app.url}/`);
    await page.waitForURL(/\/setup$/);
    await page.screenshot({ path: `${SHOTS}/setup.png` });
    await page.fill('input[name=tenantName]', 'Acme Inc');
    await page.fill('input[name=name]', 'Ada Lovelace');
    await page.fill('input[name=email]', 'ada@acme.test');
    await page.fill('input[name=password]', 'too short');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('body')).toContain('Password must be at least 10 characters');
    await page.fill('input[name=password]', 'correct horse battery');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/welcome$/);
    const key = (await page.textContent('pre'))?.trim() ?? '';
    expect(key).toMatch(/^obs_[a-z0-9]{8}_[A-Za-z0-9]{40}$/);
    await page.screenshot({ path: `${SHOTS}/welcome.png` });
    await page.click('text=Continue to Obstack');
    await page.waitForURL(`${app.url}/`);
    await expect.poll(() => page.textContent('h1')).toBe('Acme Inc');
    await page.screenshot({ path: `${SHOTS}/overview.png` });
  });

  it('creates, lists and revokes an API key', async () => {
    await page.click('nav >> text=API keys');
    await page.waitForURL(/\/settings\/api-keys$/);
    await page.fill('input[name=name]', 'checkout production');
    await page.check('input[value=read]');
    await page.click('button:has-text("Create key")');
    const created = page.locator('[data-testid=new-key] pre');
    await created.waitFor();
    const key = (await created.textContent())?.trim() ?? '';
    expect(key).toMatch(/^obs_/);
    // The form is ready for the next key: its name and scopes start over.
    expect(await page.inputValue('input[name=name]')).toBe('');
    expect(await page.isChecked('input[value=read]')).toBe(false);
    const row = page.locator('[data-testid=keys-table] tr', { hasText: 'checkout production' });
    await expect.poll(() => row.textContent()).toContain(key.slice(0, 12));
    await page.screenshot({ path: `${SHOTS}/api-keys.png`, fullPage: true });
    expect((await fetch(`${app.url}/api/v1/health`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);

    await row.locator('button:has-text("Revoke")').click();
    await expect.poll(() => row.textContent()).toContain('revoked');
    expect((await fetch(`${app.url}/api/v1/health`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(401);
    // After a reload the secret is nowhere on the page.
    await page.reload();
    expect(await page.content()).not.toContain(key);
  });

  it('invites a member and shows the link once', async () => {
    await page.click('nav >> text=Members');
    await page.fill('input[name=email]', 'grace@acme.test');
    await page.selectOption('select[name=role]', 'viewer');
    await page.click('button:has-text("Create invite link")');
    await expect.poll(() => page.textContent('body')).toContain('Invite for grace@acme.test created');
    await expect.poll(() => page.textContent('body')).toContain('Pending invites');
    await page.screenshot({ path: `${SHOTS}/members.png`, fullPage: true });
  });

  it('switches to dark mode and keeps it across pages', async () => {
    await page.click('button[title="Switch to dark mode"]');
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await page.click('nav >> text=Overview');
    await page.waitForURL(`${app.url}/`);
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await page.screenshot({ path: `${SHOTS}/overview-dark.png` });
  });

  it('signs out, refuses a wrong password, signs back in', async () => {
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/login$/);
    await page.fill('input[name=email]', 'ada@acme.test');
    await page.fill('input[name=password]', 'wrong password');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('body')).toContain('Wrong e-mail or password.');
    await page.screenshot({ path: `${SHOTS}/login-error.png` });
    await page.fill('input[name=password]', 'correct horse battery');
    await page.click('button[type=submit]');
    await page.waitForURL(`${app.url}/`);
    expect(errors).toEqual([]);
  });
});
