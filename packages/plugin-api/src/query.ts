/**
 * The unified query model: one shape per signal that every plugin answers, so the
 * UI and the host never speak a backend's language. Plugins that speak one can also
 * take a native query (PromQL, LogQL, TraceQL, SQL) through `queryNative`.
 */
import type { CostAllocation, LogRecord, RumEvent, RumEventKind, Signal, StatusCode } from './model';

/**
 * Half-open range [startMs, endMs) in milliseconds since the epoch. A record with a
 * nanosecond time `t` is inside when `startMs * 1e6 <= t < endMs * 1e6`.
 */
export interface TimeRange {
  startMs: number;
  endMs: number;
}

export type FilterOp = '=' | '!=' | '=~' | '!~' | 'exists' | '!exists' | '>' | '>=' | '<' | '<=' | 'contains';

/**
 * A condition on an attribute (or label).
 *
 * - `key` names a top-level attribute: the record's own attributes first, then its
 *   resource attributes (`service.name`, `host.name`...). Dots are part of the key
 *   (`http.method` is one key); nested objects are not addressed by path.
 * - `=`, `!=`, `=~`, `!~` compare the value as a string: numbers and booleans as
 *   `String(v)` (so `{ op: '=', value: 500 }` matches 500 and "500"), arrays and
 *   objects as JSON. A missing key counts as the empty string, as in PromQL, so
 *   `!=` and `!~` match records without the key.
 * - `=~`/`!~` take an RE2-compatible regular expression that must match the whole value.
 * - `contains` is a case-insensitive substring of that string; a missing key never matches.
 * - `>`, `>=`, `<`, `<=` compare numbers: the attribute must be a number (or a string
 *   that parses as one); other records do not match.
 * - `exists`/`!exists` test whether the key is present with a non-null value; they take no value.
 */
export interface AttributeFilter {
  key: string;
  op: FilterOp;
  value?: string | number | boolean;
}

export type Direction = 'backward' | 'forward';

/** All conditions combine with AND. */
export interface LogsQuery {
  range: TimeRange;
  /**
   * Full-text search on the body: every whitespace-separated word must occur in it,
   * ignoring case, in any order. A word may match inside a longer word (`time` finds
   * `timeout`); backends with token indexes may only match whole words, which is all
   * the conformance kit asks for.
   */
  text?: string;
  /** Records whose serviceName is one of these. */
  services?: string[];
  /** Lowest severity number to include (e.g. 13 for WARN and above); unset (0) records are then excluded. */
  minSeverity?: number;
  traceId?: string;
  filters?: AttributeFilter[];
  /** At most this many records (the host caps it at 5000). */
  limit: number;
  /**
   * backward: newest first (the default for views); forward: oldest first. Records with
   * the same time come in an order that is stable across pages.
   */
  direction: Direction;
  /**
   * Opaque continuation token from a previous result's `nextCursor`, given back with an
   * otherwise identical query: the next page holds the records that follow the last
   * one returned, so paging visits every matching record exactly once.
   */
  cursor?: string;
  /**
   * Also count matching records per bucket of this size (the histogram over the view).
   * Buckets start at multiples of the step since the epoch (`floor(ms / step) * step`)
   * and count every matching record in the range, whatever `limit` and `cursor` are.
   */
  volumeStepMs?: number;
}

export interface LogVolumeBucket {
  /** Bucket start, ms: a multiple of volumeStepMs. */
  t: number;
  count: number;
  /** Counts per SeverityName (`info`, `warn`... `unset`) within the bucket, where the backend has them. */
  bySeverity?: Record<string, number>;
}

export interface LogsResult {
  records: LogRecord[];
  /** Set when more records may follow; absent on the last page. A page after it may be empty. */
  nextCursor?: string;
  /** Present when volumeStepMs was asked: buckets ascending; empty buckets may be left out. */
  volume?: LogVolumeBucket[];
  warnings?: string[];
}

export type MetricAggregation = 'none' | 'sum' | 'avg' | 'min' | 'max' | 'count' | 'p50' | 'p90' | 'p95' | 'p99';

export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/**
 * A query over one metric, evaluated in steps.
 *
 * Steps: slot timestamps are multiples of `stepMs` since the epoch, from
 * `floor(range.startMs / stepMs) * stepMs` up to the last one before `range.endMs`;
 * the slot at `t` covers samples with `t <= time < t + stepMs`. A slot with no sample
 * (or, for `rate`, too few to compare) is null.
 *
 * Per series and slot, before aggregation:
 * - without `rate`: the last sample's value in the slot (for histograms, their `count`);
 * - with `rate`: the per-second increase of the counter over the slot (cumulative sums
 *   and histogram counts, with a drop taken as a reset; delta sums add up). Plugins may
 *   compute it from the samples inside the slot or as Prometheus' `rate(x[step])`
 *   does; with evenly spaced samples both give the same answer.
 */
export interface MetricsQuery {
  range: TimeRange;
  metric: string;
  /** Label conditions, ANDed. `=~`/`!~` match the whole value; a missing label is "" (PromQL). */
  matchers?: LabelMatcher[];
  /**
   * Per-second rate of a counter (cumulative or delta sums, histogram counts),
   * computed per series before aggregation.
   */
  rate?: boolean;
  /**
   * How series are combined per slot.
   * - `none`: every series as it is, with all its labels.
   * - `sum`, `avg`, `min`, `max`: over the series' values in the slot; `count`: how many
   *   series have a value there.
   * - p50..p99 on histograms: bucket counts of the observations made within the slot
   *   (the increase of each cumulative bucket, or the sum of delta buckets) are added
   *   across the series, then interpolated linearly within the bucket as Prometheus'
   *   histogram_quantile does (a quantile in the +Inf bucket is the highest finite bound).
   *   `rate` makes no difference to them.
   * - p50..p99 on plain values: across the series' values in the slot, as PromQL's
   *   quantile() does (linear between the closest ranks, rank = q * (n - 1)).
   */
  aggregation: MetricAggregation;
  /**
   * Labels to keep; series that share their values are aggregated together, and the
   * result series carry only these labels (a label a series lacks is left out). Without
   * groupBy every series is aggregated into one, with no labels. Ignored for `none`.
   */
  groupBy?: string[];
  /** Resolution; every returned series has one slot per step across the range. */
  stepMs: number;
}

/** A series is returned only when at least one of its slots has a value; series come in no particular order. */
export interface Series {
  /** The metric name. Labels never include it (no `__name__`). */
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

/**
 * Finds traces whose start (earliest span start) lies in the range. All conditions
 * combine with AND; `service`, `operation`, `status` and `filters` are about spans,
 * and when several are given one span must satisfy all of them.
 */
export interface TracesQuery {
  range: TimeRange;
  /** A span of this service. */
  service?: string;
  /** A span with this name. */
  operation?: string;
  /** Trace duration (earliest start to latest end) at least this, inclusive. */
  minDurationMs?: number;
  /** Trace duration at most this, inclusive. */
  maxDurationMs?: number;
  /** Traces that contain at least one span with this status. */
  status?: StatusCode;
  /** Span attribute (or resource attribute) conditions; a trace matches if one span matches all. */
  filters?: AttributeFilter[];
  /** At most this many traces, the most recent (by start) first. */
  limit: number;
}

export interface TraceSummary {
  traceId: string;
  /** Service and name of the root span: the one without a parent (else the earliest span). */
  rootService: string;
  rootName: string;
  /** Earliest span start, ms (may have a fraction). */
  startMs: number;
  /** Earliest span start to latest span end, ms (may have a fraction). */
  durationMs: number;
  spanCount: number;
  /** Spans with status `error`. */
  errorCount: number;
  /** Every service with a span in the trace, sorted, without duplicates. */
  services: string[];
}

/** `traces` are ordered most recent start first. */
export interface TracesResult {
  traces: TraceSummary[];
  warnings?: string[];
}

/**
 * One entry per service with requests among the spans that start in the range, in no
 * particular order. Percentiles are of request durations in ms; linear interpolation
 * between the closest ranks (Postgres' percentile_cont) is the reference, but estimates
 * from sketches or histograms are acceptable.
 */
export interface ServiceStats {
  service: string;
  /** Spans of kind server/consumer (or root spans) counted as requests. */
  requests: number;
  /** Requests whose status is `error`. */
  errors: number;
  /** Requests per second over the range. */
  rate: number;
  /** errors / requests, 0..1. */
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** All conditions combine with AND. */
export interface RumQuery {
  range: TimeRange;
  /** Events of any of these kinds. */
  kinds?: RumEventKind[];
  sessionId?: string;
  /** Exact match on `page.path`. */
  pagePath?: string;
  /** Conditions on the event's `attributes`. */
  filters?: AttributeFilter[];
  /** At most this many events (most recent first), or groups (largest count first) with groupBy. */
  limit: number;
  /**
   * With groupBy, answer counts (and value percentiles) per group instead of events.
   * Dimensions: kind, name, page = page.path, browser = browser.name, os = browser.os,
   * device = browser.device, app = app.name.
   */
  groupBy?: Array<'kind' | 'name' | 'page' | 'browser' | 'os' | 'device' | 'app'>;
}

export interface RumGroup {
  /** One entry per groupBy dimension; "" where the event has no value for it. */
  key: Record<string, string>;
  count: number;
  /** Distinct sessionIds in the group. */
  sessions: number;
  /** 75th percentile of `value` over the group's events that have one (linear interpolation as the reference); null when none has. */
  p75Value: number | null;
}

export interface RumResult {
  /** Most recent first; empty when the query had groupBy. */
  events: RumEvent[];
  groups?: RumGroup[];
  warnings?: string[];
}

/**
 * Allocations whose window starts in the range. An allocation is never prorated: it
 * counts whole in the window its `windowStartMs` falls in.
 */
export interface CostQuery {
  range: TimeRange;
  /** namespace | cluster | controller | pod | node | label:<name> ... */
  aggregate: string;
  /** Conditions on the allocation's `properties`. */
  filters?: AttributeFilter[];
  /**
   * Split the range into windows of this size, aligned like metric steps
   * (`floor(ms / step) * step`, each `[t, t + step)`), answering one allocation per name
   * and window that has data. Omit for one window per name spanning exactly the range.
   * Costs add up; `properties` keeps the entries all merged allocations agree on.
   */
  stepMs?: number;
}

/** `allocations` come in no particular order. */
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

/**
 * Metadata methods answer names sorted ascending without duplicates, taken from the
 * calling tenant's data only. What they list:
 * - services: `serviceName`s of logs, spans and metric points;
 * - operations: span names;
 * - labelNames / labelValues: metric labels; for logs, traces and RUM, attribute keys
 *   (and resource attribute keys) and their values as strings;
 * - metricNames: metric names.
 * Backends may add names of their own (a Prometheus `job` label, say).
 */
export interface MetadataQuery {
  range?: TimeRange;
  /** Restrict to one service where that makes sense (operations, label values). */
  service?: string;
}

export type { Signal };
