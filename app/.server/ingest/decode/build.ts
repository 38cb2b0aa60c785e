import type { AttributeValue, Attributes, SpanKind, StatusCode } from '@obstack/plugin-api';
import { type DecodeLimits } from './limits';

/**
 * Conversion rules into the normalized model that the protobuf, JSON, remote_write and
 * Faro decoders share, so the two OTLP encodings cannot disagree.
 */

export const UNKNOWN_SERVICE = 'unknown_service';

/**
 * Sets an attribute without ever touching the prototype: a client-sent key
 * "__proto__" must become data, not replace the object's prototype.
 */
export function setAttr<V>(target: Record<string, V>, key: string, value: NoInfer<V>): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** `service.name` of a resource, or the OTel SDK's own default when it is missing or not a string. */
export function serviceNameOf(resource: Attributes): string {
  const v = resource['service.name'];
  return typeof v === 'string' && v !== '' ? v : UNKNOWN_SERVICE;
}

// opentelemetry/proto/trace/v1/trace.proto, enum Span.SpanKind: 0 UNSPECIFIED, 1 INTERNAL,
// 2 SERVER, 3 CLIENT, 4 PRODUCER, 5 CONSUMER.
const SPAN_KINDS: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
/** Unknown enum values (open enums in proto3) map to 'unspecified'. */
export function spanKindOf(n: number): SpanKind {
  return SPAN_KINDS[n] ?? 'unspecified';
}
export const SPAN_KIND_NAMES: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

// trace.proto, enum Status.StatusCode: 0 UNSET, 1 OK, 2 ERROR.
const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error'];
export function statusCodeOf(n: number): StatusCode {
  return STATUS_CODES[n] ?? 'unset';
}
export const STATUS_CODE_NAMES: Readonly<Record<string, number>> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

// metrics.proto, enum AggregationTemporality: 0 UNSPECIFIED, 1 DELTA, 2 CUMULATIVE.
export const TEMPORALITY_NAMES: Readonly<Record<string, number>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};
export function temporalityOf(n: number): 'delta' | 'cumulative' | undefined {
  return n === 1 ? 'delta' : n === 2 ? 'cumulative' : undefined;
}

// logs.proto, enum SeverityNumber: SEVERITY_NUMBER_TRACE = 1 … SEVERITY_NUMBER_FATAL4 = 24.
const SEVERITY_BASE = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
export const SEVERITY_NAMES: Readonly<Record<string, number>> = Object.fromEntries([
  ['SEVERITY_NUMBER_UNSPECIFIED', 0],
  ...SEVERITY_BASE.flatMap((b, i) => [1, 2, 3, 4].map((k) => [`SEVERITY_NUMBER_${b}${k === 1 ? '' : k}`, i * 4 + k])),
]);
/** Out-of-range severity numbers become 0 (unset); the text is kept as sent. */
export function severityOf(n: number): number {
  return n >= 0 && n <= 24 ? n : 0;
}

/**
 * Flattens an attribute value to a label string: strings as is, numbers and booleans
 * as JS prints them (so doubles are "1.5", "NaN", "Infinity"), null as "", and arrays
 * and maps as JSON. The rule is the one Prometheus-style backends need — one string per
 * label — without inventing Prometheus name mangling, which the model does not require.
 */
export function flattenLabel(v: AttributeValue): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * Metric labels: point attributes win over resource attributes of the same key (the
 * point is more specific), and `service.name` is always present.
 */
export function metricLabels(point: Attributes, resource: Attributes, serviceName: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const k of Object.keys(resource)) setAttr(labels, k, flattenLabel(resource[k]!));
  for (const k of Object.keys(point)) setAttr(labels, k, flattenLabel(point[k]!));
  labels['service.name'] = serviceName;
  return labels;
}

/** Log body AnyValue to the model's text: strings as is, everything else as JSON (bytes are already base64 strings). */
export function bodyText(v: AttributeValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function timeProblem(ns: bigint, what: string, limits: DecodeLimits): string | undefined {
  if (ns === 0n) return `${what} is missing`;
  if (ns < limits.minTimeUnixNano) return `${what} ${ns} is before ${isoOf(limits.minTimeUnixNano)} (is it in ms or s instead of ns?)`;
  if (ns > limits.maxTimeUnixNano) return `${what} ${ns} is after ${isoOf(limits.maxTimeUnixNano)}`;
  return undefined;
}

function isoOf(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);
}

export function truncationWarning(limits: DecodeLimits): string {
  return (
    `string cut to its size limit (attribute values ${limits.maxAttributeValueBytes} bytes, ` +
    `names ${limits.maxNameBytes} bytes, bodies ${limits.maxLogBodyBytes} bytes)`
  );
}

export const warnings = {
  attributes: (l: DecodeLimits) => `attribute dropped over the limit of ${l.maxAttributes} per item`,
  key: (l: DecodeLimits) => `attribute dropped for a key longer than ${l.maxAttributeKeyBytes} bytes or empty`,
  array: (l: DecodeLimits) => `array element dropped over the limit of ${l.maxArrayValues}`,
  depth: (l: DecodeLimits) => `value dropped for nesting deeper than ${l.maxAnyValueDepth} levels`,
  events: (l: DecodeLimits) => `span event dropped over the limit of ${l.maxEventsPerSpan} per span`,
  links: (l: DecodeLimits) => `span link dropped over the limit of ${l.maxLinksPerSpan} per span`,
  badEvent: () => 'span event dropped for a missing or absurd timestamp',
  badLink: () => 'span link dropped for an invalid trace or span id',
};
