import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiLogRecord,
  type ApiSeries,
  type ApiServiceStats,
  type ApiSpan,
  type ApiTraceSummary,
  INGEST_MODES,
  type IngestStack,
  createTenantWithKey,
  eventually,
  modeAvailable,
  read,
  readApi,
  startIngestStack,
  valuesOf,
} from '../support/ingest';
import { type OtelPipeline, type OtlpTransport, type RecordedCheckout, otelPipeline, recordCheckout } from '../support/otel';

/**
 * The official OpenTelemetry JS SDK with the official OTLP exporters (-otlp-proto and
 * -otlp-http), configured the way the OTel docs tell users to, sends traces, metrics and
 * logs to a running Obstack; everything is read back through the public query API. Once
 * per deployment: embedded (PGlite), scaled with Kafka, scaled with BullMQ.
 */

const RANGE = { from: 'now-1h', to: 'now' };

describe.each(INGEST_MODES)('official OTel exporters into Obstack (%s)', (mode) => {
  describe.skipIf(!modeAvailable(mode))('', () => {
    let stack: IngestStack;

    beforeAll(async () => {
      stack = await startIngestStack(mode);
    });
    afterAll(async () => {
      await stack?.stop();
    });

    describe.each<OtlpTransport>(['proto', 'http'])('with the -otlp-%s exporters', (transport) => {
      const service = `checkout-${transport}`;
      let pipeline: OtelPipeline;
      let rec: RecordedCheckout;

      beforeAll(async () => {
        pipeline = otelPipeline({
          baseUrl: stack.url,
          key: stack.key,
          transport,
          resource: { 'service.name': service, 'service.version': '2.4.0', 'deployment.environment.name': 'test', 'host.name': 'ci-runner' },
        });
        rec = recordCheckout(pipeline, `shop-${transport}`);
        const meter = pipeline.meterProvider.getMeter(`shop-${transport}`, '1.0.0');
        const requests = meter.createCounter('checkout.requests', { unit: '{request}', description: 'Checkout requests' });
        const duration = meter.createHistogram('checkout.duration', { unit: 'ms', description: 'Checkout duration' });
        requests.add(3, { 'http.route': '/checkout' });
        requests.add(2, { 'http.route': '/cart' });
        // Two collections of a cumulative histogram: percentiles are of what was observed
        // between them (51..100 ms), not since the process started (1..100 ms).
        for (let v = 1; v <= 50; v++) duration.record(v, { 'http.route': '/checkout' });
        await pipeline.flush();
        for (let v = 51; v <= 100; v++) duration.record(v, { 'http.route': '/checkout' });
        await pipeline.flush();
        await pipeline.shutdown();
        pipeline.assertAllExported();
        // Ingest answered once the data was durable; in scaled mode a worker stores it a
        // moment later. Wait once for the last signal of each kind, then read without retrying.
        await eventually(async () => {
          const t = await read<{ spans: ApiSpan[] } | null>(stack.url, stack.key, `/api/v1/traces/${rec.traceId}`);
          expect(t.data?.spans).toHaveLength(4);
          const l = await read<{ records: ApiLogRecord[] }>(stack.url, stack.key, '/api/v1/logs', { ...RANGE, traceId: rec.traceId });
          expect(l.data.records).toHaveLength(2);
          const s = await read<{ traces: ApiTraceSummary[] }>(stack.url, stack.key, '/api/v1/traces', { ...RANGE, service });
          expect(s.data.traces).toHaveLength(3);
          const m = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', {
            ...RANGE,
            metric: 'checkout.duration',
            match: `service.name=${service}`,
            step: '1d',
            agg: 'p95',
          });
          expect(valuesOf(m.data.series[0])).toHaveLength(1);
        }, 60_000);
      });

      it('every export was accepted', () => {
        const exports = (signal: string) => pipeline.outcomes.filter((o) => o.signal === signal).length;
        expect(exports('traces')).toBeGreaterThanOrEqual(1);
        expect(exports('logs')).toBeGreaterThanOrEqual(1);
        expect(exports('metrics')).toBeGreaterThanOrEqual(2); // one per collection
        expect(pipeline.outcomes.filter((o) => o.code !== 0)).toEqual([]);
      });

      it('lists the service with its request and error counts', async () => {
        const { data } = await read<ApiServiceStats[]>(stack.url, stack.key, '/api/v1/services', RANGE);
        const svc = data.find((x) => x.service === service) as ApiServiceStats;
        expect(svc.requests).toBe(3);
        // One failed checkout and two healthy requests.
        expect(svc.errors).toBe(1);
        expect(svc.errorRate).toBeCloseTo(1 / 3, 5);
        expect(svc.p50Ms).toBeGreaterThan(0);
      });

      it('returns the trace by id with every span, its parent, attributes, events and the error', async () => {
        const { data } = await read<{ traceId: string; spans: ApiSpan[] } | null>(stack.url, stack.key, `/api/v1/traces/${rec.traceId}`);
        const trace = data as { traceId: string; spans: ApiSpan[] };
        expect(trace.spans).toHaveLength(4);
        expect(trace.traceId).toBe(rec.traceId);
        const byName = Object.fromEntries(trace.spans.map((s) => [s.name, s]));
        const root = byName['GET /checkout'] as ApiSpan;
        const validate = byName['validate cart'] as ApiSpan;
        const charge = byName['POST /payments'] as ApiSpan;
        const serialize = byName['serialize payment'] as ApiSpan;
        // Ordered by start time; ids and parent relations exactly as the SDK made them.
        expect(trace.spans.map((s) => s.name)).toEqual(['GET /checkout', 'validate cart', 'POST /payments', 'serialize payment']);
        expect(root.spanId).toBe(rec.spans.root.spanId);
        expect(root.parentSpanId).toBeUndefined();
        expect(validate).toMatchObject({ spanId: rec.spans.validate.spanId, parentSpanId: rec.spans.root.spanId, kind: 'internal' });
        expect(charge).toMatchObject({ spanId: rec.spans.charge.spanId, parentSpanId: rec.spans.root.spanId, kind: 'client' });
        expect(serialize).toMatchObject({ spanId: rec.spans.serialize.spanId, parentSpanId: rec.spans.charge.spanId });
        expect(root).toMatchObject({
          kind: 'server',
          serviceName: service,
          status: { code: 'error', message: 'payment failed' },
          scope: { name: `shop-${transport}`, version: '1.0.0' },
        });
        // Attribute types survive both encodings: ints, strings, arrays.
        expect(root.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/checkout', 'http.response.status_code': 500, 'cart.items': 3, 'feature.flags': ['new-cart', 'fast-pay'] });
        expect(root.resource).toMatchObject({ 'service.name': service, 'service.version': '2.4.0', 'host.name': 'ci-runner', 'telemetry.sdk.language': 'nodejs' });
        // Enrichment copies the newer semconv name to the one the views filter on.
        expect(root.resource['deployment.environment']).toBe('test');
        expect(BigInt(root.endTimeUnixNano) - BigInt(root.startTimeUnixNano)).toBe(120_000_000n);
        expect(validate.events).toEqual([expect.objectContaining({ name: 'cart validated', attributes: { 'cart.items': 3 } })]);
        expect(charge.status).toEqual({ code: 'error', message: 'card declined' });
        const exception = charge.events.find((e) => e.name === 'exception');
        expect(exception?.attributes['exception.message']).toBe('card declined');
        expect(String(exception?.attributes['exception.stacktrace'])).toContain('Error: card declined');
      });

      it('finds the traces in search with their summaries', async () => {
        const { data } = await read<{ traces: ApiTraceSummary[] }>(stack.url, stack.key, '/api/v1/traces', { ...RANGE, service });
        expect(data.traces).toHaveLength(3);
        const checkout = data.traces.find((t) => t.traceId === rec.traceId);
        expect(checkout).toMatchObject({ rootService: service, rootName: 'GET /checkout', spanCount: 4, errorCount: 2, services: [service] });
        expect(data.traces.map((t) => t.traceId).sort()).toEqual([rec.traceId, ...rec.healthTraceIds].sort());
        const errorsOnly = await read<{ traces: ApiTraceSummary[] }>(stack.url, stack.key, '/api/v1/traces', { ...RANGE, service, status: 'error' });
        expect(errorsOnly.data.traces.map((t) => t.traceId)).toEqual([rec.traceId]);
      });

      it('returns the logs correlated with the trace and its spans', async () => {
        const { data } = await read<{ records: ApiLogRecord[] }>(stack.url, stack.key, '/api/v1/logs', { ...RANGE, traceId: rec.traceId, direction: 'forward' });
        const records = data.records;
        expect(records).toHaveLength(2);
        expect(records[0]).toMatchObject({
          body: 'checkout started for cart c-42',
          severityNumber: 9,
          severityText: 'INFO',
          serviceName: service,
          traceId: rec.traceId,
          spanId: rec.spans.root.spanId,
          attributes: { 'cart.id': 'c-42' },
        });
        expect(records[1]).toMatchObject({ body: 'payment failed: card declined', severityNumber: 17, traceId: rec.traceId, spanId: rec.spans.charge.spanId });
        const errors = await read<{ records: ApiLogRecord[] }>(stack.url, stack.key, '/api/v1/logs', { ...RANGE, service, severity: 'error' });
        expect(errors.data.records.map((r) => r.body)).toEqual(['payment failed: card declined']);
      });

      it('returns the counter as series with the recorded values', async () => {
        const metric = { ...RANGE, metric: 'checkout.requests', match: `service.name=${service}`, step: '1d' };
        const { data } = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', { ...metric, agg: 'none' });
        const series = data.series;
        expect(series).toHaveLength(2);
        const byRoute = Object.fromEntries(series.map((s) => [s.labels['http.route'], s]));
        expect(valuesOf(byRoute['/checkout']).at(-1)).toBe(3);
        expect(valuesOf(byRoute['/cart']).at(-1)).toBe(2);
        // Resource attributes become labels too.
        expect(byRoute['/cart']?.labels).toMatchObject({ 'service.name': service, 'host.name': 'ci-runner' });
        const total = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', { ...metric, agg: 'sum' });
        expect(valuesOf(total.data.series[0]).at(-1)).toBe(5);
        const names = await read<string[]>(stack.url, stack.key, '/api/v1/metrics/names', RANGE);
        expect(names.data).toEqual(expect.arrayContaining(['checkout.duration', 'checkout.requests']));
      });

      it('returns histogram percentiles of what was observed between collections', async () => {
        const q = { ...RANGE, metric: 'checkout.duration', match: `service.name=${service}`, step: '1d' };
        // Buckets (50,75] and (75,100] got 25 observations each in the second interval.
        const p95 = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', { ...q, agg: 'p95' });
        expect(p95.data.series).toHaveLength(1);
        expect(valuesOf(p95.data.series[0])).toEqual([97.5]);
        const p50 = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', { ...q, agg: 'p50' });
        expect(valuesOf(p50.data.series[0])).toEqual([75]);
        // Without a percentile, a histogram's value is its (cumulative) count.
        const count = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', { ...q, agg: 'sum' });
        expect(valuesOf(count.data.series[0])).toEqual([100]);
      });
    });

    describe('tenants', () => {
      let bravo: { tenantId: string; key: string };
      let ingestOnly: { tenantId: string; key: string };
      let alphaTenantId = '';

      beforeAll(async () => {
        bravo = await createTenantWithKey(stack, `bravo-${mode}`);
        ingestOnly = await createTenantWithKey(stack, `charlie-${mode}`, 'ingest');
        const tenants = await stack.cli<Array<{ id: string; slug: string }>>('tenants', 'list');
        alphaTenantId = tenants.find((t) => !t.slug.startsWith('bravo') && !t.slug.startsWith('charlie'))?.id ?? '';
        expect(alphaTenantId).not.toBe('');
      });

      it("lets another tenant's read key see none of the first tenant's data", async () => {
        // The first tenant has data by now (the suites above ran first).
        const first = await read<ApiServiceStats[]>(stack.url, stack.key, '/api/v1/services', RANGE);
        expect(first.data.map((s) => s.service)).toEqual(expect.arrayContaining(['checkout-proto', 'checkout-http']));

        const services = await read<ApiServiceStats[]>(stack.url, bravo.key, '/api/v1/services', RANGE);
        expect(services.data).toEqual([]);
        const traces = await read<{ traces: unknown[] }>(stack.url, bravo.key, '/api/v1/traces', RANGE);
        expect(traces.data.traces).toEqual([]);
        const anyTrace = await read<{ traces: ApiTraceSummary[] }>(stack.url, stack.key, '/api/v1/traces', RANGE);
        const someId = anyTrace.data.traces[0]?.traceId ?? '';
        expect(someId).toMatch(/^[0-9a-f]{32}$/);
        expect((await readApi(stack.url, bravo.key, `/api/v1/traces/${someId}`)).status).toBe(404);
        const logs = await read<{ records: unknown[] }>(stack.url, bravo.key, '/api/v1/logs', RANGE);
        expect(logs.data.records).toEqual([]);
        const names = await read<string[]>(stack.url, bravo.key, '/api/v1/metrics/names', RANGE);
        expect(names.data).toEqual([]);
        const series = await read<{ series: unknown[] }>(stack.url, bravo.key, '/api/v1/metrics/query', { ...RANGE, metric: 'checkout.requests' });
        expect(series.data.series).toEqual([]);
      });

      it('refuses the read API to a key with only the ingest scope', async () => {
        for (const path of ['/api/v1/services', '/api/v1/traces', '/api/v1/logs', '/api/v1/metrics/names']) {
          const r = await readApi(stack.url, ingestOnly.key, path, RANGE);
          expect(r.status, path).toBe(403);
        }
        // ...while the same key may send.
        const res = await fetch(`${stack.url}/v1/traces`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${ingestOnly.key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ resourceSpans: [] }),
        });
        expect(res.status).toBe(200);
      });

      it('stores data in the tenant of the key, whatever tenant the payload claims', async () => {
        const spoof = otelPipeline({
          baseUrl: stack.url,
          key: bravo.key,
          transport: 'proto',
          resource: { 'service.name': 'spoofer', 'obstack.tenant.id': alphaTenantId, 'tenant.id': alphaTenantId },
        });
        const rec = recordCheckout(spoof, 'spoofer');
        await spoof.shutdown();
        spoof.assertAllExported();

        const inBravo = await eventually(async () => {
          const { data } = await read<{ traceId: string; spans: ApiSpan[] } | null>(stack.url, bravo.key, `/api/v1/traces/${rec.traceId}`);
          expect(data?.spans).toHaveLength(4);
          const logs = await read<{ records: ApiLogRecord[] }>(stack.url, bravo.key, '/api/v1/logs', { ...RANGE, traceId: rec.traceId });
          expect(logs.data.records).toHaveLength(2);
          return data as { spans: ApiSpan[] };
        });
        // The claim is overwritten with the real tenant.
        expect(inBravo.spans[0]?.resource['obstack.tenant.id']).toBe(bravo.tenantId);
        expect(inBravo.spans[0]?.resource['tenant.id']).toBe(bravo.tenantId);
        const bravoServices = await read<ApiServiceStats[]>(stack.url, bravo.key, '/api/v1/services', RANGE);
        expect(bravoServices.data.map((s) => s.service)).toEqual(['spoofer']);

        expect((await readApi(stack.url, stack.key, `/api/v1/traces/${rec.traceId}`)).status).toBe(404);
        const alphaServices = await read<ApiServiceStats[]>(stack.url, stack.key, '/api/v1/services', RANGE);
        expect(alphaServices.data.map((s) => s.service)).not.toContain('spoofer');
        const alphaLogs = await read<{ records: unknown[] }>(stack.url, stack.key, '/api/v1/logs', { ...RANGE, traceId: rec.traceId });
        expect(alphaLogs.data.records).toEqual([]);
      });
    });
  });
});
