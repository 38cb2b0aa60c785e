import type { LogsQuery, MetricsQuery, Signal, TracesQuery } from '@obstack/plugin-api';
import type { JsonOf } from '~/components/explore/types';
import type { Answer, QueryService } from '../query';
import {
  TRACE_ID,
  autoStep,
  bad,
  parseAggregation,
  parseDirection,
  parseFilters,
  parseIntParam,
  parseMatcher,
  parseOptionalNumber,
  parseRange,
  parseSeverity,
  parseStatus,
  parseStep,
} from './params';

/**
 * The read side of the JSON API, shared by /api/v1/* routes and the explore pages: each
 * function takes the tenant and the URL's search params and returns JSON-safe data
 * (bigint nanoseconds as decimal strings).
 */

export function jsonSafe<T>(value: T): JsonOf<T> {
  if (typeof value === 'bigint') return value.toString() as JsonOf<T>;
  if (Array.isArray(value)) return value.map(jsonSafe) as JsonOf<T>;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = jsonSafe(v);
    return out as JsonOf<T>;
  }
  return value as JsonOf<T>;
}

function answer<T>(a: Answer<T>) {
  return { data: jsonSafe(a.data), errors: a.errors, sources: a.sources };
}

export async function getServices(q: QueryService, tenantId: string, params: URLSearchParams, signal?: AbortSignal) {
  const range = parseRange(params);
  const [stats, fromLogs] = await Promise.all([
    q.serviceStats(tenantId, range, signal),
    q.services(tenantId, 'logs', { range }, signal),
  ]);
  // Services that only log (no spans yet) still appear, with empty span statistics.
  const known = new Set(stats.data.map((s) => s.service));
  const extra = fromLogs.data
    .filter((s) => !known.has(s))
    .map((service) => ({ service, requests: 0, errors: 0, rate: 0, errorRate: 0, p50Ms: null, p95Ms: null, p99Ms: null }));
  return {
    data: [...stats.data, ...extra],
    errors: [...stats.errors, ...fromLogs.errors],
    sources: [...new Set([...stats.sources, ...fromLogs.sources])],
    range,
  };
}

export function tracesQueryFrom(params: URLSearchParams): TracesQuery & { from: string; to: string } {
  const range = parseRange(params);
  const min = parseOptionalNumber(params, 'minDuration');
  const max = parseOptionalNumber(params, 'maxDuration');
  if (min !== undefined && max !== undefined && max < min) throw bad('maxDuration', 'must be at least minDuration');
  const status = parseStatus(params.get('status'));
  return {
    range: { startMs: range.startMs, endMs: range.endMs },
    from: range.from,
    to: range.to,
    ...(params.get('service') ? { service: params.get('service')! } : {}),
    ...(params.get('operation') ? { operation: params.get('operation')! } : {}),
    ...(min !== undefined ? { minDurationMs: min } : {}),
    ...(max !== undefined ? { maxDurationMs: max } : {}),
    ...(status ? { status } : {}),
    filters: parseFilters(params),
    limit: parseIntParam(params, 'limit', 50, 1, 1000),
  };
}

export async function searchTraces(q: QueryService, tenantId: string, params: URLSearchParams, signal?: AbortSignal) {
  const { from: _f, to: _t, ...query } = tracesQueryFrom(params);
  return answer(await q.traces(tenantId, query, signal));
}

export async function getTrace(q: QueryService, tenantId: string, traceId: string, signal?: AbortSignal) {
  const id = traceId.toLowerCase();
  if (!TRACE_ID.test(id)) throw bad('traceId', 'must be 32 hexadecimal characters');
  return answer(await q.trace(tenantId, id, signal));
}

export function logsQueryFrom(params: URLSearchParams): LogsQuery {
  const range = parseRange(params);
  const traceId = params.get('traceId')?.toLowerCase();
  if (traceId && !TRACE_ID.test(traceId)) throw bad('traceId', 'must be 32 hexadecimal characters');
  const minSeverity = parseSeverity(params.get('severity'));
  const volumeStep = params.get('volumeStep');
  const services = params.getAll('service').filter(Boolean);
  return {
    range: { startMs: range.startMs, endMs: range.endMs },
    ...(params.get('q') ? { text: params.get('q')! } : {}),
    ...(services.length ? { services } : {}),
    ...(minSeverity ? { minSeverity } : {}),
    ...(traceId ? { traceId } : {}),
    filters: parseFilters(params),
    limit: parseIntParam(params, 'limit', 100, 1, 5000),
    direction: parseDirection(params.get('direction')),
    ...(params.get('cursor') ? { cursor: params.get('cursor')! } : {}),
    ...(volumeStep ? { volumeStepMs: volumeStep === 'auto' ? autoStep(range) : parseStep(new URLSearchParams({ step: volumeStep }), range) } : {}),
  };
}

export async function searchLogs(q: QueryService, tenantId: string, params: URLSearchParams, signal?: AbortSignal) {
  return answer(await q.logs(tenantId, logsQueryFrom(params), signal));
}

export function metricsQueryFrom(params: URLSearchParams): MetricsQuery {
  const range = parseRange(params);
  const metric = params.get('metric');
  if (!metric) throw bad('metric', 'is required');
  const rate = params.get('rate');
  if (rate && rate !== 'true' && rate !== 'false') throw bad('rate', 'must be true or false');
  const by = (params.get('by') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    range: { startMs: range.startMs, endMs: range.endMs },
    metric,
    matchers: params.getAll('match').filter(Boolean).map((m) => parseMatcher('match', m)),
    rate: rate === 'true',
    aggregation: parseAggregation(params.get('agg')),
    ...(by.length ? { groupBy: by } : {}),
    stepMs: parseStep(params, range),
  };
}

export async function queryMetrics(q: QueryService, tenantId: string, params: URLSearchParams, signal?: AbortSignal) {
  const query = metricsQueryFrom(params);
  return { ...answer(await q.metrics(tenantId, query, signal)), stepMs: query.stepMs };
}

const RUM_KINDS = ['page_view', 'web_vital', 'error', 'log', 'event', 'measurement', 'session'] as const;
const RUM_GROUPS = ['kind', 'name', 'page', 'browser', 'os', 'device', 'app'] as const;

export async function queryRum(q: QueryService, tenantId: string, params: URLSearchParams, signal?: AbortSignal) {
  const range = parseRange(params);
  const kinds = params.getAll('kind').filter(Boolean);
  for (const k of kinds) if (!(RUM_KINDS as readonly string[]).includes(k)) throw bad('kind', `must be one of ${RUM_KINDS.join(', ')} (got "${k}")`);
  const groupBy = (params.get('groupBy') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const g of groupBy) if (!(RUM_GROUPS as readonly string[]).includes(g)) throw bad('groupBy', `must be among ${RUM_GROUPS.join(', ')} (got "${g}")`);
  return answer(
    await q.rum(
      tenantId,
      {
        range: { startMs: range.startMs, endMs: range.endMs },
        ...(kinds.length ? { kinds: kinds as Array<(typeof RUM_KINDS)[number]> } : {}),
        ...(params.get('sessionId') ? { sessionId: params.get('sessionId')! } : {}),
        ...(params.get('page') ? { pagePath: params.get('page')! } : {}),
        filters: parseFilters(params),
        limit: parseIntParam(params, 'limit', 100, 1, 5000),
        ...(groupBy.length ? { groupBy: groupBy as Array<(typeof RUM_GROUPS)[number]> } : {}),
      },
      signal,
    ),
  );
}

const SIGNALS_FOR_LABELS: Signal[] = ['logs', 'metrics', 'traces', 'rum'];

export async function metadata(
  q: QueryService,
  tenantId: string,
  kind: 'metric-names' | 'operations' | 'label-names' | 'label-values',
  params: URLSearchParams,
  signal?: AbortSignal,
) {
  const range = parseRange(params);
  const meta = { range: { startMs: range.startMs, endMs: range.endMs }, ...(params.get('service') ? { service: params.get('service')! } : {}) };
  switch (kind) {
    case 'metric-names':
      return answer(await q.metadata(tenantId, 'metrics', (i, ctx) => i.metricNames?.(meta, ctx), signal));
    case 'operations':
      return answer(await q.metadata(tenantId, 'traces', (i, ctx) => i.operations?.(meta, ctx), signal));
    case 'label-names':
    case 'label-values': {
      const sig = (params.get('signal') ?? 'metrics') as Signal;
      if (!SIGNALS_FOR_LABELS.includes(sig)) throw bad('signal', `must be one of ${SIGNALS_FOR_LABELS.join(', ')}`);
      if (kind === 'label-names') return answer(await q.metadata(tenantId, sig, (i, ctx) => i.labelNames?.(sig, meta, ctx), signal));
      const name = params.get('name');
      if (!name) throw bad('name', 'is required');
      return answer(await q.metadata(tenantId, sig, (i, ctx) => i.labelValues?.(sig, name, meta, ctx), signal));
    }
  }
}
