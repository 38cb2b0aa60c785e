import type { ServiceStats, Span, SpanEvent, SpanLink, TimeRange, Trace, TraceSummary, TracesQuery, TracesResult } from '@obstack/plugin-api';
import { SPAN_KIND_NAMES, STATUS_NAMES } from './encode';
import { filterConditions, type ReadContext } from './read-context';
import { Params, nsParam } from './sql';

const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

/**
 * How far outside the range search looks for the other spans of a candidate trace (to
 * find its true start and end). Spans further away than this from the range are not
 * seen by search; getTrace always returns every span.
 */
export const TRACE_WINDOW_MS = 30 * 60_000;

interface SpanRow {
  start: string;
  dur: string;
  tid: string;
  sid: string;
  psid: string | null;
  kind: number;
  status: number;
  svc: string;
  name: string;
  status_message: string | null;
  trace_state: string | null;
  scope_name: string | null;
  scope_version: string | null;
  attributes: Span['attributes'] | null;
  resource: Span['resource'] | null;
  events: Array<{ t: string; n: string; a: SpanEvent['attributes'] }> | null;
  links: SpanLink[] | null;
}

const SPAN_COLUMNS = `start_ns::text as start, duration_ns::text as dur, trace_id::text as tid, encode(span_id, 'hex') as sid, encode(parent_span_id, 'hex') as psid,
  kind, status_code as status, service_name as svc, name, status_message, trace_state, scope_name, scope_version, attributes, resource, events, links`;

function toSpan(r: SpanRow): Span {
  const start = BigInt(r.start);
  const status: Span['status'] = { code: STATUS_NAMES[Number(r.status)] ?? 'unset' };
  if (r.status_message !== null) status.message = r.status_message;
  const span: Span = {
    traceId: r.tid.replace(/-/g, ''),
    spanId: r.sid,
    name: r.name,
    kind: SPAN_KIND_NAMES[Number(r.kind)] ?? 'unspecified',
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(r.dur),
    status,
    serviceName: r.svc,
    attributes: r.attributes ?? {},
    resource: r.resource ?? {},
    events: (r.events ?? []).map((e) => ({ timeUnixNano: BigInt(e.t), name: e.n, attributes: e.a ?? {} })),
    links: r.links ?? [],
  };
  if (r.psid !== null) span.parentSpanId = r.psid;
  if (r.trace_state !== null) span.traceState = r.trace_state;
  if (r.scope_name !== null) span.scope = r.scope_version === null ? { name: r.scope_name } : { name: r.scope_name, version: r.scope_version };
  return span;
}

export async function getTrace(rc: ReadContext, traceId: string): Promise<Trace | null> {
  if (!TRACE_ID.test(traceId)) return null;
  const p = new Params();
  const rows = await rc.driver.query<SpanRow & Record<string, unknown>>(
    `select ${SPAN_COLUMNS} from ${rc.s}.spans where tenant_key = ${p.add(rc.tenantKey, 'int4')} and trace_id = ${p.add(traceId, 'uuid')} order by start_ns, span_id`,
    p.values,
    rc.signal,
  );
  if (rows.length === 0) return null;
  return { traceId: traceId.toLowerCase(), spans: rows.map(toSpan) };
}

function spanConditions(rc: ReadContext, q: TracesQuery, p: Params): string[] {
  const out: string[] = [];
  if (q.service !== undefined) out.push(`service_name = ${p.add(q.service, 'text')}`);
  if (q.operation !== undefined) out.push(`name = ${p.add(q.operation, 'text')}`);
  if (q.status !== undefined) out.push(`status_code = ${p.add(STATUS_CODE[q.status] ?? -1, 'int2')}`);
  out.push(...filterConditions('spans', q.filters, p));
  return out;
}

/**
 * Two steps: find the traces (start in range, one span matching all span conditions,
 * duration bounds) with cheap aggregates only, then build the summaries of just those.
 */
export async function searchTraces(rc: ReadContext, q: TracesQuery): Promise<TracesResult> {
  const limit = Math.max(0, Math.floor(q.limit));
  if (limit === 0) return { traces: [] };
  const p = new Params();
  const tk = p.add(rc.tenantKey, 'int4');
  const from = p.add(nsParam(q.range.startMs), 'int8');
  const to = p.add(nsParam(q.range.endMs), 'int8');
  const wideFrom = p.add(nsParam(q.range.startMs - TRACE_WINDOW_MS), 'int8');
  const wideTo = p.add(nsParam(q.range.endMs + TRACE_WINDOW_MS), 'int8');
  const conds = spanConditions(rc, q, p);
  const having = [`min(start_ns) >= ${from}`, `min(start_ns) < ${to}`];
  if (conds.length > 0) having.push(`bool_or(${conds.join(' and ')})`);
  const duration = 'max(start_ns + duration_ns) - min(start_ns)';
  if (q.minDurationMs !== undefined) having.push(`${duration} >= ${p.add(nsParam(q.minDurationMs), 'int8')}`);
  if (q.maxDurationMs !== undefined) having.push(`${duration} <= ${p.add(nsParam(q.maxDurationMs), 'int8')}`);
  const window = `tenant_key = ${tk} and start_ns >= ${wideFrom} and start_ns < ${wideTo}`;
  const rows = await rc.driver.query<{
    tid: string;
    start: string;
    dur: string;
    n: number;
    errors: number;
    services: string[];
    root_service: string;
    root_name: string;
  }>(
    `with found as (
       select trace_id from ${rc.s}.spans where ${window}
        group by trace_id having ${having.join(' and ')}
        order by min(start_ns) desc limit ${limit}
     )
     select trace_id::text as tid, min(start_ns)::text as start, (max(start_ns + duration_ns) - min(start_ns))::text as dur,
            count(*)::float8 as n, (count(*) filter (where status_code = 2))::float8 as errors,
            to_json(array_agg(distinct service_name order by service_name)) as services,
            (array_agg(service_name order by parent_span_id is not null, start_ns, span_id))[1] as root_service,
            (array_agg(name order by parent_span_id is not null, start_ns, span_id))[1] as root_name
       from ${rc.s}.spans
      where ${window} and trace_id in (select trace_id from found)
      group by trace_id
      order by min(start_ns) desc`,
    p.values,
    rc.signal,
  );
  const traces: TraceSummary[] = rows.map((r) => ({
    traceId: r.tid.replace(/-/g, ''),
    rootService: r.root_service,
    rootName: r.root_name,
    startMs: nsToMs(r.start),
    durationMs: Number(BigInt(r.dur)) / 1e6,
    spanCount: Number(r.n),
    errorCount: Number(r.errors),
    // JS order, not the database collation's: callers compare with Array.prototype.sort.
    services: [...r.services].sort(),
  }));
  return { traces };
}

/** ms with the sub-millisecond part kept as a fraction. */
export function nsToMs(ns: string | bigint): number {
  const v = typeof ns === 'bigint' ? ns : BigInt(ns);
  const ms = v / 1_000_000n;
  return Number(ms) + Number(v - ms * 1_000_000n) / 1e6;
}

export async function serviceStats(rc: ReadContext, range: TimeRange): Promise<ServiceStats[]> {
  const p = new Params();
  const rows = await rc.driver.query<{ svc: string; requests: number; errors: number; p: number[] | null }>(
    `select service_name as svc, count(*)::float8 as requests, (count(*) filter (where status_code = 2))::float8 as errors,
            to_json(percentile_cont(array[0.5, 0.95, 0.99]) within group (order by duration_ns)) as p
       from ${rc.s}.spans
      where tenant_key = ${p.add(rc.tenantKey, 'int4')} and start_ns >= ${p.add(nsParam(range.startMs), 'int8')} and start_ns < ${p.add(nsParam(range.endMs), 'int8')}
        and (kind in (2, 5) or parent_span_id is null)
      group by service_name`,
    p.values,
    rc.signal,
  );
  const seconds = Math.max(range.endMs - range.startMs, 1) / 1000;
  return rows.map((r) => {
    const requests = Number(r.requests);
    const errors = Number(r.errors);
    const pct = (i: number) => (r.p && r.p[i] !== undefined && r.p[i] !== null ? Number(r.p[i]) / 1e6 : null);
    return { service: r.svc, requests, errors, rate: requests / seconds, errorRate: requests > 0 ? errors / requests : 0, p50Ms: pct(0), p95Ms: pct(1), p99Ms: pct(2) };
  });
}
