/**
 * The normalized telemetry model shared by the host, the UI and every plugin.
 *
 * Time: telemetry carries nanoseconds since the Unix epoch as `bigint`
 * (`...UnixNano`); queries and query results that feed the UI use milliseconds
 * (`...Ms`, plain numbers). Trace and span ids are lowercase hex strings
 * (32 and 16 characters).
 */

export type Signal = 'logs' | 'metrics' | 'traces' | 'rum' | 'cost';
export const SIGNALS: readonly Signal[] = ['logs', 'metrics', 'traces', 'rum', 'cost'];

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface InstrumentationScope {
  name: string;
  version?: string;
}

// ---------------------------------------------------------------------------- logs

/** OTLP severity numbers: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL, 0 unset. */
export type SeverityName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unset';

export interface LogRecord {
  timeUnixNano: bigint;
  observedTimeUnixNano?: bigint;
  severityNumber: number;
  severityText?: string;
  /** The body as text; structured bodies arrive JSON-encoded. */
  body: string;
  /** `service.name` of the resource, copied out because every view filters on it. */
  serviceName: string;
  attributes: Attributes;
  resource: Attributes;
  scope?: InstrumentationScope;
  traceId?: string;
  spanId?: string;
  flags?: number;
}

// -------------------------------------------------------------------------- traces

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCode = 'unset' | 'ok' | 'error';

export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
}

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  status: { code: StatusCode; message?: string };
  serviceName: string;
  attributes: Attributes;
  resource: Attributes;
  scope?: InstrumentationScope;
  events: SpanEvent[];
  links: SpanLink[];
}

export interface Trace {
  traceId: string;
  /** Every stored span of the trace, ordered by start time. */
  spans: Span[];
}

// ------------------------------------------------------------------------- metrics

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
export type Temporality = 'cumulative' | 'delta';

/** Explicit-bucket histogram: `counts[i]` observations fell in (bounds[i-1], bounds[i]]; the last bucket is (bounds[n-1], +Inf). */
export interface HistogramValue {
  count: number;
  sum?: number;
  min?: number;
  max?: number;
  bounds: number[];
  counts: number[];
}

export interface ExponentialHistogramValue {
  count: number;
  sum?: number;
  min?: number;
  max?: number;
  scale: number;
  zeroCount: number;
  positive: { offset: number; counts: number[] };
  negative: { offset: number; counts: number[] };
}

export interface SummaryValue {
  count: number;
  sum: number;
  quantiles: Array<{ quantile: number; value: number }>;
}

/**
 * One data point of one series. A series is identified by `name` plus `labels`
 * (point attributes, resource attributes and `service.name` flattened to strings).
 * Exactly one of value / histogram / exponentialHistogram / summary is set, per `type`.
 */
export interface MetricPoint {
  name: string;
  type: MetricType;
  unit?: string;
  description?: string;
  temporality?: Temporality;
  monotonic?: boolean;
  timeUnixNano: bigint;
  startTimeUnixNano?: bigint;
  serviceName: string;
  labels: Record<string, string>;
  value?: number;
  histogram?: HistogramValue;
  exponentialHistogram?: ExponentialHistogramValue;
  summary?: SummaryValue;
}

// ----------------------------------------------------------------------------- RUM

export type RumEventKind = 'page_view' | 'web_vital' | 'error' | 'log' | 'event' | 'measurement' | 'session';

export interface RumEvent {
  timeUnixNano: bigint;
  kind: RumEventKind;
  /** Event name: vital name (LCP, INP, CLS...), custom event name, error type... */
  name: string;
  /** Numeric value where the kind has one (web vitals, measurements). */
  value?: number;
  message?: string;
  stack?: string;
  sessionId: string;
  userId?: string;
  app: { name: string; version?: string; environment?: string };
  page: { url: string; path?: string; query?: string; referrer?: string };
  browser?: { name?: string; version?: string; os?: string; device?: string; userAgent?: string };
  traceId?: string;
  spanId?: string;
  attributes: Attributes;
}

// ---------------------------------------------------------------------------- cost

export interface CostAllocation {
  windowStartMs: number;
  windowEndMs: number;
  /** What the cost is aggregated by (namespace, controller, pod, label:team...). */
  aggregate: string;
  /** The value of that aggregate (e.g. the namespace name). */
  name: string;
  properties: Record<string, string>;
  cpuCost: number;
  ramCost: number;
  gpuCost: number;
  pvCost: number;
  networkCost: number;
  totalCost: number;
  currency: string;
}

// ---------------------------------------------------------------------- write path

/**
 * One batch from the ingest pipeline. `id` is stable across redeliveries of the
 * same batch: a sink that has already stored `id` for this tenant must not store
 * its rows again.
 */
export type WriteBatch =
  | { id: string; signal: 'logs'; records: LogRecord[] }
  | { id: string; signal: 'traces'; spans: Span[] }
  | { id: string; signal: 'metrics'; points: MetricPoint[] }
  | { id: string; signal: 'rum'; events: RumEvent[] }
  | { id: string; signal: 'cost'; allocations: CostAllocation[] };

export interface WriteResult {
  /** Items stored by this call (0 for a batch already stored). */
  accepted: number;
  /** True when the batch id had been stored before and nothing was written. */
  duplicate?: boolean;
}

/** Number of items in a batch, whatever its signal. */
export function batchSize(batch: WriteBatch): number {
  switch (batch.signal) {
    case 'logs':
      return batch.records.length;
    case 'traces':
      return batch.spans.length;
    case 'metrics':
      return batch.points.length;
    case 'rum':
      return batch.events.length;
    case 'cost':
      return batch.allocations.length;
  }
}
