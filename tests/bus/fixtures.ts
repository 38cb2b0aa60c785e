import { randomBytes, randomUUID } from 'node:crypto';
import type { Attributes, LogRecord, Span, WriteBatch } from '@obstack/plugin-api';

/**
 * Realistic telemetry for the bus tests and the bus benchmark: spans the way the OTLP
 * decoder produces them (one resource object shared by every span of a resource,
 * ~15 attributes, a couple of events), so sizes and codec costs resemble production.
 */

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

const SERVICES = ['checkout', 'cart', 'payments', 'catalog'];
const ROUTES = ['/api/cart/{id}', '/api/checkout', '/api/products', '/api/products/{id}', '/api/payments/authorize', '/health'];

function resourceFor(service: string, i: number): Attributes {
  return {
    'service.name': service,
    'service.version': '2.14.3',
    'service.namespace': 'shop',
    'deployment.environment': 'production',
    'host.name': `ip-10-0-${i}-17.eu-west-1.compute.internal`,
    'host.arch': 'amd64',
    'k8s.namespace.name': 'shop',
    'k8s.pod.name': `${service}-7d9f8c6b5-x${i}k2p`,
    'k8s.deployment.name': service,
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': '1.30.1',
    'process.pid': 4242 + i,
  };
}

/** One batch of `n` spans from a few services, `tracesPerBatch` traces. */
export function spanBatch(n = 512, opts: { id?: string; tracesPerBatch?: number } = {}): WriteBatch & { signal: 'traces' } {
  const resources = SERVICES.map((s, i) => resourceFor(s, i));
  const traces = Array.from({ length: opts.tracesPerBatch ?? Math.max(1, Math.ceil(n / 8)) }, () => hex(16));
  const base = BigInt(Date.now()) * 1_000_000n;
  const spans: Span[] = [];
  for (let i = 0; i < n; i++) {
    const svc = i % SERVICES.length;
    const start = base + BigInt(i) * 1_000_123n;
    const route = ROUTES[i % ROUTES.length]!;
    const status = i % 37 === 0 ? 500 : 200;
    spans.push({
      traceId: traces[i % traces.length]!,
      spanId: hex(8),
      ...(i % 8 ? { parentSpanId: hex(8) } : {}),
      name: `GET ${route}`,
      kind: i % 3 ? 'server' : 'client',
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(1_000_000 + ((i * 7919) % 90_000_000)),
      status: status === 500 ? { code: 'error', message: 'upstream returned 500' } : { code: 'unset' },
      serviceName: SERVICES[svc]!,
      attributes: {
        'http.request.method': 'GET',
        'http.route': route,
        'url.full': `https://shop.example.com${route.replace('{id}', String(1000 + i))}?ref=home&utm_source=newsletter`,
        'url.scheme': 'https',
        'http.response.status_code': status,
        'server.address': 'shop.example.com',
        'server.port': 443,
        'client.address': `203.0.113.${i % 250}`,
        'user_agent.original': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
        'network.protocol.version': '1.1',
        'http.request.body.size': 0,
        'http.response.body.size': 1024 + i,
        'app.cart.items': i % 9,
        'app.feature_flags': ['new-checkout', 'fast-search'],
        'app.user.tier': i % 2 ? 'pro' : 'free',
      },
      resource: resources[svc]!,
      scope: { name: '@opentelemetry/instrumentation-http', version: '0.57.1' },
      events: [
        { timeUnixNano: start + 1000n, name: 'cache.lookup', attributes: { 'cache.hit': i % 2 === 0, 'cache.key': `cart:${i}` } },
        { timeUnixNano: start + 2000n, name: 'db.query', attributes: { 'db.statement': 'select * from carts where id = $1', 'db.rows': 3 } },
      ],
      links: [],
    });
  }
  return { id: opts.id ?? randomUUID(), signal: 'traces', spans };
}

/** Small log batches for the delivery tests: cheap to store row by row. */
export function logBatch(n: number, opts: { id?: string; tag?: string } = {}): WriteBatch & { signal: 'logs' } {
  const resource: Attributes = { 'service.name': 'api', 'host.name': 'web-1' };
  const base = BigInt(Date.now()) * 1_000_000n;
  const records: LogRecord[] = Array.from({ length: n }, (_, i) => ({
    timeUnixNano: base + BigInt(i),
    severityNumber: 9,
    severityText: 'INFO',
    body: `${opts.tag ?? 'line'} ${i}`,
    serviceName: 'api',
    attributes: { i, tag: opts.tag ?? null },
    resource,
  }));
  return { id: opts.id ?? randomUUID(), signal: 'logs', records };
}

/** One batch of every signal, with the awkward values a codec can get wrong. */
export function everySignal(tag = randomUUID()): WriteBatch[] {
  const t = 1_712_345_678_901_234_567n;
  const traceId = hex(16);
  return [
    {
      id: `${tag}-logs`,
      signal: 'logs',
      records: [
        {
          timeUnixNano: t,
          observedTimeUnixNano: t + 1n,
          severityNumber: 17,
          severityText: 'ERROR',
          body: '{"event":"limit","user":{"id":7}} — ünïcødé ✓ 𝄞',
          serviceName: 'api',
          attributes: {
            nested: { deep: { list: [1, 'two', true, null, { three: 3.25 }] } },
            big: 2 ** 53 - 1,
            large: 2 ** 40,
            negative: -123456789,
            float: 0.1 + 0.2,
            empty: '',
            emptyList: [],
            emptyMap: {},
          },
          resource: { 'service.name': 'api', 'process.pid': 4242 },
          scope: { name: 'winston', version: '3.0.0' },
          traceId,
          spanId: hex(8),
          flags: 1,
        },
      ],
    },
    { ...spanBatch(5, { id: `${tag}-traces`, tracesPerBatch: 1 }) },
    {
      id: `${tag}-metrics`,
      signal: 'metrics',
      points: [
        {
          name: 'http.server.duration',
          type: 'histogram',
          unit: 'ms',
          temporality: 'cumulative',
          timeUnixNano: t,
          startTimeUnixNano: 0n,
          serviceName: 'api',
          labels: { route: '/x', 'service.name': 'api' },
          histogram: { count: 3, sum: 12.5, min: 1, max: 9, bounds: [1, 5, 10], counts: [1, 1, 1, 0] },
        },
        { name: 'up', type: 'gauge', timeUnixNano: 18_446_744_073_709_551_615n, serviceName: 'api', labels: {}, value: 1 },
      ],
    },
    {
      id: `${tag}-rum`,
      signal: 'rum',
      events: [
        {
          timeUnixNano: t,
          kind: 'web_vital',
          name: 'LCP',
          value: 2310.5,
          sessionId: 's-1',
          app: { name: 'shop', version: '1.2.3' },
          page: { url: 'https://shop.example/cart?x=1', path: '/cart' },
          browser: { name: 'Firefox', os: 'Linux' },
          attributes: { rating: 'good' },
        },
      ],
    },
    {
      id: `${tag}-cost`,
      signal: 'cost',
      allocations: [
        {
          windowStartMs: 1_712_300_000_000,
          windowEndMs: 1_712_303_600_000,
          aggregate: 'namespace',
          name: 'shop',
          properties: { cluster: 'eu-1' },
          cpuCost: 1.25,
          ramCost: 0.5,
          gpuCost: 0,
          pvCost: 0.01,
          networkCost: 0,
          totalCost: 1.76,
          currency: 'USD',
        },
      ],
    },
  ];
}
