import { createHash } from 'node:crypto';
import { PluginError, type Attributes, type LogRecord, type MetricPoint, type RumEvent, type Span, type WriteBatch } from '@obstack/plugin-api';
import { dayOfNs } from './partitions';
import type { TelemetryTable } from './schema';

/**
 * Rows in COPY text format. Text rather than binary: the server parses int8 and float8
 * text about as fast as it swaps bytes, and JSON, uuid and bytea have to be produced as
 * text by us anyway; text also works unchanged for PGlite's `/dev/blob`.
 */

const SPAN_KIND = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
export const SPAN_KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUS = { unset: 0, ok: 1, error: 2 } as const;
export const STATUS_NAMES = ['unset', 'ok', 'error'] as const;
const RUM_KIND = { page_view: 1, web_vital: 2, error: 3, log: 4, event: 5, measurement: 6, session: 7 } as const;
export const RUM_KIND_NAMES = ['', 'page_view', 'web_vital', 'error', 'log', 'event', 'measurement', 'session'] as const;
export const METRIC_TYPE = { gauge: 1, sum: 2, histogram: 3, exponential_histogram: 4, summary: 5 } as const;
export const METRIC_TYPE_NAMES = ['', 'gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'] as const;
export const TEMPORALITY = { cumulative: 1, delta: 2 } as const;
export const TEMPORALITY_NAMES = ['', 'cumulative', 'delta'] as const;
/** catalog.signal */
export const CATALOG_SIGNAL = { logs: 1, traces: 2, metrics: 3, rum: 4 } as const;

export const COLUMNS: Record<TelemetryTable, string[]> = {
  logs: [
    'time_ns',
    'observed_ns',
    'tenant_key',
    'flags',
    'severity_number',
    'trace_id',
    'span_id',
    'service_name',
    'severity_text',
    'body',
    'scope_name',
    'scope_version',
    'attributes',
    'resource',
  ],
  spans: [
    'start_ns',
    'duration_ns',
    'tenant_key',
    'kind',
    'status_code',
    'trace_id',
    'span_id',
    'parent_span_id',
    'service_name',
    'name',
    'status_message',
    'trace_state',
    'scope_name',
    'scope_version',
    'attributes',
    'resource',
    'events',
    'links',
  ],
  metric_points: ['time_ns', 'start_ns', 'series_id', 'tenant_key', 'value', 'sum', 'min', 'max', 'bounds', 'counts', 'exp_histogram', 'summary'],
  rum_events: [
    'time_ns',
    'value',
    'tenant_key',
    'kind',
    'trace_id',
    'span_id',
    'name',
    'session_id',
    'user_id',
    'app_name',
    'app_version',
    'app_environment',
    'page_url',
    'page_path',
    'page_query',
    'page_referrer',
    'browser_name',
    'browser_version',
    'browser_os',
    'browser_device',
    'user_agent',
    'message',
    'stack',
    'attributes',
  ],
};

const N = '\\N';
const SPECIAL = /[\\\n\r\t\0]/;
const SPECIAL_G = /[\\\n\r\t\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\uFFFD' };

/** A text field; NUL cannot be stored in Postgres text, so it becomes U+FFFD. */
export function text(value: string | undefined | null): string {
  if (value === undefined || value === null) return N;
  const s = typeof value === 'string' ? value : String(value);
  return SPECIAL.test(s) ? s.replace(SPECIAL_G, (c) => ESCAPES[c] as string) : s;
}

function int(value: bigint | number | undefined | null): string {
  if (value === undefined || value === null) return N;
  return typeof value === 'bigint' ? value.toString() : String(Math.trunc(value));
}

/** float8 accepts NaN and ±Infinity spelt the way String() spells them. */
function float(value: number | undefined | null): string {
  if (value === undefined || value === null || typeof value !== 'number') return N;
  return String(value);
}

function floatArray(values: readonly number[] | undefined): string {
  if (values === undefined) return N;
  return `{${values.map((v) => (Number.isNaN(v) ? 'NaN' : String(v))).join(',')}}`;
}

function scrubString(_key: string, v: unknown): unknown {
  if (typeof v === 'string') return (v as string & { toWellFormed(): string }).toWellFormed().replace(/\0/g, '\uFFFD');
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/**
 * JSON Postgres accepts: it refuses \u0000 and lone surrogates in JSON text, so those rare
 * strings are scrubbed (checked on the output, which is cheaper than walking every value).
 */
export function safeJson(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? 'null';
  } catch {
    s = JSON.stringify(value, scrubString) ?? 'null';
  }
  if (s.includes('\\u0000') || /\\ud[89a-f]/i.test(s)) s = JSON.stringify(value, scrubString) ?? 'null';
  return s;
}

/** safeJson escaped for a COPY text field. */
export function jsonText(value: unknown): string {
  const s = safeJson(value);
  // JSON has no raw tabs or newlines, but its escapes use backslashes, which COPY would eat.
  return s.includes('\\') ? s.replace(/\\/g, '\\\\') : s;
}

const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function badData(message: string): PluginError {
  return new PluginError(message, { source: 'plugin' });
}

/** Trace ids are stored as uuid (16 bytes), which accepts 32 hex digits as they are. */
function traceId(value: string | undefined, what: string, required: boolean): string {
  if (value === undefined || value === '') {
    if (required) throw badData(`${what}: traceId is missing`);
    return N;
  }
  if (!TRACE_ID.test(value)) throw badData(`${what}: traceId must be 32 hex digits (got ${JSON.stringify(value.slice(0, 40))})`);
  return value;
}

function spanId(value: string | undefined, what: string, required: boolean): string {
  if (value === undefined || value === '') {
    if (required) throw badData(`${what}: spanId is missing`);
    return N;
  }
  if (!HEX.test(value) || value.length > 64) throw badData(`${what}: spanId must be hex digits (got ${JSON.stringify(value.slice(0, 40))})`);
  return `\\\\x${value}`;
}

function attrs(value: Attributes | undefined): string {
  return jsonText(value ?? {});
}

function time(value: bigint | undefined, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  throw badData(`${what}: time must be nanoseconds as a bigint`);
}

// ----------------------------------------------------------------- batch encoding

export interface CatalogEntry {
  day: number;
  signal: number;
  service: string;
  name: string;
}

export interface SeriesEntry {
  day: number;
  id: string;
  type: number;
  monotonic: boolean | null;
  temporality: number | null;
  name: string;
  service: string;
  unit: string | null;
  description: string | null;
  labels: Record<string, string>;
}

export interface EncodedBatch {
  table: TelemetryTable;
  rows: number;
  data: string;
  days: Set<number>;
  /** Rows per day, for the after-write housekeeping. */
  rowsPerDay: Map<number, number>;
  catalog: Map<string, CatalogEntry>;
  series: Map<string, SeriesEntry>;
}

function newBatch(table: TelemetryTable): EncodedBatch {
  return { table, rows: 0, data: '', days: new Set(), rowsPerDay: new Map(), catalog: new Map(), series: new Map() };
}

function noteDay(out: EncodedBatch, ns: bigint): number {
  const day = dayOfNs(ns);
  out.days.add(day);
  out.rowsPerDay.set(day, (out.rowsPerDay.get(day) ?? 0) + 1);
  return day;
}

function noteCatalog(out: EncodedBatch, day: number, signal: number, service: string, name: string): void {
  const key = `${day}\u0001${signal}\u0001${service}\u0001${name}`;
  if (!out.catalog.has(key)) out.catalog.set(key, { day, signal, service, name });
}

export function encodeBatch(batch: Exclude<WriteBatch, { signal: 'cost' }>, tenantKey: number): EncodedBatch {
  switch (batch.signal) {
    case 'logs':
      return encodeLogs(batch.records, tenantKey);
    case 'traces':
      return encodeSpans(batch.spans, tenantKey);
    case 'metrics':
      return encodeMetrics(batch.points, tenantKey);
    case 'rum':
      return encodeRum(batch.events, tenantKey);
  }
}

/**
 * A batch's records usually share a handful of resource objects (one per resource in the
 * OTLP request); their JSON is made once per object instead of once per row.
 */
function resourceCache(): (value: Attributes | undefined) => string {
  const seen = new Map<Attributes, string>();
  return (value) => {
    if (value === undefined) return attrs(value);
    let json = seen.get(value);
    if (json === undefined) {
      json = attrs(value);
      seen.set(value, json);
    }
    return json;
  };
}

export function encodeLogs(records: readonly LogRecord[], tenantKey: number): EncodedBatch {
  const out = newBatch('logs');
  const tk = String(tenantKey);
  const resource = resourceCache();
  const lines: string[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as LogRecord;
    const what = `log record ${i}`;
    const t = time(r.timeUnixNano, what);
    const day = noteDay(out, t);
    const service = r.serviceName ?? '';
    noteCatalog(out, day, 1, service, '');
    lines[i] =
      `${t}\t${int(r.observedTimeUnixNano)}\t${tk}\t${int(r.flags)}\t${int(r.severityNumber ?? 0)}\t${traceId(r.traceId, what, false)}\t${spanId(r.spanId, what, false)}\t` +
      `${text(service)}\t${text(r.severityText)}\t${text(r.body ?? '')}\t${text(r.scope?.name)}\t${text(r.scope?.version)}\t${attrs(r.attributes)}\t${resource(r.resource)}\n`;
  }
  out.rows = records.length;
  out.data = lines.join('');
  return out;
}

export function encodeSpans(spans: readonly Span[], tenantKey: number): EncodedBatch {
  const out = newBatch('spans');
  const tk = String(tenantKey);
  const resource = resourceCache();
  const lines: string[] = new Array(spans.length);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i] as Span;
    const what = `span ${i}`;
    const start = time(s.startTimeUnixNano, what);
    const end = time(s.endTimeUnixNano, what);
    const day = noteDay(out, start);
    const service = s.serviceName ?? '';
    noteCatalog(out, day, 2, service, s.name ?? '');
    const kind = SPAN_KIND[s.kind] ?? 0;
    const status = STATUS[s.status?.code] ?? 0;
    const events = s.events && s.events.length > 0 ? jsonText(s.events.map((e) => ({ t: String(e.timeUnixNano), n: e.name, a: e.attributes ?? {} }))) : N;
    const links = s.links && s.links.length > 0 ? jsonText(s.links) : N;
    lines[i] =
      `${start}\t${end - start}\t${tk}\t${kind}\t${status}\t${traceId(s.traceId, what, true)}\t${spanId(s.spanId, what, true)}\t${spanId(s.parentSpanId, what, false)}\t` +
      `${text(service)}\t${text(s.name ?? '')}\t${text(s.status?.message)}\t${text(s.traceState)}\t${text(s.scope?.name)}\t${text(s.scope?.version)}\t${attrs(s.attributes)}\t${resource(s.resource)}\t${events}\t${links}\n`;
  }
  out.rows = spans.length;
  out.data = lines.join('');
  return out;
}

/**
 * A series id: 64 bits of SHA-1 over name, service and sorted labels. Collisions need
 * ~4 billion series per tenant to become likely.
 */
export function seriesId(name: string, service: string, labels: Record<string, string>): string {
  const h = createHash('sha1');
  h.update(name);
  h.update('\0');
  h.update(service);
  for (const k of Object.keys(labels).sort()) {
    h.update('\0');
    h.update(k);
    h.update('\u0001');
    h.update(String(labels[k]));
  }
  return h.digest().readBigInt64BE(0).toString();
}

export function encodeMetrics(points: readonly MetricPoint[], tenantKey: number): EncodedBatch {
  const out = newBatch('metric_points');
  const tk = String(tenantKey);
  const lines: string[] = new Array(points.length);
  // Points of one series usually arrive together: hash each distinct series once per batch.
  const ids = new Map<string, string>();
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as MetricPoint;
    const what = `metric point ${i}`;
    const t = time(p.timeUnixNano, what);
    const day = noteDay(out, t);
    const labels = p.labels ?? {};
    const service = p.serviceName ?? '';
    const memo = `${p.name}\u0001${service}\u0001${JSON.stringify(labels)}`;
    let id = ids.get(memo);
    if (id === undefined) {
      id = seriesId(p.name, service, labels);
      ids.set(memo, id);
    }
    const skey = `${day}\u0001${id}`;
    if (!out.series.has(skey)) {
      out.series.set(skey, {
        day,
        id,
        type: METRIC_TYPE[p.type] ?? 1,
        monotonic: p.monotonic ?? null,
        temporality: p.temporality ? TEMPORALITY[p.temporality] : null,
        name: p.name,
        service,
        unit: p.unit ?? null,
        description: p.description ?? null,
        labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
      });
    }
    noteCatalog(out, day, 3, service, p.name);
    let value: number | undefined = p.value;
    let sum: number | undefined;
    let min: number | undefined;
    let max: number | undefined;
    let bounds = N;
    let counts = N;
    let exp = N;
    let summary = N;
    if (p.histogram) {
      value = p.histogram.count;
      sum = p.histogram.sum;
      min = p.histogram.min;
      max = p.histogram.max;
      bounds = floatArray(p.histogram.bounds);
      counts = floatArray(p.histogram.counts);
    } else if (p.exponentialHistogram) {
      value = p.exponentialHistogram.count;
      sum = p.exponentialHistogram.sum;
      min = p.exponentialHistogram.min;
      max = p.exponentialHistogram.max;
      exp = jsonText(p.exponentialHistogram);
    } else if (p.summary) {
      value = p.summary.count;
      sum = p.summary.sum;
      summary = jsonText(p.summary.quantiles);
    }
    lines[i] = `${t}\t${int(p.startTimeUnixNano)}\t${id}\t${tk}\t${float(value)}\t${float(sum)}\t${float(min)}\t${float(max)}\t${bounds}\t${counts}\t${exp}\t${summary}\n`;
  }
  out.rows = points.length;
  out.data = lines.join('');
  return out;
}

export function encodeRum(events: readonly RumEvent[], tenantKey: number): EncodedBatch {
  const out = newBatch('rum_events');
  const tk = String(tenantKey);
  const lines: string[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as RumEvent;
    const what = `RUM event ${i}`;
    const t = time(e.timeUnixNano, what);
    const day = noteDay(out, t);
    noteCatalog(out, day, 4, e.app?.name ?? '', '');
    const b = e.browser;
    lines[i] =
      `${t}\t${float(e.value)}\t${tk}\t${RUM_KIND[e.kind] ?? 5}\t${traceId(e.traceId, what, false)}\t${spanId(e.spanId, what, false)}\t` +
      `${text(e.name ?? '')}\t${text(e.sessionId ?? '')}\t${text(e.userId)}\t${text(e.app?.name ?? '')}\t${text(e.app?.version)}\t${text(e.app?.environment)}\t` +
      `${text(e.page?.url ?? '')}\t${text(e.page?.path)}\t${text(e.page?.query)}\t${text(e.page?.referrer)}\t` +
      `${text(b?.name)}\t${text(b?.version)}\t${text(b?.os)}\t${text(b?.device)}\t${text(b?.userAgent)}\t${text(e.message)}\t${text(e.stack)}\t${attrs(e.attributes)}\n`;
  }
  out.rows = events.length;
  out.data = lines.join('');
  return out;
}
