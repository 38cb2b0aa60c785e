import { createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeTracesJson } from './otlp-json';
import { decodeTracesProtobuf } from './otlp-proto';
import { expectSpan } from './test-support';

/** Real spans from the official SDK, covering every field the model has. */
async function recordSpans(): Promise<ReadableSpan[]> {
  const spans: ReadableSpan[] = [];
  for (const [svc, extra] of [
    ['checkout', { 'deployment.environment.name': 'prod', 'host.cpus': 8, 'process.runtime.big': 2 ** 60 }],
    ['ledger', { 'service.version': '1.2.3' }],
  ] as const) {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': svc, ...extra }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('obstack-test', '0.1.0');
    const other = provider.getTracer('second-scope');

    const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
      traceState: createTraceState('vendor=abc,other=x-1'),
    });
    const root = tracer.startSpan(
      'GET /orders/{id}',
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'http.response.status_code': 200,
          ratio: 0.25,
          negative: -42,
          'big.int': 2 ** 60,
          ok: true,
          empty: '',
          unicode: 'héllo wörld ✓ 𝄞',
          tags: ['a', 'b', ''],
          codes: [1, 2, 3],
          flags: [true, false],
          mixedNums: [1.5, 2],
        },
        links: [
          {
            context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, traceState: createTraceState('k=v') },
            attributes: { 'link.kind': 'follows', n: 1 },
          },
          { context: { traceId: '5bf92f3577b34da6a3ce929d0e0e4736', spanId: '10f067aa0ba902b7', traceFlags: 0 } },
        ],
      },
      remoteParent,
    );
    root.addEvent('cache.miss', { key: 'order:17', size: 3 });
    root.addEvent('no-attrs');
    const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }, trace.setSpan(ROOT_CONTEXT, root));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock detected' });
    child.recordException(new Error('boom'));
    child.end();
    const producer = other.startSpan('publish', { kind: SpanKind.PRODUCER });
    producer.setStatus({ code: SpanStatusCode.OK });
    producer.end();
    other.startSpan('consume', { kind: SpanKind.CONSUMER }).end();
    other.startSpan('work', { kind: SpanKind.INTERNAL }).end();
    root.end();
    await provider.forceFlush();
    spans.push(...exporter.getFinishedSpans());
  }
  return spans;
}

const bySpanId = <T extends { spanId: string }>(a: T, b: T) => (a.spanId < b.spanId ? -1 : 1);

describe('OTLP traces: decoded exactly as the official SDK recorded them', () => {
  it.each([
    ['protobuf', (s: ReadableSpan[]) => decodeTracesProtobuf(ProtobufTraceSerializer.serializeRequest(s)!)],
    ['json', (s: ReadableSpan[]) => decodeTracesJson(JsonTraceSerializer.serializeRequest(s)!)],
  ])('%s: every span, field by field', async (_enc, decode) => {
    const spans = await recordSpans();
    expect(spans).toHaveLength(10);
    const res = decode(spans);
    expect(res.rejected).toBe(0);
    expect(res.message).toBeUndefined();
    const got = [...res.items].sort(bySpanId);
    const want = spans.map(expectSpan).sort(bySpanId);
    expect(got).toHaveLength(want.length);
    for (let i = 0; i < want.length; i++) expect(got[i], `span ${want[i]!.name}`).toEqual(want[i]);
  });

  it('keeps int64 attributes past 2^53 as decimal strings and the rest as numbers', async () => {
    const spans = await recordSpans();
    const res = decodeTracesProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!);
    const root = res.items.find((s) => s.name === 'GET /orders/{id}')!;
    expect(root.attributes['big.int']).toBe('1152921504606846976');
    expect(root.attributes.negative).toBe(-42);
    expect(root.resource['process.runtime.big']).toBe('1152921504606846976');
    expect(root.traceState).toBe('vendor=abc,other=x-1');
    expect(root.parentSpanId).toBe('b7ad6b7169203331');
    expect(root.serviceName).toBe('checkout');
  });

  it('protobuf and JSON decode the same spans to the same model', async () => {
    const spans = await recordSpans();
    const a = decodeTracesProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!).items.sort(bySpanId);
    const b = decodeTracesJson(JsonTraceSerializer.serializeRequest(spans)!).items.sort(bySpanId);
    expect(b).toEqual(a);
  });

  it('an empty request is a success with nothing in it', () => {
    expect(decodeTracesProtobuf(new Uint8Array(0))).toEqual({ items: [], rejected: 0, message: undefined });
    expect(decodeTracesJson('{}')).toEqual({ items: [], rejected: 0, message: undefined });
  });
});
