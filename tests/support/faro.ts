import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { join } from 'node:path';
import { ROOT, freePort } from './obstack';

/**
 * A tiny shop web site on its own origin (127.0.0.1:<port>, not Obstack's) that loads the
 * unmodified Grafana Faro web SDK and tracing browser bundles straight from node_modules
 * and sends to Obstack's /collect, as a customer's site would.
 */

const BUNDLES: Record<string, string> = {
  '/faro/faro-web-sdk.iife.js': join(ROOT, 'node_modules/@grafana/faro-web-sdk/dist/bundle/faro-web-sdk.iife.js'),
  '/faro/faro-web-tracing.iife.js': join(ROOT, 'node_modules/@grafana/faro-web-tracing/dist/bundle/faro-web-tracing.iife.js'),
};

export interface ShopSite {
  origin: string;
  /** `traceparent` headers the site's /api/cart received (the tracing instrumentation adds them). */
  traceparents: string[];
  close(): Promise<void>;
}

function page(title: string, collectUrl: string, apiKey: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<script src="/faro/faro-web-sdk.iife.js"></script>
<script src="/faro/faro-web-tracing.iife.js"></script>
<script>
  const { initializeFaro, getWebInstrumentations } = window.GrafanaFaroWebSdk;
  const { TracingInstrumentation } = window.GrafanaFaroWebTracing;
  initializeFaro({
    url: ${JSON.stringify(collectUrl)},
    apiKey: ${JSON.stringify(apiKey)},
    app: { name: 'shop', version: '1.2.3', environment: 'test' },
    instrumentations: [...getWebInstrumentations(), new TracingInstrumentation()],
  });
</script>
<style>
  body { font: 16px system-ui, sans-serif; margin: 2rem; max-width: 40rem; }
  h1 { font-size: 2.5rem; }
  .hero { height: 12rem; background: linear-gradient(135deg, #5b8def, #9b5de5); border-radius: 1rem; color: white; padding: 1rem; font-size: 1.5rem; }
  button { font-size: 1.1rem; padding: .6rem 1.2rem; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

const CHECKOUT = `
<h1>Checkout</h1>
<div class="hero">Your cart: 3 items, 42.50 EUR</div>
<p id="status">Not paid yet.</p>
<button id="pay">Pay now</button>
<script>
  function explode() {
    throw new Error('checkout exploded');
  }
  document.getElementById('pay').addEventListener('click', async () => {
    const faro = window.GrafanaFaroWebSdk.faro;
    faro.api.pushLog(['cart has 3 items'], { level: 'info', context: { cart: 'c-42' } });
    try {
      explode();
    } catch (e) {
      faro.api.pushError(e);
    }
    faro.api.pushMeasurement({ type: 'cart', values: { items: 3, total: 42.5 } });
    faro.api.pushMeasurement({ type: 'web-vitals', values: { lcp: 1234.5 } });
    faro.api.pushEvent('checkout_clicked', { step: 'payment' });
    const res = await fetch('/api/cart?id=c-42');
    const cart = await res.json();
    document.getElementById('status').textContent = 'Paid for ' + cart.items + ' items.';
  });
</script>`;

export async function startShopSite(opts: { collectUrl: string; apiKey: string }): Promise<ShopSite> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const traceparents: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const bundle = BUNDLES[url.pathname];
    if (bundle) {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(readFileSync(bundle));
      return;
    }
    if (url.pathname === '/shop/checkout') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page('Shop checkout', opts.collectUrl, opts.apiKey, CHECKOUT));
      return;
    }
    if (url.pathname === '/shop/thanks') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page('Thanks', opts.collectUrl, opts.apiKey, '<h1>Thank you!</h1>'));
      return;
    }
    if (url.pathname === '/api/cart') {
      const tp = req.headers.traceparent;
      if (typeof tp === 'string') traceparents.push(tp);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: url.searchParams.get('id'), items: 3 }));
      return;
    }
    // Nothing else here (favicon and the like).
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return {
    origin,
    traceparents,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
