import { brotliCompressSync, brotliDecompressSync, constants as z } from 'node:zlib';
import { Packr } from 'msgpackr';
import { type Attributes, type InstrumentationScope, SIGNALS, type WriteBatch } from '@obstack/plugin-api';
import { RowError, SharedObjects, logRows, logsFromRows, spanRows, spansFromRows } from './rows';
import type { BusEnvelope } from './types';

/**
 * The bytes of one envelope on Kafka and in Redis.
 *
 *   0..1  'OB' magic        2  format version (1)        3  compression (0 none, 1 brotli)
 *   4..   MessagePack of [tenantId, batch] or, for spans and logs (rows.ts),
 *         [tenantId, {id, signal}, positional rows, shared resources, shared scopes]
 *
 * Why MessagePack (msgpackr): bigints (nanosecond times) travel as int64 and come back as
 * bigint with no replacer/reviver pass; record structures write each object shape's keys
 * once per message instead of once per object; with spans as rows (rows.ts) it encodes ~2x
 * and decodes ~10x faster than JSON with a bigint replacer/reviver (bench/bus/codec.ts). Each message carries its own record
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

/** A view into msgpackr's reusable output buffer: valid until the next pack. */
function pack(envelope: BusEnvelope): Buffer {
  const { tenantId, batch } = envelope;
  if (batch.signal === 'traces' || batch.signal === 'logs') {
    const resources = new SharedObjects<Attributes>();
    const scopes = new SharedObjects<InstrumentationScope>();
    const rows = batch.signal === 'traces' ? spanRows(batch.spans, resources, scopes) : logRows(batch.records, resources, scopes);
    return packr.pack([tenantId, { id: batch.id, signal: batch.signal }, rows, resources.list, scopes.list]);
  }
  return packr.pack([tenantId, batch]);
}

function fromRows(head: unknown, rows: unknown, resources: unknown, scopes: unknown): WriteBatch {
  const h = head as { id?: unknown; signal?: unknown } | null;
  if (!h || typeof h.id !== 'string' || !Array.isArray(rows) || !Array.isArray(resources) || !Array.isArray(scopes)) {
    throw new BusCodecError('bus frame holds no valid batch');
  }
  try {
    if (h.signal === 'traces') return { id: h.id, signal: 'traces', spans: spansFromRows(rows, resources, scopes) };
    if (h.signal === 'logs') return { id: h.id, signal: 'logs', records: logsFromRows(rows, resources, scopes) };
  } catch (err) {
    if (err instanceof RowError) throw new BusCodecError(`corrupt bus frame: ${err.message}`);
    throw err;
  }
  throw new BusCodecError('bus frame holds no valid batch');
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
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 5) || typeof value[0] !== 'string') {
    throw new BusCodecError('bus frame is not an envelope');
  }
  if (value.length === 5) return { tenantId: value[0], batch: fromRows(value[1], value[2], value[3], value[4]) };
  const batch = value[1] as Record<string, unknown> | null;
  if (!batch || typeof batch !== 'object' || typeof batch.id !== 'string' || !SIGNALS.includes(batch.signal as never) || !Array.isArray(itemsOf(batch))) {
    throw new BusCodecError('bus frame holds no valid batch');
  }
  return { tenantId: value[0], batch: batch as unknown as WriteBatch };
}
