import { Readable } from 'node:stream';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { negotiateJsonContentType, negotiateOtlpContentType, negotiateRemoteWriteContentType, parseContentEncoding, readBody } from './body';
import { IngestError } from './errors';

const MiB = 1024 * 1024;
const limits = { maxBytes: 20 * MiB, maxDecompressedBytes: 20 * MiB };

async function failure(p: Promise<unknown>): Promise<IngestError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return e as IngestError;
  }
  throw new Error('expected an IngestError');
}

describe('readBody', () => {
  const payload = new TextEncoder().encode('{"resourceSpans":[]}'.repeat(100));

  it('passes identity bodies through and inflates gzip, x-gzip, zlib deflate and raw deflate', async () => {
    expect(await readBody(payload, limits)).toEqual(payload);
    expect(await readBody(gzipSync(payload), { ...limits, encoding: 'gzip' })).toEqual(new Uint8Array(payload));
    expect(await readBody(gzipSync(payload), { ...limits, encoding: 'X-GZIP' })).toEqual(new Uint8Array(payload));
    expect(await readBody(deflateSync(payload), { ...limits, encoding: 'deflate' })).toEqual(new Uint8Array(payload));
    expect(await readBody(deflateRawSync(payload), { ...limits, encoding: 'deflate' })).toEqual(new Uint8Array(payload));
  });

  it('reads a Request: its Content-Encoding, its stream, and refuses a declared Content-Length far over the limit unread', async () => {
    const req = new Request('http://x/v1/traces', { method: 'POST', body: gzipSync(payload), headers: { 'content-encoding': 'gzip' } });
    expect(await readBody(req, limits)).toEqual(new Uint8Array(payload));
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(1024));
      },
    });
    const big = new Request('http://x/v1/traces', { method: 'POST', body: endless, headers: { 'content-length': String(3 * limits.maxBytes) }, duplex: 'half' } as RequestInit);
    const e = await failure(readBody(big, limits));
    expect([e.status, e.code]).toEqual([413, 'body_too_large']);
    expect(pulled).toBeLessThanOrEqual(2);
  });

  it('reads away a body declared a little over the limit before refusing it, so the sender sees the 413', async () => {
    const over = new Uint8Array(limits.maxBytes + 1024);
    let read = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < over.length; i += 4096) c.enqueue(over.subarray(i, i + 4096));
        c.close();
      },
    });
    const counting = stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          read += chunk.length;
          c.enqueue(chunk);
        },
      }),
    );
    const req = new Request('http://x/v1/traces', { method: 'POST', body: counting, headers: { 'content-length': String(over.length) }, duplex: 'half' } as RequestInit);
    const e = await failure(readBody(req, limits));
    expect(e.status).toBe(413);
    expect(read).toBe(over.length);
  });

  it('stops reading a stream that passes the wire limit by more than it drains, and cancels it', async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(64 * 1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const e = await failure(readBody(endless, { maxBytes: MiB, maxDecompressedBytes: MiB }));
    expect(e.status).toBe(413);
    expect(cancelled).toBe(true);
    // The limit (16 chunks) plus the discarded remainder it allows (as much again) — never all of it.
    expect(pulled).toBeLessThan(40);
  });

  it('a body stream that fails mid-way (client gone) is a 400, not an exception of another kind', async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(10));
        c.error(new TypeError('terminated'));
      },
    });
    const e = await failure(readBody(broken, limits));
    expect([e.status, e.code]).toEqual([400, 'invalid_request']);
  });

  it('stops a Node stream the same way', async () => {
    let produced = 0;
    const node = new Readable({
      read() {
        produced++;
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    const e = await failure(readBody(node, { maxBytes: MiB, maxDecompressedBytes: MiB }));
    expect(e.status).toBe(413);
    expect(node.destroyed).toBe(true);
    expect(produced).toBeLessThan(40);
  });

  it('stops a gzip bomb (1 GiB of zeros) at the decompressed cap, fast and without holding the gigabyte', async () => {
    // 16 gzip members of 64 MiB of zeros each: one valid gzip stream that inflates to 1 GiB.
    const member = gzipSync(Buffer.alloc(64 * MiB), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 16 }, () => member));
    expect(bomb.length).toBeLessThan(2 * MiB);
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    const e = await failure(readBody(bomb, { ...limits, encoding: 'gzip' }));
    const ms = performance.now() - t0;
    expect([e.status, e.code]).toEqual([413, 'decompressed_too_large']);
    expect(ms).toBeLessThan(5_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(200 * MiB);
  });

  it('an identity body over the decompressed limit is a 413 too', async () => {
    const e = await failure(readBody(new Uint8Array(2048), { maxBytes: 4096, maxDecompressedBytes: 1024 }));
    expect(e.code).toBe('decompressed_too_large');
  });

  it('corrupt or truncated compressed bodies are a 400, not an exception of another kind', async () => {
    const gz = gzipSync(payload);
    expect((await failure(readBody(gz.subarray(0, gz.length - 9), { ...limits, encoding: 'gzip' }))).code).toBe('malformed_compression');
    expect((await failure(readBody(new TextEncoder().encode('not gzip at all'), { ...limits, encoding: 'gzip' }))).status).toBe(400);
    expect((await failure(readBody(new Uint8Array([0x78, 0x9c, 1, 2, 3]), { ...limits, encoding: 'deflate' }))).status).toBe(400);
  });

  it('unsupported or stacked codings are a 415 naming them', async () => {
    expect((await failure(readBody(payload, { ...limits, encoding: 'br' }))).message).toContain('"br"');
    expect((await failure(readBody(payload, { ...limits, encoding: 'gzip, gzip' }))).status).toBe(415);
    expect((await failure(readBody(payload, { ...limits, encoding: 'gzip', allowedEncodings: ['snappy'] }))).status).toBe(415);
    expect(parseContentEncoding(' identity ')).toBe('identity');
    expect(parseContentEncoding(undefined)).toBe('identity');
  });
});

describe('content types', () => {
  it('OTLP: protobuf or UTF-8 JSON, anything else 415', () => {
    expect(negotiateOtlpContentType('application/x-protobuf')).toBe('protobuf');
    expect(negotiateOtlpContentType('Application/X-Protobuf; charset=binary')).toBe('protobuf');
    expect(negotiateOtlpContentType('application/protobuf')).toBe('protobuf');
    expect(negotiateOtlpContentType('application/json')).toBe('json');
    expect(negotiateOtlpContentType('application/json; charset=utf-8')).toBe('json');
    expect(negotiateOtlpContentType('application/json; charset="UTF-8"')).toBe('json');
    for (const bad of ['application/json; charset=latin1', 'text/plain', 'application/grpc', '', null, undefined, 'application/x-www-form-urlencoded']) {
      expect(() => negotiateOtlpContentType(bad)).toThrow(expect.objectContaining({ status: 415, code: 'unsupported_media_type' }));
    }
  });

  it('remote_write 1.0 only; a 2.0 sender is told 415', () => {
    expect(() => negotiateRemoteWriteContentType('application/x-protobuf')).not.toThrow();
    expect(() => negotiateRemoteWriteContentType('application/x-protobuf;proto=prometheus.WriteRequest')).not.toThrow();
    expect(() => negotiateRemoteWriteContentType('application/x-protobuf;proto=io.prometheus.write.v2.Request')).toThrow(IngestError);
    expect(() => negotiateRemoteWriteContentType('application/json')).toThrow(IngestError);
  });

  it('Faro: JSON', () => {
    expect(() => negotiateJsonContentType('application/json;charset=UTF-8')).not.toThrow();
    expect(() => negotiateJsonContentType('text/plain')).toThrow(expect.objectContaining({ status: 415 }));
  });
});
