import type { Browser, BrowserContext, Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchChromium } from '../support/browser';
import { type ShopSite, startShopSite } from '../support/faro';
import {
  type ApiRumEvent,
  type ApiSpan,
  type ApiTraceSummary,
  type IngestMode,
  type IngestStack,
  createTenantWithKey,
  eventually,
  modeAvailable,
  read,
  startIngestStack,
} from '../support/ingest';

/**
 * The unmodified Grafana Faro web SDK and its tracing package (the browser bundles from
 * node_modules, 2.12.1) run in headless Chromium on a shop page served from another
 * origin than Obstack, and send to /collect: CORS, the SDK's own retries, real web
 * vitals, an error with its stack, logs, events, measurements and a traced fetch, read
 * back through /api/v1/rum and /api/v1/traces. Embedded, and scaled on Postgres + Redis +
 * Kafka, where the tenant's ingest settings (allowed origins, rate) are set in the database.
 */

const RANGE = { from: 'now-1h', to: 'now' };
const MODES: IngestMode[] = ['embedded', 'kafka'];

/** A Faro transport body with one log line, as the SDK would send it. */
function faroBody(message: string): string {
  return JSON.stringify({
    meta: { app: { name: 'shop', version: '1.2.3' }, page: { url: 'https://shop.example.com/cart' }, session: { id: 'sess-node-1' } },
    logs: [{ message, level: 'info', timestamp: new Date().toISOString() }],
  });
}

describe.each(MODES)('Grafana Faro web SDK in Chromium into /collect (%s)', (mode) => {
  describe.skipIf(!modeAvailable(mode))('', () => {
    let stack: IngestStack;
    let site: ShopSite;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let events: ApiRumEvent[] = [];
    let chromeMajor = '';
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      stack = await startIngestStack(mode);
      site = await startShopSite({ collectUrl: `${stack.url}/collect`, apiKey: stack.key });
      browser = await launchChromium();
      chromeMajor = browser.version().split('.')[0] ?? '';
      context = await browser.newContext({ viewport: { width: 900, height: 640 } });
      page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().includes('404')) consoleErrors.push(m.text());
      });

      await page.goto(`${site.origin}/shop/checkout?step=2`);
      await page.click('#pay');
      await page.getByText('Paid for 3 items.').waitFor();
      await page.screenshot({ path: `${SHOTS}faro-shop-checkout-${mode}.png` });
      // The tracing instrumentation exports its spans on a timer; spans still queued when the
      // page goes away are lost in the browser, so let the fetch span arrive first.
      const traceId = site.traceparents[0]?.split('-')[1] ?? '';
      await eventually(async () => {
        const { data } = await read<{ spans: ApiSpan[] } | null>(stack.url, stack.key, `/api/v1/traces/${traceId}`);
        expect(data?.spans.length).toBeGreaterThan(0);
      }, 30_000);
      // Leaving the page makes the SDK report the final web vitals (LCP, CLS, INP) and flush.
      await page.goto(`${site.origin}/shop/thanks`);
      await page.getByText('Thank you!').waitFor();

      events = await eventually(async () => {
        const { data } = await read<{ events: ApiRumEvent[] }>(stack.url, stack.key, '/api/v1/rum', { ...RANGE, limit: '1000' });
        const vitals = new Set(data.events.filter((e) => e.kind === 'web_vital' && e.page.path === '/shop/checkout').map((e) => e.name));
        expect([...vitals].sort()).toEqual(expect.arrayContaining(['CLS', 'FCP', 'INP', 'LCP', 'TTFB']));
        expect(data.events.some((e) => e.kind === 'page_view' && e.page.path === '/shop/thanks')).toBe(true);
        expect(data.events.some((e) => e.kind === 'error')).toBe(true);
        return data.events;
      }, 60_000);
    });
    afterAll(async () => {
      await browser?.close();
      await site?.close();
      await stack?.stop();
    });

    it('sent everything without a CORS or delivery error in the page', () => {
      expect(consoleErrors.filter((t) => /CORS|Faro|collect/i.test(t))).toEqual([]);
    });

    it('answers the preflight from the shop origin for every header the SDK sends', async () => {
      const res = await fetch(`${stack.url}/collect`, {
        method: 'OPTIONS',
        headers: {
          Origin: site.origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,idempotency-key,x-api-key,x-faro-session-id',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(site.origin);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
      expect(allowed).toEqual(expect.arrayContaining(['content-type', 'idempotency-key', 'x-api-key', 'x-faro-session-id']));
    });

    it('stores each kind of browser event, once each although the SDK retried', () => {
      const kinds = new Set(events.map((e) => e.kind));
      expect([...kinds].sort()).toEqual(expect.arrayContaining(['error', 'event', 'log', 'measurement', 'page_view', 'session', 'web_vital']));
      const count = (pred: (e: ApiRumEvent) => boolean) => events.filter(pred).length;
      expect(count((e) => e.kind === 'error')).toBe(1);
      expect(count((e) => e.kind === 'log' && e.message === 'cart has 3 items')).toBe(1);
      expect(count((e) => e.kind === 'event' && e.name === 'checkout_clicked')).toBe(1);
      expect(count((e) => e.kind === 'page_view' && e.page.path === '/shop/checkout')).toBe(1);
      expect(count((e) => e.kind === 'session' && e.name === 'session_start')).toBe(1);
    });

    it('keeps the error message and its stack', () => {
      const error = events.find((e) => e.kind === 'error') as ApiRumEvent;
      expect(error.name).toBe('Error');
      expect(error.message).toBe('checkout exploded');
      expect(error.stack).toMatch(/^Error: checkout exploded\n\s+at explode \(http:\/\/127\.0\.0\.1:\d+\/shop\/checkout\?step=2:\d+:\d+\)/);
    });

    it('keeps logs, custom events and measurements with their values and context', () => {
      const log = events.find((e) => e.kind === 'log') as ApiRumEvent;
      expect(log).toMatchObject({ name: 'info', message: 'cart has 3 items', attributes: { cart: 'c-42' } });
      const clicked = events.find((e) => e.name === 'checkout_clicked') as ApiRumEvent;
      expect(clicked.attributes.step).toBe('payment');
      const byName = Object.fromEntries(events.filter((e) => e.kind === 'measurement').map((e) => [e.name, e.value]));
      expect(byName).toMatchObject({ 'cart.items': 3, 'cart.total': 42.5 });
      // A web-vitals measurement pushed by hand lands beside the ones the SDK measured.
      expect(events.filter((e) => e.kind === 'web_vital' && e.name === 'LCP').map((e) => e.value)).toContain(1234.5);
      const ttfb = events.find((e) => e.kind === 'web_vital' && e.name === 'TTFB' && e.page.path === '/shop/checkout');
      expect(ttfb?.value).toBeGreaterThan(0);
      expect(events.find((e) => e.kind === 'web_vital' && e.name === 'CLS')?.value).toBe(0);
    });

    it('describes app, session, page and browser on every event', () => {
      const sessions = new Set(events.map((e) => e.sessionId));
      expect(sessions.size).toBe(1); // the second page resumed the session
      expect([...sessions][0]).toMatch(/\w{6,}/);
      for (const e of events) {
        expect(e.app).toMatchObject({ name: 'shop', version: '1.2.3', environment: 'test' });
        expect(e.page.url.startsWith(`${site.origin}/shop/`)).toBe(true);
        // The SDK's own parser names this build "Chrome Headless"; its name wins over ours.
        expect(e.browser).toMatchObject({ name: 'Chrome Headless', device: 'desktop' });
        expect(e.browser?.version?.split('.')[0]).toBe(chromeMajor);
        expect(e.browser?.os).toMatch(/Linux/);
      }
      const error = events.find((e) => e.kind === 'error') as ApiRumEvent;
      expect(error.page).toMatchObject({ path: '/shop/checkout', query: 'step=2' });
      const pages = new Set(events.filter((e) => e.kind === 'page_view').map((e) => e.page.path));
      expect([...pages].sort()).toEqual(['/shop/checkout', '/shop/thanks']);
    });

    it('fills the browser from the User-Agent header when the SDK sent none', async () => {
      const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
      const res = await fetch(`${stack.url}/collect`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-api-key': stack.key, Origin: site.origin, 'User-Agent': ua },
        body: JSON.stringify({
          meta: { app: { name: 'shop', version: '1.2.4' }, page: { url: `${site.origin}/shop/cart?coupon=SPRING` }, session: { id: 'sess-ua-1' } },
          events: [{ name: 'cart_viewed', timestamp: new Date().toISOString(), attributes: { items: '2' } }],
        }),
      });
      expect(res.status).toBe(202);
      const stored = await eventually(async () => {
        const { data } = await read<{ events: ApiRumEvent[] }>(stack.url, stack.key, '/api/v1/rum', { ...RANGE, sessionId: 'sess-ua-1' });
        expect(data.events).toHaveLength(1);
        return data.events[0] as ApiRumEvent;
      });
      expect(stored).toMatchObject({ kind: 'event', name: 'cart_viewed', app: { name: 'shop', version: '1.2.4' }, page: { path: '/shop/cart', query: 'coupon=SPRING' } });
      expect(stored.browser).toMatchObject({ name: 'Chrome', version: '131', os: 'Windows', device: 'desktop', userAgent: ua });
    });

    it('stores a delivery the SDK retried (same Idempotency-Key) once', async () => {
      const send = (key: string) =>
        fetch(`${stack.url}/collect`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'x-api-key': stack.key, Origin: site.origin, 'Idempotency-Key': key },
          body: JSON.stringify({
            meta: { app: { name: 'shop' }, page: { url: `${site.origin}/shop/retry` }, session: { id: 'sess-retry-1' } },
            logs: [{ message: 'delivered twice', level: 'warn', timestamp: new Date().toISOString() }],
          }),
        });
      // As the SDK's transport does after a timeout or a failed keepalive fetch: same key, same body.
      const first = await Promise.all([send('RetryKey0123456789ab'), send('RetryKey0123456789ab')]);
      expect(first.map((r) => r.status)).toEqual([202, 202]);
      expect((await send('RetryKey0123456789ab')).status).toBe(202);
      // A new delivery (new key) of the same content is new data.
      expect((await send('OtherKey0123456789ab')).status).toBe(202);
      await eventually(async () => {
        const { data } = await read<{ events: ApiRumEvent[] }>(stack.url, stack.key, '/api/v1/rum', { ...RANGE, sessionId: 'sess-retry-1' });
        expect(data.events).toHaveLength(2);
      });
      await new Promise((r) => setTimeout(r, 500));
      const { data } = await read<{ events: ApiRumEvent[] }>(stack.url, stack.key, '/api/v1/rum', { ...RANGE, sessionId: 'sess-retry-1' });
      expect(data.events.map((e) => e.message)).toEqual(['delivered twice', 'delivered twice']);
    });

    it('groups events for the RUM views', async () => {
      const { data } = await read<{ events: unknown[]; groups: Array<{ key: Record<string, string>; count: number; sessions: number }> }>(
        stack.url,
        stack.key,
        '/api/v1/rum',
        { ...RANGE, kind: 'web_vital', groupBy: 'name,page' },
      );
      const lcp = data.groups.find((g) => g.key.name === 'LCP' && g.key.page === '/shop/checkout');
      expect(lcp?.count).toBe(2); // the measured one and the pushed one
      expect(lcp?.sessions).toBe(1);
    });

    it('stores the span of the traced fetch under the trace id it propagated to the site', async () => {
      expect(site.traceparents).toHaveLength(1);
      const [, traceId, spanId] = (site.traceparents[0] ?? '').split('-');
      const trace = await eventually(async () => {
        const { data } = await read<{ traceId: string; spans: ApiSpan[] } | null>(stack.url, stack.key, `/api/v1/traces/${traceId}`);
        expect(data?.spans.length).toBeGreaterThan(0);
        return data as { spans: ApiSpan[] };
      });
      const fetchSpan = trace.spans.find((s) => s.spanId === spanId) as ApiSpan;
      expect(fetchSpan).toMatchObject({ kind: 'client', serviceName: 'shop' });
      expect(JSON.stringify(fetchSpan.attributes)).toContain('/api/cart?id=c-42');
      const { data } = await read<{ traces: ApiTraceSummary[] }>(stack.url, stack.key, '/api/v1/traces', { ...RANGE, service: 'shop' });
      expect(data.traces.map((t) => t.traceId)).toContain(traceId);
      // The RUM event of the same fetch points at the same trace.
      expect(events.find((e) => e.name === 'faro.tracing.fetch')?.traceId).toBe(traceId);
    });

    it('refuses a body over 5 MiB with 413, readable cross-origin', async () => {
      const res = await fetch(`${stack.url}/collect`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-api-key': stack.key, Origin: site.origin },
        body: faroBody('x'.repeat(5 * 1024 * 1024 + 1)),
      });
      expect(res.status).toBe(413);
      expect(res.headers.get('access-control-allow-origin')).toBe(site.origin);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
      const { data } = await read<{ events: ApiRumEvent[] }>(stack.url, stack.key, '/api/v1/rum', { ...RANGE, kind: 'log' });
      expect(data.events.map((e) => e.page.url)).not.toContain('https://shop.example.com/cart');
    });

    // Ingest settings live in the tenant row; with Postgres a test can set them the way the
    // settings page will (tenants.settings.ingest), before the tenant's first request.
    if (mode !== 'embedded') {
      describe('tenant ingest settings', () => {
        const setIngest = async (slug: string, ingest: Record<string, unknown>) => {
          const sql = postgres(stack.store.env.DATABASE_URL ?? '', { max: 1, onnotice: () => {} });
          try {
            await sql`update tenants set settings = jsonb_set(settings, '{ingest}', ${sql.json(ingest as never)}) where slug = ${slug}`;
          } finally {
            await sql.end();
          }
        };

        it('refuses a site origin the tenant did not list (403, no data) and takes a listed one', async () => {
          const t = await createTenantWithKey(stack, 'faro-origins');
          await setIngest('faro-origins', { allowedOrigins: ['https://shop.example.com'] });

          const refused = await fetch(`${stack.url}/collect`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'x-api-key': t.key, Origin: site.origin },
            body: faroBody('from an unlisted origin'),
          });
          expect(refused.status).toBe(403);
          expect(refused.headers.get('access-control-allow-origin')).toBeNull();
          expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');

          // The browser on the unlisted origin cannot even read that answer.
          const inPage = await page.evaluate(
            async ({ url, key, body }) => {
              try {
                const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-api-key': key }, body });
                return `status ${r.status}`;
              } catch (e) {
                return `blocked: ${(e as Error).message}`;
              }
            },
            { url: `${stack.url}/collect`, key: t.key, body: faroBody('from the page on an unlisted origin') },
          );
          expect(inPage).toBe('blocked: Failed to fetch');

          const listed = await fetch(`${stack.url}/collect`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'x-api-key': t.key, Origin: 'https://shop.example.com' },
            body: faroBody('from the listed origin'),
          });
          expect(listed.status).toBe(202);
          expect(listed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');

          const stored = await eventually(async () => {
            const { data } = await read<{ events: ApiRumEvent[] }>(stack.url, t.key, '/api/v1/rum', RANGE);
            expect(data.events.length).toBeGreaterThan(0);
            return data.events;
          });
          expect(stored.map((e) => e.message)).toEqual(['from the listed origin']);
        });

        it('answers 429 with Retry-After past rumRequestsPerSecond, and stores only what it accepted', async () => {
          const t = await createTenantWithKey(stack, 'faro-rate');
          await setIngest('faro-rate', { rumRequestsPerSecond: 2 });
          const answers = await Promise.all(
            Array.from({ length: 12 }, (_, i) =>
              fetch(`${stack.url}/collect`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', 'x-api-key': t.key, Origin: site.origin },
                body: faroBody(`burst ${i}`),
              }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() })),
            ),
          );
          const accepted = answers.filter((a) => a.status === 202).length;
          const limited = answers.filter((a) => a.status === 429);
          expect(accepted + limited.length).toBe(12);
          // Two per second; a burst that straddles a second boundary may get two more in.
          expect(accepted).toBeGreaterThanOrEqual(1);
          expect(accepted).toBeLessThanOrEqual(4);
          for (const l of limited) {
            expect(Number(l.retryAfter)).toBeGreaterThanOrEqual(1);
            expect(JSON.parse(l.body)).toMatchObject({ error: { code: 'rate_limited' } });
          }
          await eventually(async () => {
            const { data } = await read<{ events: ApiRumEvent[] }>(stack.url, t.key, '/api/v1/rum', RANGE);
            expect(data.events).toHaveLength(accepted);
          });
          // Still exactly that many a moment later (nothing refused trickles in).
          await new Promise((r) => setTimeout(r, 1_000));
          const { data } = await read<{ events: ApiRumEvent[] }>(stack.url, t.key, '/api/v1/rum', RANGE);
          expect(data.events).toHaveLength(accepted);
        });
      });
    }
  });
});
