import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import protobuf from 'protobufjs';
import SnappyJS from 'snappyjs';

/**
 * Wire payloads for tests that talk to the ingest endpoints directly: OTLP requests as the
 * official SDK serializes them, OTLP/JSON by hand, remote_write WriteRequests encoded by
 * protobufjs from Prometheus' own .proto and snappy-compressed by snappyjs, and decoders
 * for the answers (google.rpc.Status, Export*ServiceResponse).
 */

/** Bytes that fetch takes as a body (backed by a plain ArrayBuffer). */
export type Bytes = Uint8Array<ArrayBuffer>;

class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** ExportTraceServiceRequest bytes: one server span of `service` per name, with the given attributes. */
export async function otlpTracesProto(service: string, names: string[], attributes: Record<string, string | number> = {}): Promise<Bytes> {
  const exporter = new InMemorySpanExporter();
  const tp = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = tp.getTracer('payloads', '1.0.0');
  for (const name of names) {
    const s = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes });
    s.setStatus({ code: SpanStatusCode.OK });
    s.end();
  }
  await tp.forceFlush();
  return new Uint8Array(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans()) as Uint8Array);
}

export async function otlpLogsProto(service: string, bodies: string[]): Promise<Bytes> {
  const exporter = new InMemoryLogRecordExporter();
  const lp = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': service }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  for (const body of bodies) lp.getLogger('payloads').emit({ body, severityNumber: 9, severityText: 'INFO' });
  await lp.forceFlush();
  return new Uint8Array(ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords()) as Uint8Array);
}

export async function otlpMetricsProto(service: string, counter: string): Promise<Bytes> {
  const reader = new PullReader();
  const mp = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': service }), readers: [reader] });
  mp.getMeter('payloads').createCounter(counter).add(7, { route: '/a' });
  const { resourceMetrics } = await reader.collect();
  return new Uint8Array(ProtobufMetricsSerializer.serializeRequest(resourceMetrics) as Uint8Array);
}

/** A hex id of `bytes` bytes. */
export function hexId(bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += Math.floor(Math.random() * 256).toString(16).padStart(2, '0');
  return s;
}

export interface JsonSpanInput {
  name: string;
  traceId?: string;
  spanId?: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

/** ExportTraceServiceRequest in OTLP/JSON. */
export function otlpTracesJson(service: string, spans: JsonSpanInput[]): Record<string, unknown> {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'payloads' },
            spans: spans.map((s) => ({
              traceId: s.traceId ?? hexId(16),
              spanId: s.spanId ?? hexId(8),
              name: s.name,
              kind: 2,
              startTimeUnixNano: String(now - 5_000_000n),
              endTimeUnixNano: String(now),
              attributes: s.attributes ?? [],
            })),
          },
        ],
      },
    ],
  };
}

// ----------------------------------------------------------------------- remote_write

/** prometheus/prometheus prompb remote.proto + types.proto (remote_write 1.0), the parts we send. */
const PROMPB = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
message MetricMetadata {
  enum MetricType { UNKNOWN = 0; COUNTER = 1; GAUGE = 2; HISTOGRAM = 3; GAUGEHISTOGRAM = 4; SUMMARY = 5; INFO = 6; STATESET = 7; }
  MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5;
}
message Sample { double value = 1; int64 timestamp = 2; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
`;
const WriteRequest = protobuf.parse(PROMPB, { keepCase: true }).root.lookupType('prometheus.WriteRequest');

export interface SeriesInput {
  labels: Array<[string, string]>;
  samples: Array<[number, number]>; // [value, timestamp ms]
}

export function writeRequest(series: SeriesInput[]): Bytes {
  const obj = {
    timeseries: series.map((s) => ({
      labels: s.labels.map(([name, value]) => ({ name, value })),
      samples: s.samples.map(([value, timestamp]) => ({ value, timestamp })),
    })),
  };
  return new Uint8Array(WriteRequest.encode(WriteRequest.fromObject(obj)).finish());
}

/** Snappy block format, as Prometheus compresses remote_write bodies. */
export function snappy(bytes: Uint8Array): Bytes {
  // Copy first: protobufjs may hand out views into a shared pool.
  return new Uint8Array(SnappyJS.compress(new Uint8Array(bytes).buffer));
}

// --------------------------------------------------------------------------- answers

const Status = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(Status);

const PartialSuccess = new protobuf.Type('PartialSuccess').add(new protobuf.Field('rejected', 1, 'int64')).add(new protobuf.Field('errorMessage', 2, 'string'));
const ExportResponse = new protobuf.Type('ExportResponse').add(new protobuf.Field('partialSuccess', 1, 'PartialSuccess'));
new protobuf.Root().define('otlp').add(PartialSuccess).add(ExportResponse);

/** google.rpc.Status from its protobuf encoding. */
export function decodeStatus(bytes: Uint8Array): { code: number; message: string } {
  const s = Status.toObject(Status.decode(bytes), { defaults: true }) as { code: number; message: string };
  return { code: s.code, message: s.message };
}

/** Export*ServiceResponse (any signal: rejected_<items> is field 1 in each). */
export function decodeExportResponse(bytes: Uint8Array): { rejected: number; errorMessage: string } {
  const r = ExportResponse.toObject(ExportResponse.decode(bytes), { longs: Number, defaults: true }) as { partialSuccess?: { rejected: number; errorMessage: string } };
  return { rejected: r.partialSuccess?.rejected ?? 0, errorMessage: r.partialSuccess?.errorMessage ?? '' };
}
