import { I32, I64, LEN, VARINT, type MessageDesc } from './wire';

/**
 * Field tables of every message the decoders read, derived from the .proto files of
 * open-telemetry/opentelemetry-proto (v1.x; path and message cited on each) and of
 * prometheus/prometheus prompb (remote write 1.0). The decode switches match on whole
 * tags (`number << 3 | wire`); these tables name fields in errors, check the wire type
 * of known fields that arrive with an unexpected one, and let known-but-unused fields
 * (dropped_*_count, schema_url, exemplars…) be skipped without a case of their own.
 *
 * `true` in the third slot marks repeated scalars that may also arrive packed (LEN).
 */

function desc(name: string, fields: MessageDesc['fields']): MessageDesc {
  return Object.freeze({ name, fields: Object.freeze(fields) });
}

// ------------------------------------------------ opentelemetry/proto/common/v1/common.proto

/** message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } } */
export const ANY_VALUE = desc('opentelemetry.proto.common.v1.AnyValue', {
  1: ['string_value', LEN],
  2: ['bool_value', VARINT],
  3: ['int_value', VARINT],
  4: ['double_value', I64],
  5: ['array_value', LEN],
  6: ['kvlist_value', LEN],
  7: ['bytes_value', LEN],
});
/** message ArrayValue { repeated AnyValue values = 1; } */
export const ARRAY_VALUE = desc('opentelemetry.proto.common.v1.ArrayValue', { 1: ['values', LEN] });
/** message KeyValueList { repeated KeyValue values = 1; } */
export const KEY_VALUE_LIST = desc('opentelemetry.proto.common.v1.KeyValueList', { 1: ['values', LEN] });
/** message KeyValue { string key = 1; AnyValue value = 2; } */
export const KEY_VALUE = desc('opentelemetry.proto.common.v1.KeyValue', { 1: ['key', LEN], 2: ['value', LEN] });
/** message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; } */
export const SCOPE = desc('opentelemetry.proto.common.v1.InstrumentationScope', {
  1: ['name', LEN],
  2: ['version', LEN],
  3: ['attributes', LEN],
  4: ['dropped_attributes_count', VARINT],
});

// -------------------------------------------- opentelemetry/proto/resource/v1/resource.proto

/** message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; repeated EntityRef entity_refs = 3; } */
export const RESOURCE = desc('opentelemetry.proto.resource.v1.Resource', {
  1: ['attributes', LEN],
  2: ['dropped_attributes_count', VARINT],
  3: ['entity_refs', LEN],
});

// -------------------------------------------------- opentelemetry/proto/trace/v1/trace.proto

/** collector/trace/v1/trace_service.proto: message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; } */
export const EXPORT_TRACE_REQUEST = desc('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest', { 1: ['resource_spans', LEN] });
/** message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; } (1000 reserved) */
export const RESOURCE_SPANS = desc('opentelemetry.proto.trace.v1.ResourceSpans', {
  1: ['resource', LEN],
  2: ['scope_spans', LEN],
  3: ['schema_url', LEN],
});
/** message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; } */
export const SCOPE_SPANS = desc('opentelemetry.proto.trace.v1.ScopeSpans', { 1: ['scope', LEN], 2: ['spans', LEN], 3: ['schema_url', LEN] });
/** message Span (next available field id is 17) */
export const SPAN = desc('opentelemetry.proto.trace.v1.Span', {
  1: ['trace_id', LEN],
  2: ['span_id', LEN],
  3: ['trace_state', LEN],
  4: ['parent_span_id', LEN],
  5: ['name', LEN],
  6: ['kind', VARINT],
  7: ['start_time_unix_nano', I64],
  8: ['end_time_unix_nano', I64],
  9: ['attributes', LEN],
  10: ['dropped_attributes_count', VARINT],
  11: ['events', LEN],
  12: ['dropped_events_count', VARINT],
  13: ['links', LEN],
  14: ['dropped_links_count', VARINT],
  15: ['status', LEN],
  16: ['flags', I32],
});
/** message Span.Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; } */
export const SPAN_EVENT = desc('opentelemetry.proto.trace.v1.Span.Event', {
  1: ['time_unix_nano', I64],
  2: ['name', LEN],
  3: ['attributes', LEN],
  4: ['dropped_attributes_count', VARINT],
});
/** message Span.Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; } */
export const SPAN_LINK = desc('opentelemetry.proto.trace.v1.Span.Link', {
  1: ['trace_id', LEN],
  2: ['span_id', LEN],
  3: ['trace_state', LEN],
  4: ['attributes', LEN],
  5: ['dropped_attributes_count', VARINT],
  6: ['flags', I32],
});
/** message Status { reserved 1; string message = 2; StatusCode code = 3; } */
export const STATUS = desc('opentelemetry.proto.trace.v1.Status', { 2: ['message', LEN], 3: ['code', VARINT] });

// ---------------------------------------------------- opentelemetry/proto/logs/v1/logs.proto

/** collector/logs/v1/logs_service.proto: message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; } */
export const EXPORT_LOGS_REQUEST = desc('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest', { 1: ['resource_logs', LEN] });
/** message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; } (1000 reserved) */
export const RESOURCE_LOGS = desc('opentelemetry.proto.logs.v1.ResourceLogs', {
  1: ['resource', LEN],
  2: ['scope_logs', LEN],
  3: ['schema_url', LEN],
});
/** message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; } */
export const SCOPE_LOGS = desc('opentelemetry.proto.logs.v1.ScopeLogs', { 1: ['scope', LEN], 2: ['log_records', LEN], 3: ['schema_url', LEN] });
/** message LogRecord (field 4 reserved) */
export const LOG_RECORD = desc('opentelemetry.proto.logs.v1.LogRecord', {
  1: ['time_unix_nano', I64],
  11: ['observed_time_unix_nano', I64],
  2: ['severity_number', VARINT],
  3: ['severity_text', LEN],
  5: ['body', LEN],
  6: ['attributes', LEN],
  7: ['dropped_attributes_count', VARINT],
  8: ['flags', I32],
  9: ['trace_id', LEN],
  10: ['span_id', LEN],
  12: ['event_name', LEN],
});

// ----------------------------------------------- opentelemetry/proto/metrics/v1/metrics.proto

/** collector/metrics/v1/metrics_service.proto: message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; } */
export const EXPORT_METRICS_REQUEST = desc('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest', {
  1: ['resource_metrics', LEN],
});
/** message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; } (1000 reserved) */
export const RESOURCE_METRICS = desc('opentelemetry.proto.metrics.v1.ResourceMetrics', {
  1: ['resource', LEN],
  2: ['scope_metrics', LEN],
  3: ['schema_url', LEN],
});
/** message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; } */
export const SCOPE_METRICS = desc('opentelemetry.proto.metrics.v1.ScopeMetrics', { 1: ['scope', LEN], 2: ['metrics', LEN], 3: ['schema_url', LEN] });
/** message Metric { name = 1; description = 2; unit = 3; oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10; Summary summary = 11; } repeated KeyValue metadata = 12; } (4, 6, 8 reserved) */
export const METRIC = desc('opentelemetry.proto.metrics.v1.Metric', {
  1: ['name', LEN],
  2: ['description', LEN],
  3: ['unit', LEN],
  5: ['gauge', LEN],
  7: ['sum', LEN],
  9: ['histogram', LEN],
  10: ['exponential_histogram', LEN],
  11: ['summary', LEN],
  12: ['metadata', LEN],
});
/** message Gauge { repeated NumberDataPoint data_points = 1; } — also Summary (SummaryDataPoint). */
export const GAUGE = desc('opentelemetry.proto.metrics.v1.Gauge', { 1: ['data_points', LEN] });
export const SUMMARY = desc('opentelemetry.proto.metrics.v1.Summary', { 1: ['data_points', LEN] });
/** message Sum { repeated NumberDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; bool is_monotonic = 3; } */
export const SUM = desc('opentelemetry.proto.metrics.v1.Sum', {
  1: ['data_points', LEN],
  2: ['aggregation_temporality', VARINT],
  3: ['is_monotonic', VARINT],
});
/** message Histogram / ExponentialHistogram { repeated …DataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; } */
export const HISTOGRAM = desc('opentelemetry.proto.metrics.v1.Histogram', { 1: ['data_points', LEN], 2: ['aggregation_temporality', VARINT] });
export const EXP_HISTOGRAM = desc('opentelemetry.proto.metrics.v1.ExponentialHistogram', {
  1: ['data_points', LEN],
  2: ['aggregation_temporality', VARINT],
});
/** message NumberDataPoint { attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; oneof value { double as_double = 4; sfixed64 as_int = 6; } exemplars = 5; uint32 flags = 8; } (1 reserved) */
export const NUMBER_POINT = desc('opentelemetry.proto.metrics.v1.NumberDataPoint', {
  7: ['attributes', LEN],
  2: ['start_time_unix_nano', I64],
  3: ['time_unix_nano', I64],
  4: ['as_double', I64],
  6: ['as_int', I64],
  5: ['exemplars', LEN],
  8: ['flags', VARINT],
});
/** message HistogramDataPoint { attributes = 9; start = 2; time = 3; fixed64 count = 4; optional double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7; exemplars = 8; uint32 flags = 10; optional double min = 11; optional double max = 12; } (1 reserved) */
export const HISTOGRAM_POINT = desc('opentelemetry.proto.metrics.v1.HistogramDataPoint', {
  9: ['attributes', LEN],
  2: ['start_time_unix_nano', I64],
  3: ['time_unix_nano', I64],
  4: ['count', I64],
  5: ['sum', I64],
  6: ['bucket_counts', I64, true],
  7: ['explicit_bounds', I64, true],
  8: ['exemplars', LEN],
  10: ['flags', VARINT],
  11: ['min', I64],
  12: ['max', I64],
});
/** message ExponentialHistogramDataPoint { attributes = 1; start = 2; time = 3; fixed64 count = 4; optional double sum = 5; sint32 scale = 6; fixed64 zero_count = 7; Buckets positive = 8; Buckets negative = 9; uint32 flags = 10; exemplars = 11; optional double min = 12; optional double max = 13; double zero_threshold = 14; } */
export const EXP_HISTOGRAM_POINT = desc('opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint', {
  1: ['attributes', LEN],
  2: ['start_time_unix_nano', I64],
  3: ['time_unix_nano', I64],
  4: ['count', I64],
  5: ['sum', I64],
  6: ['scale', VARINT],
  7: ['zero_count', I64],
  8: ['positive', LEN],
  9: ['negative', LEN],
  10: ['flags', VARINT],
  11: ['exemplars', LEN],
  12: ['min', I64],
  13: ['max', I64],
  14: ['zero_threshold', I64],
});
/** message ExponentialHistogramDataPoint.Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; } */
export const EXP_BUCKETS = desc('opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint.Buckets', {
  1: ['offset', VARINT],
  2: ['bucket_counts', VARINT, true],
});
/** message SummaryDataPoint { attributes = 7; start = 2; time = 3; fixed64 count = 4; double sum = 5; repeated ValueAtQuantile quantile_values = 6; uint32 flags = 8; } (1 reserved) */
export const SUMMARY_POINT = desc('opentelemetry.proto.metrics.v1.SummaryDataPoint', {
  7: ['attributes', LEN],
  2: ['start_time_unix_nano', I64],
  3: ['time_unix_nano', I64],
  4: ['count', I64],
  5: ['sum', I64],
  6: ['quantile_values', LEN],
  8: ['flags', VARINT],
});
/** message SummaryDataPoint.ValueAtQuantile { double quantile = 1; double value = 2; } */
export const VALUE_AT_QUANTILE = desc('opentelemetry.proto.metrics.v1.SummaryDataPoint.ValueAtQuantile', {
  1: ['quantile', I64],
  2: ['value', I64],
});

// --------------------------------------------- prometheus prompb/remote.proto + types.proto

/** remote.proto: message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; } */
export const PROM_WRITE_REQUEST = desc('prometheus.WriteRequest', { 1: ['timeseries', LEN], 3: ['metadata', LEN] });
/** types.proto: message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; } */
export const PROM_TIME_SERIES = desc('prometheus.TimeSeries', {
  1: ['labels', LEN],
  2: ['samples', LEN],
  3: ['exemplars', LEN],
  4: ['histograms', LEN],
});
/** types.proto: message Label { string name = 1; string value = 2; } */
export const PROM_LABEL = desc('prometheus.Label', { 1: ['name', LEN], 2: ['value', LEN] });
/** types.proto: message Sample { double value = 1; int64 timestamp = 2; } (timestamp in ms) */
export const PROM_SAMPLE = desc('prometheus.Sample', { 1: ['value', I64], 2: ['timestamp', VARINT] });
/** types.proto: message MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; } */
export const PROM_METADATA = desc('prometheus.MetricMetadata', {
  1: ['type', VARINT],
  2: ['metric_family_name', LEN],
  4: ['help', LEN],
  5: ['unit', LEN],
});
