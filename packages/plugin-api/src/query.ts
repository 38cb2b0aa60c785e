/**
 * The unified query model: one shape per signal that every plugin answers, so the
 * UI and the host never speak a backend's language. Plugins that speak one can also
 * take a native query (PromQL, LogQL, TraceQL, SQL) through `queryNative`.
 */
import type { CostAllocation, LogRecord, RumEvent, RumEventKind, Signal, StatusCode } from './model';

/** Half-open range [startMs, endMs) in milliseconds since the epoch. */
export interface TimeRange {
  startMs: number;
  endMs: number;
}

export type FilterOp = '=' | '!=' | '=~' | '!~' | 'exists' | '!exists' | '>' | '>=' | '<' | '<=' | 'contains';

/**
 * A condition on an attribute (or label). `=~`/`!~` take an RE2-compatible regular
 * expression that must match the whole value; `contains` is a case-insensitive
 * substring; `>`..`<=` compare numbers; `exists`/`!exists` take no value.
 */
export interface AttributeFilter {
  key: string;
  op: FilterOp;
  value?: string | number | boolean;
}

export type Direction = 'backward' | 'forward';

export interface LogsQuery {
  range: TimeRange;
  /** Full-text search on the body: every word must appear (case-insensitive). */
  text?: string;
  services?: string[];
  /** Lowest severity number to include (e.g. 13 for WARN and above). */
  minSeverity?: number;
  traceId?: string;
  filters?: AttributeFilter[];
  /** At most this many records (the host caps it at 5000). */
  limit: number;
  /** backward: newest first (the default for views); forward: oldest first. */
  direction: Direction;
  /** Opaque continuation token from a previous result's `nextCursor`. */
  cursor?: string;
  /** Also count matching records per bucket of this size (the histogram over the view). */
  volumeStepMs?: number;
}

export interface LogVolumeBucket {
  /** Bucket start, ms. */
  t: number;
  count: number;
  /** Counts per severity name within the bucket. */
  bySeverity?: Record<string, number>;
}

export interface LogsResult {
  records: LogRecord[];
  nextCursor?: string;
  volume?: LogVolumeBucket[];
  warnings?: string[];
}

export type MetricAggregation = 'none' | 'sum' | 'avg' | 'min' | 'max' | 'count' | 'p50' | 'p90' | 'p95' | 'p99';

export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface MetricsQuery {
  range: TimeRange;
  metric: string;
  matchers?: LabelMatcher[];
  /**
   * Per-second rate of a counter (cumulative or delta sums, histogram counts),
   * computed per series before aggregation.
   */
  rate?: boolean;
  /**
   * How series are combined per step. p50..p99 apply to histograms (computed from
   * bucket counts by linear interpolation within the bucket, as Prometheus'
   * histogram_quantile does) and, for plain values, to the values in the step.
   */
  aggregation: MetricAggregation;
  /** Labels to keep; series that share them are aggregated together. */
  groupBy?: string[];
  /** Resolution; every returned series has one slot per step across the range. */
  stepMs: number;
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  /** Step timestamps in ms, ascending. */
  timestamps: number[];
  /** One value per timestamp; null where there was no data. */
  values: Array<number | null>;
}

export interface MetricsResult {
  series: Series[];
  warnings?: string[];
}

export interface TracesQuery {
  range: TimeRange;
  service?: string;
  operation?: string;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Traces that contain at least one span with this status. */
  status?: StatusCode;
  /** Span attribute (or resource attribute) conditions; a trace matches if one span matches all. */
  filters?: AttributeFilter[];
  limit: number;
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  startMs: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface TracesResult {
  traces: TraceSummary[];
  warnings?: string[];
}

export interface ServiceStats {
  service: string;
  /** Spans of kind server/consumer (or root spans) counted as requests. */
  requests: number;
  errors: number;
  /** Requests per second over the range. */
  rate: number;
  /** errors / requests, 0..1. */
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface RumQuery {
  range: TimeRange;
  kinds?: RumEventKind[];
  sessionId?: string;
  pagePath?: string;
  filters?: AttributeFilter[];
  limit: number;
  /** With groupBy, answer counts (and value percentiles) per group instead of events. */
  groupBy?: Array<'kind' | 'name' | 'page' | 'browser' | 'os' | 'device' | 'app'>;
}

export interface RumGroup {
  key: Record<string, string>;
  count: number;
  sessions: number;
  p75Value: number | null;
}

export interface RumResult {
  events: RumEvent[];
  groups?: RumGroup[];
  warnings?: string[];
}

export interface CostQuery {
  range: TimeRange;
  /** namespace | cluster | controller | pod | node | label:<name> ... */
  aggregate: string;
  filters?: AttributeFilter[];
  /** Split the range into windows of this size; omit for one window. */
  stepMs?: number;
}

export interface CostResult {
  allocations: CostAllocation[];
  warnings?: string[];
}

export type NativeLanguage = 'promql' | 'logql' | 'traceql' | 'sql';

export interface NativeQuery {
  language: NativeLanguage;
  query: string;
  range: TimeRange;
  stepMs?: number;
  limit?: number;
}

/** A column-oriented table, the shape native query answers take (after Grafana's data frames). */
export interface DataFrame {
  name?: string;
  fields: Array<{
    name: string;
    type: 'time' | 'number' | 'string' | 'boolean' | 'other';
    values: unknown[];
    labels?: Record<string, string>;
  }>;
}

export interface NativeResult {
  frames: DataFrame[];
  warnings?: string[];
}

export interface MetadataQuery {
  range?: TimeRange;
  /** Restrict to one service where that makes sense (operations, label values). */
  service?: string;
}

export type { Signal };
