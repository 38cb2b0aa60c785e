import { matchesFilters, type ServiceStats, type Span, type TimeRange, type Trace, type TraceSummary, type TracesQuery, type TracesResult } from '@obstack/plugin-api';
import { inRange, msOf, percentile, type TenantStore } from './store';

function byStart(a: Span, b: Span): number {
  return a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0;
}

function traces(store: TenantStore | undefined): Map<string, Span[]> {
  const out = new Map<string, Span[]>();
  for (const span of store?.spans ?? []) {
    const list = out.get(span.traceId) ?? [];
    list.push(span);
    out.set(span.traceId, list);
  }
  for (const list of out.values()) list.sort(byStart);
  return out;
}

export function getTrace(store: TenantStore | undefined, traceId: string): Trace | null {
  const spans = traces(store).get(traceId);
  return spans === undefined ? null : { traceId, spans: structuredClone(spans) };
}

function summarize(traceId: string, spans: Span[]): TraceSummary {
  const start = spans[0]?.startTimeUnixNano ?? 0n;
  const end = spans.reduce((m, s) => (s.endTimeUnixNano > m ? s.endTimeUnixNano : m), start);
  const ids = new Set(spans.map((s) => s.spanId));
  const root = spans.find((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId)) ?? (spans[0] as Span);
  return {
    traceId,
    rootService: root.serviceName,
    rootName: root.name,
    startMs: msOf(start),
    durationMs: Number(end - start) / 1e6,
    spanCount: spans.length,
    errorCount: spans.filter((s) => s.status.code === 'error').length,
    services: [...new Set(spans.map((s) => s.serviceName))].sort(),
  };
}

export function searchTraces(store: TenantStore | undefined, query: TracesQuery): TracesResult {
  const spanMatches = (s: Span) =>
    (query.service === undefined || s.serviceName === query.service) &&
    (query.operation === undefined || s.name === query.operation) &&
    (query.status === undefined || s.status.code === query.status) &&
    matchesFilters(query.filters, s.attributes, s.resource);
  const needsSpan = query.service !== undefined || query.operation !== undefined || query.status !== undefined || (query.filters ?? []).length > 0;
  const found: TraceSummary[] = [];
  for (const [traceId, spans] of traces(store)) {
    const summary = summarize(traceId, spans);
    if (!inRange(spans[0]?.startTimeUnixNano ?? 0n, query.range)) continue;
    if (query.minDurationMs !== undefined && summary.durationMs < query.minDurationMs) continue;
    if (query.maxDurationMs !== undefined && summary.durationMs > query.maxDurationMs) continue;
    if (needsSpan && !spans.some(spanMatches)) continue;
    found.push(summary);
  }
  found.sort((a, b) => b.startMs - a.startMs);
  return { traces: found.slice(0, query.limit) };
}

export function serviceStats(store: TenantStore | undefined, range: TimeRange): ServiceStats[] {
  const seconds = (range.endMs - range.startMs) / 1000;
  const byService = new Map<string, Span[]>();
  for (const s of store?.spans ?? []) {
    const isRequest = s.kind === 'server' || s.kind === 'consumer' || s.parentSpanId === undefined;
    if (!isRequest || !inRange(s.startTimeUnixNano, range)) continue;
    byService.set(s.serviceName, [...(byService.get(s.serviceName) ?? []), s]);
  }
  return [...byService].map(([service, spans]) => {
    const durations = spans.map((s) => Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6);
    const errors = spans.filter((s) => s.status.code === 'error').length;
    return {
      service,
      requests: spans.length,
      errors,
      rate: spans.length / seconds,
      errorRate: errors / spans.length,
      p50Ms: percentile(0.5, durations),
      p95Ms: percentile(0.95, durations),
      p99Ms: percentile(0.99, durations),
    };
  });
}
