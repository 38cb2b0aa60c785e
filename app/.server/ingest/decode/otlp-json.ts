/**
 * OTLP/JSON decoders (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding"):
 * the proto3 JSON mapping with OTLP's deviations — traceId/spanId are case-insensitive
 * hex (not base64), enums are integers, keys are lowerCamelCase, unknown fields are
 * ignored, 64-bit integers arrive as decimal strings or numbers.
 *
 * Leniency we chose (the Collector's JSON unmarshaler does the same): original
 * snake_case field names are accepted as aliases and enum names are accepted next to
 * integers. Ids are not lenient: a base64 id is rejected with a message that says
 * hex is expected, because guessing would mis-read a 32-character base64 string.
 */
import type { AttributeValue, Attributes, InstrumentationScope, LogRecord, MetricPoint, MetricType, Span, SpanEvent, SpanLink } from '@obstack/plugin-api';
import { capString, isHex, isZeroHex, parseBase64 } from './bytes';
import {
  bodyText,
  metricLabels,
  serviceNameOf,
  setAttr,
  severityOf,
  SEVERITY_NAMES,
  SPAN_KIND_NAMES,
  spanKindOf,
  STATUS_CODE_NAMES,
  statusCodeOf,
  TEMPORALITY_NAMES,
  temporalityOf,
  timeProblem,
  truncationWarning,
  warnings,
} from './build';
import { badBody, guard } from './errors';
import {
  bool,
  double,
  enumValue,
  envelopeArray,
  envelopeObject,
  get,
  int32,
  int64Num,
  int64Value,
  isObj,
  ItemError,
  itemArray,
  itemString,
  type JsonObject,
  optDouble,
  parseJsonBody,
  uint64Big,
  uint64Num,
} from './json';
import { type DecodeLimits, type DecodeOptions, resolveLimits, TRUNCATION_MARKER } from './limits';
import { type DecodeResult, Report, result } from './report';

/** Per-request state: limits, the report and a count of strings cut to their limit. */
interface JCtx {
  readonly limits: DecodeLimits;
  readonly report: Report;
  truncated: number;
}

function jctx(opts: DecodeOptions | undefined, noun: string): JCtx {
  const limits = resolveLimits(opts?.limits);
  return { limits, report: new Report(limits, noun), truncated: 0 };
}

function done<T>(c: JCtx, items: T[]): DecodeResult<T> {
  if (c.truncated > 0) c.report.warn(truncationWarning(c.limits), c.truncated);
  return result(items, c.report);
}

function cap(c: JCtx, s: string, max: number): string {
  const out = capString(s, max);
  if (out !== s) c.truncated++;
  return out;
}

const DROPPED = Symbol('dropped');
const MALFORMED = Symbol('malformed');

// ---------------------------------------------------------------------------- AnyValue

/**
 * A JSON AnyValue (`{"stringValue": …}` and friends) to an AttributeValue. MALFORMED for a
 * value of the wrong JSON type, DROPPED for a container past the depth limit.
 */
function anyValue(c: JCtx, v: unknown, depth: number, maxString: number): AttributeValue | typeof DROPPED | typeof MALFORMED {
  if (!isObj(v)) return MALFORMED;
  let x = get(v, 'stringValue', 'string_value');
  if (x !== undefined) return typeof x === 'string' ? cap(c, x, maxString) : MALFORMED;
  x = get(v, 'boolValue', 'bool_value');
  if (x !== undefined) return typeof x === 'boolean' ? x : MALFORMED;
  x = get(v, 'intValue', 'int_value');
  if (x !== undefined) return int64Value(x) ?? MALFORMED;
  x = get(v, 'doubleValue', 'double_value');
  if (x !== undefined) {
    try {
      return double(x, 'doubleValue');
    } catch {
      return MALFORMED;
    }
  }
  x = get(v, 'arrayValue', 'array_value');
  if (x !== undefined) {
    if (depth >= c.limits.maxAnyValueDepth) {
      c.report.warn(warnings.depth(c.limits));
      return DROPPED;
    }
    if (!isObj(x)) return MALFORMED;
    const values = get(x, 'values');
    if (values !== undefined && !Array.isArray(values)) return MALFORMED;
    const out: AttributeValue[] = [];
    for (const el of values ?? []) {
      if (out.length >= c.limits.maxArrayValues) {
        c.report.warn(warnings.array(c.limits));
        break;
      }
      const ev = anyValue(c, el, depth + 1, c.limits.maxAttributeValueBytes);
      if (ev === MALFORMED) return MALFORMED;
      if (ev !== DROPPED) out.push(ev);
    }
    return out;
  }
  x = get(v, 'kvlistValue', 'kvlist_value');
  if (x !== undefined) {
    if (depth >= c.limits.maxAnyValueDepth) {
      c.report.warn(warnings.depth(c.limits));
      return DROPPED;
    }
    if (!isObj(x)) return MALFORMED;
    const values = get(x, 'values');
    if (values !== undefined && !Array.isArray(values)) return MALFORMED;
    const out: Attributes = {};
    addAttributes(c, values ?? [], out, depth + 1);
    return out;
  }
  x = get(v, 'bytesValue', 'bytes_value');
  if (x !== undefined) {
    if (typeof x !== 'string') return MALFORMED;
    const bytes = parseBase64(x);
    if (!bytes) return MALFORMED;
    const max = c.limits.maxAttributeValueBytes;
    if (bytes.length > max) {
      c.truncated++;
      return bytes.subarray(0, max).toString('base64') + TRUNCATION_MARKER;
    }
    return bytes.toString('base64');
  }
  return null; // an empty AnyValue
}

/** Adds a JSON `repeated KeyValue` to `target`, with the same limits as the protobuf path. */
function addAttributes(c: JCtx, list: unknown[], target: Attributes, depth: number): void {
  const lim = c.limits;
  let n = 0;
  for (const kv of list) {
    if (n >= lim.maxAttributes) {
      c.report.warn(warnings.attributes(lim), list.length - n);
      return;
    }
    if (!isObj(kv)) {
      c.report.warn('attribute dropped: not a {"key", "value"} object');
      continue;
    }
    const key = kv.key;
    if (typeof key !== 'string' || key === '' || capString(key, lim.maxAttributeKeyBytes) !== key) {
      c.report.warn(warnings.key(lim));
      continue;
    }
    const raw = kv.value;
    const v = raw === undefined || raw === null ? null : anyValue(c, raw, depth, lim.maxAttributeValueBytes);
    if (v === MALFORMED) {
      c.report.warn('attribute dropped: malformed AnyValue');
      continue;
    }
    if (v === DROPPED) continue;
    setAttr(target, key, v);
    n++;
  }
}

function itemAttributes(c: JCtx, v: unknown): Attributes {
  const out: Attributes = {};
  addAttributes(c, itemArray(v, 'attributes'), out, 0);
  return out;
}

function resourceOf(c: JCtx, holder: JsonObject, path: string): Attributes {
  const res = envelopeObject(get(holder, 'resource'), `${path}.resource`);
  const out: Attributes = {};
  if (res) addAttributes(c, envelopeArray(res, 'attributes', undefined, `${path}.resource.attributes`), out, 0);
  return out;
}

function scopeOf(c: JCtx, holder: JsonObject, path: string): InstrumentationScope | undefined {
  const s = envelopeObject(get(holder, 'scope'), `${path}.scope`);
  if (!s) return undefined;
  const name = s.name;
  const version = s.version;
  if (typeof name !== 'string' && name !== undefined && name !== null) throw badBody('invalid_request', `${path}.scope.name must be a string`);
  if (typeof version !== 'string' && version !== undefined && version !== null) throw badBody('invalid_request', `${path}.scope.version must be a string`);
  const n = typeof name === 'string' ? cap(c, name, c.limits.maxNameBytes) : '';
  const ver = typeof version === 'string' && version !== '' ? cap(c, version, c.limits.maxNameBytes) : undefined;
  return n === '' && ver === undefined ? undefined : { name: n, version: ver };
}

/** Hex ids: case-insensitive per the spec, stored lowercase. Undefined when absent (or all zeros and optional). */
function hexId(v: unknown, bytes: number, what: string, required: boolean): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) throw new ItemError(`${what} is missing`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ItemError(`${what} must be a hex string`);
  if (v.length !== bytes * 2 || !isHex(v)) {
    throw new ItemError(`${what} must be ${bytes * 2} hex characters (OTLP/JSON encodes ids as hex, not base64), got ${JSON.stringify(v.slice(0, 64))}`);
  }
  if (isZeroHex(v)) {
    if (required) throw new ItemError(`${what} is all zeros`);
    return undefined;
  }
  return v.toLowerCase();
}

function checkTime(ns: bigint, what: string, lim: DecodeLimits): void {
  const why = timeProblem(ns, what, lim);
  if (why !== undefined) throw new ItemError(why);
}

/** Runs one item's decoder; an ItemError becomes a rejection at `where`. */
function item<T>(c: JCtx, where: () => string, fn: () => T): T | undefined {
  c.report.countItem();
  try {
    return fn();
  } catch (e) {
    if (e instanceof ItemError) {
      c.report.reject(where(), e.message);
      return undefined;
    }
    throw e;
  }
}

function objects(list: unknown[], path: string): JsonObject[] {
  for (let i = 0; i < list.length; i++) if (!isObj(list[i])) throw badBody('invalid_request', `${path}[${i}] must be an object`);
  return list as JsonObject[];
}

// ------------------------------------------------------------------------------ traces

/** Decodes an OTLP/JSON ExportTraceServiceRequest. Throws IngestError (400/413) for an undecodable body. */
export function decodeTracesJson(body: Uint8Array | string, opts?: DecodeOptions): DecodeResult<Span> {
  return guard('json', () => {
    const root = parseJsonBody(body);
    return tracesFromJson(root, jctx(opts, 'spans'));
  });
}

/** Shared with the Faro decoder, whose `traces` member is an ExportTraceServiceRequest in OTLP/JSON. */
export function tracesFromJsonObject(root: JsonObject, opts?: DecodeOptions): DecodeResult<Span> {
  return guard('json', () => tracesFromJson(root, jctx(opts, 'spans')));
}

function tracesFromJson(root: JsonObject, c: JCtx): DecodeResult<Span> {
  const out: Span[] = [];
  const rss = objects(envelopeArray(root, 'resourceSpans', 'resource_spans', 'resourceSpans'), 'resourceSpans');
  for (let ri = 0; ri < rss.length; ri++) {
    const rs = rss[ri]!;
    const rp = `resourceSpans[${ri}]`;
    const res = resourceOf(c, rs, rp);
    const svc = serviceNameOf(res);
    const sss = objects(envelopeArray(rs, 'scopeSpans', 'scope_spans', `${rp}.scopeSpans`), `${rp}.scopeSpans`);
    for (let si = 0; si < sss.length; si++) {
      const ss = sss[si]!;
      const sp = `${rp}.scopeSpans[${si}]`;
      const sc = scopeOf(c, ss, sp);
      const spans = envelopeArray(ss, 'spans', undefined, `${sp}.spans`);
      for (let k = 0; k < spans.length; k++) {
        const s = item(
          c,
          () => `${sp}.spans[${k}]`,
          () => span(c, spans[k], res, svc, sc),
        );
        if (s) out.push(s);
      }
    }
  }
  return done(c, out);
}

function span(c: JCtx, v: unknown, resource: Attributes, serviceName: string, scope: InstrumentationScope | undefined): Span {
  if (!isObj(v)) throw new ItemError('span must be an object');
  const lim = c.limits;
  const traceId = hexId(get(v, 'traceId', 'trace_id'), 16, 'traceId', true)!;
  const spanId = hexId(get(v, 'spanId', 'span_id'), 8, 'spanId', true)!;
  const parentSpanId = hexId(get(v, 'parentSpanId', 'parent_span_id'), 8, 'parentSpanId', false);
  const startNs = uint64Big(get(v, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
  const endNs = uint64Big(get(v, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano');
  checkTime(startNs, 'start time', lim);
  checkTime(endNs, 'end time', lim);
  if (endNs < startNs) throw new ItemError('end time is before start time');
  const st = get(v, 'status');
  let status: Span['status'] = { code: 'unset' };
  if (st !== undefined && st !== null) {
    if (!isObj(st)) throw new ItemError('status must be an object');
    const message = cap(c, itemString(st.message, 'status.message'), lim.maxNameBytes);
    status = { code: statusCodeOf(enumValue(st.code, 'status.code', STATUS_CODE_NAMES)), message: message || undefined };
  }
  const events: SpanEvent[] = [];
  for (const e of itemArray(get(v, 'events'), 'events')) {
    if (events.length >= lim.maxEventsPerSpan) {
      c.report.warn(warnings.events(lim));
      break;
    }
    const ev = spanEvent(c, e);
    if (ev) events.push(ev);
    else c.report.warn(warnings.badEvent());
  }
  const links: SpanLink[] = [];
  for (const l of itemArray(get(v, 'links'), 'links')) {
    if (links.length >= lim.maxLinksPerSpan) {
      c.report.warn(warnings.links(lim));
      break;
    }
    const link = spanLink(c, l);
    if (link) links.push(link);
    else c.report.warn(warnings.badLink());
  }
  return {
    traceId,
    spanId,
    parentSpanId,
    traceState: cap(c, itemString(get(v, 'traceState', 'trace_state'), 'traceState'), lim.maxNameBytes) || undefined,
    name: cap(c, itemString(get(v, 'name'), 'name'), lim.maxNameBytes),
    kind: spanKindOf(enumValue(get(v, 'kind'), 'kind', SPAN_KIND_NAMES)),
    startTimeUnixNano: startNs,
    endTimeUnixNano: endNs,
    status,
    serviceName,
    attributes: itemAttributes(c, get(v, 'attributes')),
    resource,
    scope,
    events,
    links,
  };
}

function spanEvent(c: JCtx, v: unknown): SpanEvent | undefined {
  try {
    if (!isObj(v)) return undefined;
    const time = uint64Big(get(v, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
    if (timeProblem(time, 'time', c.limits) !== undefined) return undefined;
    return { timeUnixNano: time, name: cap(c, itemString(get(v, 'name'), 'name'), c.limits.maxNameBytes), attributes: itemAttributes(c, get(v, 'attributes')) };
  } catch (e) {
    if (e instanceof ItemError) return undefined;
    throw e;
  }
}

function spanLink(c: JCtx, v: unknown): SpanLink | undefined {
  try {
    if (!isObj(v)) return undefined;
    return {
      traceId: hexId(get(v, 'traceId', 'trace_id'), 16, 'traceId', true)!,
      spanId: hexId(get(v, 'spanId', 'span_id'), 8, 'spanId', true)!,
      traceState: cap(c, itemString(get(v, 'traceState', 'trace_state'), 'traceState'), c.limits.maxNameBytes) || undefined,
      attributes: itemAttributes(c, get(v, 'attributes')),
    };
  } catch (e) {
    if (e instanceof ItemError) return undefined;
    throw e;
  }
}

// -------------------------------------------------------------------------------- logs

/** Decodes an OTLP/JSON ExportLogsServiceRequest. */
export function decodeLogsJson(body: Uint8Array | string, opts?: DecodeOptions): DecodeResult<LogRecord> {
  return guard('json', () => {
    const root = parseJsonBody(body);
    const c = jctx(opts, 'log records');
    const received = opts?.receivedAtUnixNano ?? BigInt(Date.now()) * 1_000_000n;
    const out: LogRecord[] = [];
    const rls = objects(envelopeArray(root, 'resourceLogs', 'resource_logs', 'resourceLogs'), 'resourceLogs');
    for (let ri = 0; ri < rls.length; ri++) {
      const rl = rls[ri]!;
      const rp = `resourceLogs[${ri}]`;
      const res = resourceOf(c, rl, rp);
      const svc = serviceNameOf(res);
      const sls = objects(envelopeArray(rl, 'scopeLogs', 'scope_logs', `${rp}.scopeLogs`), `${rp}.scopeLogs`);
      for (let si = 0; si < sls.length; si++) {
        const sl = sls[si]!;
        const sp = `${rp}.scopeLogs[${si}]`;
        const sc = scopeOf(c, sl, sp);
        const records = envelopeArray(sl, 'logRecords', 'log_records', `${sp}.logRecords`);
        for (let k = 0; k < records.length; k++) {
          const l = item(
            c,
            () => `${sp}.logRecords[${k}]`,
            () => logRecord(c, records[k], res, svc, sc, received),
          );
          if (l) out.push(l);
        }
      }
    }
    return done(c, out);
  });
}

function logRecord(c: JCtx, v: unknown, resource: Attributes, serviceName: string, scope: InstrumentationScope | undefined, received: bigint): LogRecord {
  if (!isObj(v)) throw new ItemError('log record must be an object');
  const lim = c.limits;
  const traceId = hexId(get(v, 'traceId', 'trace_id'), 16, 'traceId', false);
  const spanId = hexId(get(v, 'spanId', 'span_id'), 8, 'spanId', false);
  const time = uint64Big(get(v, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
  const observed = uint64Big(get(v, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano');
  if (time !== 0n) checkTime(time, 'time', lim);
  if (observed !== 0n) checkTime(observed, 'observed time', lim);
  const rawBody = get(v, 'body');
  let body = '';
  if (rawBody !== undefined && rawBody !== null) {
    const b = anyValue(c, rawBody, 0, lim.maxLogBodyBytes);
    if (b === MALFORMED) throw new ItemError('body must be an AnyValue object');
    body = b === DROPPED ? '' : bodyText(b);
    if (typeof b !== 'string') body = cap(c, body, lim.maxLogBodyBytes);
  }
  const attributes = itemAttributes(c, get(v, 'attributes'));
  const eventName = itemString(get(v, 'eventName', 'event_name'), 'eventName');
  if (eventName !== '' && attributes['event.name'] === undefined) setAttr(attributes, 'event.name', cap(c, eventName, lim.maxNameBytes));
  const flags = uint64Num(get(v, 'flags'), 'flags');
  return {
    timeUnixNano: time !== 0n ? time : observed !== 0n ? observed : received,
    observedTimeUnixNano: observed !== 0n ? observed : undefined,
    severityNumber: severityOf(enumValue(get(v, 'severityNumber', 'severity_number'), 'severityNumber', SEVERITY_NAMES)),
    severityText: cap(c, itemString(get(v, 'severityText', 'severity_text'), 'severityText'), lim.maxNameBytes) || undefined,
    body,
    serviceName,
    attributes,
    resource,
    scope,
    traceId,
    spanId,
    flags: flags !== 0 ? flags : undefined,
  };
}

// ----------------------------------------------------------------------------- metrics

const DATA_KINDS: ReadonlyArray<readonly [camel: string, snake: string, type: MetricType]> = [
  ['gauge', 'gauge', 'gauge'],
  ['sum', 'sum', 'sum'],
  ['histogram', 'histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram', 'exponential_histogram'],
  ['summary', 'summary', 'summary'],
];

/** Decodes an OTLP/JSON ExportMetricsServiceRequest. */
export function decodeMetricsJson(body: Uint8Array | string, opts?: DecodeOptions): DecodeResult<MetricPoint> {
  return guard('json', () => {
    const root = parseJsonBody(body);
    const c = jctx(opts, 'data points');
    const out: MetricPoint[] = [];
    const rms = objects(envelopeArray(root, 'resourceMetrics', 'resource_metrics', 'resourceMetrics'), 'resourceMetrics');
    for (let ri = 0; ri < rms.length; ri++) {
      const rm = rms[ri]!;
      const rp = `resourceMetrics[${ri}]`;
      const res = resourceOf(c, rm, rp);
      const svc = serviceNameOf(res);
      const sms = objects(envelopeArray(rm, 'scopeMetrics', 'scope_metrics', `${rp}.scopeMetrics`), `${rp}.scopeMetrics`);
      for (let si = 0; si < sms.length; si++) {
        const sp = `${rp}.scopeMetrics[${si}]`;
        const metrics = objects(envelopeArray(sms[si]!, 'metrics', undefined, `${sp}.metrics`), `${sp}.metrics`);
        for (let mi = 0; mi < metrics.length; mi++) {
          const m = metrics[mi]!;
          const mp = `${sp}.metrics[${mi}]`;
          for (const [camel, snake, type] of DATA_KINDS) {
            const data = envelopeObject(get(m, camel, snake), `${mp}.${camel}`);
            if (data) metricData(c, m, data, type, `${mp}.${camel}`, res, svc, out);
          }
        }
      }
    }
    return done(c, out);
  });
}

function metricData(c: JCtx, m: JsonObject, data: JsonObject, type: MetricType, path: string, res: Attributes, svc: string, out: MetricPoint[]): void {
  const lim = c.limits;
  const points = envelopeArray(data, 'dataPoints', 'data_points', `${path}.dataPoints`);
  const name = m.name;
  if (typeof name !== 'string' || name === '' || capString(name, lim.maxNameBytes) !== name) {
    c.report.countItem(points.length);
    if (points.length > 0) {
      const why = typeof name !== 'string' || name === '' ? 'metric has no name' : `metric name is longer than ${lim.maxNameBytes} bytes`;
      c.report.reject(path, why, points.length);
    }
    return;
  }
  let temporality: MetricPoint['temporality'];
  let monotonic: boolean | undefined;
  let description: string | undefined;
  let unit: string | undefined;
  try {
    if (type !== 'gauge' && type !== 'summary') {
      temporality = temporalityOf(enumValue(get(data, 'aggregationTemporality', 'aggregation_temporality'), 'aggregationTemporality', TEMPORALITY_NAMES));
    }
    if (type === 'sum') monotonic = bool(get(data, 'isMonotonic', 'is_monotonic'), 'isMonotonic');
    description = cap(c, itemString(m.description, 'description'), lim.maxAttributeValueBytes) || undefined;
    unit = cap(c, itemString(m.unit, 'unit'), lim.maxNameBytes) || undefined;
  } catch (e) {
    // A malformed field of the Metric applies to every point, so every point is rejected.
    if (!(e instanceof ItemError)) throw e;
    c.report.countItem(points.length);
    if (points.length > 0) c.report.reject(path, e.message, points.length);
    return;
  }
  for (let k = 0; k < points.length; k++) {
    const p = item(
      c,
      () => `${path}.dataPoints[${k}]`,
      () => dataPoint(c, points[k], type, res, svc),
    );
    if (p) {
      p.name = name;
      p.unit = unit;
      p.description = description;
      p.temporality = temporality;
      p.monotonic = monotonic;
      out.push(p);
    }
  }
}

/** DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK: staleness markers are skipped, not stored or rejected. */
const NO_RECORDED_VALUE = 1;

function dataPoint(c: JCtx, v: unknown, type: MetricType, res: Attributes, svc: string): MetricPoint | undefined {
  if (!isObj(v)) throw new ItemError('data point must be an object');
  const lim = c.limits;
  const time = uint64Big(get(v, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
  const startNs = uint64Big(get(v, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
  if (int32(get(v, 'flags'), 'flags') & NO_RECORDED_VALUE) return undefined;
  checkTime(time, 'time', lim);
  if (startNs !== 0n) checkTime(startNs, 'start time', lim);
  const attrs = itemAttributes(c, get(v, 'attributes'));
  const p: MetricPoint = {
    name: '',
    type,
    unit: undefined,
    description: undefined,
    temporality: undefined,
    monotonic: undefined,
    timeUnixNano: time,
    startTimeUnixNano: startNs !== 0n ? startNs : undefined,
    serviceName: svc,
    labels: metricLabels(attrs, res, svc),
    value: undefined,
    histogram: undefined,
    exponentialHistogram: undefined,
    summary: undefined,
  };
  if (type === 'gauge' || type === 'sum') {
    const d = get(v, 'asDouble', 'as_double');
    const i = get(v, 'asInt', 'as_int');
    if (d !== undefined && d !== null) p.value = double(d, 'asDouble');
    else if (i !== undefined && i !== null) p.value = int64Num(i, 'asInt');
    else throw new ItemError('point has neither asDouble nor asInt');
  } else if (type === 'histogram') {
    const counts = numbers(get(v, 'bucketCounts', 'bucket_counts'), 'bucketCounts', lim, uint64Num);
    const bounds = numbers(get(v, 'explicitBounds', 'explicit_bounds'), 'explicitBounds', lim, double);
    if (counts.length !== 0 && counts.length !== bounds.length + 1) {
      throw new ItemError(`histogram has ${counts.length} bucket counts for ${bounds.length} explicit bounds (want bounds + 1)`);
    }
    p.histogram = {
      count: uint64Num(get(v, 'count'), 'count'),
      sum: optDouble(get(v, 'sum'), 'sum'),
      min: optDouble(get(v, 'min'), 'min'),
      max: optDouble(get(v, 'max'), 'max'),
      bounds,
      counts,
    };
  } else if (type === 'exponential_histogram') {
    p.exponentialHistogram = {
      count: uint64Num(get(v, 'count'), 'count'),
      sum: optDouble(get(v, 'sum'), 'sum'),
      min: optDouble(get(v, 'min'), 'min'),
      max: optDouble(get(v, 'max'), 'max'),
      scale: int32(get(v, 'scale'), 'scale'),
      zeroCount: uint64Num(get(v, 'zeroCount', 'zero_count'), 'zeroCount'),
      positive: expBuckets(get(v, 'positive'), 'positive', lim),
      negative: expBuckets(get(v, 'negative'), 'negative', lim),
    };
  } else {
    const qs = itemArray(get(v, 'quantileValues', 'quantile_values'), 'quantileValues');
    if (qs.length > lim.maxBuckets) throw new ItemError(`summary has more than ${lim.maxBuckets} quantiles`);
    p.summary = {
      count: uint64Num(get(v, 'count'), 'count'),
      sum: optDouble(get(v, 'sum'), 'sum') ?? 0,
      quantiles: qs.map((q, i) => {
        if (!isObj(q)) throw new ItemError(`quantileValues[${i}] must be an object`);
        return { quantile: optDouble(q.quantile, 'quantile') ?? 0, value: optDouble(q.value, 'value') ?? 0 };
      }),
    };
  }
  return p;
}

function numbers(v: unknown, what: string, lim: DecodeLimits, conv: (x: unknown, what: string) => number): number[] {
  const list = itemArray(v, what);
  if (list.length > lim.maxBuckets) throw new ItemError(`${what} has more than ${lim.maxBuckets} entries`);
  return list.map((x) => conv(x, what));
}

function expBuckets(v: unknown, what: string, lim: DecodeLimits): { offset: number; counts: number[] } {
  if (v === undefined || v === null) return { offset: 0, counts: [] };
  if (!isObj(v)) throw new ItemError(`${what} must be an object`);
  return { offset: int32(v.offset, `${what}.offset`), counts: numbers(get(v, 'bucketCounts', 'bucket_counts'), `${what}.bucketCounts`, lim, uint64Num) };
}
