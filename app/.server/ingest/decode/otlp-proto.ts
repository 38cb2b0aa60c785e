/**
 * OTLP binary protobuf decoders: ExportTraceServiceRequest, ExportLogsServiceRequest and
 * ExportMetricsServiceRequest straight into the normalized model.
 *
 * Why hand-written and not protobufjs (or its generated code):
 *  - OTLP timestamps are fixed64 nanoseconds and the model wants bigint; protobufjs
 *    yields Long objects (or lossy numbers) that we would convert again per field.
 *  - Limits must bite while reading: a 1M-element repeated field, a 100 MB attribute
 *    value or 10k-deep AnyValue nesting has to be cut or refused before it is
 *    materialised, not validated after a generic decoder allocated it all.
 *  - We decode into the model in one pass, with no intermediate message objects:
 *    ids go from bytes to hex, KeyValues to properties, AnyValues to plain values.
 *  - Errors must name the problem (byte offset, path, field) so the client gets a
 *    400 it can act on; invalid items must be rejected one by one (partial success)
 *    rather than failing the whole request.
 * The schema is small and stable (OTLP 1.x is wire-frozen), so a table of field numbers
 * (schema.ts, each cited from its .proto) and one switch per message is all it takes.
 *
 * Tags in the switches are `field_number << 3 | wire_type` written as numbers, with the
 * field named beside each: VARINT = 0, I64 = 1, LEN = 2, I32 = 5.
 */
import type { Attributes, InstrumentationScope, LogRecord, MetricPoint, MetricType, Span, SpanEvent, SpanLink } from '@obstack/plugin-api';
import { allZero, capString, toHex } from './bytes';
import {
  bodyText,
  metricLabels,
  serviceNameOf,
  setAttr,
  severityOf,
  spanKindOf,
  statusCodeOf,
  temporalityOf,
  timeProblem,
  truncationWarning,
  warnings,
} from './build';
import { type DecodeLimits, type DecodeOptions, resolveLimits } from './limits';
import { attribute, anyValue, type Ctx, DROPPED, resource, scope, toIngestError } from './proto-common';
import { type DecodeResult, Report, result } from './report';
import * as S from './schema';
import { ProtoReader, WireError } from './wire';

function start(body: Uint8Array, opts: DecodeOptions | undefined, noun: string): Ctx {
  const limits = resolveLimits(opts?.limits);
  return { r: new ProtoReader(body, limits.maxMessageDepth), limits, report: new Report(limits, noun) };
}

function finish<T>(c: Ctx, items: T[]): DecodeResult<T> {
  if (c.r.truncated > 0) c.report.warn(truncationWarning(c.limits), c.r.truncated);
  return result(items, c.report);
}

const EMPTY_RESOURCE: Attributes = Object.freeze({}) as Attributes;
const UNSET_STATUS = Object.freeze({ code: 'unset' as const });

// ====================================================================================== traces

/** Decodes an OTLP ExportTraceServiceRequest (application/x-protobuf). Throws IngestError (400/413) for an undecodable body. */
export function decodeTracesProtobuf(body: Uint8Array, opts?: DecodeOptions): DecodeResult<Span> {
  const c = start(body, opts, 'spans');
  const out: Span[] = [];
  const r = c.r;
  try {
    const end = body.length;
    let ri = 0;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === 10) {
        // resource_spans = 1
        const e = r.len(end);
        try {
          resourceSpans(c, e, ri, out);
        } catch (err) {
          throw WireError.within(err, `resourceSpans[${ri}]`);
        }
        ri++;
      } else r.skip(tag, end, S.EXPORT_TRACE_REQUEST);
    }
  } catch (e) {
    throw toIngestError(e);
  }
  return finish(c, out);
}

function resourceSpans(c: Ctx, end: number, ri: number, out: Span[]): void {
  const r = c.r;
  r.enter();
  const first = out.length;
  let res = EMPTY_RESOURCE;
  let si = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10) res = resource(c, r.len(end)); // resource = 1
    else if (tag === 18) {
      // scope_spans = 2
      const e = r.len(end);
      try {
        scopeSpans(c, e, ri, si, out);
      } catch (err) {
        throw WireError.within(err, `scopeSpans[${si}]`);
      }
      si++;
    } else r.skip(tag, end, S.RESOURCE_SPANS);
  }
  // The resource may follow its spans on the wire, so it is attached afterwards.
  const svc = serviceNameOf(res);
  for (let i = first; i < out.length; i++) {
    const s = out[i]!;
    s.resource = res;
    s.serviceName = svc;
  }
  r.leave();
}

function scopeSpans(c: Ctx, end: number, ri: number, si: number, out: Span[]): void {
  const r = c.r;
  r.enter();
  const first = out.length;
  let sc: InstrumentationScope | undefined;
  let k = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 18) {
      // spans = 2
      const e = r.len(end);
      c.report.countItem();
      let s: Span | undefined;
      try {
        s = span(c, e, ri, si, k);
      } catch (err) {
        throw WireError.within(err, `spans[${k}]`);
      }
      if (s) out.push(s);
      k++;
    } else if (tag === 10) sc = scope(c, r.len(end)); // scope = 1
    else r.skip(tag, end, S.SCOPE_SPANS);
  }
  if (sc) for (let i = first; i < out.length; i++) out[i]!.scope = sc;
  r.leave();
}

function span(c: Ctx, end: number, ri: number, si: number, k: number): Span | undefined {
  const r = c.r;
  const lim = c.limits;
  r.enter();
  // Ids are remembered as byte ranges and only turned into hex once the span is valid.
  let tS = -1;
  let tE = -1;
  let sS = -1;
  let sE = -1;
  let pS = -1;
  let pE = -1;
  let traceState: string | undefined;
  let name = '';
  let kind = 0;
  let startNs = 0n;
  let endNs = 0n;
  const attributes: Attributes = {};
  let nAttr = 0;
  const events: SpanEvent[] = [];
  const links: SpanLink[] = [];
  let status: Span['status'] = UNSET_STATUS;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case 10: // trace_id = 1
        tE = r.len(end);
        tS = r.pos;
        r.pos = tE;
        break;
      case 18: // span_id = 2
        sE = r.len(end);
        sS = r.pos;
        r.pos = sE;
        break;
      case 26: // trace_state = 3
        traceState = r.string(end, lim.maxNameBytes) || undefined;
        break;
      case 34: // parent_span_id = 4
        pE = r.len(end);
        pS = r.pos;
        r.pos = pE;
        break;
      case 42: // name = 5
        name = r.string(end, lim.maxNameBytes);
        break;
      case 48: // kind = 6
        kind = r.int32(end);
        break;
      case 57: // start_time_unix_nano = 7
        startNs = r.fixed64(end);
        break;
      case 65: // end_time_unix_nano = 8
        endNs = r.fixed64(end);
        break;
      case 74: // attributes = 9
        nAttr = attribute(c, end, attributes, nAttr);
        break;
      case 90: {
        // events = 11
        const e = r.len(end);
        if (events.length >= lim.maxEventsPerSpan) {
          r.pos = e;
          c.report.warn(warnings.events(lim));
        } else {
          const ev = spanEvent(c, e);
          if (ev) events.push(ev);
          else c.report.warn(warnings.badEvent());
        }
        break;
      }
      case 106: {
        // links = 13
        const e = r.len(end);
        if (links.length >= lim.maxLinksPerSpan) {
          r.pos = e;
          c.report.warn(warnings.links(lim));
        } else {
          const l = spanLink(c, e);
          if (l) links.push(l);
          else c.report.warn(warnings.badLink());
        }
        break;
      }
      case 122: // status = 15
        status = spanStatus(c, r.len(end));
        break;
      default: // flags = 16 (no place in the model), dropped_*_count, unknown fields
        r.skip(tag, end, S.SPAN);
    }
  }
  r.leave();
  const buf = r.buf;
  const why =
    idProblem(buf, tS, tE, 16, 'trace id', true) ??
    idProblem(buf, sS, sE, 8, 'span id', true) ??
    (pE - pS > 0 && pE - pS !== 8 ? `parent span id is ${pE - pS} bytes, want 8` : undefined) ??
    timeProblem(startNs, 'start time', lim) ??
    timeProblem(endNs, 'end time', lim) ??
    (endNs < startNs ? 'end time is before start time' : undefined);
  if (why !== undefined) {
    c.report.reject(`resourceSpans[${ri}].scopeSpans[${si}].spans[${k}]`, why);
    return undefined;
  }
  return {
    traceId: toHex(buf, tS, tE),
    spanId: toHex(buf, sS, sE),
    // An all-zero parent is how some SDKs say "root"; the protos call it invalid, so: no parent.
    parentSpanId: pE - pS === 8 && !allZero(buf, pS, pE) ? toHex(buf, pS, pE) : undefined,
    traceState,
    name,
    kind: spanKindOf(kind),
    startTimeUnixNano: startNs,
    endTimeUnixNano: endNs,
    status,
    serviceName: '',
    attributes,
    resource: EMPTY_RESOURCE,
    scope: undefined,
    events,
    links,
  };
}

/** Why an id field is unusable, or undefined when it is fine (or absent and optional). */
function idProblem(buf: Uint8Array, s: number, e: number, want: number, what: string, required: boolean): string | undefined {
  const n = e - s;
  if (s < 0 || n === 0) return required ? `${what} is missing` : undefined;
  if (n !== want) return `${what} is ${n} bytes, want ${want}`;
  if (allZero(buf, s, e)) return required ? `${what} is all zeros` : undefined;
  return undefined;
}

function spanEvent(c: Ctx, end: number): SpanEvent | undefined {
  const r = c.r;
  r.enter();
  let time = 0n;
  let name = '';
  const attributes: Attributes = {};
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 9) time = r.fixed64(end); // time_unix_nano = 1
    else if (tag === 18) name = r.string(end, c.limits.maxNameBytes); // name = 2
    else if (tag === 26) n = attribute(c, end, attributes, n); // attributes = 3
    else r.skip(tag, end, S.SPAN_EVENT);
  }
  r.leave();
  if (timeProblem(time, 'time', c.limits) !== undefined) return undefined;
  return { timeUnixNano: time, name, attributes };
}

function spanLink(c: Ctx, end: number): SpanLink | undefined {
  const r = c.r;
  r.enter();
  let tS = -1;
  let tE = -1;
  let sS = -1;
  let sE = -1;
  let traceState: string | undefined;
  const attributes: Attributes = {};
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case 10: // trace_id = 1
        tE = r.len(end);
        tS = r.pos;
        r.pos = tE;
        break;
      case 18: // span_id = 2
        sE = r.len(end);
        sS = r.pos;
        r.pos = sE;
        break;
      case 26: // trace_state = 3
        traceState = r.string(end, c.limits.maxNameBytes) || undefined;
        break;
      case 34: // attributes = 4
        n = attribute(c, end, attributes, n);
        break;
      default: // dropped_attributes_count = 5, flags = 6
        r.skip(tag, end, S.SPAN_LINK);
    }
  }
  r.leave();
  const buf = r.buf;
  if (idProblem(buf, tS, tE, 16, 'trace id', true) ?? idProblem(buf, sS, sE, 8, 'span id', true)) return undefined;
  return { traceId: toHex(buf, tS, tE), spanId: toHex(buf, sS, sE), traceState, attributes };
}

function spanStatus(c: Ctx, end: number): Span['status'] {
  const r = c.r;
  r.enter();
  let code = 0;
  let message: string | undefined;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 24) code = r.int32(end); // code = 3
    else if (tag === 18) message = r.string(end, c.limits.maxNameBytes) || undefined; // message = 2
    else r.skip(tag, end, S.STATUS);
  }
  r.leave();
  return message === undefined && code === 0 ? UNSET_STATUS : { code: statusCodeOf(code), message };
}

// ======================================================================================== logs

/** Decodes an OTLP ExportLogsServiceRequest (application/x-protobuf). */
export function decodeLogsProtobuf(body: Uint8Array, opts?: DecodeOptions): DecodeResult<LogRecord> {
  const c = start(body, opts, 'log records');
  const received = opts?.receivedAtUnixNano ?? BigInt(Date.now()) * 1_000_000n;
  const out: LogRecord[] = [];
  const r = c.r;
  try {
    const end = body.length;
    let ri = 0;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === 10) {
        // resource_logs = 1
        const e = r.len(end);
        try {
          resourceLogs(c, e, ri, out, received);
        } catch (err) {
          throw WireError.within(err, `resourceLogs[${ri}]`);
        }
        ri++;
      } else r.skip(tag, end, S.EXPORT_LOGS_REQUEST);
    }
  } catch (e) {
    throw toIngestError(e);
  }
  return finish(c, out);
}

function resourceLogs(c: Ctx, end: number, ri: number, out: LogRecord[], received: bigint): void {
  const r = c.r;
  r.enter();
  const first = out.length;
  let res = EMPTY_RESOURCE;
  let si = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10) res = resource(c, r.len(end)); // resource = 1
    else if (tag === 18) {
      // scope_logs = 2
      const e = r.len(end);
      try {
        scopeLogs(c, e, ri, si, out, received);
      } catch (err) {
        throw WireError.within(err, `scopeLogs[${si}]`);
      }
      si++;
    } else r.skip(tag, end, S.RESOURCE_LOGS);
  }
  const svc = serviceNameOf(res);
  for (let i = first; i < out.length; i++) {
    const l = out[i]!;
    l.resource = res;
    l.serviceName = svc;
  }
  r.leave();
}

function scopeLogs(c: Ctx, end: number, ri: number, si: number, out: LogRecord[], received: bigint): void {
  const r = c.r;
  r.enter();
  const first = out.length;
  let sc: InstrumentationScope | undefined;
  let k = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 18) {
      // log_records = 2
      const e = r.len(end);
      c.report.countItem();
      let l: LogRecord | undefined;
      try {
        l = logRecord(c, e, ri, si, k, received);
      } catch (err) {
        throw WireError.within(err, `logRecords[${k}]`);
      }
      if (l) out.push(l);
      k++;
    } else if (tag === 10) sc = scope(c, r.len(end)); // scope = 1
    else r.skip(tag, end, S.SCOPE_LOGS);
  }
  if (sc) for (let i = first; i < out.length; i++) out[i]!.scope = sc;
  r.leave();
}

function logRecord(c: Ctx, end: number, ri: number, si: number, k: number, received: bigint): LogRecord | undefined {
  const r = c.r;
  const lim = c.limits;
  r.enter();
  let time = 0n;
  let observed = 0n;
  let severity = 0;
  let severityText: string | undefined;
  let body = '';
  const attributes: Attributes = {};
  let nAttr = 0;
  let flags = 0;
  let tS = -1;
  let tE = -1;
  let sS = -1;
  let sE = -1;
  let eventName = '';
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case 9: // time_unix_nano = 1
        time = r.fixed64(end);
        break;
      case 89: // observed_time_unix_nano = 11
        observed = r.fixed64(end);
        break;
      case 16: // severity_number = 2
        severity = r.int32(end);
        break;
      case 26: // severity_text = 3
        severityText = r.string(end, lim.maxNameBytes) || undefined;
        break;
      case 42: {
        // body = 5: strings are cut while reading; structured bodies after JSON encoding
        const v = anyValue(c, r.len(end), 0, lim.maxLogBodyBytes);
        body = v === DROPPED ? '' : bodyText(v);
        if (typeof v !== 'string') {
          const capped = capString(body, lim.maxLogBodyBytes);
          if (capped !== body) r.truncated++;
          body = capped;
        }
        break;
      }
      case 50: // attributes = 6
        nAttr = attribute(c, end, attributes, nAttr);
        break;
      case 69: // flags = 8
        flags = r.fixed32(end);
        break;
      case 74: // trace_id = 9
        tE = r.len(end);
        tS = r.pos;
        r.pos = tE;
        break;
      case 82: // span_id = 10
        sE = r.len(end);
        sS = r.pos;
        r.pos = sE;
        break;
      case 98: // event_name = 12
        eventName = r.string(end, lim.maxNameBytes);
        break;
      default:
        r.skip(tag, end, S.LOG_RECORD);
    }
  }
  r.leave();
  const buf = r.buf;
  // Optional ids: absent, empty or all-zero mean "no trace context"; a wrong length is garbage.
  const why =
    idProblem(buf, tS, tE, 16, 'trace id', false) ??
    idProblem(buf, sS, sE, 8, 'span id', false) ??
    (time !== 0n ? timeProblem(time, 'time', lim) : undefined) ??
    (observed !== 0n ? timeProblem(observed, 'observed time', lim) : undefined);
  if (why !== undefined) {
    c.report.reject(`resourceLogs[${ri}].scopeLogs[${si}].logRecords[${k}]`, why);
    return undefined;
  }
  // The model has no event_name; the semantic-convention attribute carries it.
  if (eventName !== '' && attributes['event.name'] === undefined) setAttr(attributes, 'event.name', eventName);
  return {
    // logs.proto: "Use time_unix_nano if it is present, otherwise use observed_time_unix_nano."
    timeUnixNano: time !== 0n ? time : observed !== 0n ? observed : received,
    observedTimeUnixNano: observed !== 0n ? observed : undefined,
    severityNumber: severityOf(severity),
    severityText,
    body,
    serviceName: '',
    attributes,
    resource: EMPTY_RESOURCE,
    scope: undefined,
    traceId: tE - tS === 16 && !allZero(buf, tS, tE) ? toHex(buf, tS, tE) : undefined,
    spanId: sE - sS === 8 && !allZero(buf, sS, sE) ? toHex(buf, sS, sE) : undefined,
    flags: flags !== 0 ? flags : undefined,
  };
}

// ===================================================================================== metrics

/** Decodes an OTLP ExportMetricsServiceRequest (application/x-protobuf). */
export function decodeMetricsProtobuf(body: Uint8Array, opts?: DecodeOptions): DecodeResult<MetricPoint> {
  const c = start(body, opts, 'data points');
  const out: MetricPoint[] = [];
  const r = c.r;
  try {
    const end = body.length;
    let ri = 0;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === 10) {
        // resource_metrics = 1
        const e = r.len(end);
        try {
          resourceMetrics(c, e, ri, out);
        } catch (err) {
          throw WireError.within(err, `resourceMetrics[${ri}]`);
        }
        ri++;
      } else r.skip(tag, end, S.EXPORT_METRICS_REQUEST);
    }
  } catch (e) {
    throw toIngestError(e);
  }
  return finish(c, out);
}

/** Point attributes wait here until the resource (which may come later on the wire) is known. */
interface MetricsScratch {
  attrs: Attributes[];
}

function resourceMetrics(c: Ctx, end: number, ri: number, out: MetricPoint[]): void {
  const r = c.r;
  r.enter();
  const first = out.length;
  const scratch: MetricsScratch = { attrs: [] };
  let res = EMPTY_RESOURCE;
  let si = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10) res = resource(c, r.len(end)); // resource = 1
    else if (tag === 18) {
      // scope_metrics = 2
      const e = r.len(end);
      try {
        scopeMetrics(c, e, `resourceMetrics[${ri}].scopeMetrics[${si}]`, out, scratch);
      } catch (err) {
        throw WireError.within(err, `scopeMetrics[${si}]`);
      }
      si++;
    } else r.skip(tag, end, S.RESOURCE_METRICS);
  }
  const svc = serviceNameOf(res);
  for (let i = first; i < out.length; i++) {
    const p = out[i]!;
    p.serviceName = svc;
    p.labels = metricLabels(scratch.attrs[i - first]!, res, svc);
  }
  r.leave();
}

function scopeMetrics(c: Ctx, end: number, where: string, out: MetricPoint[], scratch: MetricsScratch): void {
  const r = c.r;
  r.enter();
  let mi = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 18) {
      // metrics = 2
      const e = r.len(end);
      try {
        metric(c, e, `${where}.metrics[${mi}]`, out, scratch);
      } catch (err) {
        throw WireError.within(err, `metrics[${mi}]`);
      }
      mi++;
    } else r.skip(tag, end, S.SCOPE_METRICS); // scope = 1: the model's points carry no scope
  }
  r.leave();
}

/** What a Metric's data message says about all of its points. */
interface Shape {
  type: MetricType;
  temporality: number;
  monotonic: boolean | undefined;
}

function metric(c: Ctx, end: number, where: string, out: MetricPoint[], scratch: MetricsScratch): void {
  const r = c.r;
  const lim = c.limits;
  r.enter();
  const first = out.length;
  let name = '';
  let nameTooLong = false;
  let description: string | undefined;
  let unit: string | undefined;
  const shape: Shape = { type: 'gauge', temporality: 0, monotonic: undefined };
  let data = '';
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case 10: {
        // name = 1: a name is the series identity, so an over-long one rejects rather than truncates
        const e = r.len(end);
        nameTooLong = e - r.pos > lim.maxNameBytes;
        if (nameTooLong) r.pos = e;
        else name = r.text(e);
        break;
      }
      case 18: // description = 2
        description = r.string(end, lim.maxAttributeValueBytes) || undefined;
        break;
      case 26: // unit = 3
        unit = r.string(end, lim.maxNameBytes) || undefined;
        break;
      case 42: // gauge = 5
        shape.type = 'gauge';
        data = 'gauge';
        dataMessage(c, r.len(end), `${where}.gauge`, 'gauge', shape, out, scratch);
        break;
      case 58: // sum = 7
        shape.type = 'sum';
        data = 'sum';
        dataMessage(c, r.len(end), `${where}.sum`, 'sum', shape, out, scratch);
        break;
      case 74: // histogram = 9
        shape.type = 'histogram';
        data = 'histogram';
        dataMessage(c, r.len(end), `${where}.histogram`, 'histogram', shape, out, scratch);
        break;
      case 82: // exponential_histogram = 10
        shape.type = 'exponential_histogram';
        data = 'exponentialHistogram';
        dataMessage(c, r.len(end), `${where}.exponentialHistogram`, 'exponential_histogram', shape, out, scratch);
        break;
      case 90: // summary = 11
        shape.type = 'summary';
        data = 'summary';
        dataMessage(c, r.len(end), `${where}.summary`, 'summary', shape, out, scratch);
        break;
      default: // metadata = 12, unknown fields
        r.skip(tag, end, S.METRIC);
    }
  }
  r.leave();
  const n = out.length - first;
  if (n === 0) return;
  if (name === '' || nameTooLong) {
    c.report.reject(
      `${where}${data ? `.${data}` : ''}`,
      nameTooLong ? `metric name is longer than ${lim.maxNameBytes} bytes` : 'metric has no name',
      n,
    );
    out.length = first;
    scratch.attrs.length -= n;
    return;
  }
  // Name, unit and the data message's temporality may all arrive after the points.
  const temporality = shape.type === 'gauge' || shape.type === 'summary' ? undefined : temporalityOf(shape.temporality);
  for (let i = first; i < out.length; i++) {
    const p = out[i]!;
    p.name = name;
    p.unit = unit;
    p.description = description;
    p.temporality = temporality;
    p.monotonic = shape.type === 'sum' ? shape.monotonic === true : undefined;
  }
}

/** Gauge, Sum, Histogram, ExponentialHistogram and Summary share field 1 (data_points) and 2 (aggregation_temporality). */
function dataMessage(c: Ctx, end: number, where: string, type: MetricType, shape: Shape, out: MetricPoint[], scratch: MetricsScratch): void {
  const r = c.r;
  r.enter();
  const desc = type === 'gauge' ? S.GAUGE : type === 'sum' ? S.SUM : type === 'histogram' ? S.HISTOGRAM : type === 'summary' ? S.SUMMARY : S.EXP_HISTOGRAM;
  let k = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10) {
      // data_points = 1
      const e = r.len(end);
      c.report.countItem();
      const attrs: Attributes = {};
      let p: MetricPoint | string | undefined;
      try {
        p =
          type === 'gauge' || type === 'sum'
            ? numberPoint(c, e, type, attrs)
            : type === 'histogram'
              ? histogramPoint(c, e, attrs)
              : type === 'summary'
                ? summaryPoint(c, e, attrs)
                : expHistogramPoint(c, e, attrs);
      } catch (err) {
        throw WireError.within(err, `dataPoints[${k}]`);
      }
      if (typeof p === 'string') c.report.reject(`${where}.dataPoints[${k}]`, p);
      else if (p) {
        out.push(p);
        scratch.attrs.push(attrs);
      }
      k++;
    } else if (tag === 16 && type !== 'gauge' && type !== 'summary') {
      shape.temporality = r.int32(end); // aggregation_temporality = 2
    } else if (tag === 24 && type === 'sum') {
      shape.monotonic = r.bool(end); // is_monotonic = 3
    } else r.skip(tag, end, desc);
  }
  r.leave();
}

/** A point with everything the Metric and resource will fill in left blank. */
function blankPoint(type: MetricType, time: bigint, startNs: bigint): MetricPoint {
  return {
    name: '',
    type,
    unit: undefined,
    description: undefined,
    temporality: undefined,
    monotonic: undefined,
    timeUnixNano: time,
    startTimeUnixNano: startNs !== 0n ? startNs : undefined,
    serviceName: '',
    labels: EMPTY_LABELS,
    value: undefined,
    histogram: undefined,
    exponentialHistogram: undefined,
    summary: undefined,
  };
}

const EMPTY_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK (metrics.proto): a staleness marker, not a value. */
const NO_RECORDED_VALUE = 1;

function pointTimes(time: bigint, startNs: bigint, lim: DecodeLimits): string | undefined {
  return timeProblem(time, 'time', lim) ?? (startNs !== 0n ? timeProblem(startNs, 'start time', lim) : undefined);
}

/** Returns the point, a rejection reason, or undefined for a no-recorded-value marker (skipped, not rejected). */
function numberPoint(c: Ctx, end: number, type: MetricType, attrs: Attributes): MetricPoint | string | undefined {
  const r = c.r;
  r.enter();
  let time = 0n;
  let startNs = 0n;
  let value: number | undefined;
  let flags = 0;
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case 58: // attributes = 7
        n = attribute(c, end, attrs, n);
        break;
      case 17: // start_time_unix_nano = 2
        startNs = r.fixed64(end);
        break;
      case 25: // time_unix_nano = 3
        time = r.fixed64(end);
        break;
      case 33: // as_double = 4
        value = r.double(end);
        break;
      case 49: // as_int = 6 (sfixed64)
        value = r.sfixed64Number(end);
        break;
      case 64: // flags = 8
        flags = r.uint32(end);
        break;
      default: // exemplars = 5
        r.skip(tag, end, S.NUMBER_POINT);
    }
  }
  r.leave();
  if (flags & NO_RECORDED_VALUE) return undefined;
  const why = pointTimes(time, startNs, c.limits) ?? (value === undefined ? 'point has neither as_double nor as_int' : undefined);
  if (why !== undefined) return why;
  const p = blankPoint(type, time, startNs);
  p.value = value;
  return p;
}

/** Reads one occurrence of a repeated double/fixed64 field, packed (LEN) or not (I64), into `into`. */
function repeated64(c: Ctx, tag: number, end: number, into: number[], asDouble: boolean): boolean {
  const r = c.r;
  const max = c.limits.maxBuckets;
  if ((tag & 7) === 2) {
    const e = r.len(end);
    if ((e - r.pos) % 8 !== 0) r.fail('packed 64-bit field length is not a multiple of 8');
    if (into.length + (e - r.pos) / 8 > max) {
      r.pos = e;
      return false;
    }
    while (r.pos < e) into.push(asDouble ? r.double(e) : r.fixed64Number(e));
    return true;
  }
  if (into.length >= max) {
    r.double(end); // consume and drop
    return false;
  }
  into.push(asDouble ? r.double(end) : r.fixed64Number(end));
  return true;
}

function histogramPoint(c: Ctx, end: number, attrs: Attributes): MetricPoint | string | undefined {
  const r = c.r;
  r.enter();
  let time = 0n;
  let startNs = 0n;
  let count = 0;
  let sum: number | undefined;
  let min: number | undefined;
  let max: number | undefined;
  const counts: number[] = [];
  const bounds: number[] = [];
  let tooMany = false;
  let flags = 0;
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case 74: // attributes = 9
        n = attribute(c, end, attrs, n);
        break;
      case 17: // start_time_unix_nano = 2
        startNs = r.fixed64(end);
        break;
      case 25: // time_unix_nano = 3
        time = r.fixed64(end);
        break;
      case 33: // count = 4 (fixed64)
        count = r.fixed64Number(end);
        break;
      case 41: // sum = 5 (optional double)
        sum = r.double(end);
        break;
      case 49: // bucket_counts = 6 (repeated fixed64), unpacked
      case 50: // packed
        if (!repeated64(c, tag, end, counts, false)) tooMany = true;
        break;
      case 57: // explicit_bounds = 7 (repeated double), unpacked
      case 58: // packed
        if (!repeated64(c, tag, end, bounds, true)) tooMany = true;
        break;
      case 80: // flags = 10
        flags = r.uint32(end);
        break;
      case 89: // min = 11
        min = r.double(end);
        break;
      case 97: // max = 12
        max = r.double(end);
        break;
      default: // exemplars = 8
        r.skip(tag, end, S.HISTOGRAM_POINT);
    }
  }
  r.leave();
  if (flags & NO_RECORDED_VALUE) return undefined;
  const why =
    pointTimes(time, startNs, c.limits) ??
    (tooMany ? `histogram has more than ${c.limits.maxBuckets} buckets` : undefined) ??
    (counts.length !== 0 && counts.length !== bounds.length + 1
      ? `histogram has ${counts.length} bucket counts for ${bounds.length} explicit bounds (want bounds + 1)`
      : undefined);
  if (why !== undefined) return why;
  const p = blankPoint('histogram', time, startNs);
  p.histogram = { count, sum, min, max, bounds, counts };
  return p;
}

function expHistogramPoint(c: Ctx, end: number, attrs: Attributes): MetricPoint | string | undefined {
  const r = c.r;
  r.enter();
  let time = 0n;
  let startNs = 0n;
  let count = 0;
  let sum: number | undefined;
  let min: number | undefined;
  let max: number | undefined;
  let scale = 0;
  let zeroCount = 0;
  let positive = { offset: 0, counts: [] as number[] };
  let negative = { offset: 0, counts: [] as number[] };
  let tooMany = false;
  let flags = 0;
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case 10: // attributes = 1
        n = attribute(c, end, attrs, n);
        break;
      case 17: // start_time_unix_nano = 2
        startNs = r.fixed64(end);
        break;
      case 25: // time_unix_nano = 3
        time = r.fixed64(end);
        break;
      case 33: // count = 4 (fixed64)
        count = r.fixed64Number(end);
        break;
      case 41: // sum = 5
        sum = r.double(end);
        break;
      case 48: // scale = 6 (sint32)
        scale = r.sint32(end);
        break;
      case 57: // zero_count = 7 (fixed64)
        zeroCount = r.fixed64Number(end);
        break;
      case 66: // positive = 8
        positive = buckets(c, r.len(end));
        if (positive.counts.length > c.limits.maxBuckets) tooMany = true;
        break;
      case 74: // negative = 9
        negative = buckets(c, r.len(end));
        if (negative.counts.length > c.limits.maxBuckets) tooMany = true;
        break;
      case 80: // flags = 10
        flags = r.uint32(end);
        break;
      case 97: // min = 12
        min = r.double(end);
        break;
      case 105: // max = 13
        max = r.double(end);
        break;
      default: // exemplars = 11, zero_threshold = 14 (no place in the model)
        r.skip(tag, end, S.EXP_HISTOGRAM_POINT);
    }
  }
  r.leave();
  if (flags & NO_RECORDED_VALUE) return undefined;
  const why = pointTimes(time, startNs, c.limits) ?? (tooMany ? `exponential histogram has more than ${c.limits.maxBuckets} buckets on one side` : undefined);
  if (why !== undefined) return why;
  const p = blankPoint('exponential_histogram', time, startNs);
  p.exponentialHistogram = { count, sum, min, max, scale, zeroCount, positive, negative };
  return p;
}

/** Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }. Stops storing past maxBuckets + 1 (the caller rejects). */
function buckets(c: Ctx, end: number): { offset: number; counts: number[] } {
  const r = c.r;
  r.enter();
  const max = c.limits.maxBuckets;
  let offset = 0;
  const counts: number[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 8) offset = r.sint32(end); // offset = 1
    else if (tag === 18) {
      // bucket_counts = 2, packed varints
      const e = r.len(end);
      while (r.pos < e) {
        const v = r.uint64(e);
        if (counts.length <= max) counts.push(v);
      }
    } else if (tag === 16) {
      // bucket_counts = 2, unpacked
      const v = r.uint64(end);
      if (counts.length <= max) counts.push(v);
    } else r.skip(tag, end, S.EXP_BUCKETS);
  }
  r.leave();
  return { offset, counts };
}

function summaryPoint(c: Ctx, end: number, attrs: Attributes): MetricPoint | string | undefined {
  const r = c.r;
  r.enter();
  let time = 0n;
  let startNs = 0n;
  let count = 0;
  let sum = 0;
  const quantiles: Array<{ quantile: number; value: number }> = [];
  let tooMany = false;
  let flags = 0;
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case 58: // attributes = 7
        n = attribute(c, end, attrs, n);
        break;
      case 17: // start_time_unix_nano = 2
        startNs = r.fixed64(end);
        break;
      case 25: // time_unix_nano = 3
        time = r.fixed64(end);
        break;
      case 33: // count = 4 (fixed64)
        count = r.fixed64Number(end);
        break;
      case 41: // sum = 5
        sum = r.double(end);
        break;
      case 50: {
        // quantile_values = 6
        const e = r.len(end);
        if (quantiles.length >= c.limits.maxBuckets) {
          tooMany = true;
          r.pos = e;
        } else quantiles.push(valueAtQuantile(c, e));
        break;
      }
      case 64: // flags = 8
        flags = r.uint32(end);
        break;
      default:
        r.skip(tag, end, S.SUMMARY_POINT);
    }
  }
  r.leave();
  if (flags & NO_RECORDED_VALUE) return undefined;
  const why = pointTimes(time, startNs, c.limits) ?? (tooMany ? `summary has more than ${c.limits.maxBuckets} quantiles` : undefined);
  if (why !== undefined) return why;
  const p = blankPoint('summary', time, startNs);
  p.summary = { count, sum, quantiles };
  return p;
}

function valueAtQuantile(c: Ctx, end: number): { quantile: number; value: number } {
  const r = c.r;
  r.enter();
  let quantile = 0;
  let value = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 9) quantile = r.double(end); // quantile = 1
    else if (tag === 17) value = r.double(end); // value = 2
    else r.skip(tag, end, S.VALUE_AT_QUANTILE);
  }
  r.leave();
  return { quantile, value };
}
