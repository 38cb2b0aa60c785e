import { existsSync } from 'node:fs';
import type { CallContext, LogRecord, WriteBatch } from '@obstack/plugin-api';
import { type PostgresStoreInstance, createInstance, splitDatabaseUrl } from '@obstack/plugin-postgres';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, SHOTS, launchChromium } from '../support/browser';
import { type BackendEnv, type RunningObstack, freshBackend, runCli, startObstack } from '../support/obstack';
import { hasPostgres } from '../support/pg';
import { type SeedSummary, seedDemoData } from '../support/seed';

const PW = 'explore password 1';

/**
 * The explore views over seeded data, as a user drives them in Chromium: Obstack runs in
 * scaled mode on a throwaway Postgres database; the demo shop is written straight into
 * the built-in store for the "acme" tenant (the same store and schema the server reads);
 * "empty" is a second tenant with nothing in it.
 */
describe.skipIf(!existsSync(CHROMIUM) || !hasPostgres)('explore views in Chromium', () => {
  let backend: BackendEnv;
  let app: RunningObstack;
  let browser: Browser;
  let store: PostgresStoreInstance;
  let seeded: SeedSummary;
  let acmeId = '';
  let light: Page;
  let dark: Page;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  const ctx = (): CallContext => ({
    tenantId: acmeId,
    signal: AbortSignal.timeout(60_000),
    deadline: Date.now() + 60_000,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    fetch,
  });
  const write = async (batch: WriteBatch) => {
    await store.write(batch, ctx());
  };

  const cli = async (...args: string[]) => {
    const r = await runCli(args, app.env);
    if (r.code !== 0) throw new Error(`obstack ${args.join(' ')} failed: ${r.stderr}`);
    return r.json<{ id: string }>();
  };

  async function signedIn(email: string, theme: 'light' | 'dark'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    contexts.push(context);
    await context.addCookies([{ name: 'obs_theme', value: theme, url: app.url }]);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${email}: ${e.message}`));
    await page.goto(`${app.url}/login`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', PW);
    await page.click('button[type=submit]');
    await page.waitForURL(`${app.url}/`);
    return page;
  }

  const shot = async (page: Page, name: string, fullPage = false) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage });
  };
  const text = (page: Page, selector = 'main') => page.locator(selector).first().innerText();
  const rows = (page: Page, testId: string) => page.locator(`[data-testid=${testId}]`);

  beforeAll(async () => {
    backend = await freshBackend('postgres');
    app = await startObstack(backend.env);
    await cli('users', 'create', '--email', 'ada@acme.test', '--password', PW);
    acmeId = (await cli('tenants', 'create', '--name', 'Acme Shop', '--slug', 'acme', '--owner', 'ada@acme.test')).id;
    await cli('users', 'create', '--email', 'eve@empty.test', '--password', PW);
    await cli('tenants', 'create', '--name', 'Empty Co', '--slug', 'empty', '--owner', 'eve@empty.test');

    const { url, password } = splitDatabaseUrl(backend.env.DATABASE_URL as string);
    store = createInstance({ url, schema: 'obstack_store' }, password ? { password } : {});
    seeded = await seedDemoData(write, Date.now());

    browser = await launchChromium();
    light = await signedIn('ada@acme.test', 'light');
    dark = await signedIn('ada@acme.test', 'dark');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await store?.dispose?.();
    await app?.stop();
    await backend?.cleanup();
  });

  it('lists every service with its rate, errors and latency, sorts, and links to its traces', async () => {
    const page = light;
    await page.click('nav >> text=Services');
    await page.waitForURL(/\/services$/);
    await expect.poll(() => rows(page, 'service-row').count()).toBe(6);
    const table = await text(page, '[data-testid=services-table]');
    for (const s of seeded.services) expect(table).toContain(s);
    // Payments declines cards: its error rate shows, and it has an "Errors" link.
    const payments = page.locator('[data-testid=service-row]', { hasText: 'payments' });
    expect(await payments.innerText()).toMatch(/\d+(\.\d)?%/);
    expect(await payments.locator('a', { hasText: 'Errors' }).count()).toBe(1);
    await shot(page, 'explore-services-light');
    await dark.goto(`${app.url}/services`);
    await shot(dark, 'explore-services-dark');

    // Sort by p95, slowest first; the URL keeps it.
    await page.click('th >> a:has-text("P95")');
    await page.waitForURL(/sort=p95/);
    await expect.poll(() => page.locator('th[aria-sort=descending]').innerText()).toContain('P95');
    await page.click('th >> a:has-text("Service")');
    await page.waitForURL(/sort=service&dir=asc/);
    await expect.poll(() => rows(page, 'service-row').first().locator('th').innerText()).toBe('checkout');

    // A service's traces, with the service already chosen.
    await page.click('a[aria-label="Traces of checkout"]');
    await page.waitForURL(/\/traces\?service=checkout/);
    await expect.poll(() => page.locator('#t-service').inputValue()).toBe('checkout');
    await expect.poll(() => rows(page, 'trace-row').count()).toBeGreaterThan(0);
  });

  it('sums up the last hour on the overview: totals and the busiest services, linking to their views', async () => {
    const page = light;
    await page.goto(`${app.url}/`);
    const summary = page.locator('[data-testid=overview-last-hour]');
    await summary.waitFor();
    await expect.poll(() => rows(page, 'overview-service').count()).toBe(5);
    expect(await summary.innerText()).toMatch(/Requests, last hour\s+[\d.,]+k?/i);
    expect(await text(page)).toContain('Send more data');
    await shot(page, 'overview-with-data-light', true);
    await dark.goto(`${app.url}/`);
    await dark.locator('[data-testid=overview-last-hour]').waitFor();
    await shot(dark, 'overview-with-data-dark', true);
    const first = (await rows(page, 'overview-service').first().locator('th').innerText()).trim();
    expect(seeded.services).toContain(first);
    await rows(page, 'overview-service').first().locator('a', { hasText: 'Traces' }).click();
    await page.waitForURL(new RegExp(`/traces\\?from=now-1h&service=${first}`));
    await expect.poll(() => rows(page, 'trace-row').count()).toBeGreaterThan(0);
  });

  it('changes the time range: quick ranges, absolute from/to, shown and kept in the URL', async () => {
    const page = light;
    await page.goto(`${app.url}/services`);
    expect(await page.locator('[data-testid=time-range-label]').innerText()).toBe('Last 1 hour');
    await page.click('[data-testid=time-range] button[aria-haspopup=dialog]');
    await page.screenshot({ path: `${SHOTS}/explore-time-picker.png` });
    await page.click('[role=dialog] >> text=Last 5 minutes');
    await page.waitForURL(/from=now-5m&to=now/);
    await expect.poll(() => page.locator('[data-testid=time-range-label]').innerText()).toBe('Last 5 minutes');
    // Fewer requests in 5 minutes than in the hour.
    const in5m = Number((await page.locator('text=/\\d+ total/').first().innerText()).replace(/\D/g, ''));
    await page.goto(`${app.url}/services`);
    const in1h = Number((await page.locator('[data-testid=service-row]', { hasText: 'frontend' }).locator('text=/\\d+ total/').innerText()).replace(/\D/g, ''));
    // 300 root requests were seeded over the hour (a few may have slid out of it by now).
    expect(in1h).toBeGreaterThan(250);
    expect(in5m).toBeLessThan(in1h);

    // An absolute range that holds no data: the view says so and offers a wider range.
    await page.click('[data-testid=time-range] button[aria-haspopup=dialog]');
    const dayMs = 86_400_000;
    const local = (ms: number) => {
      const d = new Date(ms);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:00`;
    };
    await page.fill('[role=dialog] >> input[type=datetime-local] >> nth=0', local(Date.now() - 3 * dayMs));
    await page.fill('[role=dialog] >> input[type=datetime-local] >> nth=1', local(Date.now() - 2 * dayMs));
    await page.click('[role=dialog] >> button:has-text("Apply time range")');
    await page.waitForURL(/from=\d{4}-\d\d-\d\dT/);
    await expect.poll(() => text(page)).toContain('No requests in this time range');
    expect(await page.locator('[data-testid=time-range-label]').innerText()).toMatch(/→/);
    // Reloading the shared URL reproduces the view.
    await page.reload();
    expect(await text(page)).toContain('No requests in this time range');
    await page.click('text=Look at the last 24 hours');
    await page.waitForURL(/from=now-24h/);
    await expect.poll(() => rows(page, 'service-row').count()).toBe(6);
  });

  it('searches traces by service, status, attribute and duration', async () => {
    const page = light;
    await page.goto(`${app.url}/traces`);
    await expect.poll(() => rows(page, 'trace-row').count()).toBe(50);
    await page.selectOption('#t-service', 'payments');
    await page.waitForURL(/service=payments/);
    // The operation list is the chosen service's.
    const ops = () => page.locator('#t-operation option').allInnerTexts();
    await expect.poll(ops).not.toContain('GET /account');
    expect(await ops()).toContain('POST /api/charge');
    await page.selectOption('#t-status', 'error');
    await page.waitForURL(/status=error/);
    await expect.poll(() => rows(page, 'trace-row').count()).toBeLessThan(50);
    expect(await rows(page, 'trace-row').count()).toBeGreaterThan(0);
    for (const row of await rows(page, 'trace-row').all()) expect(await row.innerText()).toMatch(/\d+ errors?/);
    expect(await text(page, '[data-testid=traces-table]')).toContain(seeded.errorTraceId.slice(0, 16));

    await page.fill('label:has-text("Attributes") + div input', 'http.response.status_code=402');
    await page.press('label:has-text("Attributes") + div input', 'Enter');
    await page.waitForURL(/filter=http\.response\.status_code%3D402/);
    await expect.poll(() => page.locator('[data-testid=filter-chip]').innerText()).toContain('http.response.status_code=402');
    await expect.poll(() => rows(page, 'trace-row').count()).toBeGreaterThan(0);

    await page.fill('#t-min', '100');
    await page.click('button:has-text("Search")');
    await page.waitForURL(/minDuration=100/);
    await expect.poll(() => page.locator('#t-min').inputValue()).toBe('100');
    for (const row of await rows(page, 'trace-row').all()) {
      const d = (await row.locator('td').nth(3).innerText()).trim();
      const ms = d.endsWith('ms') ? Number(d.slice(0, -2)) : Number(d.slice(0, -1)) * 1000;
      expect(ms).toBeGreaterThanOrEqual(100);
    }
    await shot(page, 'explore-traces-light');
    await dark.goto(page.url());
    await shot(dark, 'explore-traces-dark');

    // A search that matches nothing says so, with a way out.
    await page.goto(`${app.url}/traces?service=payments&minDuration=999999`);
    expect(await text(page)).toContain('No traces match');

    // A parameter the API refuses is named on the page, which stays usable.
    await page.goto(`${app.url}/traces?minDuration=-5`);
    const refused = await text(page);
    expect(refused).toContain('The query could not run');
    expect(refused).toContain('minDuration: must be a non-negative number');
    expect(await page.locator('#t-service').count()).toBe(1);
  });

  it('opens a trace: waterfall, collapse, span details with attributes, resource, events and status', async () => {
    const page = light;
    await page.goto(`${app.url}/traces?service=payments&status=error`);
    await page.click(`[data-testid=trace-row]:has-text("${seeded.errorTraceId.slice(0, 16)}") >> a`);
    await page.waitForURL(new RegExp(`/traces/${seeded.errorTraceId}$`));
    const spans = rows(page, 'span-row');
    await expect.poll(() => spans.count()).toBe(10);
    expect(await page.locator('[data-testid=span-row][data-error=true]').count()).toBeGreaterThanOrEqual(4);
    expect(await text(page, 'h1')).toContain('frontend: POST /checkout');

    await page.click('[data-testid=span-row]:has-text("payments POST /api/charge") >> button[aria-expanded]:not([aria-label])');
    await page.waitForURL(/span=[0-9a-f]{16}/);
    const details = page.locator('[data-testid=span-details]');
    const d = await details.innerText();
    expect(d).toContain('card declined: insufficient funds');
    expect(d).toContain('payment.amount');
    expect(d).toContain('service.version');
    expect(d).toContain('1.22.4');
    expect(d).toMatch(/\+\d+(\.\d+)?ms\s+exception/);
    expect(d).toContain('CardDeclinedException');
    await shot(page, 'explore-trace-light', true);
    await dark.goto(page.url());
    await shot(dark, 'explore-trace-dark', true);

    // A shared link with ?span= opens the same details.
    await page.reload();
    expect(await page.locator('[data-testid=span-details]').innerText()).toContain('card declined');

    // Collapsing the checkout server span hides everything below it.
    await page.click('button[aria-label="Collapse POST /api/checkout"] >> nth=-1');
    await expect.poll(() => spans.count()).toBe(3);
    await page.click('button:has-text("Expand all")');
    await expect.poll(() => spans.count()).toBe(10);
  });

  it('follows a span link to the producing trace, and a trace to its logs', async () => {
    const page = light;
    await page.goto(`${app.url}/traces/${seeded.consumerTraceId}`);
    await page.click('[data-testid=span-row]:has-text("orders process") >> button[aria-expanded]:not([aria-label])');
    const link = page.locator('[data-testid=span-link]');
    expect(await link.innerText()).toContain(seeded.linkedFrom.spanId);
    await link.click();
    await page.waitForURL(new RegExp(`/traces/${seeded.linkedFrom.traceId}\\?span=${seeded.linkedFrom.spanId}`));
    await expect.poll(() => page.locator('[data-testid=span-details] h3').innerText()).toBe('orders publish');

    await page.goto(`${app.url}/traces/${seeded.errorTraceId}`);
    await page.click('a:has-text("Logs for this trace")');
    await page.waitForURL(new RegExp(`/logs\\?traceId=${seeded.errorTraceId}`));
    await expect.poll(() => rows(page, 'log-row').count()).toBeGreaterThan(3);
    const list = await text(page, '[data-testid=log-list]');
    expect(list).toContain(seeded.uniqueLogBody);
    expect(await page.locator('[data-testid=trace-chip]').innerText()).toContain(seeded.errorTraceId);

    // An unknown trace is a clear "not found", not an error page.
    await page.goto(`${app.url}/traces/${'0'.repeat(31)}1`);
    expect(await text(page)).toContain('Trace not found');
  });

  it('searches logs by text, severity and service; the histogram, expanding a record and its trace link', async () => {
    const page = light;
    await page.goto(`${app.url}/logs`);
    const volume = page.locator('[data-testid=log-volume]');
    expect(await volume.innerText()).toMatch(/[\d,]+ records in range/);
    expect(await volume.innerText()).toContain('error');
    await expect.poll(() => rows(page, 'log-row').count()).toBe(100);
    await shot(page, 'explore-logs-light');
    await dark.goto(`${app.url}/logs`);
    await shot(dark, 'explore-logs-dark');

    // "Load more" continues with the cursor.
    await page.click('[data-testid=load-more]');
    await expect.poll(() => rows(page, 'log-row').count()).toBe(200);

    await page.fill('#l-q', 'payment declined');
    await page.press('#l-q', 'Enter');
    await page.waitForURL(/q=payment\+declined/);
    await expect.poll(() => rows(page, 'log-row').count()).toBeLessThan(100);
    for (const t of await rows(page, 'log-row').allInnerTexts()) expect(t.toLowerCase()).toMatch(/payment declined/);

    await page.selectOption('#l-sev', 'error');
    await page.waitForURL(/severity=error/);
    await expect.poll(() => page.locator('[data-testid=log-row]:not([data-severity=error])').count()).toBe(0);
    const severities = await rows(page, 'log-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')));
    expect(severities.length).toBeGreaterThan(0);
    expect(new Set(severities)).toEqual(new Set(['error']));

    // Expand a record: its attributes, resource and the way to its trace.
    await rows(page, 'log-row').first().locator('button[aria-expanded]').click();
    const details = page.locator('[data-testid=log-details]');
    const d = await details.innerText();
    expect(d).toContain('order.id');
    expect(d).toContain('k8s.pod.name');
    await shot(page, 'explore-logs-expanded-light');
    await details.locator('[data-testid=log-trace-link]').click();
    await page.waitForURL(/\/traces\/[0-9a-f]{32}\?span=[0-9a-f]{16}/);
    await expect.poll(() => rows(page, 'span-row').count()).toBeGreaterThan(3);
    // The record's own span is selected: a failed checkout's span, with its error status.
    expect(await page.locator('[data-testid=span-details]').innerText()).toContain('Status: error');

    // Services multi-select.
    await page.goto(`${app.url}/logs`);
    await page.click('button[aria-haspopup=dialog]:has-text("All services")');
    await page.check('[role=group][aria-label=Services] >> label:has-text("inventory") >> input');
    await page.click('button:has-text("Apply")');
    await page.waitForURL(/service=inventory/);
    await expect.poll(() => page.locator('[data-testid=log-row]:not(:has-text("inventory"))').count()).toBe(0);
    expect(await rows(page, 'log-row').count()).toBeGreaterThan(0);
    for (const t of await rows(page, 'log-row').allInnerTexts()) expect(t).toContain('inventory');

    // Nothing matches: said plainly.
    await page.goto(`${app.url}/logs?q=no-such-words-anywhere`);
    expect(await text(page)).toContain('No log records match');

    // A range the API can't read is named, and the last hour is shown meanwhile.
    await page.goto(`${app.url}/logs?from=yesterday`);
    expect(await text(page)).toContain('from: must be now, now-<n><s|m|h|d|w>');
    expect(await rows(page, 'log-row').count()).toBe(100);
  });

  it('live tail streams in a record written after the page loaded, and stops when turned off', async () => {
    const page = light;
    await page.goto(`${app.url}/logs?service=checkout`);
    await expect.poll(() => rows(page, 'log-row').count()).toBeGreaterThan(0);
    await page.click('[data-testid=live-toggle]');
    await page.waitForURL(/live=1/);
    await expect.poll(() => page.locator('[data-testid=tail-status]').innerText(), { timeout: 10_000 }).toContain('Live');

    const record = (body: string): LogRecord => ({
      timeUnixNano: BigInt(Date.now()) * 1_000_000n,
      severityNumber: 17,
      severityText: 'ERROR',
      body,
      serviceName: 'checkout',
      attributes: { 'live.check': true },
      resource: { 'service.name': 'checkout' },
    });
    const first = `live tail check ${Date.now()}`;
    await write({ id: `live-${Date.now()}`, signal: 'logs', records: [record(first)] });
    await expect.poll(() => text(page, '[data-testid=log-list]'), { timeout: 15_000 }).toContain(first);
    expect(await rows(page, 'log-row').first().innerText()).toContain(first);
    await expect.poll(() => page.locator('[data-testid=tail-status]').innerText()).toContain('1 new record');
    // Records of other services don't match the view's filter and stay out.
    await write({ id: `live-other-${Date.now()}`, signal: 'logs', records: [{ ...record(`other service ${Date.now()}`), serviceName: 'users', resource: { 'service.name': 'users' } }] });
    await shot(page, 'explore-logs-live-light');

    await page.click('[data-testid=live-toggle]');
    await expect.poll(() => page.url()).not.toContain('live=1');
    await expect.poll(() => page.locator('[data-testid=tail-status]').count()).toBe(0);
    const later = `after stop ${Date.now()}`;
    await write({ id: `live-after-${Date.now()}`, signal: 'logs', records: [record(later)] });
    await page.waitForTimeout(4_500);
    const list = await text(page, '[data-testid=log-list]');
    expect(list).toContain(first);
    expect(list).not.toContain(later);
    expect(list).not.toContain('other service');
  });

  it('charts metrics: picker, rate, group by, label filter, percentiles from histogram buckets, zoom', async () => {
    const page = light;
    await page.goto(`${app.url}/metrics`);
    expect(await text(page)).toContain('Choose a metric');
    await page.click('[data-testid=metric-picker]');
    await page.fill('input[aria-label="Search metrics"]', 'server.req');
    expect(await page.locator('[role=listbox][aria-label=Metrics] [role=option]').allInnerTexts()).toEqual([seeded.metrics.duration, seeded.metrics.requests]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`metric=${seeded.metrics.requests.replace(/\./g, '\\.')}`));
    await page.locator('[data-testid=timeseries-chart][data-ready=true]').waitFor();
    expect(await page.locator('[data-testid=timeseries-chart] canvas').count()).toBeGreaterThan(0);
    await expect.poll(() => rows(page, 'series-row').count()).toBe(1);

    await page.check('input[name=rate]');
    await page.waitForURL(/rate=true/);
    await page.click('button[aria-haspopup=dialog]:has-text("Nothing (one series)")');
    await page.check('[role=group][aria-label="Group by"] >> label:has-text("service.name") >> input');
    await page.click('button:has-text("Apply")');
    await page.waitForURL(/by=service\.name/);
    await expect.poll(() => rows(page, 'series-row').count()).toBe(5);
    const table = await text(page, '[data-testid=series-table]');
    expect(table).toContain('service.name="frontend"');
    expect(table).toMatch(/\d+(\.\d+)?\/s/);
    await page.locator('[data-testid=timeseries-chart][data-ready=true]').waitFor();
    await shot(page, 'explore-metrics-light');
    await dark.goto(page.url());
    await dark.locator('[data-testid=timeseries-chart][data-ready=true]').waitFor();
    await shot(dark, 'explore-metrics-dark');

    // A label matcher narrows to one service.
    await page.fill('label:has-text("Label filters") + div input', 'service.name=checkout');
    await page.press('label:has-text("Label filters") + div input', 'Enter');
    await page.waitForURL(/match=service\.name%3Dcheckout/);
    await expect.poll(() => rows(page, 'series-row').count()).toBe(1);

    // p95 latency per service, from the histogram's buckets, in durations.
    await page.goto(`${app.url}/metrics?${new URLSearchParams({ metric: seeded.metrics.duration, by: 'service.name' })}`);
    await page.selectOption('#m-agg', 'p95');
    await page.waitForURL(/agg=p95/);
    await expect.poll(() => page.locator('[data-testid=percentile-note]').innerText()).toContain('histogram buckets');
    await expect.poll(() => rows(page, 'series-row').count()).toBe(5);
    const p95 = await rows(page, 'series-row').filter({ hasText: 'checkout' }).locator('td').first().innerText();
    expect(p95).toMatch(/^\d+(\.\d+)?(ms|s)$/);
    await page.locator('[data-testid=timeseries-chart][data-ready=true]').waitFor();
    await shot(page, 'explore-metrics-p95-light');

    // Dragging across the chart zooms the page's time range.
    const over = page.locator('[data-testid=timeseries-chart] .u-over');
    const box = await over.boundingBox();
    if (!box) throw new Error('no chart overlay');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/from=\d{13}&to=\d{13}/);
    const u = new URL(page.url());
    const span = Number(u.searchParams.get('to')) - Number(u.searchParams.get('from'));
    expect(span).toBeGreaterThan(5 * 60_000);
    expect(span).toBeLessThan(20 * 60_000);
  });

  it("shows another tenant none of this tenant's data, and tells it how to send its own", async () => {
    const eve = await signedIn('eve@empty.test', 'light');
    const eveDark = await signedIn('eve@empty.test', 'dark');
    for (const view of ['services', 'traces', 'logs', 'metrics'] as const) {
      await eve.goto(`${app.url}/${view}`);
      const t = await text(eve);
      expect(t).toContain('This tenant has not received any telemetry');
      expect(t).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:${app.port}`);
      expect(t).toContain('<your key>');
      for (const s of seeded.services) expect(t).not.toMatch(new RegExp(`\\b${s}\\b`));
      await shot(eve, `explore-${view}-empty-light`);
      await eveDark.goto(`${app.url}/${view}`);
      await shot(eveDark, `explore-${view}-empty-dark`);
    }
    // The overview sums up nothing of acme's either: it still says how to send data.
    await eve.goto(`${app.url}/`);
    const home = await text(eve);
    expect(home).toContain('Send your first data');
    expect(await eve.locator('[data-testid=overview-last-hour]').count()).toBe(0);
    for (const s of seeded.services) expect(home).not.toMatch(new RegExp(`\\b${s}\\b`));
    // Even with a direct link and filters, nothing of acme's leaks.
    await eve.goto(`${app.url}/traces/${seeded.errorTraceId}`);
    expect(await text(eve)).toContain('Trace not found');
    await eve.goto(`${app.url}/logs?q=${encodeURIComponent('payment declined')}`);
    expect(await text(eve)).not.toContain(seeded.uniqueLogBody);
    await eve.goto(`${app.url}/traces?service=payments`);
    expect(await rows(eve, 'trace-row').count()).toBe(0);
    await eve.goto(`${app.url}/metrics?metric=${seeded.metrics.requests}`);
    expect(await text(eve)).toContain('No data for this query');
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
