import protobuf from 'protobufjs';
import SnappyJS from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { readBody } from './body';
import { IngestError } from './errors';
import { decodeRemoteWrite } from './remote-write';
import { snappyUncompress } from './snappy';

/**
 * prometheus/prometheus prompb/remote.proto + types.proto (remote_write 1.0), transcribed
 * here so protobufjs, not our decoder's tables, decides the bytes. Histogram is cut down
 * to a few fields: enough to put native histograms on the wire.
 */
const PROMPB = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
message MetricMetadata {
  enum MetricType { UNKNOWN = 0; COUNTER = 1; GAUGE = 2; HISTOGRAM = 3; GAUGEHISTOGRAM = 4; SUMMARY = 5; INFO = 6; STATESET = 7; }
  MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5;
}
message Sample { double value = 1; int64 timestamp = 2; }
message Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
message Histogram { oneof count { uint64 count_int = 1; double count_float = 2; } double sum = 3; sint32 schema = 4; int64 timestamp = 15; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
message Label { string name = 1; string value = 2; }
`;
const WriteRequest = protobuf.parse(PROMPB, { keepCase: true }).root.lookupType('prometheus.WriteRequest');

const T = 1_700_000_000_000; // ms
const labels = (o: Record<string, string>) => Object.entries(o).map(([name, value]) => ({ name, value }));

function encode(obj: object): Uint8Array {
  return WriteRequest.encode(WriteRequest.fromObject(obj)).finish();
}

/** What a Prometheus sender puts on the wire: snappy block format of the protobuf. */
function snappy(bytes: Uint8Array): Uint8Array {
  // Copy first: protobufjs hands out Node Buffers that are views into a shared pool.
  return new Uint8Array(SnappyJS.compress(new Uint8Array(bytes).buffer));
}

const LIMITS = { maxBodyBytes: 1 << 20, maxDecompressedBytes: 1 << 22 };

async function roundTrip(obj: object) {
  const body = await readBody(snappy(encode(obj)), { ...limitsFor(), encoding: 'snappy', allowedEncodings: ['snappy'] });
  return decodeRemoteWrite(body);
}
function limitsFor() {
  return { maxBytes: LIMITS.maxBodyBytes, maxDecompressedBytes: LIMITS.maxDecompressedBytes };
}

describe('remote_write 1.0: WriteRequest from protobufjs + snappyjs', () => {
  it('turns samples into points: __name__ is the name, other labels stay, ms become ns, job names the service', async () => {
    const res = await roundTrip({
      timeseries: [
        {
          labels: labels({ __name__: 'http_requests_total', job: 'api', instance: '10.0.0.1:9090', code: '200' }),
          samples: [
            { value: 10, timestamp: T },
            { value: 12, timestamp: T + 15_000 },
          ],
        },
        { labels: labels({ __name__: 'node_load1', service_name: 'node', instance: 'h1' }), samples: [{ value: 0.42, timestamp: T }] },
        { labels: labels({ __name__: 'up' }), samples: [{ value: 1, timestamp: T }] },
      ],
    });
    expect(res.rejected).toBe(0);
    expect(res.rejectedSeries).toBe(0);
    expect(res.items).toEqual([
      {
        name: 'http_requests_total',
        type: 'sum',
        temporality: 'cumulative',
        monotonic: true,
        timeUnixNano: BigInt(T) * 1_000_000n,
        serviceName: 'api',
        labels: { job: 'api', instance: '10.0.0.1:9090', code: '200' },
        value: 10,
      },
      {
        name: 'http_requests_total',
        type: 'sum',
        temporality: 'cumulative',
        monotonic: true,
        timeUnixNano: BigInt(T + 15_000) * 1_000_000n,
        serviceName: 'api',
        labels: { job: 'api', instance: '10.0.0.1:9090', code: '200' },
        value: 12,
      },
      { name: 'node_load1', type: 'gauge', timeUnixNano: BigInt(T) * 1_000_000n, serviceName: 'node', labels: { service_name: 'node', instance: 'h1' }, value: 0.42 },
      { name: 'up', type: 'gauge', timeUnixNano: BigInt(T) * 1_000_000n, serviceName: 'unknown_service', labels: {}, value: 1 },
    ]);
  });

  it('uses metadata for type, unit and help when present, even when it comes after the series', async () => {
    const res = await roundTrip({
      timeseries: [
        { labels: labels({ __name__: 'queue_depth_total' }), samples: [{ value: 3, timestamp: T }] },
        { labels: labels({ __name__: 'rpc_seconds_bucket', le: '0.5' }), samples: [{ value: 4, timestamp: T }] },
        { labels: labels({ __name__: 'rpc_seconds_count' }), samples: [{ value: 9, timestamp: T }] },
        { labels: labels({ __name__: 'rpc_quantiles', quantile: '0.9' }), samples: [{ value: 0.3, timestamp: T }] },
        { labels: labels({ __name__: 'rpc_quantiles_sum' }), samples: [{ value: 7, timestamp: T }] },
        { labels: labels({ __name__: 'jobs_processed' }), samples: [{ value: 7, timestamp: T }] },
      ],
      metadata: [
        { type: 'GAUGE', metric_family_name: 'queue_depth_total', help: 'a gauge despite its name', unit: 'items' },
        { type: 'HISTOGRAM', metric_family_name: 'rpc_seconds', help: 'RPC latency', unit: 'seconds' },
        { type: 'SUMMARY', metric_family_name: 'rpc_quantiles' },
        { type: 'COUNTER', metric_family_name: 'jobs_processed' },
      ],
    });
    expect(res.items.map((p) => [p.name, p.type, p.unit, p.description])).toEqual([
      ['queue_depth_total', 'gauge', 'items', 'a gauge despite its name'],
      ['rpc_seconds_bucket', 'sum', 'seconds', 'RPC latency'],
      ['rpc_seconds_count', 'sum', 'seconds', 'RPC latency'],
      ['rpc_quantiles', 'gauge', undefined, undefined],
      ['rpc_quantiles_sum', 'sum', undefined, undefined],
      ['jobs_processed', 'sum', undefined, undefined],
    ]);
  });

  it('drops stale markers, keeps other NaNs and infinities, skips native histograms with a warning', async () => {
    const SENTINEL = 123456.789;
    const bytes = encode({
      timeseries: [
        {
          labels: labels({ __name__: 'g' }),
          samples: [
            { value: SENTINEL, timestamp: T },
            { value: NaN, timestamp: T + 1 },
            { value: Infinity, timestamp: T + 2 },
          ],
        },
        { labels: labels({ __name__: 'native' }), histograms: [{ count_int: 3, sum: 1.5, schema: 1, timestamp: T }] },
      ],
    });
    // Put the stale-marker bit pattern (0x7ff0000000000002) where the sentinel double is.
    const pattern = new Uint8Array(new Float64Array([SENTINEL]).buffer);
    const at = Buffer.from(bytes).indexOf(Buffer.from(pattern));
    expect(at).toBeGreaterThan(0);
    new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(at, 0x7ff0000000000002n, true);
    const res = decodeRemoteWrite(snappyUncompress(snappy(bytes), 1 << 20));
    expect(res.items.map((p) => p.value)).toEqual([NaN, Infinity]);
    expect(res.rejectedSeries).toBe(0);
    expect(res.message).toContain('native histogram sample ignored');
  });

  it('rejects invalid series with a message naming them, and still ingests the valid ones', async () => {
    const res = await roundTrip({
      timeseries: [
        { labels: labels({ job: 'x' }), samples: [{ value: 1, timestamp: T }] },
        { labels: [...labels({ __name__: 'dup', a: '1' }), { name: 'a', value: '2' }], samples: [{ value: 1, timestamp: T }] },
        { labels: labels({ __name__: 'good', job: 'api' }), samples: [{ value: 5, timestamp: T }] },
        {
          labels: labels({ __name__: 'seconds_not_ms', job: 'api' }),
          samples: [
            { value: 1, timestamp: 1_700_000_000 },
            { value: 2, timestamp: T },
          ],
        },
        { labels: labels({ __name__: 'empty_value_dropped', env: '' }), samples: [{ value: 3, timestamp: T }] },
      ],
    });
    expect(res.items.map((p) => [p.name, p.value, p.labels])).toEqual([
      ['good', 5, { job: 'api' }],
      ['seconds_not_ms', 2, { job: 'api' }],
      ['empty_value_dropped', 3, {}],
    ]);
    expect(res.rejectedSeries).toBe(3);
    expect(res.message).toContain('3 series rejected');
    expect(res.message).toContain('series {job="x"}: has no __name__ label');
    expect(res.message).toContain('series {__name__="dup", a="1"}: repeats label "a"');
    expect(res.message).toContain('series {__name__="seconds_not_ms", job="api"}: 1 of 2 samples rejected: timestamp 1700000000 ms is before 2000-01-01');
  });

  it('refuses snappy that lies about its size before allocating it, and a body over the limit', () => {
    // Preamble claims 1 GiB from a handful of bytes.
    const lie = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x04, 0x00, 0x61]);
    expect(() => snappyUncompress(lie, 2 ** 31)).toThrow(/claims 1073741824 bytes/);
    expect(() => snappyUncompress(lie, 1 << 20)).toThrow(expect.objectContaining({ status: 413 }));
    const ok = snappy(new Uint8Array(4096).fill(7));
    expect(snappyUncompress(ok, 4096)).toEqual(new Uint8Array(4096).fill(7));
    expect(() => snappyUncompress(ok, 4095)).toThrow(IngestError);
    for (let cut = 1; cut < ok.length; cut++) expect(() => snappyUncompress(ok.subarray(0, cut), 4096)).toThrow(IngestError);
  });
});
