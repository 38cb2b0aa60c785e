import { createGunzip, createInflate, createInflateRaw, type Gunzip, type Inflate, type InflateRaw } from 'node:zlib';
import { badBody, IngestError, tooLarge, unsupported } from './errors';
import { type OtlpFormat } from './response';
import { snappyUncompress } from './snappy';

/**
 * Reading a request body at the edge: the wire limit is enforced while reading (413 as
 * soon as it is passed, without reading the rest), decompression runs through a
 * streaming inflater that is stopped the moment its output passes the decompressed
 * limit (gzip bombs cost at most that much memory and the time to produce it), and the
 * Content-Type decides the decoder or earns a 415.
 */

export type BodySource = Request | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array;

export type ContentEncoding = 'identity' | 'gzip' | 'deflate' | 'snappy';

export interface ReadBodyOptions {
  /** Bytes on the wire. */
  maxBytes: number;
  /** Bytes after decompression. */
  maxDecompressedBytes: number;
  /**
   * The Content-Encoding header value. Defaults to the Request's header when the source is
   * a Request, else identity.
   */
  encoding?: string | null;
  /** Content-Length of a source that is not a Request (a Node request's header), to refuse early. */
  declaredLength?: number | undefined;
  /** Codings this endpoint takes (remote_write: snappy only). Defaults to all supported ones. */
  allowedEncodings?: readonly ContentEncoding[];
}

const ALL_ENCODINGS: readonly ContentEncoding[] = ['identity', 'gzip', 'deflate', 'snappy'];

/**
 * Reads and decompresses a request body under both limits. Supported codings: identity,
 * gzip (and x-gzip), deflate (zlib-wrapped as RFC 9110 says, or raw deflate as some
 * clients send it), snappy block format (remote_write). Throws IngestError: 413 over a
 * limit, 415 for another coding, 400 for a corrupt stream.
 */
export async function readBody(source: BodySource, opts: ReadBodyOptions): Promise<Uint8Array> {
  const header = opts.encoding !== undefined ? opts.encoding : source instanceof Request ? source.headers.get('content-encoding') : null;
  const encoding = parseContentEncoding(header, opts.allowedEncodings ?? ALL_ENCODINGS);
  const declared = source instanceof Request ? Number(source.headers.get('content-length') ?? NaN) : (opts.declaredLength ?? NaN);
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    // Nothing of it is kept; a body only a little over is read away first so the sender,
    // still writing, gets to read the 413 instead of a reset.
    const stream = source instanceof Request ? source.body : source instanceof Uint8Array ? null : source;
    if (stream && declared <= opts.maxBytes + drainAllowance(opts.maxBytes)) await drainThenCancel(chunkReader(stream), declared);
    throw wireTooLarge(opts.maxBytes);
  }
  const raw = await readCapped(source, opts.maxBytes);
  switch (encoding) {
    case 'identity':
      if (raw.length > opts.maxDecompressedBytes) throw inflatedTooLarge(opts.maxDecompressedBytes);
      return raw;
    case 'snappy':
      return snappyUncompress(raw, opts.maxDecompressedBytes);
    default:
      return inflateCapped(raw, encoding, opts.maxDecompressedBytes);
  }
}

/** Parses Content-Encoding; anything we cannot undo is a 415 naming it. */
export function parseContentEncoding(header: string | null | undefined, allowed: readonly ContentEncoding[] = ALL_ENCODINGS): ContentEncoding {
  const codings = (header ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'identity');
  if (codings.length > 1) throw unsupported('unsupported_encoding', `Content-Encoding "${header}" stacks codings; send one of ${allowed.join(', ')}`);
  const c = codings[0] ?? 'identity';
  const enc: ContentEncoding | undefined = c === 'gzip' || c === 'x-gzip' ? 'gzip' : c === 'deflate' ? 'deflate' : c === 'snappy' ? 'snappy' : c === 'identity' ? 'identity' : undefined;
  if (enc === undefined || !allowed.includes(enc)) {
    throw unsupported('unsupported_encoding', `Content-Encoding "${c}" is not supported here; use ${allowed.join(', ')}`);
  }
  return enc;
}

/** Reads the raw body under the wire limit; a stream that fails mid-way (client gone, aborted upload) is a 400, not a 500. */
async function readCapped(source: BodySource, max: number): Promise<Uint8Array> {
  try {
    return await readCappedUnguarded(source, max);
  } catch (e) {
    if (e instanceof IngestError) throw e;
    throw badBody('invalid_request', `the request body could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function readCappedUnguarded(source: BodySource, max: number): Promise<Uint8Array> {
  if (source instanceof Uint8Array) {
    if (source.length > max) throw wireTooLarge(max);
    return source;
  }
  const stream = source instanceof Request ? source.body : source;
  if (stream === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = chunkReader(stream);
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    total += value.length;
    if (total > max) {
      await drainThenCancel(reader, drainAllowance(max));
      throw wireTooLarge(max);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

interface ChunkReader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(): Promise<unknown>;
}

/** One way to pull chunks from a web stream or an async iterable (a Node request). */
function chunkReader(stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): ChunkReader {
  if (isReadableStream(stream)) return stream.getReader();
  const it = stream[Symbol.asyncIterator]();
  return {
    read: async () => {
      const r = await it.next();
      return r.done ? { done: true } : { done: false, value: r.value };
    },
    // Ending the iteration early destroys a Node stream, as cancel does a web one.
    cancel: async () => it.return?.(),
  };
}

/**
 * Over the limit: read and discard a bounded remainder (as much again as the limit, at
 * most 32 MiB, for at most 5 s) before giving up on the body. A sender that is still
 * writing when we close the connection sees a reset instead of our 413; a body only a
 * little over the limit (the common mistake) gets the 413 it can act on. Anything
 * larger is cancelled, which tells the sender's side we will not read the rest.
 */
function drainAllowance(max: number): number {
  return Math.min(max, 32 * 1024 * 1024);
}

async function drainThenCancel(reader: ChunkReader, bytes: number): Promise<void> {
  let budget = bytes;
  const until = Date.now() + 5_000;
  try {
    // Reads until the end (a read that says done), the budget is passed, or time is up:
    // a stream read exactly to its length still needs the final read to be seen to end.
    while (budget >= 0 && Date.now() < until) {
      const { done, value } = await reader.read();
      if (done || !value) return;
      budget -= value.length;
    }
  } catch {
    return;
  }
  await reader.cancel().catch(() => undefined);
}

function isReadableStream(s: unknown): s is ReadableStream<Uint8Array> {
  return typeof (s as ReadableStream<Uint8Array>).getReader === 'function';
}

/** Joins chunks into one plain Uint8Array (a view, not a copy, when there is one chunk; never a Node Buffer). */
function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) {
    const c = chunks[0]!;
    return c.constructor === Uint8Array ? c : new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Inflates through zlib's streaming API and destroys the stream as soon as the output
 * passes `max`. Memory: at most `max` plus one zlib chunk; time: what it takes to
 * produce `max` bytes, whatever the bomb would have expanded to.
 */
function inflateCapped(data: Uint8Array, encoding: 'gzip' | 'deflate', max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let z: Gunzip | Inflate | InflateRaw;
    if (encoding === 'gzip') z = createGunzip({ chunkSize: 64 * 1024 });
    else {
      // RFC 9110's "deflate" is the zlib format (CMF/FLG header, FCHECK a multiple of 31);
      // raw deflate has no header. Sniff which one arrived.
      const zlibHeader = data.length >= 2 && (data[0]! & 0x0f) === 8 && ((data[0]! << 8) | data[1]!) % 31 === 0;
      z = zlibHeader ? createInflate({ chunkSize: 64 * 1024 }) : createInflateRaw({ chunkSize: 64 * 1024 });
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    let settled = false;
    z.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > max) {
        settled = true;
        z.destroy();
        reject(inflatedTooLarge(max));
        return;
      }
      chunks.push(chunk);
    });
    z.on('error', (e: Error) => {
      if (settled) return;
      settled = true;
      reject(badBody('malformed_compression', `the body is not valid ${encoding}: ${e.message}`));
    });
    z.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(concat(chunks, total));
    });
    z.end(data);
  });
}

function wireTooLarge(max: number): IngestError {
  return tooLarge('body_too_large', `the request body is larger than ${max} bytes`);
}

function inflatedTooLarge(max: number): IngestError {
  return tooLarge('decompressed_too_large', `the request body inflates to more than ${max} bytes`);
}

// ---------------------------------------------------------------------- content types

interface MediaType {
  type: string;
  params: Map<string, string>;
}

export function parseMediaType(header: string | null | undefined): MediaType | undefined {
  if (!header) return undefined;
  const [type, ...rest] = header.split(';');
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    params.set(
      p.slice(0, eq).trim().toLowerCase(),
      p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    );
  }
  return { type: type!.trim().toLowerCase(), params };
}

function jsonCharsetOk(m: MediaType): boolean {
  const cs = m.params.get('charset');
  return cs === undefined || cs.toLowerCase() === 'utf-8' || cs.toLowerCase() === 'utf8';
}

/**
 * OTLP/HTTP content negotiation: application/x-protobuf (application/protobuf is taken
 * too, it is the registered name) or application/json (UTF-8 only, charset optional).
 */
export function negotiateOtlpContentType(header: string | null | undefined): OtlpFormat {
  const m = parseMediaType(header);
  if (m && (m.type === 'application/x-protobuf' || m.type === 'application/protobuf')) return 'protobuf';
  if (m && m.type === 'application/json' && jsonCharsetOk(m)) return 'json';
  throw unsupported(
    'unsupported_media_type',
    `Content-Type ${header ? `"${header}"` : '(none)'} is not supported; OTLP/HTTP takes application/x-protobuf or application/json (UTF-8)`,
  );
}

/**
 * remote_write 1.0: application/x-protobuf, optionally with proto=prometheus.WriteRequest.
 * A remote_write 2.0 sender (proto=io.prometheus.write.v2.Request) gets the 415 the 2.0
 * spec asks for, so it can fall back to 1.0.
 */
export function negotiateRemoteWriteContentType(header: string | null | undefined): void {
  const m = parseMediaType(header);
  const proto = m?.params.get('proto');
  if (m && m.type === 'application/x-protobuf' && (proto === undefined || proto === 'prometheus.WriteRequest')) return;
  throw unsupported(
    'unsupported_media_type',
    `Content-Type ${header ? `"${header}"` : '(none)'} is not supported; remote_write 1.0 takes application/x-protobuf (proto=prometheus.WriteRequest)`,
  );
}

/** Faro: the web SDK's fetch transport sends application/json. */
export function negotiateJsonContentType(header: string | null | undefined): void {
  const m = parseMediaType(header);
  if (m && m.type === 'application/json' && jsonCharsetOk(m)) return;
  throw unsupported('unsupported_media_type', `Content-Type ${header ? `"${header}"` : '(none)'} is not supported; send application/json (UTF-8)`);
}
