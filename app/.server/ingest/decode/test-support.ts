/**
 * Test-only helpers: what the official OpenTelemetry SDK recorded, converted into the
 * normalized model by rules written independently of the decoders (so a test compares
 * the decoder with the SDK, not with itself). Imported by *.test.ts only.
 */
import type { AttributeValue, Attributes, LogRecord, MetricPoint, Span } from '@obstack/plugin-api';
import type { Attributes as OtelAttributes, AnyValue as OtelAnyValue, HrTime } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

export function hrToNs([s, ns]: HrTime): bigint {
  return BigInt(s) * 1_000_000_000n + BigInt(ns);
}

/** An SDK attribute value as the model should hold it: integers past 2^53 become decimal strings. */
function expectValue(v: unknown): AttributeValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v).toString() : v;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(expectValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expectValue(x)]));
  return String(v);
}

export function expectAttrs(a: OtelAttributes | Record<string, OtelAnyValue> | undefined): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(a ?? {})) if (v !== undefined) out[k] = expectValue(v);
  return out;
}

const KINDS = ['internal', 'server', 'client', 'producer', 'consumer'] as const; // @opentelemetry/api SpanKind order
const CODES = ['unset', 'ok', 'error'] as const; // @opentelemetry/api SpanStatusCode order

export function expectSpan(s: ReadableSpan): Span {
  const ctx = s.spanContext();
  const resource = expectAttrs(s.resource.attributes);
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: s.parentSpanContext?.spanId,
    traceState: ctx.traceState?.serialize() || undefined,
    name: s.name,
    kind: KINDS[s.kind]!,
    startTimeUnixNano: hrToNs(s.startTime),
    endTimeUnixNano: hrToNs(s.endTime),
    status: { code: CODES[s.status.code]!, message: s.status.message || undefined },
    serviceName: String(resource['service.name'] ?? 'unknown_service'),
    attributes: expectAttrs(s.attributes),
    resource,
    scope: { name: s.instrumentationScope.name, version: s.instrumentationScope.version },
    events: s.events.map((e) => ({ timeUnixNano: hrToNs(e.time), name: e.name, attributes: expectAttrs(e.attributes) })),
    links: s.links.map((l) => ({
      traceId: l.context.traceId,
      spanId: l.context.spanId,
      traceState: l.context.traceState?.serialize() || undefined,
      attributes: expectAttrs(l.attributes),
    })),
  };
}

export function expectLog(l: ReadableLogRecord): LogRecord {
  const resource = expectAttrs(l.resource.attributes);
  const attributes = expectAttrs(l.attributes);
  if (l.eventName) attributes['event.name'] = l.eventName;
  const body = l.body;
  return {
    timeUnixNano: hrToNs(l.hrTime),
    observedTimeUnixNano: hrToNs(l.hrTimeObserved),
    severityNumber: l.severityNumber ?? 0,
    severityText: l.severityText,
    body: body === undefined || body === null ? '' : typeof body === 'string' ? body : JSON.stringify(expectValue(body)),
    serviceName: String(resource['service.name'] ?? 'unknown_service'),
    attributes,
    resource,
    scope: { name: l.instrumentationScope.name, version: l.instrumentationScope.version },
    traceId: l.spanContext?.traceId,
    spanId: l.spanContext?.spanId,
    flags: l.spanContext?.traceFlags || undefined,
  };
}

function labelOf(v: AttributeValue): string {
  return typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v ?? '');
}

/** Every data point the SDK collected, as the model says it should look (labels: resource, then point, then service.name). */
export function expectPoints(rm: ResourceMetrics): MetricPoint[] {
  const resource = expectAttrs(rm.resource.attributes);
  const serviceName = String(resource['service.name'] ?? 'unknown_service');
  const out: MetricPoint[] = [];
  for (const sm of rm.scopeMetrics) {
    for (const m of sm.metrics) {
      for (const dp of m.dataPoints) {
        const labels: Record<string, string> = {};
        for (const [k, v] of Object.entries(resource)) labels[k] = labelOf(v);
        for (const [k, v] of Object.entries(expectAttrs(dp.attributes))) labels[k] = labelOf(v);
        labels['service.name'] = serviceName;
        const base = {
          name: m.descriptor.name,
          unit: m.descriptor.unit || undefined,
          description: m.descriptor.description || undefined,
          timeUnixNano: hrToNs(dp.endTime),
          startTimeUnixNano: hrToNs(dp.startTime),
          serviceName,
          labels,
        };
        // sdk-metrics AggregationTemporality: DELTA = 0, CUMULATIVE = 1.
        const temporality = m.aggregationTemporality === 0 ? 'delta' : 'cumulative';
        switch (m.dataPointType) {
          case DataPointType.GAUGE:
            out.push({ ...base, type: 'gauge', value: dp.value as number });
            break;
          case DataPointType.SUM:
            out.push({ ...base, type: 'sum', temporality, monotonic: m.isMonotonic, value: dp.value as number });
            break;
          case DataPointType.HISTOGRAM: {
            const h = m.dataPoints.find((x) => x === dp)!.value as {
              count: number;
              sum?: number;
              min?: number;
              max?: number;
              buckets: { boundaries: number[]; counts: number[] };
            };
            out.push({
              ...base,
              type: 'histogram',
              temporality,
              histogram: { count: h.count, sum: h.sum, min: h.min, max: h.max, bounds: h.buckets.boundaries, counts: h.buckets.counts },
            });
            break;
          }
          case DataPointType.EXPONENTIAL_HISTOGRAM: {
            const e = dp.value as {
              count: number;
              sum?: number;
              min?: number;
              max?: number;
              scale: number;
              zeroCount: number;
              positive: { offset: number; bucketCounts: number[] };
              negative: { offset: number; bucketCounts: number[] };
            };
            out.push({
              ...base,
              type: 'exponential_histogram',
              temporality,
              exponentialHistogram: {
                count: e.count,
                sum: e.sum,
                min: e.min,
                max: e.max,
                scale: e.scale,
                zeroCount: e.zeroCount,
                positive: { offset: e.positive.offset, counts: e.positive.bucketCounts },
                negative: { offset: e.negative.offset, counts: e.negative.bucketCounts },
              },
            });
            break;
          }
        }
      }
    }
  }
  return out;
}
