import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { IngestError } from './errors';
import { decodeFaro } from './faro';

const TS = '2024-05-01T10:00:00.123Z';
const NS = 1714557600123000000n;
const TRACE = { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' };

/** Spans as @grafana/faro-web-tracing ships them: OTLP/JSON from the official serializer. */
async function faroTraces(): Promise<object> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop-web', 'telemetry.sdk.name': 'opentelemetry' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('@grafana/faro-web-tracing');
  const doc = tracer.startSpan('documentLoad', { kind: SpanKind.INTERNAL });
  tracer.startSpan('HTTP GET', { kind: SpanKind.CLIENT, attributes: { 'http.url': 'https://api.shop.example/cart' } }, trace.setSpan(ROOT_CONTEXT, doc)).end();
  doc.end();
  await provider.forceFlush();
  return JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!)) as object;
}

/** A TransportBody in the shape of grafana/faro-web-sdk's core/src/transports/types.ts and metas/types.ts. */
async function payload(): Promise<object> {
  return {
    meta: {
      sdk: { name: '@grafana/faro-web-sdk', version: '1.9.0', integrations: [{ name: '@grafana/faro-web-tracing', version: '1.9.0' }] },
      app: { name: 'shop-web', version: '3.1.4', environment: 'production', namespace: 'shop', release: 'r42', bundleId: 'b1' },
      user: { id: 'u-17', email: 'ada@example.com', attributes: { plan: 'pro' } },
      session: { id: 'sess-abc', attributes: { region: 'eu' } },
      page: { id: 'page-1', url: 'https://shop.example/cart?coupon=SPRING&x=1', attributes: { team: 'checkout' } },
      browser: {
        name: 'Chrome',
        version: '124.0',
        os: 'Mac OS 14.4',
        mobile: false,
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
        language: 'en-GB',
      },
      view: { name: 'cart' },
    },
    logs: [{ message: 'cart loaded', level: 'info', context: { items: '3' }, timestamp: TS, trace: TRACE }],
    exceptions: [
      {
        type: 'TypeError',
        value: "Cannot read properties of undefined (reading 'price')",
        timestamp: TS,
        stacktrace: {
          frames: [
            { filename: 'https://shop.example/assets/cart.js', function: 'total', lineno: 12, colno: 34 },
            { filename: 'https://shop.example/assets/vendor.js', function: '', lineno: 1 },
          ],
        },
        context: { component: 'CartSummary' },
        action: { name: 'checkout-click', id: 'a1' },
      },
    ],
    measurements: [
      { type: 'web-vitals', values: { lcp: 1830.5, delta: 1830.5 }, timestamp: TS, context: { rating: 'good' } },
      { type: 'web-vitals', values: { cls: 0.02 }, timestamp: TS },
      { type: 'cart', values: { items: 3, total: 49.9 }, timestamp: TS },
    ],
    events: [
      { name: 'session_start', domain: 'browser', timestamp: TS },
      { name: 'faro.performance.navigation', attributes: { duration: '812', type: 'navigate' }, timestamp: TS },
      { name: 'view_changed', attributes: { fromView: 'home', toView: 'cart' }, timestamp: TS },
      { name: 'faro.performance.resource', attributes: { name: 'https://shop.example/a.js', duration: '23' }, timestamp: TS },
      { name: 'add_to_cart', attributes: { sku: 'X-1' }, timestamp: TS, trace: TRACE },
    ],
    traces: await faroTraces(),
  };
}

describe('Faro TransportBody', () => {
  it('maps every item kind to RumEvents and the traces to Spans', async () => {
    const res = decodeFaro(JSON.stringify(await payload()));
    expect(res.rejected).toBe(0);
    expect(res.message).toBeUndefined();
    expect(res.spans.map((s) => [s.name, s.kind, s.serviceName])).toEqual([
      ['HTTP GET', 'client', 'shop-web'],
      ['documentLoad', 'internal', 'shop-web'],
    ]);
    expect(res.events.map((e) => [e.kind, e.name, e.value])).toEqual([
      ['log', 'info', undefined],
      ['error', 'TypeError', undefined],
      ['web_vital', 'LCP', 1830.5],
      ['web_vital', 'CLS', 0.02],
      ['measurement', 'cart.items', 3],
      ['measurement', 'cart.total', 49.9],
      ['session', 'session_start', undefined],
      ['page_view', 'faro.performance.navigation', undefined],
      ['page_view', 'view_changed', undefined],
      ['event', 'faro.performance.resource', undefined],
      ['event', 'add_to_cart', undefined],
    ]);
    expect(res.accepted).toBe(13);
  });

  it('carries meta into every event: session, user, app, page split, browser with the user agent, view and sdk', async () => {
    const [log] = decodeFaro(JSON.stringify(await payload())).events;
    expect(log).toEqual({
      timeUnixNano: NS,
      kind: 'log',
      name: 'info',
      message: 'cart loaded',
      sessionId: 'sess-abc',
      userId: 'u-17',
      app: { name: 'shop-web', version: '3.1.4', environment: 'production' },
      page: { url: 'https://shop.example/cart?coupon=SPRING&x=1', path: '/cart', query: 'coupon=SPRING&x=1' },
      browser: {
        name: 'Chrome',
        version: '124.0',
        os: 'Mac OS 14.4',
        device: 'desktop',
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      },
      traceId: TRACE.trace_id,
      spanId: TRACE.span_id,
      attributes: {
        'view.name': 'cart',
        'page.id': 'page-1',
        'sdk.name': '@grafana/faro-web-sdk',
        'sdk.version': '1.9.0',
        'app.namespace': 'shop',
        'app.release': 'r42',
        'app.bundle_id': 'b1',
        'session.region': 'eu',
        'page.team': 'checkout',
        items: '3',
      },
    });
  });

  it('formats exceptions as a V8-style stack and keeps context and user action', async () => {
    const err = decodeFaro(JSON.stringify(await payload())).events.find((e) => e.kind === 'error')!;
    expect(err.message).toBe("Cannot read properties of undefined (reading 'price')");
    expect(err.stack).toBe(
      [
        "TypeError: Cannot read properties of undefined (reading 'price')",
        '    at total (https://shop.example/assets/cart.js:12:34)',
        '    at <anonymous> (https://shop.example/assets/vendor.js:1)',
      ].join('\n'),
    );
    expect(err.attributes).toMatchObject({ component: 'CartSummary', 'action.name': 'checkout-click', 'action.id': 'a1' });
  });

  it('keeps web-vital side values as attributes', async () => {
    const lcp = decodeFaro(JSON.stringify(await payload())).events.find((e) => e.name === 'LCP')!;
    expect(lcp.attributes).toMatchObject({ delta: 1830.5, rating: 'good' });
  });

  it('rejects bad items one by one and names them; a bad envelope is a 400', () => {
    const res = decodeFaro(
      JSON.stringify({
        meta: { session: { id: 's' } },
        logs: [{ message: 1, timestamp: TS }, 'nope', { message: 'fine', timestamp: TS }],
        exceptions: [{ timestamp: TS }],
        measurements: [{ type: 'web-vitals', values: { foo: 1 }, timestamp: TS }, { type: 'x', values: { a: 'NaN' } }],
        events: [{ name: '', timestamp: TS }, { name: 'ok', timestamp: 'yesterday' }, { name: 'ancient', timestamp: '1970-01-02T00:00:00Z' }],
      }),
    );
    expect(res.events.map((e) => e.message)).toEqual(['fine']);
    expect(res.rejected).toBe(8);
    expect(res.message).toContain('8 items rejected: logs[0]: message must be a string; logs[1]: must be an object');
    expect(res.message).toContain('and 3 more');
    expect(() => decodeFaro('{"meta": [], "logs": []}')).toThrow(expect.objectContaining({ status: 400, message: 'meta must be an object' }));
    expect(() => decodeFaro('{"logs": {}}')).toThrow(expect.objectContaining({ status: 400, message: 'logs must be an array' }));
    expect(() => decodeFaro('[1]')).toThrow(IngestError);
  });

  it('without meta: unknown app, session from the transport header, no page', () => {
    const res = decodeFaro('{"events":[{"name":"click"}]}', { sessionId: 'from-header', receivedAtUnixNano: 1_700_000_000_000_000_000n });
    expect(res.events[0]).toMatchObject({ kind: 'event', sessionId: 'from-header', app: { name: 'unknown_service' }, page: { url: '' }, timeUnixNano: 1_700_000_000_000_000_000n });
  });

  it('counts items and spans against maxItems together', async () => {
    const p = await payload();
    expect(() => decodeFaro(JSON.stringify(p), { limits: { maxItems: 11 } })).toThrow(expect.objectContaining({ status: 413 }));
    expect(decodeFaro(JSON.stringify(p), { limits: { maxItems: 12 } }).accepted).toBe(13);
  });
});
