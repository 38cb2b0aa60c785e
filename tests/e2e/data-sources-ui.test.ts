import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, SHOTS, launchChromium } from '../support/browser';
import { type BackendEnv, type RunningObstack, freshBackend, startObstack } from '../support/obstack';

const KEY = `obs_plugin01_${'P'.repeat(40)}`;
const SECRET = 'acme-access-key-9f8e7d6c';

/**
 * The sample third-party plugin (tests/plugin-kit/inmemory-plugin, written only from the
 * template and the plugin-api README) installed as a package and named in OBSTACK_PLUGINS:
 * it loads by name, is added, tested, edited and removed as a data source in the UI, serves
 * queries, and its secret never appears in a response or a log.
 */
describe.skipIf(!existsSync(CHROMIUM))('a third-party plugin as a data source, through the UI', () => {
  let store: BackendEnv;
  let app: RunningObstack;
  let browser: Browser;
  let page: Page;
  const bodies: string[] = [];

  beforeAll(async () => {
    store = await freshBackend('pglite', {
      OBSTACK_PLUGINS: '@acme/obstack-plugin-inmemory',
      OBSTACK_ADMIN_EMAIL: 'admin@acme.test',
      OBSTACK_ADMIN_PASSWORD: 'plugins password 1',
      OBSTACK_BOOTSTRAP_API_KEY: KEY,
      OBSTACK_LOG_LEVEL: 'debug',
    });
    app = await startObstack(store.env);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (d) => void d.accept());
    // Everything the server sends the browser, to prove the secret never comes back.
    page.on('response', (r) => {
      if (r.url().startsWith(app.url)) void r.text().then((t) => bodies.push(t), () => {});
    });
    await page.goto(`${app.url}/login`);
    await page.fill('input[name=email]', 'admin@acme.test');
    await page.fill('input[name=password]', 'plugins password 1');
    await page.click('button[type=submit]');
    await page.waitForURL(`${app.url}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await store?.cleanup();
  });

  let editUrl = '';

  it('lists the installed plugin and adds it with a form generated from its schema', async () => {
    await page.goto(`${app.url}/settings/data-sources`);
    await expect.poll(() => page.textContent('body')).toContain('@acme/obstack-plugin-inmemory');
    await page.click('text=Acme in-memory store');
    await page.waitForURL(/\/settings\/data-sources\/new\?plugin=acme-inmemory/);
    await page.fill('input[name="config.maxItemsPerTenant"]', '0');
    await page.fill('input[name="secret.accessKey"]', SECRET);
    await page.click('button[value=save]');
    await expect.poll(() => page.textContent('body')).toContain('Items kept per tenant and signal must be');
    await page.fill('input[name="config.maxItemsPerTenant"]', '5000');
    await page.fill('input[name="secret.accessKey"]', SECRET);
    await page.fill('input[name=name]', 'Acme memory');
    await page.check('input[name=write][value=logs]');
    await page.click('button[value=test]');
    await expect.poll(() => page.textContent('[data-testid=test-result]')).toContain('Test: ok');
    await page.fill('input[name="secret.accessKey"]', SECRET);
    await page.click('button[value=save]');
    await page.waitForURL(/\/settings\/data-sources\/[0-9a-f-]{36}\?created=1/);
    editUrl = page.url().split('?')[0]!;
    await expect.poll(() => page.textContent('body')).toContain('Data source added.');
    expect(await page.getAttribute('input[name="secret.accessKey"]', 'placeholder')).toContain('stored; leave empty to keep');
    expect(await page.inputValue('input[name="secret.accessKey"]')).toBe('');
    await page.screenshot({ path: `${SHOTS}/data-source-edit.png`, fullPage: true });
  });

  it('serves queries: logs sent over OTLP are stored in it and answered from it', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const res = await fetch(`${app.url}/v1/logs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] },
            scopeLogs: [{ logRecords: [{ timeUnixNano: String(now), severityNumber: 13, body: { stringValue: 'invoice 42 is overdue' } }] }],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const q = await fetch(`${app.url}/api/v1/logs?from=now-5m&q=overdue`, { headers: { Authorization: `Bearer ${KEY}` } });
    const body = (await q.json()) as { data: { records: Array<{ body: string }> }; sources: string[]; errors: unknown[] };
    expect(body.errors).toEqual([]);
    expect(body.sources.sort()).toEqual(['Acme memory', 'Built-in store']);
    // Stored in both, shown once.
    expect(body.data.records.map((r) => r.body)).toEqual(['invoice 42 is overdue']);

    // Turn the built-in store off for logs: the answer now comes from the plugin alone.
    await page.goto(`${app.url}/settings/data-sources`);
    await page.click('tr[data-source="Built-in store"] a');
    await page.uncheck('input[name=query][value=logs]');
    await page.click('button[value=save]');
    await expect.poll(() => page.textContent('body')).toContain('Saved.');
    const only = (await (await fetch(`${app.url}/api/v1/logs?from=now-5m&q=overdue`, { headers: { Authorization: `Bearer ${KEY}` } })).json()) as typeof body;
    expect(only.sources).toEqual(['Acme memory']);
    expect(only.data.records.map((r) => r.body)).toEqual(['invoice 42 is overdue']);

    // And in the UI: the Logs view answers from the plugin.
    await page.goto(`${app.url}/logs?from=now-15m&q=overdue`);
    await expect.poll(() => page.textContent('body')).toContain('invoice 42 is overdue');
    await page.screenshot({ path: `${SHOTS}/logs-from-plugin.png` });
  });

  it('edits it (keeping the stored secret) and tests it from the list', async () => {
    await page.goto(editUrl);
    await page.fill('input[name=name]', 'Acme memory (renamed)');
    await page.click('button[value=save]');
    await expect.poll(() => page.textContent('body')).toContain('Saved.');
    await page.goto(`${app.url}/settings/data-sources`);
    const row = page.locator('tr[data-source="Acme memory (renamed)"]');
    await row.locator('button[value=test]').click();
    await expect.poll(() => page.textContent('[data-testid=test-result]')).toContain('Test: ok');
    await page.screenshot({ path: `${SHOTS}/data-sources.png`, fullPage: true });
  });

  it('deletes it', async () => {
    await page.goto(editUrl);
    await page.click('button[value=delete]');
    await page.waitForURL(`${app.url}/settings/data-sources`);
    expect(await page.locator('tr[data-source="Acme memory (renamed)"]').count()).toBe(0);
  });

  it('never sent the secret back, and never logged it', async () => {
    await new Promise((r) => setTimeout(r, 200));
    expect(bodies.length).toBeGreaterThan(5);
    for (const b of bodies) expect(b).not.toContain(SECRET);
    expect(app.output()).not.toContain(SECRET);
  });
});
