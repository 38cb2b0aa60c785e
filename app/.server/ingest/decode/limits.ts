/**
 * Every limit the decoders enforce, in one place. They are checked while reading,
 * never after materialising the whole request, so memory stays proportional to the
 * (already bounded) body size.
 *
 * What happens at a limit is chosen per limit: counts that define the request's size
 * fail the request (413), per-item caps that OpenTelemetry SDKs also apply (attribute
 * count, value length, events, links) drop or truncate like the SDKs do and say so in
 * the partial-success message, and caps on identity (metric names, label sets) reject
 * the item because silently changing an identity would merge or split series.
 */
export interface DecodeLimits {
  /** Bytes on the wire (compressed as sent). Over it: 413 without reading the rest. */
  maxBodyBytes: number;
  /** Bytes after gzip/deflate/snappy. Over it: 413 as soon as the inflater passes it (gzip bombs). */
  maxDecompressedBytes: number;
  /** Spans, log records, data points, remote_write samples or Faro items in one request. Over it: 413. */
  maxItems: number;
  /** Attributes kept per span, event, link, log record, point or scope. Extra ones are dropped (as OTel SDKs do). */
  maxAttributes: number;
  /** Attribute keys longer than this (UTF-8 bytes) drop the attribute. */
  maxAttributeKeyBytes: number;
  /** String and bytes attribute values are truncated to this many UTF-8 bytes, then TRUNCATION_MARKER is appended. */
  maxAttributeValueBytes: number;
  /** Elements kept per array value; the rest are dropped. */
  maxArrayValues: number;
  /** Nesting of array/kvlist values; deeper containers are dropped. */
  maxAnyValueDepth: number;
  /** Log bodies, Faro messages and stack traces are truncated to this many UTF-8 bytes. */
  maxLogBodyBytes: number;
  /** Span, event, scope names, severity text, status messages: truncated past this. Metric names: the metric is rejected. */
  maxNameBytes: number;
  /** Events kept per span (OTel SDK default 128); the rest are dropped. */
  maxEventsPerSpan: number;
  /** Links kept per span (OTel SDK default 128); the rest are dropped. */
  maxLinksPerSpan: number;
  /** Histogram buckets / exponential buckets per side / summary quantiles per point. Over it: the point is rejected. */
  maxBuckets: number;
  /** Labels per remote_write series. Over it: the series is rejected (labels are its identity). */
  maxLabels: number;
  /** Protobuf message nesting; a backstop, since only AnyValue recursion can nest deeper than ~6. */
  maxMessageDepth: number;
  /** Timestamps (ns) before this are absurd (ms or s sent as ns, zero-filled clocks): the item is rejected. */
  minTimeUnixNano: bigint;
  /** Timestamps (ns) after this are absurd (µs·1000 overflow, garbage): the item is rejected. */
  maxTimeUnixNano: bigint;
}

/** 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z in ns. Fixed bounds keep decoding pure (no clock). */
const YEAR_2000_NS = 946_684_800_000_000_000n;
const YEAR_2100_NS = 4_102_444_800_000_000_000n;

const MiB = 1024 * 1024;

/**
 * Defaults. Body sizes follow the OTLP spec's recommendation (20 MiB, including after
 * decompression); attribute limits follow the OTel SDK defaults (128 attributes, events,
 * links) where the SDK has one.
 */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxBodyBytes: 20 * MiB,
  maxDecompressedBytes: 20 * MiB,
  maxItems: 50_000,
  maxAttributes: 128,
  maxAttributeKeyBytes: 256,
  maxAttributeValueBytes: 16 * 1024,
  maxArrayValues: 1024,
  maxAnyValueDepth: 8,
  maxLogBodyBytes: 64 * 1024,
  maxNameBytes: 1024,
  maxEventsPerSpan: 128,
  maxLinksPerSpan: 128,
  maxBuckets: 4096,
  maxLabels: 128,
  maxMessageDepth: 32,
  minTimeUnixNano: YEAR_2000_NS,
  maxTimeUnixNano: YEAR_2100_NS,
});

/** Appended to every value the decoders shortened, so a reader of the stored value can tell. */
export const TRUNCATION_MARKER = '…[truncated]';

export function resolveLimits(overrides?: Partial<DecodeLimits>): DecodeLimits {
  return overrides ? { ...DEFAULT_DECODE_LIMITS, ...overrides } : DEFAULT_DECODE_LIMITS;
}

/** Options every decoder takes. */
export interface DecodeOptions {
  limits?: Partial<DecodeLimits>;
  /** Receive time, used for log records that carry neither time nor observed time. Defaults to now. */
  receivedAtUnixNano?: bigint;
}
