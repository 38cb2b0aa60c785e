import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeMetricsJson } from './otlp-json';
import { decodeMetricsProtobuf } from './otlp-proto';
import { expectPoints } from './test-support';

/** A reader the test pulls from, so collection happens exactly when the test says. */
class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

async function collect(temporality: AggregationTemporality): Promise<ResourceMetrics> {
  const reader = new PullReader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'api', 'host.name': 'web-1', 'process.pid': 4242 }),
    readers: [reader],
    views: [{ instrumentName: 'payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 40 } } }],
  });
  const meter = provider.getMeter('http-metrics', '1.0.0');
  const requests = meter.createCounter('http.server.requests', { description: 'Requests served', unit: '{request}' });
  requests.add(3, { route: '/a', method: 'GET' });
  requests.add(2, { route: '/b', method: 'POST' });
  const inflight = meter.createUpDownCounter('http.server.active_requests');
  inflight.add(5);
  inflight.add(-2);
  const latency = meter.createHistogram('http.server.duration', { unit: 'ms', advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100] } });
  for (const v of [1, 7, 7, 30, 99, 250]) latency.record(v, { route: '/a' });
  const size = meter.createHistogram('payload.size', { unit: 'By' });
  for (const v of [0, 0.5, 3, 1024, 4096, 65536, -0]) size.record(v);
  meter.createObservableGauge('process.memory.usage', { unit: 'By' }).addCallback((r) => {
    r.observe(123456789, { type: 'heap' });
    r.observe(2.5, { type: 'ratio' });
  });
  meter.createGauge('queue.depth').record(17, { queue: 'emails', labels: 'x' });
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return resourceMetrics;
}

const key = (p: { name: string; labels: Record<string, string> }) => `${p.name} ${JSON.stringify(Object.entries(p.labels).sort())}`;
const byKey = <T extends { name: string; labels: Record<string, string> }>(a: T, b: T) => (key(a) < key(b) ? -1 : 1);

describe('OTLP metrics: decoded exactly as the official SDK collected them', () => {
  it.each([
    ['protobuf', 'cumulative', (rm: ResourceMetrics) => decodeMetricsProtobuf(ProtobufMetricsSerializer.serializeRequest(rm)!)],
    ['json', 'cumulative', (rm: ResourceMetrics) => decodeMetricsJson(JsonMetricsSerializer.serializeRequest(rm)!)],
    ['protobuf', 'delta', (rm: ResourceMetrics) => decodeMetricsProtobuf(ProtobufMetricsSerializer.serializeRequest(rm)!)],
    ['json', 'delta', (rm: ResourceMetrics) => decodeMetricsJson(JsonMetricsSerializer.serializeRequest(rm)!)],
  ] as const)('%s, %s temporality: every point, field by field', async (_enc, temporality, decode) => {
    const rm = await collect(temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE);
    const res = decode(rm);
    expect(res.rejected).toBe(0);
    expect(res.message).toBeUndefined();
    const want = expectPoints(rm).sort(byKey);
    expect(want.length).toBe(8);
    expect(new Set(want.map((p) => p.type))).toEqual(new Set(['sum', 'histogram', 'exponential_histogram', 'gauge']));
    expect([...res.items].sort(byKey)).toEqual(want);
  });

  it('labels are resource attributes overlaid with point attributes, all strings, plus service.name', async () => {
    const res = decodeMetricsProtobuf(ProtobufMetricsSerializer.serializeRequest(await collect(AggregationTemporality.CUMULATIVE))!);
    const p = res.items.find((x) => x.name === 'http.server.requests' && x.labels.route === '/b')!;
    expect(p.labels).toEqual({ 'service.name': 'api', 'host.name': 'web-1', 'process.pid': '4242', route: '/b', method: 'POST' });
    expect(p).toMatchObject({ type: 'sum', monotonic: true, temporality: 'cumulative', value: 2, unit: '{request}', description: 'Requests served' });
    const ud = res.items.find((x) => x.name === 'http.server.active_requests')!;
    expect(ud).toMatchObject({ type: 'sum', monotonic: false, value: 3 });
  });
});

/**
 * Summary points, exemplars, flags and the other fields the JS SDK never emits: encoded
 * with protobufjs from the field numbers of opentelemetry/proto/metrics/v1/metrics.proto
 * (transcribed below), as an independent encoder.
 */
const METRICS_PROTO = `
syntax = "proto3";
package t;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message Scope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Req { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { Scope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric { string name = 1; string description = 2; string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; ExpHistogram exponential_histogram = 10; Summary summary = 11; }
  repeated KeyValue metadata = 12; }
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message ExpHistogram { repeated ExpPoint data_points = 1; int32 aggregation_temporality = 2; }
message Summary { repeated SummaryDataPoint data_points = 1; }
message Exemplar { repeated KeyValue filtered_attributes = 7; fixed64 time_unix_nano = 2; double as_double = 3; sfixed64 as_int = 6; bytes span_id = 4; bytes trace_id = 5; }
message NumberDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; } repeated Exemplar exemplars = 5; uint32 flags = 8; }
message HistogramDataPoint { repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4;
  optional double sum = 5; repeated fixed64 bucket_counts = 6 [packed = false]; repeated double explicit_bounds = 7 [packed = false];
  repeated Exemplar exemplars = 8; uint32 flags = 10; optional double min = 11; optional double max = 12; }
message ExpPoint { repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4;
  optional double sum = 5; sint32 scale = 6; fixed64 zero_count = 7; Buckets positive = 8; Buckets negative = 9; uint32 flags = 10;
  repeated Exemplar exemplars = 11; optional double min = 12; optional double max = 13; double zero_threshold = 14;
  message Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2 [packed = false]; } }
message SummaryDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4;
  double sum = 5; repeated ValueAtQuantile quantile_values = 6; uint32 flags = 8;
  message ValueAtQuantile { double quantile = 1; double value = 2; } }
`;

describe('OTLP metrics: fields the SDK does not emit (protobufjs as the encoder)', () => {
  const Req = protobuf.parse(METRICS_PROTO, { keepCase: true }).root.lookupType('t.Req');
  const T = '1700000000000000000';
  const S = '1699999990000000000';
  const kv = (key: string, value: object) => ({ key, value });

  it('summary, unpacked repeated fields, negative exp-histogram offsets, exemplars, as_int, NaN and a no-recorded-value marker', () => {
    const msg = Req.fromObject({
      resource_metrics: [
        {
          // scope_metrics before resource on purpose: the resource must still apply.
          scope_metrics: [
            {
              scope: { name: 's', version: '1' },
              metrics: [
                {
                  name: 'rpc.latency',
                  summary: {
                    data_points: [
                      {
                        attributes: [kv('method', { string_value: 'Get' })],
                        start_time_unix_nano: S,
                        time_unix_nano: T,
                        count: '10',
                        sum: 12.5,
                        quantile_values: [
                          { quantile: 0.5, value: 1 },
                          { quantile: 0.99, value: 4.5 },
                        ],
                      },
                    ],
                  },
                },
                {
                  name: 'temp',
                  unit: 'Cel',
                  gauge: {
                    data_points: [
                      { time_unix_nano: T, as_int: '-40', exemplars: [{ time_unix_nano: T, as_double: 1, trace_id: new Uint8Array(16).fill(1), span_id: new Uint8Array(8).fill(2) }] },
                      { time_unix_nano: T, as_double: NaN, attributes: [kv('probe', { int_value: 2 })] },
                      { time_unix_nano: T, as_double: 5, flags: 1 },
                    ],
                  },
                },
                {
                  name: 'h',
                  histogram: {
                    aggregation_temporality: 1,
                    data_points: [{ time_unix_nano: T, count: '3', bucket_counts: ['1', '1', '1'], explicit_bounds: [1, 2], min: 0.5, max: 9 }],
                  },
                },
                {
                  name: 'e',
                  exponential_histogram: {
                    aggregation_temporality: 2,
                    data_points: [
                      {
                        time_unix_nano: T,
                        count: '4',
                        scale: -3,
                        zero_count: '1',
                        zero_threshold: 0.001,
                        positive: { offset: -2, bucket_counts: ['1', '2'] },
                        negative: { offset: 5, bucket_counts: ['0'] },
                      },
                    ],
                  },
                },
              ],
            },
          ],
          resource: { attributes: [kv('service.name', { string_value: 'edge' })] },
        },
      ],
    });
    const res = decodeMetricsProtobuf(Req.encode(msg).finish());
    expect(res.rejected).toBe(0);
    const base = { serviceName: 'edge', timeUnixNano: BigInt(T) };
    expect(res.items).toEqual([
      {
        ...base,
        name: 'rpc.latency',
        type: 'summary',
        startTimeUnixNano: BigInt(S),
        labels: { 'service.name': 'edge', method: 'Get' },
        summary: { count: 10, sum: 12.5, quantiles: [{ quantile: 0.5, value: 1 }, { quantile: 0.99, value: 4.5 }] },
      },
      { ...base, name: 'temp', unit: 'Cel', type: 'gauge', labels: { 'service.name': 'edge' }, value: -40 },
      { ...base, name: 'temp', unit: 'Cel', type: 'gauge', labels: { 'service.name': 'edge', probe: '2' }, value: NaN },
      { ...base, name: 'h', type: 'histogram', temporality: 'delta', labels: { 'service.name': 'edge' }, histogram: { count: 3, min: 0.5, max: 9, bounds: [1, 2], counts: [1, 1, 1] } },
      {
        ...base,
        name: 'e',
        type: 'exponential_histogram',
        temporality: 'cumulative',
        labels: { 'service.name': 'edge' },
        exponentialHistogram: { count: 4, scale: -3, zeroCount: 1, positive: { offset: -2, counts: [1, 2] }, negative: { offset: 5, counts: [0] } },
      },
    ]);
  });

  it('rejects points that break the spec and names them', () => {
    const msg = Req.fromObject({
      resource_metrics: [
        {
          scope_metrics: [
            {
              metrics: [
                { name: '', gauge: { data_points: [{ time_unix_nano: T, as_double: 1 }, { time_unix_nano: T, as_double: 2 }] } },
                { name: 'ok', gauge: { data_points: [{ time_unix_nano: T, as_double: 1 }, { time_unix_nano: '0', as_double: 1 }, { time_unix_nano: T }] } },
                { name: 'bad.hist', histogram: { data_points: [{ time_unix_nano: T, count: '2', bucket_counts: ['1', '1'], explicit_bounds: [1, 2, 3] }] } },
              ],
            },
          ],
        },
      ],
    });
    const res = decodeMetricsProtobuf(Req.encode(msg).finish());
    expect(res.items.map((p) => [p.name, p.value])).toEqual([['ok', 1]]);
    expect(res.rejected).toBe(5);
    expect(res.message).toContain('5 data points rejected');
    expect(res.message).toContain('resourceMetrics[0].scopeMetrics[0].metrics[0].gauge: metric has no name');
    expect(res.message).toContain('metrics[1].gauge.dataPoints[1]: time is missing');
    expect(res.message).toContain('metrics[1].gauge.dataPoints[2]: point has neither as_double nor as_int');
    expect(res.message).toContain('want bounds + 1');
  });
});
