import type {
  Attributes,
  CostAllocation,
  LogRecord,
  MetricPoint,
  RumEvent,
  Signal,
  Span,
  Trace,
  WriteBatch,
} from '../model';
import type { TimeRange } from '../query';

const MINUTE = 60_000;

/**
 * A fixed, deterministic set of telemetry for every signal. Every name a tenant could
 * see (services, metric names, a label name, app and namespace names) carries `marker`,
 * so a leak between two datasets built with different markers shows up as that word in
 * an answer.
 *
 * Times are anchored at `nowMs` and all fall in [nowMs - 35 min, nowMs), inside `range`.
 */
export interface ConformanceDataset {
  marker: string;
  nowMs: number;
  /** The last hour before nowMs: holds everything. */
  range: TimeRange;
  services: { frontend: string; checkout: string; payments: string };
  /** Ordered by time, oldest first. */
  logs: LogRecord[];
  /** Each trace's spans ordered by start; traces ordered by start. */
  traces: Trace[];
  /** Ordered by metric, series, then time. */
  metrics: MetricPoint[];
  metricNames: { counter: string; gauge: string; histogram: string };
  /** Label that only this dataset's metric series carry (value `conformance`). */
  markerLabel: string;
  /** Ordered by time, oldest first. */
  rum: RumEvent[];
  /** Ordered by window, then aggregate, then name. */
  cost: CostAllocation[];
}

export interface ConformanceDatasetOptions {
  /** Anchor in epoch ms. Default: the current time rounded down to the minute. */
  nowMs?: number;
  /** A lowercase word no other dataset of the run contains. Default `alpha`. */
  marker?: string;
}

/**
 * What the metric series are made of, exported so tests can derive expected values
 * (the conformance kit does) instead of repeating magic numbers.
 */
export const METRIC_SHAPE = {
  /** Samples every 15 s, offset 7.5 s into each 15 s so no sample sits on a step boundary. */
  intervalMs: 15_000,
  offsetMs: 7_500,
  samples: 120,
  /** First sample's minute: nowMs - 35 min. */
  startBeforeNowMs: 35 * MINUTE,
  counterSeries: [
    { method: 'GET', route: '/cart', status_code: '200', base: 1000, increment: 30 },
    { method: 'POST', route: '/checkout', status_code: '200', base: 2000, increment: 15 },
    { method: 'POST', route: '/checkout', status_code: '500', base: 3000, increment: 3 },
  ],
  /** Gauge value = base + minutes since the first sample. */
  gaugeSeries: [
    { queue: 'q1', base: 10 },
    { queue: 'q2', base: 20 },
    { queue: 'q3', base: 30 },
  ],
  histogramBounds: [0.05, 0.1, 0.25, 0.5, 1, 2.5],
  /** Per-bucket observations added every interval (the last is the +Inf bucket). */
  histogramSeries: [
    { route: '/cart', increments: [20, 40, 60, 40, 20, 19, 1] },
    { route: '/checkout', increments: [5, 10, 20, 40, 60, 60, 5] },
  ],
} as const;

export function conformanceDataset(options: ConformanceDatasetOptions = {}): ConformanceDataset {
  const nowMs = options.nowMs ?? Math.floor(Date.now() / MINUTE) * MINUTE;
  const marker = options.marker ?? 'alpha';
  if (!/^[a-z]{3,16}$/.test(marker)) throw new Error(`marker must be 3-16 lowercase letters (got ${JSON.stringify(marker)})`);
  const services = { frontend: `frontend-${marker}`, checkout: `checkout-${marker}`, payments: `payments-${marker}` };
  const traces = buildTraces(marker, nowMs, services);
  const metricNames = {
    counter: `${marker}_http_requests_total`,
    gauge: `${marker}_queue_depth`,
    histogram: `${marker}_http_request_duration_seconds`,
  };
  const markerLabel = `dataset_${marker}`;
  return {
    marker,
    nowMs,
    range: { startMs: nowMs - 60 * MINUTE, endMs: nowMs },
    services,
    logs: buildLogs(marker, nowMs, services, traces),
    traces,
    metrics: buildMetrics(nowMs, services, metricNames, markerLabel),
    metricNames,
    markerLabel,
    rum: buildRum(marker, nowMs, traces),
    cost: buildCost(marker, nowMs),
  };
}

/**
 * The dataset as write batches, a few items each so a plugin sees several batches per
 * signal. Ids depend on the signal, position and anchor only, not on the marker: two
 * tenants get batches with the same ids, which a sink must store for each of them.
 */
export function datasetBatches(dataset: ConformanceDataset, signal: Signal): WriteBatch[] {
  const id = (i: number) => `conformance-${signal}-${dataset.nowMs}-${i}`;
  switch (signal) {
    case 'logs':
      return chunk(dataset.logs, 20).map((records, i) => ({ id: id(i), signal, records }));
    case 'traces':
      return chunk(
        dataset.traces.flatMap((t) => t.spans),
        5,
      ).map((spans, i) => ({ id: id(i), signal, spans }));
    case 'metrics':
      return chunk(dataset.metrics, 250).map((points, i) => ({ id: id(i), signal, points }));
    case 'rum':
      return chunk(dataset.rum, 5).map((events, i) => ({ id: id(i), signal, events }));
    case 'cost':
      return chunk(dataset.cost, 4).map((allocations, i) => ({ id: id(i), signal, allocations }));
  }
}

/**
 * Prometheus' histogram_quantile over one set of explicit buckets: `counts` per bucket
 * (not cumulative), the last one the +Inf bucket. Null when there are no observations.
 */
export function histogramQuantile(q: number, bounds: readonly number[], counts: readonly number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i] ?? 0;
    if (below + inBucket >= rank && inBucket > 0) {
      // The +Inf bucket has no upper bound to interpolate to.
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? null;
      const upper = bounds[i] as number;
      const lower = i === 0 ? (upper > 0 ? 0 : upper) : (bounds[i - 1] as number);
      return lower + (upper - lower) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1] ?? null;
}

/** PromQL quantile(): linear between the closest ranks, rank = q * (n - 1). */
export function valueQuantile(q: number, values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

// ------------------------------------------------------------------------ builders

function ns(ms: number, extraNs = 0): bigint {
  return BigInt(ms) * 1_000_000n + BigInt(extraNs);
}

/** Deterministic lowercase hex of `length` characters (FNV-1a, chained). */
export function hexId(seed: string, length: number): string {
  let out = '';
  let h = 0x811c9dc5;
  for (let round = 0; out.length < length; round++) {
    for (const ch of `${seed}/${round}`) {
      h ^= ch.charCodeAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

const SEVERITIES: Array<[number, string | undefined]> = [
  [1, 'TRACE'],
  [5, 'DEBUG'],
  [9, 'INFO'],
  [13, 'WARN'],
  [17, 'ERROR'],
  [21, 'FATAL'],
  [10, 'INFO2'],
  [0, undefined],
];

function buildLogs(marker: string, nowMs: number, services: ConformanceDataset['services'], traces: Trace[]): LogRecord[] {
  const serviceList = [services.frontend, services.checkout, services.payments];
  const [t1, t2] = traces as [Trace, Trace];
  const records: LogRecord[] = [];
  for (let i = 0; i < 48; i++) {
    const serviceName = serviceList[i % 3] as string;
    const [severityNumber, severityText] = SEVERITIES[i % SEVERITIES.length] as [number, string | undefined];
    const bodies = [
      `user u${i % 5} signed in from Berlin`,
      `cart updated with ${i} items`,
      `payment declined for order ${1000 + i}`,
      'Payment DECLINED by issuer after retry',
      `cache miss for key session:${i}`,
      `slow query took ${100 + i} ms`,
    ];
    const attributes: Attributes = {
      'http.status_code': [200, 404, 500, 200, 201][i % 5] as number,
      duration_ms: 2.5 * (i % 10),
      retry: i % 3 === 1,
      user_agent: i % 6 === 0 ? 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' : 'Mozilla/5.0 (Macintosh) Chrome/126.0',
    };
    if (i % 4 !== 3) attributes['http.method'] = i % 2 === 1 ? 'POST' : 'GET';
    if (i % 7 !== 6) attributes['user.id'] = `u${i % 5}`;
    if (i % 4 === 0) attributes.request = { path: '/cart', headers: { accept: 'application/json' }, sizes: [1, 2.5] };
    if (i % 5 === 0) attributes.tags = ['a', 'b'];
    if (i % 9 === 0) attributes.cleared = null;
    const timeMs = nowMs - 30 * MINUTE + i * 35_000;
    const record: LogRecord = {
      timeUnixNano: ns(timeMs, (i * 7919) % 1_000_000),
      severityNumber,
      body: bodies[i % bodies.length] as string,
      serviceName,
      attributes,
      resource: {
        'service.name': serviceName,
        'service.version': '1.4.0',
        'host.name': `host-${i % 2}`,
        'deployment.environment': 'production',
      },
    };
    if (severityText !== undefined) record.severityText = severityText;
    if (i % 2 === 0) record.observedTimeUnixNano = record.timeUnixNano + 1_500_000n;
    if (i % 3 !== 2) record.scope = i % 2 === 0 ? { name: `conformance-${marker}`, version: '1.0.0' } : { name: `conformance-${marker}` };
    if (i % 8 === 2 || i % 8 === 4) {
      const span = i % 16 < 8 ? t1.spans[0] : t2.spans[2];
      if (span !== undefined) {
        record.traceId = span.traceId;
        record.spanId = span.spanId;
        record.flags = 1;
      }
    }
    records.push(record);
  }
  return records;
}

interface SpanPlan {
  service: keyof ConformanceDataset['services'];
  name: string;
  kind: Span['kind'];
  parent?: number;
  startMs: number;
  endMs: number;
  status?: Span['status'];
  attributes: Attributes;
  events?: Array<{ atMs: number; name: string; attributes: Attributes }>;
  traceState?: string;
  linkTo?: { trace: number; span: number; traceState?: string; attributes: Attributes };
}

function buildTraces(marker: string, nowMs: number, services: ConformanceDataset['services']): Trace[] {
  const plans: Array<{ startMs: number; extraNs: number; spans: SpanPlan[] }> = [
    {
      startMs: nowMs - 28 * MINUTE,
      extraNs: 123_456,
      spans: [
        {
          service: 'frontend',
          name: 'GET /cart',
          kind: 'server',
          startMs: 0,
          endMs: 120,
          traceState: 'conformance=1',
          attributes: { 'http.method': 'GET', 'http.route': '/cart', 'http.status_code': 200 },
          events: [{ atMs: 5, name: 'cache miss', attributes: { key: 'cart:1' } }],
        },
        { service: 'frontend', name: 'HTTP GET', kind: 'client', parent: 0, startMs: 10, endMs: 110, attributes: { 'http.method': 'GET', 'server.address': services.checkout } },
        { service: 'checkout', name: 'GET /cart', kind: 'server', parent: 1, startMs: 15, endMs: 105, attributes: { 'http.method': 'GET', 'http.route': '/cart', 'http.status_code': 200 } },
        { service: 'checkout', name: 'SELECT cart', kind: 'client', parent: 2, startMs: 20, endMs: 50, attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM cart WHERE id = $1' } },
      ],
    },
    {
      startMs: nowMs - 20 * MINUTE,
      extraNs: 654_321,
      spans: [
        { service: 'frontend', name: 'POST /checkout', kind: 'server', startMs: 0, endMs: 800, attributes: { 'http.method': 'POST', 'http.route': '/checkout', 'http.status_code': 402 } },
        { service: 'checkout', name: 'POST /checkout', kind: 'server', parent: 0, startMs: 50, endMs: 750, attributes: { 'http.method': 'POST', 'http.route': '/checkout', 'http.status_code': 402 } },
        {
          service: 'payments',
          name: 'charge card',
          kind: 'server',
          parent: 1,
          startMs: 100,
          endMs: 600,
          status: { code: 'error', message: 'card declined' },
          attributes: { 'payment.provider': 'acme-pay', 'http.status_code': 402, amount: 42.5 },
          events: [{ atMs: 590, name: 'exception', attributes: { 'exception.type': 'CardDeclined', 'exception.message': 'card declined', 'exception.escaped': false } }],
        },
        { service: 'checkout', name: 'publish order', kind: 'producer', parent: 1, startMs: 650, endMs: 700, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' } },
      ],
    },
    {
      startMs: nowMs - 12 * MINUTE,
      extraNs: 111,
      spans: [
        {
          service: 'checkout',
          name: 'process order',
          kind: 'consumer',
          startMs: 0,
          endMs: 2000,
          status: { code: 'ok' },
          attributes: { 'messaging.system': 'kafka' },
          linkTo: { trace: 1, span: 3, traceState: 'vendor=1', attributes: { 'link.kind': 'follows' } },
        },
        { service: 'checkout', name: 'update inventory', kind: 'internal', parent: 0, startMs: 100, endMs: 1900, attributes: { 'db.system': 'redis' } },
      ],
    },
    {
      startMs: nowMs - 4 * MINUTE,
      extraNs: 999_999,
      spans: [{ service: 'frontend', name: 'GET /health', kind: 'server', startMs: 0, endMs: 5, attributes: { 'http.method': 'GET', 'http.route': '/health', 'http.status_code': 200 } }],
    },
  ];
  const traceIds = plans.map((_, t) => hexId(`${marker}/trace/${t}`, 32));
  const spanId = (t: number, s: number) => hexId(`${marker}/span/${t}/${s}`, 16);
  return plans.map((plan, t) => {
    const base = ns(plan.startMs, plan.extraNs);
    const at = (ms: number) => base + BigInt(ms) * 1_000_000n;
    const spans = plan.spans.map((p, s): Span => {
      const serviceName = services[p.service];
      const span: Span = {
        traceId: traceIds[t] as string,
        spanId: spanId(t, s),
        name: p.name,
        kind: p.kind,
        startTimeUnixNano: at(p.startMs),
        endTimeUnixNano: at(p.endMs),
        status: p.status ?? { code: 'unset' },
        serviceName,
        attributes: p.attributes,
        resource: { 'service.name': serviceName, 'service.version': '1.4.0', 'deployment.environment': 'production' },
        scope: { name: `conformance-${marker}`, version: '1.0.0' },
        events: (p.events ?? []).map((e) => ({ timeUnixNano: at(e.atMs), name: e.name, attributes: e.attributes })),
        links: [],
      };
      if (p.parent !== undefined) span.parentSpanId = spanId(t, p.parent);
      if (p.traceState !== undefined) span.traceState = p.traceState;
      if (p.linkTo !== undefined) {
        span.links.push({
          traceId: traceIds[p.linkTo.trace] as string,
          spanId: spanId(p.linkTo.trace, p.linkTo.span),
          ...(p.linkTo.traceState === undefined ? {} : { traceState: p.linkTo.traceState }),
          attributes: p.linkTo.attributes,
        });
      }
      return span;
    });
    spans.sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
    return { traceId: traceIds[t] as string, spans };
  });
}

function buildMetrics(
  nowMs: number,
  services: ConformanceDataset['services'],
  names: ConformanceDataset['metricNames'],
  markerLabel: string,
): MetricPoint[] {
  const shape = METRIC_SHAPE;
  const firstMs = nowMs - shape.startBeforeNowMs;
  const sampleMs = (j: number) => firstMs + shape.offsetMs + j * shape.intervalMs;
  const seriesStart = ns(firstMs - 10 * MINUTE);
  const points: MetricPoint[] = [];
  for (const s of shape.counterSeries) {
    for (let j = 0; j < shape.samples; j++) {
      points.push({
        name: names.counter,
        type: 'sum',
        unit: '{request}',
        description: 'HTTP requests served',
        temporality: 'cumulative',
        monotonic: true,
        timeUnixNano: ns(sampleMs(j)),
        startTimeUnixNano: seriesStart,
        serviceName: services.checkout,
        labels: { 'service.name': services.checkout, method: s.method, route: s.route, status_code: s.status_code, [markerLabel]: 'conformance' },
        value: s.base + s.increment * (j + 1),
      });
    }
  }
  for (const s of shape.gaugeSeries) {
    for (let j = 0; j < shape.samples; j++) {
      points.push({
        name: names.gauge,
        type: 'gauge',
        unit: '{message}',
        timeUnixNano: ns(sampleMs(j)),
        serviceName: services.payments,
        labels: { 'service.name': services.payments, queue: s.queue, [markerLabel]: 'conformance' },
        value: s.base + Math.floor((j * shape.intervalMs) / MINUTE),
      });
    }
  }
  for (const s of shape.histogramSeries) {
    for (let j = 0; j < shape.samples; j++) {
      const counts = s.increments.map((c) => c * (j + 1));
      const count = counts.reduce((a, b) => a + b, 0);
      points.push({
        name: names.histogram,
        type: 'histogram',
        unit: 's',
        description: 'HTTP request latency',
        temporality: 'cumulative',
        timeUnixNano: ns(sampleMs(j)),
        startTimeUnixNano: seriesStart,
        serviceName: services.frontend,
        labels: { 'service.name': services.frontend, route: s.route, [markerLabel]: 'conformance' },
        // Sums of powers of two over 8, so they stay exact in floating point.
        histogram: { count, sum: count * 0.375, bounds: [...shape.histogramBounds], counts },
      });
    }
  }
  return points;
}

function buildRum(marker: string, nowMs: number, traces: Trace[]): RumEvent[] {
  const app = { name: `shop-${marker}`, version: '2.0.0', environment: 'production' };
  const sessions = [
    { id: `${marker}-session-1`, user: `${marker}-user-1`, browser: { name: 'Chrome', version: '126.0', os: 'macOS', device: 'desktop', userAgent: 'Mozilla/5.0 (Macintosh) Chrome/126.0' } },
    { id: `${marker}-session-2`, user: undefined, browser: { name: 'Firefox', version: '128.0', os: 'Android', device: 'mobile', userAgent: 'Mozilla/5.0 (Android 14; Mobile) Firefox/128.0' } },
  ] as const;
  const page = (path: string, query?: string) => ({
    url: `https://shop-${marker}.example${path}${query === undefined ? '' : `?${query}`}`,
    path,
    ...(query === undefined ? {} : { query }),
    referrer: `https://search-${marker}.example/`,
  });
  const t2 = traces[1] as Trace;
  const plans: Array<Omit<RumEvent, 'timeUnixNano' | 'sessionId' | 'app' | 'browser'> & { session: 0 | 1 }> = [
    { session: 0, kind: 'page_view', name: 'page_view', page: page('/'), attributes: { experiment: 'blue' } },
    { session: 0, kind: 'web_vital', name: 'LCP', value: 2500, page: page('/'), attributes: { experiment: 'blue', rating: 'good' } },
    { session: 0, kind: 'web_vital', name: 'CLS', value: 0.05, page: page('/'), attributes: { experiment: 'blue', rating: 'good' } },
    { session: 0, kind: 'page_view', name: 'page_view', page: page('/checkout', 'step=1'), attributes: { experiment: 'blue' } },
    { session: 0, kind: 'web_vital', name: 'LCP', value: 3100, page: page('/checkout', 'step=1'), attributes: { experiment: 'blue', rating: 'needs-improvement' } },
    { session: 0, kind: 'web_vital', name: 'INP', value: 200, page: page('/checkout', 'step=1'), attributes: { experiment: 'blue', rating: 'good' } },
    {
      session: 0,
      kind: 'error',
      name: 'TypeError',
      message: "Cannot read properties of undefined (reading 'total')",
      stack: `TypeError: Cannot read properties of undefined (reading 'total')\n    at renderCart (https://shop-${marker}.example/app.js:10:5)\n    at onClick (https://shop-${marker}.example/app.js:42:13)`,
      page: page('/checkout', 'step=1'),
      traceId: t2.traceId,
      spanId: t2.spans[0]?.spanId as string,
      attributes: { experiment: 'blue', handled: false },
    },
    { session: 1, kind: 'page_view', name: 'page_view', page: page('/'), attributes: { experiment: 'green' } },
    { session: 1, kind: 'web_vital', name: 'LCP', value: 1800, page: page('/'), attributes: { experiment: 'green', rating: 'good' } },
    { session: 1, kind: 'web_vital', name: 'INP', value: 120, page: page('/'), attributes: { experiment: 'green', rating: 'good' } },
    { session: 1, kind: 'event', name: 'add_to_cart', page: page('/cart'), attributes: { experiment: 'green', sku: 'SKU-1', quantity: 2 } },
    { session: 1, kind: 'measurement', name: 'cart_render_ms', value: 42, page: page('/cart'), attributes: { experiment: 'green' } },
  ];
  return plans.map(({ session, ...plan }, k) => {
    const s = sessions[session];
    const event: RumEvent = {
      ...plan,
      timeUnixNano: ns(nowMs - 25 * MINUTE + k * MINUTE, k * 1111),
      sessionId: s.id,
      app: { ...app },
      browser: { ...s.browser },
    };
    if (s.user !== undefined) event.userId = s.user;
    return event;
  });
}

function buildCost(marker: string, nowMs: number): CostAllocation[] {
  const windows = [30, 20, 10].map((before) => nowMs - before * MINUTE);
  // Binary fractions, so sums over windows are exact in floating point.
  const namespaces = [
    { name: `${marker}-web`, team: 'shop', cpu: 0.5, ram: 0.25, pv: 0.125, network: 0.125 },
    { name: `${marker}-db`, team: 'data', cpu: 0.25, ram: 0.75, pv: 0.5, network: 0.0625 },
  ];
  const cluster = `${marker}-cluster`;
  const out: CostAllocation[] = [];
  windows.forEach((start, w) => {
    const scale = w + 1;
    const cluster_ = { cpu: 0, ram: 0, pv: 0, network: 0 };
    for (const n of namespaces) {
      const cpuCost = n.cpu * scale;
      const ramCost = n.ram * scale;
      const pvCost = n.pv * scale;
      const networkCost = n.network * scale;
      cluster_.cpu += cpuCost;
      cluster_.ram += ramCost;
      cluster_.pv += pvCost;
      cluster_.network += networkCost;
      out.push({
        windowStartMs: start,
        windowEndMs: start + 10 * MINUTE,
        aggregate: 'namespace',
        name: n.name,
        properties: { cluster, namespace: n.name, team: n.team },
        cpuCost,
        ramCost,
        gpuCost: 0,
        pvCost,
        networkCost,
        totalCost: cpuCost + ramCost + pvCost + networkCost,
        currency: 'USD',
      });
    }
    out.push({
      windowStartMs: start,
      windowEndMs: start + 10 * MINUTE,
      aggregate: 'cluster',
      name: cluster,
      properties: { cluster },
      cpuCost: cluster_.cpu,
      ramCost: cluster_.ram,
      gpuCost: 0,
      pvCost: cluster_.pv,
      networkCost: cluster_.network,
      totalCost: cluster_.cpu + cluster_.ram + cluster_.pv + cluster_.network,
      currency: 'USD',
    });
  });
  out.sort((a, b) => a.windowStartMs - b.windowStartMs || a.aggregate.localeCompare(b.aggregate) || a.name.localeCompare(b.name));
  return out;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
