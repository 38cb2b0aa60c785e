import { expect } from 'vitest';
import type { Span, Trace } from '../../model';
import type { ServiceStats, TraceSummary, TracesQuery, TracesResult } from '../../query';
import { valueQuantile } from '../dataset';
import { check, contextFor, floorMs, implemented, method, nanosToMs, requireLoaded, type ConformanceCheck, type ConformanceState } from '../state';

const G = 'traces';

export function summarize(trace: Trace): TraceSummary {
  const start = trace.spans.reduce((m, s) => (s.startTimeUnixNano < m ? s.startTimeUnixNano : m), trace.spans[0]?.startTimeUnixNano ?? 0n);
  const end = trace.spans.reduce((m, s) => (s.endTimeUnixNano > m ? s.endTimeUnixNano : m), 0n);
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const root = trace.spans.find((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId)) ?? (trace.spans[0] as Span);
  return {
    traceId: trace.traceId,
    rootService: root.serviceName,
    rootName: root.name,
    startMs: nanosToMs(start),
    durationMs: Number(end - start) / 1e6,
    spanCount: trace.spans.length,
    errorCount: trace.spans.filter((s) => s.status.code === 'error').length,
    services: [...new Set(trace.spans.map((s) => s.serviceName))].sort(),
  };
}

/** Summaries equal, with startMs and durationMs allowed the rounding a backend storing ms does. */
export function expectSummaries(actual: TraceSummary[], traces: Trace[], what: string): void {
  const want = traces.map(summarize);
  expect(
    actual.map((s) => s.traceId),
    `${what}: trace ids, most recent first`,
  ).toEqual(want.map((s) => s.traceId));
  actual.forEach((got, i) => {
    const w = want[i] as TraceSummary;
    const { startMs, durationMs, ...rest } = got;
    const { startMs: wStart, durationMs: wDuration, ...wRest } = w;
    expect(rest, `${what}: summary of ${w.traceId}`).toEqual(wRest);
    expect(Math.abs(startMs - wStart), `${what}: startMs of ${w.traceId} (got ${startMs}, want ${wStart})`).toBeLessThan(1);
    expect(Math.abs(durationMs - wDuration), `${what}: durationMs of ${w.traceId} (got ${durationMs}, want ${wDuration})`).toBeLessThan(0.01);
  });
}

export function tracesChecks(state: ConformanceState): ConformanceCheck[] {
  const data = state.a.data;
  const traces = data.traces;
  const [t1, t2, t3, t4] = traces as [Trace, Trace, Trace, Trace];
  const newestFirst = (pred: (t: Trace) => boolean) => traces.filter(pred).reverse();
  const search = async (q: Partial<TracesQuery>): Promise<TracesResult> => {
    requireLoaded(state);
    const searchTraces = method(state, 'searchTraces', 'a plugin that reads traces must implement');
    return searchTraces({ range: data.range, limit: 20, ...q }, contextFor(state, state.a.tenantId));
  };
  const searchCase = (title: string, q: Partial<TracesQuery>, pred: (t: Trace) => boolean) =>
    check(G, `searchTraces ${title}`, async () => {
      expectSummaries((await search(q)).traces, newestFirst(pred), `searchTraces ${JSON.stringify(q)}`);
    });
  const spanOf = (t: Trace, pred: (s: Span) => boolean) => t.spans.some(pred);

  const checks = [
    check(G, 'getTrace returns every span, ordered by start, every field intact', async () => {
      requireLoaded(state);
      const getTrace = method(state, 'getTrace', 'a plugin that reads traces must implement');
      for (const trace of traces) {
        const got = await getTrace(trace.traceId, contextFor(state, state.a.tenantId));
        expect(got, `getTrace(${trace.traceId})`).toEqual(trace);
      }
    }),
    check(G, 'getTrace of an unknown id is null', async () => {
      requireLoaded(state);
      const getTrace = method(state, 'getTrace', 'a plugin that reads traces must implement');
      expect(await getTrace('0123456789abcdef0123456789abcdef', contextFor(state, state.a.tenantId))).toBeNull();
    }),
    searchCase('finds every trace in the range with its summary, most recent first', {}, () => true),
    searchCase('limit keeps the most recent traces', { limit: 2 }, (t) => t === t4 || t === t3),
    searchCase(
      'range finds traces that start in it',
      { range: { startMs: floorMs(t2.spans[0]?.startTimeUnixNano ?? 0n), endMs: floorMs(t4.spans[0]?.startTimeUnixNano ?? 0n) } },
      (t) => t === t2 || t === t3,
    ),
    searchCase('by service (any span of it)', { service: data.services.payments }, (t) => spanOf(t, (s) => s.serviceName === data.services.payments)),
    searchCase('by operation', { operation: 'GET /cart' }, (t) => spanOf(t, (s) => s.name === 'GET /cart')),
    searchCase('by service and operation on the same span', { service: data.services.checkout, operation: 'POST /checkout' }, (t) => t === t2),
    searchCase('service and operation of different spans do not match', { service: data.services.payments, operation: 'GET /cart' }, () => false),
    searchCase('minDurationMs is inclusive', { minDurationMs: 800 }, (t) => summarize(t).durationMs >= 800),
    searchCase('maxDurationMs is inclusive', { maxDurationMs: 120 }, (t) => summarize(t).durationMs <= 120),
    searchCase('min and max duration together', { minDurationMs: 100, maxDurationMs: 1000 }, (t) => t === t1 || t === t2),
    searchCase('status error', { status: 'error' }, (t) => spanOf(t, (s) => s.status.code === 'error')),
    searchCase('status ok', { status: 'ok' }, (t) => spanOf(t, (s) => s.status.code === 'ok')),
    searchCase('attribute filter =', { filters: [{ key: 'db.system', op: '=', value: 'postgresql' }] }, (t) => t === t1),
    searchCase('attribute filter >= on a number', { filters: [{ key: 'http.status_code', op: '>=', value: 400 }] }, (t) => t === t2),
    searchCase('resource attribute filter', { filters: [{ key: 'service.name', op: '=', value: data.services.payments }] }, (t) => t === t2),
    searchCase(
      'filters must all hold on one span',
      {
        filters: [
          { key: 'db.system', op: '=', value: 'postgresql' },
          { key: 'http.status_code', op: '=', value: 200 },
        ],
      },
      () => false,
    ),
  ];
  if (implemented(state, 'serviceStats')) checks.push(serviceStatsCheck(state));
  return checks;
}

function serviceStatsCheck(state: ConformanceState): ConformanceCheck {
  const data = state.a.data;
  return check(G, 'serviceStats counts requests and errors and gives latency percentiles', async () => {
    requireLoaded(state);
    const serviceStats = method(state, 'serviceStats');
    const stats = await serviceStats(data.range, contextFor(state, state.a.tenantId));
    const seconds = (data.range.endMs - data.range.startMs) / 1000;
    const spans = data.traces.flatMap((t) => t.spans);
    const requests = spans.filter((s) => s.kind === 'server' || s.kind === 'consumer' || s.parentSpanId === undefined);
    const services = [...new Set(requests.map((s) => s.serviceName))].sort();
    expect(stats.map((s) => s.service).sort(), 'services with requests').toEqual(services);
    for (const service of services) {
      const got = stats.find((s) => s.service === service) as ServiceStats;
      const mine = requests.filter((s) => s.serviceName === service);
      const durations = mine.map((s) => Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6).sort((a, b) => a - b);
      const errors = mine.filter((s) => s.status.code === 'error').length;
      expect({ requests: got.requests, errors: got.errors }, `${service}: requests and errors`).toEqual({ requests: mine.length, errors });
      expect(got.errorRate, `${service}: errorRate`).toBeCloseTo(errors / mine.length, 9);
      expect(got.rate, `${service}: rate (requests per second over the range)`).toBeCloseTo(mine.length / seconds, 9);
      // The dataset gives each service an odd number of requests, so the median is one of them.
      expect(got.p50Ms, `${service}: p50Ms`).toBeCloseTo(valueQuantile(0.5, durations) as number, 3);
      const max = durations[durations.length - 1] as number;
      for (const [name, value] of [
        ['p95Ms', got.p95Ms],
        ['p99Ms', got.p99Ms],
      ] as const) {
        expect(value, `${service}: ${name} is between p50 and the slowest request`).not.toBeNull();
        expect(value as number).toBeGreaterThanOrEqual((got.p50Ms as number) - 1e-6);
        expect(value as number).toBeLessThanOrEqual(max + 1e-6);
      }
      expect(got.p99Ms as number, `${service}: p99Ms >= p95Ms`).toBeGreaterThanOrEqual((got.p95Ms as number) - 1e-6);
    }
  });
}
