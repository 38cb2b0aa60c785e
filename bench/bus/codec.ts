/**
 * How the bus encodes an envelope, and why (app/.server/bus/codec.ts): candidates on one
 * batch of 512 realistic spans (tests/bus/fixtures.ts: ~15 attributes, a shared 13-key
 * resource, two events). Every candidate round-trips bigints exactly. The last row is what
 * the bus uses: msgpackr with spans as positional rows and each shared resource/scope
 * written once (app/.server/bus/rows.ts), brotli quality 1, a 4-byte frame header.
 */
import { brotliCompressSync, brotliDecompressSync, constants as z, deflateRawSync, inflateRawSync } from 'node:zlib';
import { Packr } from 'msgpackr';
import { decodeEnvelope, encodeEnvelope } from '../../app/.server/bus/codec';
import { spanBatch } from '../../tests/bus/fixtures';

export interface CodecRow {
  name: string;
  bytesPerSpan: number;
  encodeSpansPerSec: number;
  decodeSpansPerSec: number;
}

const SPANS = 512;

function rate(fn: () => void, ms: number): number {
  for (let i = 0; i < 30; i++) fn();
  const t = performance.now();
  let n = 0;
  while (performance.now() - t < ms) {
    fn();
    n++;
  }
  return (n * SPANS) / ((performance.now() - t) / 1000);
}

export function codecBench(ms = 800): CodecRow[] {
  const envelope = { tenantId: 'tenant-a', batch: spanBatch(SPANS) };
  const bigintJson = (_k: string, v: unknown) => (typeof v === 'bigint' ? { $n: v.toString() } : v);
  const reviveJson = (_k: string, v: unknown) =>
    v && typeof v === 'object' && typeof (v as { $n?: unknown }).$n === 'string' ? BigInt((v as { $n: string }).$n) : v;
  const maps = new Packr({ useRecords: false, int64AsType: 'bigint' });
  const records = new Packr({ useRecords: true, int64AsType: 'bigint' });
  const q1 = { params: { [z.BROTLI_PARAM_QUALITY]: 1 } };

  const candidates: Array<{ name: string; enc: () => Uint8Array | string; dec: (b: never) => unknown }> = [
    { name: 'JSON + bigint replacer/reviver', enc: () => JSON.stringify(envelope, bigintJson), dec: (b: string) => JSON.parse(b, reviveJson) },
    { name: 'msgpackr, plain maps', enc: () => maps.pack(envelope), dec: (b: Uint8Array) => maps.unpack(b) },
    { name: 'msgpackr, records', enc: () => records.pack(envelope), dec: (b: Uint8Array) => records.unpack(b) },
    {
      name: 'msgpackr records + deflate level 1',
      enc: () => deflateRawSync(records.pack(envelope), { level: 1 }),
      dec: (b: Uint8Array) => records.unpack(inflateRawSync(b)),
    },
    {
      name: 'msgpackr records + brotli q1',
      enc: () => brotliCompressSync(records.pack(envelope), q1),
      dec: (b: Uint8Array) => records.unpack(brotliDecompressSync(b)),
    },
    { name: 'bus codec: rows, shared resources, brotli q1', enc: () => encodeEnvelope(envelope), dec: (b: Uint8Array) => decodeEnvelope(b) },
  ];
  return candidates.map((c) => {
    const sample = c.enc();
    const bytes = typeof sample === 'string' ? Buffer.byteLength(sample) : sample.length;
    return {
      name: c.name,
      bytesPerSpan: Math.round(bytes / SPANS),
      encodeSpansPerSec: rate(() => void c.enc(), ms),
      decodeSpansPerSec: rate(() => void c.dec(sample as never), ms),
    };
  });
}
