import { brotliCompressSync, brotliDecompressSync, constants as z } from 'node:zlib';
import { Packr } from 'msgpackr';
import { SIGNALS, type WriteBatch } from '@obstack/plugin-api';
import type { BusEnvelope } from './types';

/**
 * The bytes of one envelope on Kafka and in Redis.
 *
 *   0..1  'OB' magic        2  format version (1)        3  compression (0 none, 1 brotli)
 *   4..   MessagePack of [tenantId, batch] or, for spans and logs,
 *         [tenantId, batch with resource/scope as indexes, resources, scopes]
 *
 * Why MessagePack (msgpackr): bigints (nanosecond times) travel as int64 and come back as
 * bigint with no replacer/reviver pass; record structures write each object shape's keys
 * once per message instead of once per object; it is 2-10x faster than JSON with a bigint
 * replacer/reviver on our spans (bench/bus/codec.ts). Each message carries its own record
 * structures (no shared structure store), so any Node version and any process decodes it
 * alone, and the format is plain MessagePack plus msgpackr's documented record extension.
 *
 * Why brotli at quality 1: telemetry is very repetitive (resource attributes, keys, user
 * agents, routes). Compressing at ~1 GB/s turns ~700 B/span into ~80-100 B/span, and on
 * Kafka every byte is paid again by kafkajs's pure-JS CRC32C (~250 MB/s), the broker and
 * the consumer. It is in node:zlib (no native addon to build, a standard format any
 * runtime reads), and faster than deflate level 1 at a better ratio. Small payloads are
 * left uncompressed.
 */

export const CODEC_VERSION = 1;
const MAGIC0 = 0x4f; // 'O'
const MAGIC1 = 0x42; // 'B'
const NONE = 0;
const BROTLI = 1;
/** Below this, compression costs more than it saves. */
const COMPRESS_MIN_BYTES = 2048;
/** A corrupt or hostile frame must not inflate into an unbounded buffer. */
const MAX_DECODED_BYTES = 512 * 1024 * 1024;

const packr = new Packr({
  // Record structures per message; never saved to a shared store (see above).
  useRecords: true,
  // int64/uint64 come back as bigint, so nanosecond times round-trip exactly. JS numbers
  // are never written as int64 (msgpackr writes integers above 32 bits as float64), so a
  // number attribute stays a number.
  int64AsType: 'bigint',
  // Bigints beyond 64 bits (not in our model, but in nothing's way either) use msgpackr's
  // bigint extension instead of throwing.
  useBigIntExtension: true,
});

const brotliParams = (size: number) => ({
  params: {
    [z.BROTLI_PARAM_QUALITY]: 1,
    [z.BROTLI_PARAM_MODE]: z.BROTLI_MODE_GENERIC,
    [z.BROTLI_PARAM_SIZE_HINT]: size,
  },
});

/**
 * Spans and log records point at shared resource and scope objects (the decoders make
 * one per ResourceSpans/ScopeSpans). Written once per message and referenced by index
 * from each item, they cost nothing per item: ~40% faster packing of realistic spans,
 * for a shallow copy of each item. Decoding puts the shared objects back, shared again
 * as the decoder made them.
 */
function packShared<T extends { resource: unknown; scope?: unknown }>(tenantId: string, batch: WriteBatch, items: T[], key: string): Buffer {
  const resources = new Map<unknown, number>();
  const scopes = new Map<unknown, number>();
  const slim = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    let r = resources.get(item.resource);
    if (r === undefined) resources.set(item.resource, (r = resources.size));
    if (item.scope && typeof item.scope === 'object') {
      let sc = scopes.get(item.scope);
      if (sc === undefined) scopes.set(item.scope, (sc = scopes.size));
      slim[i] = { ...item, resource: r, scope: sc };
    } else slim[i] = { ...item, resource: r };
  }
  return packr.pack([tenantId, { ...batch, [key]: slim }, [...resources.keys()], [...scopes.keys()]]);
}

/** A view into msgpackr's reusable output buffer: valid until the next pack. */
function pack(envelope: BusEnvelope): Buffer {
  const { tenantId, batch } = envelope;
  if (batch.signal === 'traces') return packShared(tenantId, batch, batch.spans, 'spans');
  if (batch.signal === 'logs') return packShared(tenantId, batch, batch.records, 'records');
  return packr.pack([tenantId, batch]);
}

function unshare(items: unknown[], resources: unknown, scopes: unknown): void {
  if (!Array.isArray(resources) || !Array.isArray(scopes)) throw new BusCodecError('bus frame has malformed shared objects');
  for (const item of items as Array<{ resource: unknown; scope?: unknown }>) {
    if (!item || typeof item !== 'object') throw new BusCodecError('bus frame holds a malformed item');
    if (typeof item.resource === 'number') item.resource = resources[item.resource];
    if (typeof item.scope === 'number') item.scope = scopes[item.scope];
  }
}

function frame(flag: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out[0] = MAGIC0;
  out[1] = MAGIC1;
  out[2] = CODEC_VERSION;
  out[3] = flag;
  out.set(body, 4);
  return out;
}

export interface EncodeOptions {
  /** Brotli-compress payloads of COMPRESS_MIN_BYTES and more (default true). */
  compress?: boolean;
}

/**
 * Synchronous on purpose: brotli q1 takes ~0.3 ms for 512 spans, less than what the
 * async zlib path spends on this thread setting up streams and hopping threads
 * (measured: bench/bus), and a 2-core box has no idle core for the pool anyway.
 */
export function encodeEnvelope(envelope: BusEnvelope, opts: EncodeOptions = {}): Buffer {
  const raw = pack(envelope);
  if (opts.compress === false || raw.length < COMPRESS_MIN_BYTES) return frame(NONE, raw);
  return frame(BROTLI, brotliCompressSync(raw, brotliParams(raw.length)));
}

/** A frame that is not ours or not whole: never worth a retry, so it goes straight to the dead letters. */
export class BusCodecError extends Error {
  override readonly name = 'BusCodecError';
}

function itemsOf(batch: Record<string, unknown>): unknown {
  switch (batch.signal) {
    case 'logs':
      return batch.records;
    case 'traces':
      return batch.spans;
    case 'metrics':
      return batch.points;
    case 'rum':
      return batch.events;
    case 'cost':
      return batch.allocations;
    default:
      return undefined;
  }
}

export function decodeEnvelope(bytes: Uint8Array): BusEnvelope {
  if (bytes.length < 4 || bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1) throw new BusCodecError('not an Obstack bus frame');
  if (bytes[2] !== CODEC_VERSION) throw new BusCodecError(`unknown bus frame version ${bytes[2]}`);
  const body = bytes.subarray(4);
  let raw: Uint8Array;
  try {
    if (bytes[3] === NONE) raw = body;
    else if (bytes[3] === BROTLI) raw = brotliDecompressSync(body, { maxOutputLength: MAX_DECODED_BYTES });
    else throw new BusCodecError(`unknown bus frame compression ${bytes[3]}`);
  } catch (err) {
    if (err instanceof BusCodecError) throw err;
    throw new BusCodecError(`corrupt bus frame: ${err instanceof Error ? err.message : String(err)}`);
  }
  let value: unknown;
  try {
    value = packr.unpack(raw);
  } catch (err) {
    throw new BusCodecError(`corrupt bus frame: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Only the shape the bus itself relies on is checked here; the items were validated at ingest.
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 4) || typeof value[0] !== 'string') {
    throw new BusCodecError('bus frame is not an envelope');
  }
  const batch = value[1] as Record<string, unknown> | null;
  const items = batch && typeof batch === 'object' ? itemsOf(batch) : undefined;
  if (!batch || typeof batch.id !== 'string' || !SIGNALS.includes(batch.signal as never) || !Array.isArray(items)) {
    throw new BusCodecError('bus frame holds no valid batch');
  }
  if (value.length === 4) unshare(items, value[2], value[3]);
  return { tenantId: value[0], batch: batch as unknown as WriteBatch };
}
