import type { Attributes, LogRecord, MetricPoint, Span, SpanKind, WriteBatch } from '@obstack/plugin-api';

/**
 * A realistic, deterministic demo shop for explore views, demos and tests: six services
 * calling each other over the hour before `now` — nested server/client/internal spans with
 * errors, exception events and producer/consumer links; logs correlated by trace and span
 * id across every severity plus background noise; and metrics (a request counter per
 * service/route/status, a latency histogram, a memory gauge) every 15 s.
 *
 * It only needs a `write` for batches, so it seeds a plugin instance directly
 * (`(b) => instance.write(b, ctx)`), the ingest bus, or anything else that takes batches.
 * The same `now` and `seed` always give the same data (ids included).
 */

export const DEMO_SERVICES = ['frontend', 'checkout', 'payments', 'inventory', 'users', 'notifications'] as const;
export type DemoService = (typeof DEMO_SERVICES)[number];

export const DEMO_METRICS = {
  /** Cumulative monotonic sum; labels service.name, http.route, http.request.method, http.response.status_code. */
  requests: 'http.server.requests',
  /** Cumulative explicit-bucket histogram in seconds; labels service.name, http.route. */
  duration: 'http.server.request.duration',
  /** Gauge in bytes; labels service.name, host.name. */
  memory: 'process.memory.usage',
} as const;

export interface SeedOptions {
  /** Traces to create (checkout, browse and profile flows mixed). Default 300. */
  traces?: number;
  /** PRNG seed: the same seed and now give the same ids and values. Default 1. */
  seed?: number;
  /** Items per written batch. Default 500. */
  batchSize?: number;
  /** Prefix for batch ids (the store de-duplicates by batch id per tenant). Default derived from now and seed. */
  batchPrefix?: string;
}

export interface SeedSummary {
  now: number;
  services: readonly DemoService[];
  traceCount: number;
  spanCount: number;
  logCount: number;
  pointCount: number;
  /** A checkout trace whose payment was declined (error spans, exception event, error logs). */
  errorTraceId: string;
  /** A successful checkout trace (five services deep). */
  checkoutTraceId: string;
  /** A notifications trace whose consumer span links to `linkedFrom` (trace and span of the producer). */
  consumerTraceId: string;
  linkedFrom: { traceId: string; spanId: string };
  /** Root operations per service, as the traces page lists them. */
  rootOperations: Record<string, string[]>;
  /** A body that occurs in exactly one log record (of the declined checkout). */
  uniqueLogBody: string;
  metrics: typeof DEMO_METRICS;
}

const MS = 1_000_000n;
const ns = (ms: number): bigint => BigInt(Math.round(ms * 1000)) * 1000n;

/** mulberry32: small, fast, good enough for demo data, and reproducible. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
    chance: (p: number) => next() < p,
    /** Log-normal around `median` ms: latencies have long tails. */
    latency: (median: number, spread = 0.5) => {
      const u = Math.max(1e-9, next());
      const v = next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return median * Math.exp(spread * z);
    },
    hex: (chars: number) => {
      let s = '';
      for (let i = 0; i < chars; i++) s += Math.floor(next() * 16).toString(16);
      return s;
    },
  };
}
type Rng = ReturnType<typeof prng>;

const VERSIONS: Record<DemoService, string> = {
  frontend: '3.14.0',
  checkout: '2.8.1',
  payments: '1.22.4',
  inventory: '5.0.2',
  users: '1.9.0',
  notifications: '0.7.3',
};
const LANG: Record<DemoService, string> = {
  frontend: 'nodejs',
  checkout: 'go',
  payments: 'java',
  inventory: 'python',
  users: 'nodejs',
  notifications: 'python',
};

function resourceOf(service: DemoService, pod: number): Attributes {
  return {
    'service.name': service,
    'service.version': VERSIONS[service],
    'service.namespace': 'shop',
    'deployment.environment.name': 'production',
    'telemetry.sdk.language': LANG[service],
    'host.name': `node-${(pod % 3) + 1}.eu-west-1.compute.internal`,
    'k8s.namespace.name': 'shop',
    'k8s.pod.name': `${service}-7d9f8b${pod}c5-x${pod}q2z`,
    'cloud.region': 'eu-west-1',
  };
}

interface SpanSpec {
  service: DemoService;
  name: string;
  kind: SpanKind;
  /** Offset from the parent's start, ms. */
  at: number;
  durMs: number;
  attributes?: Attributes;
  error?: { message: string; exception?: { type: string; message: string; stack: string } };
  events?: Array<{ at: number; name: string; attributes?: Attributes }>;
  links?: Span['links'];
  logs?: Array<{ at: number; severity: Severity; body: string; attributes?: Attributes }>;
  children?: SpanSpec[];
}

type Severity = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
const SEVERITY_NUMBER: Record<Severity, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
const SEVERITY_TEXT: Record<Severity, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL' };

function logRecord(
  rng: Rng,
  service: DemoService,
  atMs: number,
  severity: Severity,
  body: string,
  attributes: Attributes,
  trace?: { traceId: string; spanId: string },
): LogRecord {
  return {
    timeUnixNano: ns(atMs),
    observedTimeUnixNano: ns(atMs + 3),
    severityNumber: SEVERITY_NUMBER[severity],
    severityText: SEVERITY_TEXT[severity],
    body,
    serviceName: service,
    attributes: { 'logger.name': `${service}.${severity === 'debug' ? 'cache' : 'http'}`, ...attributes },
    resource: resourceOf(service, rng.int(0, 2)),
    scope: { name: `${service}-logger`, version: '1.0.0' },
    ...(trace ? { traceId: trace.traceId, spanId: trace.spanId, flags: 1 } : {}),
  };
}

/** Turns a tree of specs into spans (and their logs), depth first, children offset from their parent. */
function materialize(rng: Rng, traceId: string, root: SpanSpec, startMs: number, pod: number): { spans: Span[]; logs: LogRecord[] } {
  const spans: Span[] = [];
  const logs: LogRecord[] = [];
  const walk = (spec: SpanSpec, parentId: string | undefined, parentStart: number) => {
    const spanId = rng.hex(16);
    const start = parentStart + spec.at;
    const status: Span['status'] = spec.error
      ? { code: 'error', message: spec.error.message }
      : spec.kind === 'server' || spec.kind === 'consumer'
        ? { code: 'ok' }
        : { code: 'unset' };
    const events: Span['events'] = (spec.events ?? []).map((e) => ({ timeUnixNano: ns(start + e.at), name: e.name, attributes: e.attributes ?? {} }));
    if (spec.error?.exception) {
      events.push({
        timeUnixNano: ns(start + spec.durMs * 0.9),
        name: 'exception',
        attributes: {
          'exception.type': spec.error.exception.type,
          'exception.message': spec.error.exception.message,
          'exception.stacktrace': spec.error.exception.stack,
          'exception.escaped': true,
        },
      });
    }
    spans.push({
      traceId,
      spanId,
      ...(parentId ? { parentSpanId: parentId } : {}),
      name: spec.name,
      kind: spec.kind,
      startTimeUnixNano: ns(start),
      endTimeUnixNano: ns(start + spec.durMs),
      status,
      serviceName: spec.service,
      attributes: spec.attributes ?? {},
      resource: resourceOf(spec.service, pod),
      scope: { name: `@opentelemetry/instrumentation-${spec.kind === 'client' && spec.attributes?.['db.system'] ? 'pg' : 'http'}`, version: '0.52.1' },
      events,
      links: spec.links ?? [],
    });
    for (const l of spec.logs ?? []) logs.push(logRecord(rng, spec.service, start + l.at, l.severity, l.body, l.attributes ?? {}, { traceId, spanId }));
    for (const c of spec.children ?? []) walk(c, spanId, start);
    return spanId;
  };
  walk(root, undefined, startMs);
  return { spans, logs };
}

const http = (method: string, route: string, status: number, extra: Attributes = {}): Attributes => ({
  'http.request.method': method,
  'http.route': route,
  'url.path': route.replace('{id}', String(10_000 + (route.length * 37) % 900)),
  'http.response.status_code': status,
  'network.protocol.version': '1.1',
  ...extra,
});
const db = (op: string, table: string, statement: string): Attributes => ({
  'db.system': 'postgresql',
  'db.operation.name': op,
  'db.collection.name': table,
  'db.query.text': statement,
  'server.address': 'pg-primary.shop.svc',
  'server.port': 5432,
});

/** A browse flow: frontend -> inventory, with a cache miss now and then. */
function browse(rng: Rng): SpanSpec {
  const miss = rng.chance(0.3);
  const q = rng.latency(miss ? 18 : 4, 0.6);
  const slow = rng.chance(0.04);
  const inv = (miss ? q + 8 : 6) + rng.latency(3) + (slow ? 900 : 0);
  const route = rng.pick(['/products', '/products/{id}']);
  const category = rng.pick(['shoes', 'hats', 'bags', 'watches']);
  return {
    service: 'frontend',
    name: `GET ${route}`,
    kind: 'server',
    at: 0,
    durMs: inv + 12 + rng.latency(6),
    attributes: http('GET', route, 200, { 'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0', 'product.category': category }),
    logs: [{ at: inv + 10, severity: 'info', body: `GET ${route} 200`, attributes: { 'http.route': route, 'product.category': category } }],
    children: [
      {
        service: 'frontend',
        name: 'GET /api/products',
        kind: 'client',
        at: 3,
        durMs: inv + 4,
        attributes: http('GET', '/api/products', 200, { 'server.address': 'inventory.shop.svc' }),
        children: [
          {
            service: 'inventory',
            name: 'GET /api/products',
            kind: 'server',
            at: 1,
            durMs: inv,
            attributes: http('GET', '/api/products', 200, { 'product.category': category }),
            events: miss ? [{ at: 1, name: 'cache miss', attributes: { 'cache.key': `products:${category}` } }] : [{ at: 1, name: 'cache hit', attributes: { 'cache.key': `products:${category}` } }],
            logs: [
              { at: 1, severity: 'debug', body: `cache ${miss ? 'miss' : 'hit'} for products:${category}`, attributes: { 'cache.key': `products:${category}` } },
              ...(slow ? [{ at: inv - 2, severity: 'warn' as const, body: `slow query: SELECT products took ${Math.round(inv - 8)} ms`, attributes: { 'db.collection.name': 'products' } }] : []),
            ],
            children: miss || slow
              ? [{ service: 'inventory', name: 'SELECT products', kind: 'client', at: 3, durMs: slow ? q + 880 : q, attributes: db('SELECT', 'products', 'SELECT id, name, price FROM products WHERE category = $1 LIMIT 50') }]
              : [],
          },
        ],
      },
    ],
  };
}

/** A profile flow: frontend -> users -> database. */
function profile(rng: Rng): SpanSpec {
  const q = rng.latency(5, 0.5);
  const users = q + rng.latency(4);
  const notFound = rng.chance(0.05);
  const status = notFound ? 404 : 200;
  const userId = `u-${rng.int(1000, 9999)}`;
  return {
    service: 'frontend',
    name: 'GET /account',
    kind: 'server',
    at: 0,
    durMs: users + 10 + rng.latency(5),
    attributes: http('GET', '/account', status, { 'enduser.id': userId }),
    logs: [{ at: users + 8, severity: notFound ? 'warn' : 'info', body: notFound ? `user ${userId} not found` : `GET /account 200`, attributes: { 'enduser.id': userId } }],
    children: [
      {
        service: 'frontend',
        name: 'GET /api/users/{id}',
        kind: 'client',
        at: 2,
        durMs: users + 3,
        attributes: http('GET', '/api/users/{id}', status, { 'server.address': 'users.shop.svc' }),
        children: [
          {
            service: 'users',
            name: 'GET /api/users/{id}',
            kind: 'server',
            at: 1,
            durMs: users,
            attributes: http('GET', '/api/users/{id}', status, { 'enduser.id': userId }),
            logs: [{ at: users - 1, severity: 'debug', body: `loaded profile ${userId}`, attributes: { 'enduser.id': userId } }],
            children: [{ service: 'users', name: 'SELECT users', kind: 'client', at: 1, durMs: q, attributes: db('SELECT', 'users', 'SELECT * FROM users WHERE id = $1') }],
          },
        ],
      },
    ],
  };
}

interface CheckoutShape {
  spec: SpanSpec;
  declined: boolean;
  cartId: string;
  orderId: string;
}

/** The deep one: frontend -> checkout -> inventory, payments (-> card network), and a queue publish. */
function checkout(rng: Rng, force?: 'declined' | 'ok'): CheckoutShape {
  const declined = force ? force === 'declined' : rng.chance(0.12);
  const stockTimeout = !force && !declined && rng.chance(0.03);
  const cartId = `c-${rng.hex(6)}`;
  const orderId = `o-${rng.int(100000, 999999)}`;
  const amount = Math.round(rng.next() * 30000) / 100 + 5;
  const stockQ = rng.latency(6);
  const stock = stockTimeout ? 2000 : stockQ + rng.latency(4);
  const network = rng.latency(declined ? 180 : 140, 0.35);
  const pay = network + rng.latency(12);
  const validate = rng.latency(2, 0.3);
  const after = 2 + validate + 2 + stock + 3;
  const co = after + pay + (declined ? 4 : 12);
  const status = declined ? 402 : stockTimeout ? 503 : 200;
  const failed = declined || stockTimeout;
  const err = (message: string) => ({ message });
  const payments: SpanSpec = {
    service: 'payments',
    name: 'POST /api/charge',
    kind: 'server',
    at: 1,
    durMs: pay,
    attributes: http('POST', '/api/charge', declined ? 402 : 200, { 'payment.amount': amount, 'payment.currency': 'EUR', 'payment.method': rng.pick(['card', 'card', 'paypal']) }),
    ...(declined
      ? {
          error: {
            message: 'card declined: insufficient funds',
            exception: {
              type: 'com.shop.payments.CardDeclinedException',
              message: 'card declined: insufficient funds',
              stack: 'com.shop.payments.CardDeclinedException: card declined: insufficient funds\n\tat com.shop.payments.ChargeService.charge(ChargeService.java:88)\n\tat com.shop.payments.ChargeController.post(ChargeController.java:41)',
            },
          },
        }
      : {}),
    logs: [
      { at: 2, severity: 'info', body: `charging ${amount.toFixed(2)} EUR for order ${orderId}`, attributes: { 'order.id': orderId, 'payment.amount': amount } },
      ...(declined
        ? [
            { at: network * 0.5, severity: 'warn' as const, body: `card network slow, retrying charge for order ${orderId}`, attributes: { 'order.id': orderId, retry: 1 } },
            { at: pay - 2, severity: 'error' as const, body: `payment declined for order ${orderId}: insufficient funds`, attributes: { 'order.id': orderId, 'error.type': 'CardDeclinedException' } },
          ]
        : [{ at: pay - 2, severity: 'info' as const, body: `payment captured for order ${orderId}`, attributes: { 'order.id': orderId } }]),
    ],
    children: [
      {
        service: 'payments',
        name: 'POST api.cardnetwork.example/v1/charges',
        kind: 'client',
        at: 4,
        durMs: network,
        attributes: http('POST', '/v1/charges', declined ? 402 : 200, { 'server.address': 'api.cardnetwork.example', 'url.full': 'https://api.cardnetwork.example/v1/charges' }),
        ...(declined ? { error: err('HTTP 402') } : {}),
      },
    ],
  };
  const inventory: SpanSpec = {
    service: 'inventory',
    name: 'GET /api/stock',
    kind: 'server',
    at: 1,
    durMs: stock - 2,
    attributes: http('GET', '/api/stock', stockTimeout ? 503 : 200, { 'cart.id': cartId }),
    ...(stockTimeout
      ? {
          error: {
            message: 'timeout acquiring connection from pool',
            exception: { type: 'psycopg_pool.PoolTimeout', message: "couldn't get a connection after 2.00 sec", stack: 'Traceback (most recent call last):\n  File "/app/stock.py", line 41, in reserve\n    with pool.connection() as conn:\npsycopg_pool.PoolTimeout: couldn\'t get a connection after 2.00 sec' },
          },
          logs: [{ at: stock - 3, severity: 'error' as const, body: "couldn't get a database connection after 2.00 sec", attributes: { 'db.collection.name': 'stock' } }],
        }
      : { children: [{ service: 'inventory', name: 'SELECT stock', kind: 'client', at: 1, durMs: stockQ, attributes: db('SELECT', 'stock', 'SELECT sku, available FROM stock WHERE sku = ANY($1) FOR UPDATE') }] }),
  };
  const checkoutChildren: SpanSpec[] = [
    { service: 'checkout', name: 'validate cart', kind: 'internal', at: 2, durMs: validate, attributes: { 'cart.id': cartId, 'cart.items': rng.int(1, 6) } },
    {
      service: 'checkout',
      name: 'GET /api/stock',
      kind: 'client',
      at: 4 + validate,
      durMs: stock,
      attributes: http('GET', '/api/stock', stockTimeout ? 503 : 200, { 'server.address': 'inventory.shop.svc' }),
      ...(stockTimeout ? { error: err('HTTP 503') } : {}),
      children: [inventory],
    },
  ];
  if (!stockTimeout) {
    checkoutChildren.push({
      service: 'checkout',
      name: 'POST /api/charge',
      kind: 'client',
      at: after,
      durMs: pay + 2,
      attributes: http('POST', '/api/charge', declined ? 402 : 200, { 'server.address': 'payments.shop.svc' }),
      ...(declined ? { error: err('HTTP 402') } : {}),
      children: [payments],
    });
  }
  if (!failed) {
    checkoutChildren.push({
      service: 'checkout',
      name: 'orders publish',
      kind: 'producer',
      at: after + pay + 4,
      durMs: rng.latency(3, 0.3),
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders', 'messaging.operation.type': 'publish', 'order.id': orderId },
    });
  }
  const spec: SpanSpec = {
    service: 'frontend',
    name: 'POST /checkout',
    kind: 'server',
    at: 0,
    durMs: co + 14,
    attributes: http('POST', '/checkout', status, { 'cart.id': cartId }),
    ...(failed ? { error: err(declined ? 'payment declined' : 'checkout unavailable') } : {}),
    logs: [{ at: co + 12, severity: failed ? 'warn' : 'info', body: `POST /checkout ${status}`, attributes: { 'http.route': '/checkout', 'cart.id': cartId } }],
    children: [
      {
        service: 'frontend',
        name: 'POST /api/checkout',
        kind: 'client',
        at: 4,
        durMs: co + 4,
        attributes: http('POST', '/api/checkout', status, { 'server.address': 'checkout.shop.svc' }),
        ...(failed ? { error: err(`HTTP ${status}`) } : {}),
        children: [
          {
            service: 'checkout',
            name: 'POST /api/checkout',
            kind: 'server',
            at: 2,
            durMs: co,
            attributes: http('POST', '/api/checkout', status, { 'cart.id': cartId, 'order.id': orderId }),
            ...(failed ? { error: err(declined ? 'payment declined' : 'inventory unavailable') } : {}),
            logs: [
              { at: 1, severity: 'info', body: `checkout started for cart ${cartId}`, attributes: { 'cart.id': cartId } },
              { at: 2, severity: 'trace', body: `cart ${cartId} loaded from session`, attributes: { 'cart.id': cartId } },
              failed
                ? { at: co - 1, severity: 'error', body: `checkout failed for cart ${cartId}: ${declined ? 'payment declined' : 'inventory unavailable'}`, attributes: { 'cart.id': cartId, 'order.id': orderId } }
                : { at: co - 1, severity: 'info', body: `order ${orderId} placed`, attributes: { 'cart.id': cartId, 'order.id': orderId } },
            ],
            children: checkoutChildren,
          },
        ],
      },
    ],
  };
  return { spec, declined, cartId, orderId };
}

/** The consumer side of an order: its own trace, linked to the producer span. */
function notify(rng: Rng, orderId: string, link: { traceId: string; spanId: string }): SpanSpec {
  const smtp = rng.latency(60, 0.4);
  const bounce = rng.chance(0.05);
  return {
    service: 'notifications',
    name: 'orders process',
    kind: 'consumer',
    at: 0,
    durMs: smtp + 8,
    attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders', 'messaging.operation.type': 'process', 'messaging.consumer.group.name': 'notifications', 'order.id': orderId },
    links: [{ traceId: link.traceId, spanId: link.spanId, attributes: { 'messaging.operation.type': 'publish' } }],
    logs: [
      { at: 1, severity: 'info', body: `sending receipt for order ${orderId}`, attributes: { 'order.id': orderId } },
      ...(bounce ? [{ at: smtp + 4, severity: 'warn' as const, body: `receipt for order ${orderId} bounced, will retry in 5m`, attributes: { 'order.id': orderId } }] : []),
    ],
    children: [
      {
        service: 'notifications',
        name: 'render receipt',
        kind: 'internal',
        at: 1,
        durMs: rng.latency(3),
        attributes: { template: 'receipt-v2' },
      },
      {
        service: 'notifications',
        name: 'smtp send',
        kind: 'client',
        at: 5,
        durMs: smtp,
        attributes: { 'server.address': 'smtp.mailer.example', 'server.port': 587, 'messaging.message.id': `m-${orderId}` },
        events: [{ at: smtp * 0.2, name: 'connection established', attributes: { 'tls.protocol.version': '1.3' } }],
      },
    ],
  };
}

const BACKGROUND: Array<{ service: DemoService; severity: Severity; body: string; attributes?: Attributes; every: number }> = [
  { service: 'frontend', severity: 'debug', body: 'health check ok', every: 0.18 },
  { service: 'checkout', severity: 'debug', body: 'health check ok', every: 0.18 },
  { service: 'inventory', severity: 'info', body: 'refreshed product cache (1240 entries)', attributes: { 'cache.entries': 1240 }, every: 0.08 },
  { service: 'payments', severity: 'info', body: 'card network token renewed', every: 0.03 },
  { service: 'users', severity: 'warn', body: 'connection pool at 85% capacity', attributes: { 'db.client.connection.pool.name': 'users-primary' }, every: 0.04 },
  { service: 'notifications', severity: 'warn', body: 'consumer lag above 100 messages', attributes: { 'messaging.destination.name': 'orders' }, every: 0.03 },
  { service: 'inventory', severity: 'error', body: 'connection reset by peer while reading from pg-primary.shop.svc:5432', attributes: { 'error.type': 'ConnectionResetError' }, every: 0.012 },
  { service: 'users', severity: 'trace', body: 'session cache sweep found 0 expired sessions', every: 0.05 },
];

function buildMetrics(rng: Rng, now: number): MetricPoint[] {
  const step = 15_000;
  const samples = 4 * 60 + 2; // just over an hour, so `now-1h` is covered end to end
  const first = Math.floor(now / step) * step - (samples - 1) * step;
  const start = ns(first - 30 * 60_000);
  const routes: Array<{ service: DemoService; method: string; route: string; rps: number; errorRatio: number; medianS: number }> = [
    { service: 'frontend', method: 'GET', route: '/products', rps: 14, errorRatio: 0.002, medianS: 0.03 },
    { service: 'frontend', method: 'GET', route: '/account', rps: 4, errorRatio: 0.01, medianS: 0.025 },
    { service: 'frontend', method: 'POST', route: '/checkout', rps: 2.2, errorRatio: 0.13, medianS: 0.22 },
    { service: 'checkout', method: 'POST', route: '/api/checkout', rps: 2.2, errorRatio: 0.13, medianS: 0.2 },
    { service: 'payments', method: 'POST', route: '/api/charge', rps: 2.1, errorRatio: 0.12, medianS: 0.16 },
    { service: 'inventory', method: 'GET', route: '/api/products', rps: 14, errorRatio: 0.004, medianS: 0.012 },
    { service: 'inventory', method: 'GET', route: '/api/stock', rps: 2.2, errorRatio: 0.03, medianS: 0.012 },
    { service: 'users', method: 'GET', route: '/api/users/{id}', rps: 4, errorRatio: 0.05, medianS: 0.009 },
  ];
  const bounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
  const points: MetricPoint[] = [];
  for (const r of routes) {
    let ok = Math.round(r.rps * 3600 * rng.next());
    let failed = Math.round(ok * r.errorRatio);
    const buckets = new Array<number>(bounds.length + 1).fill(0);
    let sum = 0;
    for (let j = 0; j < samples; j++) {
      const t = first + j * step;
      // Daily-ish wave plus noise; a burst of errors 20 minutes ago makes the chart interesting.
      const wave = 1 + 0.35 * Math.sin((t / 3_600_000) * Math.PI * 2) + 0.15 * (rng.next() - 0.5);
      const burst = Math.abs(t - (now - 20 * 60_000)) < 3 * 60_000 ? 4 : 1;
      const n = Math.max(0, Math.round(r.rps * wave * 15));
      const e = Math.round(n * r.errorRatio * burst * (0.5 + rng.next()));
      ok += n - Math.min(n, e);
      failed += Math.min(n, e);
      for (let k = 0; k < n; k++) {
        const v = rng.latency(r.medianS * (burst > 1 ? 1.8 : 1), 0.55);
        sum += v;
        const idx = bounds.findIndex((b) => v <= b);
        buckets[idx < 0 ? bounds.length : idx]! += 1;
      }
      const base = { timeUnixNano: ns(t + 7_500 > now ? now - 1 : t + 7_500), startTimeUnixNano: start, serviceName: r.service };
      const common = { 'service.name': r.service, 'http.route': r.route, 'http.request.method': r.method };
      points.push({
        ...base,
        name: DEMO_METRICS.requests,
        type: 'sum',
        unit: '{request}',
        description: 'HTTP server requests',
        temporality: 'cumulative',
        monotonic: true,
        labels: { ...common, 'http.response.status_code': '200' },
        value: ok,
      });
      points.push({
        ...base,
        name: DEMO_METRICS.requests,
        type: 'sum',
        unit: '{request}',
        description: 'HTTP server requests',
        temporality: 'cumulative',
        monotonic: true,
        labels: { ...common, 'http.response.status_code': r.route.includes('charge') || r.route === '/checkout' || r.route === '/api/checkout' ? '402' : '500' },
        value: failed,
      });
      const count = buckets.reduce((a, b) => a + b, 0);
      points.push({
        ...base,
        name: DEMO_METRICS.duration,
        type: 'histogram',
        unit: 's',
        description: 'Duration of HTTP server requests',
        temporality: 'cumulative',
        labels: { 'service.name': r.service, 'http.route': r.route },
        histogram: { count, sum, bounds: [...bounds], counts: [...buckets] },
      });
    }
  }
  for (const service of DEMO_SERVICES) {
    const baseMb = { frontend: 180, checkout: 90, payments: 420, inventory: 150, users: 110, notifications: 70 }[service];
    for (let pod = 0; pod < 2; pod++) {
      let mb = baseMb * (1 + pod * 0.1);
      for (let j = 0; j < samples; j++) {
        const t = first + j * step;
        // A slow leak in payments, saw-toothed by GC elsewhere.
        mb = service === 'payments' ? mb + 0.4 + rng.next() * 0.3 : j % 40 === 0 ? baseMb : mb + rng.next() * 1.5;
        points.push({
          name: DEMO_METRICS.memory,
          type: 'gauge',
          unit: 'By',
          description: 'Resident memory of the process',
          timeUnixNano: ns(t + 7_500 > now ? now - 1 : t + 7_500),
          serviceName: service,
          labels: { 'service.name': service, 'host.name': `${service}-pod-${pod + 1}` },
          value: Math.round(mb * 1024 * 1024),
        });
      }
    }
  }
  return points;
}

/** Writes the demo data through `write`, in batches; resolves with what was written and a few ids tests look for. */
export async function seedDemoData(write: (batch: WriteBatch) => Promise<void>, now = Date.now(), options: SeedOptions = {}): Promise<SeedSummary> {
  const rng = prng(options.seed ?? 1);
  const traceTotal = options.traces ?? 300;
  const batchSize = options.batchSize ?? 500;
  const prefix = options.batchPrefix ?? `demo-${options.seed ?? 1}-${now}`;
  const spans: Span[] = [];
  const logs: LogRecord[] = [];
  const rootOperations: Record<string, Set<string>> = {};
  let errorTraceId = '';
  let checkoutTraceId = '';
  let consumerTraceId = '';
  let linkedFrom = { traceId: '', spanId: '' };
  let uniqueLogBody = '';
  const windowMs = 58 * 60_000;
  for (let i = 0; i < traceTotal; i++) {
    // Spread over the last hour, newest a few seconds before now; a little jitter.
    const startMs = now - 20_000 - ((traceTotal - 1 - i) / Math.max(1, traceTotal - 1)) * windowMs + rng.next() * 2_000;
    const traceId = rng.hex(32);
    const pod = rng.int(0, 2);
    const kind = rng.next();
    let built: { spans: Span[]; logs: LogRecord[] };
    // The newest traces are a declined and a successful checkout, so tests find them on page one.
    const forced = i === traceTotal - 1 ? 'declined' : i === traceTotal - 2 ? 'ok' : undefined;
    if (forced !== undefined || kind < 0.4) {
      const c = checkout(rng, forced);
      built = materialize(rng, traceId, c.spec, startMs, pod);
      if (forced === 'declined') {
        errorTraceId = traceId;
        uniqueLogBody = `payment declined for order ${c.orderId}: insufficient funds`;
      }
      if (forced === 'ok') checkoutTraceId = traceId;
      const producer = built.spans.find((s) => s.kind === 'producer');
      if (producer) {
        const consumerId = rng.hex(32);
        const consumerStart = Number(producer.endTimeUnixNano / MS) + rng.latency(40, 0.5);
        const n = materialize(rng, consumerId, notify(rng, c.orderId, { traceId, spanId: producer.spanId }), consumerStart, pod);
        spans.push(...n.spans);
        logs.push(...n.logs);
        (rootOperations.notifications ??= new Set()).add('orders process');
        if (forced === 'ok') {
          consumerTraceId = consumerId;
          linkedFrom = { traceId, spanId: producer.spanId };
        }
      }
    } else if (kind < 0.75) {
      built = materialize(rng, traceId, browse(rng), startMs, pod);
    } else {
      built = materialize(rng, traceId, profile(rng), startMs, pod);
    }
    const root = built.spans[0]!;
    (rootOperations[root.serviceName] ??= new Set()).add(root.name);
    spans.push(...built.spans);
    logs.push(...built.logs);
  }
  // Background noise without a trace, spread over the hour.
  for (let t = now - 60 * 60_000 + 5_000; t < now - 5_000; t += 10_000) {
    for (const b of BACKGROUND) {
      if (rng.chance(b.every * 10)) logs.push(logRecord(rng, b.service, t + rng.next() * 9_000, b.severity, b.body, b.attributes ?? {}));
    }
  }
  logs.push(logRecord(rng, 'notifications', now - 41 * 60_000, 'fatal', 'worker crashed: out of memory (heap limit 512 MiB), restarting', { 'process.exit.code': 137 }));
  // A consumer finishing after now would be "in the future"; keep everything strictly before now.
  const keptSpans = spans.filter((s) => s.endTimeUnixNano < ns(now));
  const droppedTraces = new Set(spans.filter((s) => s.endTimeUnixNano >= ns(now)).map((s) => s.traceId));
  const finalSpans = keptSpans.filter((s) => !droppedTraces.has(s.traceId));
  const finalLogs = logs.filter((l) => l.timeUnixNano < ns(now) && !(l.traceId && droppedTraces.has(l.traceId))).sort((a, b) => (a.timeUnixNano < b.timeUnixNano ? -1 : 1));
  const points = buildMetrics(rng, now);

  let n = 0;
  for (let i = 0; i < finalSpans.length; i += batchSize) await write({ id: `${prefix}-traces-${n++}`, signal: 'traces', spans: finalSpans.slice(i, i + batchSize) });
  for (let i = 0; i < finalLogs.length; i += batchSize) await write({ id: `${prefix}-logs-${n++}`, signal: 'logs', records: finalLogs.slice(i, i + batchSize) });
  for (let i = 0; i < points.length; i += batchSize * 4) await write({ id: `${prefix}-metrics-${n++}`, signal: 'metrics', points: points.slice(i, i + batchSize * 4) });

  return {
    now,
    services: DEMO_SERVICES,
    traceCount: new Set(finalSpans.map((s) => s.traceId)).size,
    spanCount: finalSpans.length,
    logCount: finalLogs.length,
    pointCount: points.length,
    errorTraceId,
    checkoutTraceId,
    consumerTraceId: droppedTraces.has(consumerTraceId) ? '' : consumerTraceId,
    linkedFrom,
    rootOperations: Object.fromEntries(Object.entries(rootOperations).map(([k, v]) => [k, [...v].sort()])),
    uniqueLogBody,
    metrics: DEMO_METRICS,
  };
}
