/**
 * Decoder throughput: our OTLP protobuf decoders against protobufjs decoding the same
 * bytes from the OTLP .proto (the peer: what a generated decoder does), plus our JSON
 * decoder against bare JSON.parse (its floor). The bytes come from the official SDK and
 * otlp-transformer serializers, so they are what real exporters send.
 *
 *   pnpm bench:decode            # prints a table and the Markdown for bench/RESULTS.md
 *
 * Each side decodes one request repeatedly for ~RUN_MS, RUNS times, alternating with the
 * other side, after a warm-up; we report the medians and their ratio. Our decoders do strictly more than the peer (ids to hex,
 * KeyValues to attribute maps, validation, limits), the peer only builds message objects
 * (with Long for every fixed64), so the ratio understates the gap to a peer that also
 * produced our model.
 */
import { JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import protobuf from 'protobufjs';
import { decodeLogsProtobuf, decodeTracesJson, decodeTracesProtobuf } from '../../app/.server/ingest/decode/index';

const SPANS = 2000;
const LOGS = 2000;
const RUNS = 7;
const RUN_MS = 700;

// opentelemetry/proto common, resource, trace, logs and the collector requests, transcribed.
const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10; repeated Event events = 11; uint32 dropped_events_count = 12; repeated Link links = 13;
  uint32 dropped_links_count = 14; Status status = 15;
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
}
message Status { string message = 2; int32 code = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2; string severity_text = 3;
  AnyValue body = 5; repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7; fixed32 flags = 8;
  bytes trace_id = 9; bytes span_id = 10; string event_name = 12;
}
`;

async function makeSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '1.4.2', 'host.name': 'web-7', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('@obstack/bench', '1.0.0');
  for (let i = 0; i < SPANS; i++) {
    const s = tracer.startSpan(`GET /api/orders/{id}`, {
      kind: 1,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/api/orders/{id}',
        'url.full': `https://shop.example/api/orders/${i}?expand=items`,
        'http.response.status_code': 200,
        'server.address': 'shop.example',
        'server.port': 443,
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
        'network.protocol.version': '1.1',
        'app.cart.items': i % 7,
        'app.cart.value': 19.99 * (i % 5),
      },
    });
    s.addEvent('cache.miss', { 'cache.key': `order:${i}` });
    s.end();
  }
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

async function makeLogs() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'billing', 'host.name': 'web-7' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('app', '1.0.0');
  for (let i = 0; i < LOGS; i++) {
    logger.emit({
      severityNumber: 9,
      severityText: 'INFO',
      body: `payment ${i} accepted for customer cus_${(i * 7919) % 100000} after 2 attempts`,
      attributes: { 'payment.id': `pay_${i}`, 'payment.amount': 12.5 + i, 'payment.currency': 'EUR', 'code.function': 'capture', retries: 2 },
    });
  }
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

/** Items/s of one timed run of `fn` (decoding `items` items per call) lasting ~RUN_MS. */
function run(items: number, fn: () => unknown): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < RUN_MS) {
    fn();
    n++;
    t = performance.now();
  }
  return (n * items) / ((t - t0) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Median items/s of ours and of the peer. Runs alternate (ours, peer, ours, peer…) after a
 * warm-up of both, so drift on a shared machine hits both sides alike and the ratio holds.
 */
function compare(items: number, ours: () => unknown, peer: () => unknown): [number, number] {
  for (const fn of [ours, peer]) {
    const t0 = performance.now();
    while (performance.now() - t0 < 500) fn();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    a.push(run(items, ours));
    b.push(run(items, peer));
  }
  return [median(a), median(b)];
}

const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M/s`;

async function main() {
  const root = protobuf.parse(OTLP_PROTO, { keepCase: true }).root;
  const TraceReq = root.lookupType('otlp.ExportTraceServiceRequest');
  const LogsReq = root.lookupType('otlp.ExportLogsServiceRequest');

  const spans = await makeSpans();
  const logs = await makeLogs();
  const traceBytes = ProtobufTraceSerializer.serializeRequest(spans)!;
  const logBytes = ProtobufLogsSerializer.serializeRequest(logs)!;
  const traceJson = JsonTraceSerializer.serializeRequest(spans)!;
  const traceText = new TextDecoder().decode(traceJson);

  // Sanity: both sides see every item before we time them.
  if (decodeTracesProtobuf(traceBytes).items.length !== SPANS) throw new Error('ours: wrong span count');
  const peer = TraceReq.decode(traceBytes) as unknown as { resource_spans: Array<{ scope_spans: Array<{ spans: unknown[] }> }> };
  if (peer.resource_spans[0]!.scope_spans[0]!.spans.length !== SPANS) throw new Error('peer: wrong span count');
  if (decodeLogsProtobuf(logBytes).items.length !== LOGS) throw new Error('ours: wrong log count');
  if (decodeTracesJson(traceJson).items.length !== SPANS) throw new Error('ours (json): wrong span count');

  const rows: Array<[string, string, number, number]> = [];
  rows.push([
    'spans, protobuf',
    'protobufjs 8 `decode` (reflection codegen, to message objects)',
    ...compare(
      SPANS,
      () => decodeTracesProtobuf(traceBytes),
      () => TraceReq.decode(traceBytes),
    ),
  ]);
  rows.push([
    'log records, protobuf',
    'protobufjs 8 `decode`',
    ...compare(
      LOGS,
      () => decodeLogsProtobuf(logBytes),
      () => LogsReq.decode(logBytes),
    ),
  ]);
  rows.push([
    'spans, OTLP/JSON',
    '`JSON.parse` alone (no validation, no model)',
    ...compare(
      SPANS,
      () => decodeTracesJson(traceJson),
      () => JSON.parse(traceText),
    ),
  ]);

  console.log(`Request sizes: traces ${traceBytes.length} B protobuf / ${traceJson.length} B JSON (${SPANS} spans), logs ${logBytes.length} B (${LOGS} records)`);
  console.log(`Node ${process.version}, ${RUNS} runs of ${RUN_MS} ms each, median\n`);
  console.log('| what | ours (items/s) | peer | peer (items/s) | ours ÷ peer |');
  console.log('|---|---|---|---|---|');
  for (const [what, peerName, o, p] of rows) console.log(`| ${what} | ${fmt(o)} | ${peerName} | ${fmt(p)} | ${(o / p).toFixed(2)}× |`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
