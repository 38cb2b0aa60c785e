import type { Attributes, LogRecord, MetricPoint, Span } from '@obstack/plugin-api';

/**
 * Telemetry shaped like a small microservice shop emits it: a dozen services, routes
 * with ids in them, a handful of attributes per record, resource attributes repeated per
 * service. Deterministic (seeded), so every run writes the same rows.
 */

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** xorshift32: fast and good enough to pick words. */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  hex(len: number): string {
    let out = '';
    while (out.length < len) out += (this.int(0x100000000) >>> 0).toString(16).padStart(8, '0');
    return out.slice(0, len);
  }
}

const SERVICES = ['frontend', 'checkout', 'payments', 'cart', 'catalog', 'search', 'shipping', 'email', 'auth', 'recommendation', 'inventory', 'gateway'];
const ROUTES = ['/api/v1/orders/{id}', '/api/v1/cart', '/api/v1/products/{id}', '/api/v1/search', '/api/v1/users/{id}', '/api/v1/checkout', '/health', '/api/v1/payments/{id}/capture'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const STATUS = [200, 200, 200, 200, 201, 204, 400, 404, 500, 503];
const DB_STATEMENTS = ['SELECT * FROM orders WHERE id = $1', 'UPDATE cart SET items = $1 WHERE id = $2', 'SELECT id, name, price FROM products WHERE category = $1 LIMIT 50', 'INSERT INTO payments (order_id, amount) VALUES ($1, $2)'];

function resource(service: string, pod: number): Attributes {
  return {
    'service.name': service,
    'service.version': '2.14.3',
    'service.namespace': 'shop',
    'host.name': `node-${pod % 6}`,
    'k8s.pod.name': `${service}-7d9f8c6b5-${(pod * 7919).toString(36).slice(0, 5)}`,
    'deployment.environment': 'production',
  };
}

/**
 * Log bodies. "timeout" appears in about 2% of them: the word the query benchmark
 * searches for, a realistic share for an incident word.
 */
function logBody(rng: Rng): { body: string; severity: number } {
  const r = rng.int(1000);
  const id = rng.int(1_000_000);
  if (r < 20) return { body: `upstream request to ${rng.pick(SERVICES)}:8080${rng.pick(ROUTES).replace('{id}', String(id))} failed: timeout after ${1000 + rng.int(4000)} ms (attempt ${1 + rng.int(3)})`, severity: 17 };
  if (r < 80) return { body: `error handling ${rng.pick(METHODS)} ${rng.pick(ROUTES).replace('{id}', String(id))}: ${rng.pick(['connection reset by peer', 'invalid argument: quantity must be positive', 'payment declined by issuer', 'row not found'])}`, severity: 17 };
  if (r < 200) return { body: `slow query took ${200 + rng.int(3000)} ms: ${rng.pick(DB_STATEMENTS)}`, severity: 13 };
  if (r < 350) return { body: `cache miss for key session:${id.toString(36)} (ttl ${rng.int(600)} s)`, severity: 5 };
  return {
    body: `${rng.pick(METHODS)} ${rng.pick(ROUTES).replace('{id}', String(id))} ${rng.pick(STATUS)} in ${1 + rng.int(400)} ms user=u${rng.int(5000)} bytes=${rng.int(200_000)}`,
    severity: 9,
  };
}

export function makeLogs(rng: Rng, n: number, startNs: bigint, stepNs: bigint): LogRecord[] {
  const out: LogRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const service = rng.pick(SERVICES);
    const pod = rng.int(24);
    const { body, severity } = logBody(rng);
    const t = startNs + BigInt(i) * stepNs + BigInt(rng.int(1000));
    const attributes: Attributes = {
      'http.method': rng.pick(METHODS),
      'http.status_code': rng.pick(STATUS),
      'user.id': `u${rng.int(5000)}`,
      'thread.name': `worker-${rng.int(16)}`,
      'code.function': rng.pick(['handle', 'process', 'render', 'query', 'publish']),
    };
    const rec: LogRecord = {
      timeUnixNano: t,
      observedTimeUnixNano: t + 2_000_000n,
      severityNumber: severity,
      severityText: severity >= 17 ? 'ERROR' : severity >= 13 ? 'WARN' : severity >= 9 ? 'INFO' : 'DEBUG',
      body,
      serviceName: service,
      attributes,
      resource: resource(service, pod),
      scope: { name: `${service}-logger`, version: '1.0.0' },
    };
    if (rng.int(2) === 0) {
      rec.traceId = rng.hex(32);
      rec.spanId = rng.hex(16);
      rec.flags = 1;
    }
    out[i] = rec;
  }
  return out;
}

/** Traces of five spans (server, client, server, db client, internal), spans in start order. */
export function makeSpans(rng: Rng, n: number, startNs: bigint, stepNs: bigint): Span[] {
  const out: Span[] = [];
  let i = 0;
  while (out.length < n) {
    const traceId = rng.hex(32);
    const t0 = startNs + BigInt(i) * stepNs * 5n;
    i++;
    const front = rng.pick(SERVICES);
    const back = rng.pick(SERVICES);
    const route = rng.pick(ROUTES);
    const method = rng.pick(METHODS);
    const status = rng.pick(STATUS);
    const total = 5 + rng.int(400);
    const ids = [rng.hex(16), rng.hex(16), rng.hex(16), rng.hex(16), rng.hex(16)];
    const ms = (x: number) => BigInt(Math.round(x * 1e6));
    const plan: Array<{ service: string; name: string; kind: Span['kind']; parent?: number; from: number; to: number; attributes: Attributes }> = [
      { service: front, name: `${method} ${route}`, kind: 'server', from: 0, to: total, attributes: { 'http.method': method, 'http.route': route, 'http.status_code': status, 'net.peer.ip': `10.0.${rng.int(255)}.${rng.int(255)}`, 'user_agent.original': 'Mozilla/5.0 (Macintosh) Chrome/126.0' } },
      { service: front, name: `HTTP ${method}`, kind: 'client', parent: 0, from: 1, to: total - 1, attributes: { 'http.method': method, 'server.address': back, 'server.port': 8080 } },
      { service: back, name: `${method} ${route}`, kind: 'server', parent: 1, from: 2, to: total - 2, attributes: { 'http.method': method, 'http.route': route, 'http.status_code': status } },
      { service: back, name: 'SELECT shop', kind: 'client', parent: 2, from: 3, to: 3 + (total - 6) / 2, attributes: { 'db.system': 'postgresql', 'db.statement': rng.pick(DB_STATEMENTS), 'db.name': 'shop' } },
      { service: back, name: 'render', kind: 'internal', parent: 2, from: 4 + (total - 6) / 2, to: total - 3, attributes: { 'code.function': 'render' } },
    ];
    plan.forEach((p, s) => {
      if (out.length >= n) return;
      const span: Span = {
        traceId,
        spanId: ids[s] as string,
        name: p.name,
        kind: p.kind,
        startTimeUnixNano: t0 + ms(p.from),
        endTimeUnixNano: t0 + ms(p.to),
        status: status >= 500 && p.kind === 'server' ? { code: 'error', message: 'Internal Server Error' } : { code: 'unset' },
        serviceName: p.service,
        attributes: p.attributes,
        resource: resource(p.service, rng.int(24)),
        scope: { name: '@opentelemetry/instrumentation-http', version: '0.52.1' },
        events: status >= 500 && s === 2 ? [{ timeUnixNano: t0 + ms(p.to - 1), name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'upstream failed' } }] : [],
        links: [],
      };
      if (p.parent !== undefined) span.parentSpanId = ids[p.parent];
      out.push(span);
    });
  }
  return out;
}

/**
 * Points of 300 series (counters, gauges, 10-bucket histograms), one point per series
 * per 15 s scrape, in scrape order.
 */
export function makeMetricPoints(rng: Rng, n: number, startNs: bigint): MetricPoint[] {
  const series = Array.from({ length: 300 }, (_, k) => {
    const service = SERVICES[k % SERVICES.length] as string;
    const kind = k % 3;
    return {
      name: kind === 0 ? 'http_server_requests_total' : kind === 1 ? 'process_memory_usage_bytes' : 'http_server_duration_seconds',
      type: (kind === 0 ? 'sum' : kind === 1 ? 'gauge' : 'histogram') as MetricPoint['type'],
      service,
      labels: { 'service.name': service, 'http.route': ROUTES[k % ROUTES.length] as string, 'http.method': METHODS[k % METHODS.length] as string, 'k8s.pod.name': `${service}-${k}`, 'deployment.environment': 'production' },
      value: 0,
      counts: new Array<number>(11).fill(0),
    };
  });
  const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  const out: MetricPoint[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = series[i % series.length] as (typeof series)[number];
    const t = startNs + BigInt(Math.floor(i / series.length)) * 15_000_000_000n;
    const p: MetricPoint = { name: s.name, type: s.type, timeUnixNano: t, serviceName: s.service, labels: s.labels };
    if (s.type === 'sum') {
      s.value += rng.int(100);
      p.value = s.value;
      p.temporality = 'cumulative';
      p.monotonic = true;
      p.startTimeUnixNano = startNs;
    } else if (s.type === 'gauge') {
      p.value = 100_000_000 + rng.int(50_000_000);
    } else {
      for (let b = 0; b < s.counts.length; b++) s.counts[b] = (s.counts[b] as number) + rng.int(20);
      const count = s.counts.reduce((a, b) => a + b, 0);
      p.histogram = { count, sum: count * 0.12, bounds, counts: [...s.counts] };
      p.temporality = 'cumulative';
      p.startTimeUnixNano = startNs;
    }
    out[i] = p;
  }
  return out;
}
