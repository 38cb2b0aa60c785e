/**
 * The bad-input corpus: truncated and mutated messages, wrong wire types, overlong varints,
 * lying length prefixes, hostile nesting, million-element repeated fields, invalid UTF-8,
 * JSON of the wrong shape, oversized values. Each must end in a DecodeResult (with
 * rejections or warnings where documented) or an IngestError with a 4xx — never any other
 * exception, never unbounded work.
 */
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { beforeAll, describe, expect, it } from 'vitest';
import { IngestError } from './errors';
import { TRUNCATION_MARKER } from './limits';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from './otlp-json';
import { decodeLogsProtobuf, decodeMetricsProtobuf, decodeTracesProtobuf } from './otlp-proto';
import { decodeRemoteWrite } from './remote-write';

// ------------------------------------------------------------- a tiny independent encoder

const enc = new TextEncoder();
function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
function bytes(...parts: Array<number[] | Uint8Array>): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
/** `part` n times, without spreading n arguments onto the stack. */
function repeat(part: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(part.length * n);
  for (let i = 0; i < n; i++) out.set(part, i * part.length);
  return out;
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
const ld = (field: number, ...payload: Array<number[] | Uint8Array>) => {
  const b = bytes(...payload);
  return bytes(key(field, 2), varint(b.length), b);
};
const str = (field: number, s: string | Uint8Array) => ld(field, typeof s === 'string' ? enc.encode(s) : s);
const fixed64 = (field: number, v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return bytes(key(field, 1), b);
};
const vfield = (field: number, v: number | bigint) => bytes(key(field, 0), varint(v));

const T0 = 1_700_000_000_000_000_000n;
/** A valid Span (opentelemetry/proto/trace/v1/trace.proto field numbers), with extra fields appended. */
const span = (...extra: Uint8Array[]) =>
  bytes(str(1, new Uint8Array(16).fill(0xab)), str(2, new Uint8Array(8).fill(0xcd)), str(5, 'op'), fixed64(7, T0), fixed64(8, T0 + 1000n), ...extra);
/** ExportTraceServiceRequest { resource_spans { scope_spans { spans… } } } */
const traces = (...spans: Uint8Array[]) => ld(1, ld(2, ...spans.map((s) => ld(2, s))));
const kv = (k: string, anyValue: Uint8Array) => bytes(str(1, k), ld(2, anyValue));

// ------------------------------------------------------------------------------- helpers

type Outcome = { ok: true; rejected: number; message: string | undefined; items: number } | { ok: false; error: IngestError };

/** Runs a decoder; an IngestError is an outcome, any other exception fails the test. */
function run(fn: () => { rejected: number; message: string | undefined; items: unknown[] }): Outcome {
  try {
    const r = fn();
    return { ok: true, rejected: r.rejected, message: r.message, items: r.items.length };
  } catch (e) {
    if (!(e instanceof IngestError)) throw new Error(`decoder threw ${String(e)} instead of an IngestError`, { cause: e });
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect(e.status).toBeLessThan(500);
    return { ok: false, error: e };
  }
}

function error(o: Outcome): IngestError {
  if (o.ok) throw new Error(`expected an IngestError, got ${JSON.stringify(o)}`);
  return o.error;
}

/** mulberry32: a seeded PRNG so the fuzz cases are the same on every run. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Real requests from the official SDK serializers, to truncate and mutate. */
const real: { traces: Uint8Array; logs: Uint8Array; metrics: Uint8Array } = { traces: new Uint8Array(), logs: new Uint8Array(), metrics: new Uint8Array() };
beforeAll(async () => {
  const resource = resourceFromAttributes({ 'service.name': 'corpus', 'host.name': 'h' });
  const se = new InMemorySpanExporter();
  const tp = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: se })] });
  const tr = tp.getTracer('t', '1');
  for (let i = 0; i < 3; i++) {
    const s = tr.startSpan(`span-${i}`, { attributes: { i, s: 'x'.repeat(i * 10), arr: [1, 2], f: 0.5, b: true } });
    s.addEvent('e', { k: 'v' });
    s.end();
  }
  await tp.forceFlush();
  real.traces = ProtobufTraceSerializer.serializeRequest(se.getFinishedSpans())!;

  const le = new InMemoryLogRecordExporter();
  const lp = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: le })] });
  lp.getLogger('l').emit({ body: { a: [1, { b: 'c' }] }, severityNumber: 9, attributes: { k: 1 } });
  lp.getLogger('l').emit({ body: 'plain' });
  await lp.forceFlush();
  real.logs = ProtobufLogsSerializer.serializeRequest(le.getFinishedLogRecords())!;

  const reader = new PullReader();
  const mp = new MeterProvider({ resource, readers: [reader] });
  const m = mp.getMeter('m');
  m.createCounter('c').add(1, { a: 'b' });
  m.createHistogram('h').record(3);
  m.createGauge('g').record(2);
  real.metrics = ProtobufMetricsSerializer.serializeRequest((await reader.collect()).resourceMetrics)!;
});

const protobufDecoders = [
  ['traces', () => real.traces, decodeTracesProtobuf],
  ['logs', () => real.logs, decodeLogsProtobuf],
  ['metrics', () => real.metrics, decodeMetricsProtobuf],
] as const;

// ------------------------------------------------------------------------ protobuf corpus

describe('protobuf: truncated and mutated real requests', () => {
  it.each(protobufDecoders)('%s: every truncation is an outcome, never a crash', (_s, get, decode) => {
    const full = get();
    expect(run(() => decode(full))).toMatchObject({ ok: true, rejected: 0 });
    let errors = 0;
    for (let cut = 0; cut < full.length; cut++) {
      const o = run(() => decode(full.subarray(0, cut)));
      if (!o.ok) {
        errors++;
        expect(o.error.code).toBe('malformed_protobuf');
        expect(o.error.message).toMatch(/^malformed protobuf at byte \d+/);
      }
    }
    expect(errors).toBeGreaterThan(full.length / 2);
  });

  it.each(protobufDecoders)('%s: 3000 random byte mutations are outcomes, never crashes', (_s, get, decode) => {
    const rnd = prng(42);
    const full = get();
    for (let i = 0; i < 3000; i++) {
      const m = full.slice();
      for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
      run(() => decode(m));
    }
  });

  it('an error inside an item names the path down to it', () => {
    // A KeyValue whose key claims 100 bytes inside a 5-byte message.
    const body = traces(span(), span(ld(9, bytes(key(1, 2), varint(100), enc.encode('abc')))));
    const e = error(run(() => decodeTracesProtobuf(body)));
    expect(e.message).toMatch(/^malformed protobuf at byte \d+ in resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]: length prefix 100 runs past/);
  });
});

describe('protobuf: hand-made malformations', () => {
  it('a known field with the wrong wire type is a 400 naming the field', () => {
    const e = error(run(() => decodeTracesProtobuf(traces(span(vfield(5, 1))))));
    expect(e.status).toBe(400);
    expect(e.message).toContain('opentelemetry.proto.trace.v1.Span.name (field 5) has wire type VARINT, expected LEN');
    expect(e.message).toContain('resourceSpans[0].scopeSpans[0].spans[0]');
  });

  it('varints longer than 10 bytes (or overflowing 64 bits) are a 400', () => {
    const eleven = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    const e = error(run(() => decodeTracesProtobuf(traces(span(bytes(key(6, 0), eleven))))));
    expect(e.message).toContain('varint is longer than 10 bytes or overflows 64 bits');
    const overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
    expect(error(run(() => decodeTracesProtobuf(traces(span(bytes(key(6, 0), overflow))))))).toBeInstanceOf(IngestError);
    // The longest legal varint (10 bytes, -1 as int32 enum) is fine.
    const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    expect(run(() => decodeTracesProtobuf(traces(span(bytes(key(6, 0), minusOne)))))).toMatchObject({ ok: true, items: 1 });
  });

  it('length prefixes past the end of the buffer or of the enclosing message are a 400', () => {
    const past = bytes(key(1, 2), varint(1000), [1, 2, 3]);
    expect(error(run(() => decodeTracesProtobuf(past))).message).toMatch(/length prefix 1000 runs past the end of the enclosing message \(3 bytes left\)/);
    // The inner length fits the buffer but not its parent message.
    const inner = bytes(key(1, 2), varint(4), key(2, 2), varint(50), [0, 0], new Uint8Array(60));
    expect(error(run(() => decodeTracesProtobuf(inner))).message).toContain('runs past the end of the enclosing message');
    const huge = bytes(key(1, 2), varint(2n ** 40n));
    expect(error(run(() => decodeTracesProtobuf(huge))).message).toContain('over 2^32');
  });

  it('field number 0, wire types 6 and 7, and unmatched groups are a 400', () => {
    for (const b of [bytes([0x02, 0x00]), bytes([0x0e]), bytes([0x0f]), bytes(key(1, 4)), bytes(key(5, 3), key(6, 4))]) {
      expect(error(run(() => decodeLogsProtobuf(b))).status).toBe(400);
    }
  });

  it('unknown fields of every wire type are skipped, groups included', () => {
    const unknown = bytes(vfield(99, 5), bytes(key(98, 1), new Uint8Array(8)), str(97, 'x'), bytes(key(96, 5), new Uint8Array(4)), bytes(key(95, 3), vfield(1, 1), str(2, 'g'), key(95, 4)));
    const o = run(() => decodeTracesProtobuf(bytes(traces(span(unknown)), unknown)));
    expect(o).toMatchObject({ ok: true, items: 1, rejected: 0 });
  });

  it('hostile nesting: 100k nested unknown groups hit the depth limit; 10k nested AnyValues are skipped, not recursed', () => {
    const n = 100_000;
    const groups = bytes(repeat(Uint8Array.from(key(50, 3)), n), repeat(Uint8Array.from(key(50, 4)), n));
    expect(error(run(() => decodeTracesProtobuf(groups))).message).toContain('messages nested deeper than 32 levels');

    // AnyValue{array_value: ArrayValue{values: AnyValue{…}}} n levels deep, built inside out.
    let v: Uint8Array = str(1, 'leaf');
    for (let i = 0; i < 10_000; i++) v = ld(5, ld(1, v));
    const o = run(() => decodeTracesProtobuf(traces(span(ld(9, kv('deep', v)), ld(9, kv('flat', str(1, 'ok')))))));
    expect(o).toMatchObject({ ok: true, items: 1, rejected: 0 });
    expect((o as { message: string }).message).toContain('value dropped for nesting deeper than 8 levels');
    const s = decodeTracesProtobuf(traces(span(ld(9, kv('deep', v))))).items[0]!;
    let depth = 0;
    for (let x: unknown = s.attributes.deep; Array.isArray(x); x = x[0]) depth++;
    expect(depth).toBe(8);
  });

  it('a million spans stop at maxItems with a 413, quickly', () => {
    const million = repeat(ld(2, span()), 1_000_000);
    const body = bytes(key(1, 2), varint(bytes(key(2, 2), varint(million.length), million).length), key(2, 2), varint(million.length), million);
    const t0 = performance.now();
    const e = error(run(() => decodeTracesProtobuf(body)));
    expect([e.status, e.code]).toEqual([413, 'too_many_items']);
    expect(e.message).toContain('more than 50000 spans');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('a million attributes on one span keep 128 and say so; a million bucket counts reject the point', () => {
    const many = repeat(ld(9, kv('k', str(1, 'v'))), 1_000_000);
    const t0 = performance.now();
    const r = decodeTracesProtobuf(traces(span(many)));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(Object.keys(r.items[0]!.attributes)).toEqual(['k']);
    const distinct = bytes(...Array.from({ length: 300 }, (_, i) => ld(9, kv(`k${i}`, str(1, 'v')))));
    const r2 = decodeTracesProtobuf(traces(span(distinct)));
    expect(Object.keys(r2.items[0]!.attributes)).toHaveLength(128);
    expect(r2.message).toContain('172× attribute dropped over the limit of 128 per item');

    // HistogramDataPoint { time_unix_nano = 3; count = 4; bucket_counts = 6 packed, 1M entries }
    const packed = new Uint8Array(8 * 1_000_000);
    const point = bytes(fixed64(3, T0), fixed64(4, 0n), ld(6, packed));
    const metrics = ld(1, ld(2, ld(2, str(1, 'h'), ld(9, ld(1, point)))));
    const m = decodeMetricsProtobuf(metrics);
    expect(m.rejected).toBe(1);
    expect(m.message).toContain('histogram has more than 4096 buckets');
  });

  it('invalid UTF-8 in any string field fails the request with a 400 that says so', () => {
    const bad = new Uint8Array([0x61, 0xff, 0xfe, 0x62]);
    const overlong = new Uint8Array([0xc0, 0xaf]);
    const surrogate = new Uint8Array([0xed, 0xa0, 0x80]);
    for (const b of [bad, overlong, surrogate]) {
      for (const body of [traces(span(str(5, b))), traces(span(ld(9, kv('k', str(1, b))))), traces(span(ld(9, bytes(str(1, b), ld(2, str(1, 'v'))))))]) {
        const e = error(run(() => decodeTracesProtobuf(body)));
        expect(e.message).toContain('string is not valid UTF-8');
      }
    }
    // A BOM is content in a protobuf string and is kept.
    expect(decodeTracesProtobuf(traces(span(str(5, '\uFEFFname')))).items[0]!.name).toBe('\uFEFFname');
  });

  it('huge attribute values and bodies are cut to their limit with the marker, on a character boundary', () => {
    const big = 'é'.repeat(100_000); // 2 bytes each
    const r = decodeTracesProtobuf(traces(span(ld(9, kv('big', str(1, big))), ld(9, kv('bin', ld(7, new Uint8Array(40_000)))))));
    const v = r.items[0]!.attributes.big as string;
    expect(v.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(Buffer.byteLength(v.slice(0, -TRUNCATION_MARKER.length))).toBe(16 * 1024);
    expect((r.items[0]!.attributes.bin as string).endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(r.message).toContain('2× string cut to its size limit');

    // LogRecord { body = 5 AnyValue{string} }
    const logs = ld(1, ld(2, ld(2, fixed64(1, T0), ld(5, str(1, 'x'.repeat(200_000))))));
    const l = decodeLogsProtobuf(logs).items[0]!;
    expect(l.body.length).toBe(64 * 1024 + TRUNCATION_MARKER.length);
  });

  it('invalid spans are rejected one by one with a message naming them; the rest are kept', () => {
    const r = decodeTracesProtobuf(
      traces(
        span(),
        bytes(str(1, new Uint8Array(8).fill(1)), str(2, new Uint8Array(8).fill(1)), fixed64(7, T0), fixed64(8, T0)),
        bytes(str(1, new Uint8Array(16)), str(2, new Uint8Array(8).fill(1)), fixed64(7, T0), fixed64(8, T0)),
        bytes(str(1, new Uint8Array(16).fill(1)), str(2, new Uint8Array(8).fill(1)), fixed64(7, T0), fixed64(8, T0 - 1n)),
        bytes(str(1, new Uint8Array(16).fill(1)), str(2, new Uint8Array(8).fill(1)), fixed64(7, 1_700_000_000_000n), fixed64(8, 1_700_000_000_001n)),
        bytes(str(1, new Uint8Array(16).fill(1)), str(2, new Uint8Array(8).fill(1)), str(4, new Uint8Array(3)), fixed64(7, T0), fixed64(8, T0)),
        bytes(str(2, new Uint8Array(8).fill(1)), fixed64(7, T0), fixed64(8, T0)),
      ),
    );
    expect(r.items).toHaveLength(1);
    expect(r.rejected).toBe(6);
    expect(r.message).toBe(
      '6 spans rejected: ' +
        'resourceSpans[0].scopeSpans[0].spans[1]: trace id is 8 bytes, want 16; ' +
        'resourceSpans[0].scopeSpans[0].spans[2]: trace id is all zeros; ' +
        'resourceSpans[0].scopeSpans[0].spans[3]: end time is before start time; ' +
        'resourceSpans[0].scopeSpans[0].spans[4]: start time 1700000000000 is before 2000-01-01 (is it in ms or s instead of ns?); ' +
        'resourceSpans[0].scopeSpans[0].spans[5]: parent span id is 3 bytes, want 8; and 1 more',
    );
  });

  it('remote_write gets the same treatment', () => {
    const sample = ld(2, bytes(key(1, 1), new Uint8Array(new Float64Array([1]).buffer)), vfield(2, 1_700_000_000_000));
    const ok = ld(1, ld(1, str(1, '__name__'), str(2, 'up')), sample);
    expect(run(() => decodeRemoteWrite(ok))).toMatchObject({ ok: true, items: 1 });
    for (let cut = 0; cut < ok.length; cut++) run(() => decodeRemoteWrite(ok.subarray(0, cut)));
    expect(error(run(() => decodeRemoteWrite(ld(1, ld(1, str(1, '__name__'), str(2, new Uint8Array([0xff]))), sample)))).message).toContain('UTF-8');
    expect(error(run(() => decodeRemoteWrite(bytes(vfield(1, 1))))).message).toContain('prometheus.WriteRequest.timeseries (field 1) has wire type VARINT');
  });
});

// ---------------------------------------------------------------------------- JSON corpus

const jsonDecoders = [
  ['traces', decodeTracesJson],
  ['logs', decodeLogsJson],
  ['metrics', decodeMetricsJson],
] as const;

describe('JSON corpus', () => {
  it.each(jsonDecoders)('%s: malformed JSON, non-object roots and invalid UTF-8 are a 400', (_s, decode) => {
    expect(error(run(() => decode('{"resourceSpans": [')))).toMatchObject({ status: 400, code: 'malformed_json' });
    expect(error(run(() => decode('[]')))).toMatchObject({ status: 400, code: 'malformed_json' });
    expect(error(run(() => decode('null')))).toMatchObject({ status: 400 });
    expect(error(run(() => decode(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))))).toMatchObject({ status: 400, code: 'invalid_utf8' });
  });

  it.each(jsonDecoders)('%s: a wrongly shaped envelope is a 400 naming the path', (signal, decode) => {
    const root = signal === 'traces' ? 'resourceSpans' : signal === 'logs' ? 'resourceLogs' : 'resourceMetrics';
    expect(error(run(() => decode(JSON.stringify({ [root]: {} })))).message).toBe(`${root} must be an array`);
    expect(error(run(() => decode(JSON.stringify({ [root]: [5] })))).message).toBe(`${root}[0] must be an object`);
    expect(error(run(() => decode(JSON.stringify({ [root]: [{ resource: 'x' }] })))).message).toBe(`${root}[0].resource must be an object`);
  });

  it('items with wrongly typed fields are rejected, with the reason; base64 ids get a hint', () => {
    const good = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'ok', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: 1700000000000001000 };
    const r = decodeTracesJson(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  good,
                  { ...good, traceId: 'W47/95gDgQPSabYzgT/GDA==' },
                  { ...good, name: 42 },
                  { ...good, kind: 'SERVER' },
                  { ...good, startTimeUnixNano: '17e17' },
                  { ...good, attributes: { k: 'v' } },
                  { ...good, kind: 'SPAN_KIND_SERVER', traceId: good.traceId.toUpperCase(), trace_state: 'a=b', attributes: [{ key: 'n', value: { intValue: '9007199254740993' } }] },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(r.items.map((s) => [s.kind, s.traceId, s.traceState, s.attributes])).toEqual([
      ['unspecified', good.traceId, undefined, {}],
      ['server', good.traceId, 'a=b', { n: '9007199254740993' }],
    ]);
    expect(r.rejected).toBe(5);
    expect(r.message).toContain('spans[1]: traceId must be 32 hex characters (OTLP/JSON encodes ids as hex, not base64), got "W47/95gDgQPSabYzgT/GDA=="');
    expect(r.message).toContain('spans[2]: name must be a string');
    expect(r.message).toContain('spans[3]: kind "SERVER" is not a known enum value');
    expect(r.message).toContain('spans[4]: startTimeUnixNano must be an unsigned 64-bit integer');
    expect(r.message).toContain('spans[5]: attributes must be an array');
  });

  it('malformed attribute values are dropped with a warning, the item kept', () => {
    const r = decodeLogsJson(
      JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: '1700000000000000000',
                    attributes: [{ key: 'a', value: { intValue: 'x' } }, { key: 'b', value: { bytesValue: '!!' } }, { value: { stringValue: 'nokey' } }, 'junk', { key: 'ok', value: { doubleValue: 'NaN' } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(r.items[0]!.attributes).toEqual({ ok: NaN });
    expect(r.message).toContain('2× attribute dropped: malformed AnyValue');
    expect(r.message).toContain('attribute dropped: not a {"key", "value"} object');
  });

  it('deep JSON nesting is an outcome, not a stack overflow', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    run(() => decodeTracesJson(`{"resourceSpans": ${deep}}`));
    let v = '{"stringValue":"leaf"}';
    for (let i = 0; i < 5_000; i++) v = `{"arrayValue":{"values":[${v}]}}`;
    const o = run(() =>
      decodeLogsJson(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000","attributes":[{"key":"d","value":${v}}],"body":${v}}]}]}]}`),
    );
    expect(o).toMatchObject({ ok: true, items: 1 });
  });

  it('too many items is a 413', () => {
    const spans = Array.from({ length: 50_001 }, () => ({}));
    expect(error(run(() => decodeTracesJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }))))).toMatchObject({ status: 413, code: 'too_many_items' });
  });

  it('huge values are cut to their limit', () => {
    const r = decodeTracesJson(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '5b8efff798038103d269b633813fc60c',
                    spanId: 'eee19b7ec3c1b174',
                    name: 'n'.repeat(5000),
                    startTimeUnixNano: '1700000000000000000',
                    endTimeUnixNano: '1700000000000000000',
                    attributes: [{ key: 'big', value: { stringValue: '✓'.repeat(50_000) } }, { key: 'k'.repeat(300), value: { stringValue: 'dropped' } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const s = r.items[0]!;
    expect(s.name).toBe('n'.repeat(1024) + TRUNCATION_MARKER);
    expect(s.attributes.big).toBe('✓'.repeat(Math.floor((16 * 1024) / 3)) + TRUNCATION_MARKER);
    expect(Object.keys(s.attributes)).toEqual(['big']);
    expect(r.message).toContain('attribute dropped for a key longer than 256 bytes or empty');
  });
});
