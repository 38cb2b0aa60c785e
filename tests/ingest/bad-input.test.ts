import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiLogRecord, type ApiSeries, type ApiServiceStats, type ApiSpan, type IngestStack, eventually, read, rssMiB, startIngestStack, valuesOf } from '../support/ingest';
import {
  type Bytes,
  decodeExportResponse,
  decodeStatus,
  hexId,
  otlpLogsProto,
  otlpMetricsProto,
  otlpTracesJson,
  otlpTracesProto,
  snappy,
  writeRequest,
} from '../support/payloads';

/**
 * A corpus of bad requests sent over HTTP to a running embedded Obstack: each gets the
 * documented 4xx in its protocol's shape (OTLP: google.rpc.Status in the request's
 * encoding; remote_write: text; Faro: JSON), nothing of a request refused whole is
 * stored, the process stays healthy, and gzip bombs leave its memory bounded. Never a 5xx.
 */

const RANGE = { from: 'now-1h', to: 'now' };
const MiB = 1024 * 1024;
/**
 * Memory bounds for the server process. Embedded Obstack rests at ~0.7-0.85 GiB RSS (most
 * of it PGlite's WebAssembly heap after migrations), so the bound that tells a capped
 * bomb from an inflated one is the growth over that resting size; the absolute ceiling
 * is a backstop.
 */
const RSS_GROWTH_LIMIT_MIB = 200;
const RSS_LIMIT_MIB = 1_200;

interface Answer {
  status: number;
  type: string;
  bytes: Uint8Array;
  text: string;
  headers: Headers;
}

describe('bad input over HTTP (embedded)', () => {
  let stack: IngestStack;
  const statuses: Array<{ what: string; status: number }> = [];
  const rssSamples: number[] = [];
  let baselineRss = 0;

  const send = async (what: string, path: string, init: RequestInit & { key?: string | null } = {}): Promise<Answer> => {
    const headers = new Headers(init.headers);
    if (init.key !== null && !headers.has('authorization') && !headers.has('x-api-key')) headers.set('Authorization', `Bearer ${init.key ?? stack.key}`);
    const res = await fetch(`${stack.url}${path}`, { ...init, headers, ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
    const bytes = new Uint8Array(await res.arrayBuffer());
    statuses.push({ what, status: res.status });
    // After every bad request the server is still up and ready.
    expect((await fetch(`${stack.url}/health`)).status, `health after ${what}`).toBe(200);
    return { status: res.status, type: res.headers.get('content-type') ?? '', bytes, text: new TextDecoder().decode(bytes), headers: res.headers };
  };

  /** The google.rpc.Status of an OTLP error, decoded per the answer's content type. */
  const statusOf = (a: Answer): { code: number; message: string } => {
    if (a.type.startsWith('application/x-protobuf')) return decodeStatus(a.bytes);
    expect(a.type).toMatch(/^application\/json/);
    return JSON.parse(a.text) as { code: number; message: string };
  };

  const jsonAuth = () => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${stack.key}` });
  const proto = { 'Content-Type': 'application/x-protobuf' };
  const json = { 'Content-Type': 'application/json' };

  beforeAll(async () => {
    stack = await startIngestStack('embedded');
    // Warm up the store (first writes create tables), then take the resting memory.
    const warm = await fetch(`${stack.url}/v1/traces`, {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${stack.key}` },
      body: JSON.stringify(otlpTracesJson('accepted-control', [{ name: 'GET /control' }])),
    });
    expect(warm.status).toBe(200);
    baselineRss = rssMiB(stack.app.proc.pid as number);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('OTLP protobuf', () => {
    it('refuses a truncated request whole: 400 with a protobuf Status, none of its spans stored', async () => {
      const full = await otlpTracesProto('reject-truncated', ['a', 'b', 'c']);
      for (const cut of [Math.floor(full.length * 0.6), full.length - 1, 3]) {
        const a = await send(`truncated at ${cut}`, '/v1/traces', { method: 'POST', headers: proto, body: full.subarray(0, cut) });
        expect(a.status).toBe(400);
        expect(a.type).toBe('application/x-protobuf');
        const s = statusOf(a);
        expect(s.code).toBe(3); // INVALID_ARGUMENT
        expect(s.message.length).toBeGreaterThan(10);
      }
    });

    it('refuses garbage, a wrong wire type and an absurd length with 400s that name the problem', async () => {
      let seed = 7;
      const garbage = Uint8Array.from({ length: 2048 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff);
      const cases: Array<[string, Bytes]> = [
        ['garbage', garbage],
        ['resource_spans as fixed32', Uint8Array.from([0x0d, 1, 2, 3, 4])],
        ['length past the end', Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])],
        ['varint that never ends', Uint8Array.from([0x0a, 0x05, 0x0a, 0x03, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
      ];
      for (const [what, body] of cases) {
        const a = await send(what, '/v1/traces', { method: 'POST', headers: proto, body });
        expect(a.status, what).toBe(400);
        expect(statusOf(a).code, what).toBe(3);
      }
      const wire = statusOf(await send('wire type again', '/v1/traces', { method: 'POST', headers: proto, body: Uint8Array.from([0x0d, 1, 2, 3, 4]) }));
      expect(wire.message).toMatch(/wire type|field 1|resource_spans/i);
    });

    it('refuses invalid UTF-8 in a protobuf string: 400, and the valid spans beside it are not stored', async () => {
      const body = await otlpTracesProto('reject-utf8', ['fine span', 'BADUTF8!', 'another fine span']);
      const marker = Buffer.from('BADUTF8!');
      const at = Buffer.from(body).indexOf(marker);
      expect(at).toBeGreaterThan(0);
      body.set([0xc3, 0x28, 0xff, 0xfe], at); // an invalid 2-byte sequence, then bytes that never occur in UTF-8
      const a = await send('invalid utf-8', '/v1/traces', { method: 'POST', headers: proto, body });
      expect(a.status).toBe(400);
      expect(statusOf(a).message).toMatch(/UTF-8/i);
    });

    it('refuses truncated logs and metrics too', async () => {
      const logs = await otlpLogsProto('reject-logs', ['one', 'two']);
      const la = await send('truncated logs', '/v1/logs', { method: 'POST', headers: proto, body: logs.subarray(0, logs.length - 2) });
      expect(la.status).toBe(400);
      expect(statusOf(la).code).toBe(3);
      const metrics = await otlpMetricsProto('reject-metrics', 'reject_metric_total');
      const ma = await send('truncated metrics', '/v1/metrics', { method: 'POST', headers: proto, body: metrics.subarray(0, metrics.length - 3) });
      expect(ma.status).toBe(400);
      expect(statusOf(ma).code).toBe(3);
    });
  });

  describe('OTLP/JSON', () => {
    it('refuses JSON that does not parse or has the wrong shape: 400 with a JSON Status naming where', async () => {
      const cases: Array<[string, string, RegExp]> = [
        ['unterminated', '{"resourceSpans": [', /JSON/i],
        ['root is an array', JSON.stringify([otlpTracesJson('reject-shape', [{ name: 'x' }])]), /object|root/i],
        ['resourceSpans is an object', JSON.stringify({ resourceSpans: { service: 'reject-shape' } }), /resourceSpans/],
        ['scopeSpans is a string', JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: 'reject-shape' }] }), /scopeSpans/],
        ['spans is a number', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: 42 }] }] }), /spans/],
      ];
      for (const [what, body, names] of cases) {
        const a = await send(what, '/v1/traces', { method: 'POST', headers: json, body });
        expect(a.status, what).toBe(400);
        expect(a.type, what).toMatch(/^application\/json/);
        const s = statusOf(a);
        expect(s.code, what).toBe(3);
        expect(s.message, what).toMatch(names);
      }
    });

    it('refuses a JSON body that is not UTF-8', async () => {
      const text = JSON.stringify(otlpTracesJson('reject-json-utf8', [{ name: 'XX' }]));
      const body = new TextEncoder().encode(text);
      body.set([0xff, 0xfe], text.indexOf('XX'));
      const a = await send('json invalid utf-8', '/v1/traces', { method: 'POST', headers: json, body });
      expect(a.status).toBe(400);
      expect(statusOf(a).message).toMatch(/UTF-8/i);
    });

    it('rejects a span with base64 ids (partial success naming hex) and keeps the valid one', async () => {
      const good = { name: 'GET /good-ids', traceId: hexId(16) };
      const b64 = { name: 'GET /base64-ids', traceId: Buffer.from(hexId(16), 'hex').toString('base64'), spanId: Buffer.from(hexId(8), 'hex').toString('base64') };
      const a = await send('base64 ids', '/v1/traces', { method: 'POST', headers: json, body: JSON.stringify(otlpTracesJson('partial-ids', [good, b64])) });
      expect(a.status).toBe(200);
      const partial = (JSON.parse(a.text) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } }).partialSuccess;
      expect(partial?.rejectedSpans).toBe('1');
      expect(partial?.errorMessage).toMatch(/hex/i);
      const { data } = await read<{ traces: Array<{ rootName: string }> }>(stack.url, stack.key, '/api/v1/traces', { ...RANGE, service: 'partial-ids' });
      expect(data.traces.map((t) => t.rootName)).toEqual(['GET /good-ids']);
    });

    it('truncates oversized attributes, drops an oversized key and extra attributes, and says so', async () => {
      const traceId = hexId(16);
      const attributes = [
        { key: 'huge', value: { stringValue: 'a'.repeat(100_000) } },
        { key: 'k'.repeat(300), value: { stringValue: 'key too long' } },
        ...Array.from({ length: 200 }, (_, i) => ({ key: `attr.${String(i).padStart(3, '0')}`, value: { intValue: String(i) } })),
      ];
      const a = await send('oversized attributes', '/v1/traces', { method: 'POST', headers: json, body: JSON.stringify(otlpTracesJson('oversized-attrs', [{ name: 'GET /big', traceId, attributes }])) });
      expect(a.status).toBe(200);
      const partial = (JSON.parse(a.text) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } }).partialSuccess;
      // Warnings, not rejections.
      expect(Number(partial?.rejectedSpans ?? 0)).toBe(0);
      expect(partial?.errorMessage).toMatch(/truncat|attribute/i);
      const { data } = await read<{ spans: ApiSpan[] } | null>(stack.url, stack.key, `/api/v1/traces/${traceId}`);
      const span = data?.spans[0] as ApiSpan;
      const huge = String(span.attributes.huge);
      expect(huge.length).toBeLessThanOrEqual(16 * 1024 + 20);
      expect(huge.startsWith('aaaa')).toBe(true);
      expect(huge.endsWith('[truncated]')).toBe(true);
      expect(Object.keys(span.attributes)).not.toContain('k'.repeat(300));
      expect(Object.keys(span.attributes).length).toBeLessThanOrEqual(128);
    });

    it('takes a protobuf request with a partial success in protobuf', async () => {
      const body = await otlpTracesProto('oversized-proto', ['GET /big-proto'], { huge: 'b'.repeat(50_000) });
      const a = await send('oversized attribute, protobuf', '/v1/traces', { method: 'POST', headers: proto, body });
      expect(a.status).toBe(200);
      expect(a.type).toBe('application/x-protobuf');
      const r = decodeExportResponse(a.bytes);
      expect(r.rejected).toBe(0);
      expect(r.errorMessage).toMatch(/truncat|attribute/i);
    });
  });

  describe('sizes and bombs', () => {
    let bomb: Bytes;
    let sampler: ReturnType<typeof setInterval> | undefined;

    beforeAll(() => {
      // 128 MiB of zeros inside something that starts like OTLP/JSON: about 130 KB on the wire.
      const inflated = Buffer.alloc(128 * MiB, 0x20);
      inflated.write('{"resourceSpans":[', 0);
      bomb = new Uint8Array(gzipSync(inflated, { level: 9 }));
      expect(bomb.length).toBeLessThan(MiB);
      const pid = stack.app.proc.pid as number;
      sampler = setInterval(() => rssSamples.push(rssMiB(pid)), 20);
    });
    afterAll(() => clearInterval(sampler));

    it('refuses a body declared over the 20 MiB wire limit with 413, before reading it', async () => {
      // node:http, as the OTel exporters use it: the answer arrives while the body is still
      // being written (the server does not read the rest, then closes).
      const big = Buffer.alloc(21 * MiB, 0x20);
      const declared = await nodePost(`${stack.url}/v1/traces`, { ...jsonAuth(), 'Content-Length': String(big.length) }, big);
      statuses.push({ what: '21 MiB declared', status: declared.status });
      expect(declared.status).toBe(413);
      expect(JSON.parse(declared.body)).toMatchObject({ code: 8 }); // RESOURCE_EXHAUSTED
      expect((await fetch(`${stack.url}/health`)).status).toBe(200);
    });

    it('refuses a chunked body that passes the 20 MiB wire limit with 413', async () => {
      const big = Buffer.alloc(21 * MiB, 0x20);
      try {
        const streamed = await nodePost(`${stack.url}/v1/traces`, jsonAuth(), big);
        statuses.push({ what: '21 MiB chunked', status: streamed.status });
        expect(streamed.status).toBe(413);
      } finally {
        expect((await fetch(`${stack.url}/health`)).status).toBe(200);
      }
    });

    it('stops a gzip bomb at the decompression cap: 413', async () => {
      const a = await send('gzip bomb', '/v1/traces', { method: 'POST', headers: { ...json, 'Content-Encoding': 'gzip' }, body: bomb });
      expect(a.status).toBe(413);
      expect(statusOf(a).message).toMatch(/decompress|inflat|MiB|bytes/i);
      const p = await send('gzip bomb, protobuf', '/v1/logs', { method: 'POST', headers: { ...proto, 'Content-Encoding': 'gzip' }, body: bomb });
      expect(p.status).toBe(413);
      expect(decodeStatus(p.bytes).code).toBe(8);
    });

    it('stops the bomb sent chunked, and four at once', async () => {
      const chunks = Array.from({ length: Math.ceil(bomb.length / 4096) }, (_, i) => bomb.subarray(i * 4096, (i + 1) * 4096));
      const chunked = await send('gzip bomb chunked', '/v1/traces', {
        method: 'POST',
        headers: { ...json, 'Content-Encoding': 'gzip' },
        body: Readable.toWeb(Readable.from(chunks)) as ReadableStream,
      });
      expect(chunked.status).toBe(413);
      const four = await Promise.all(
        [1, 2, 3, 4].map((i) => send(`gzip bomb #${i} in parallel`, '/v1/metrics', { method: 'POST', headers: { ...proto, 'Content-Encoding': 'gzip' }, body: bomb })),
      );
      expect(four.map((a) => a.status)).toEqual([413, 413, 413, 413]);
    });

    it('answers a Content-Length that lies either way without harm', async () => {
      // Claims more than the limit: refused before anything is read.
      const over = await rawPost(stack.app.port, '/v1/traces', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Authorization: `Bearer ${stack.key}`, 'Content-Length': String(50 * MiB) }, bomb);
      expect(over.status).toBe(413);
      statuses.push({ what: 'Content-Length claims 50 MiB', status: over.status });
      // Claims 4 KiB of the bomb: the gzip stream ends early (400); the rest is not a request.
      const under = await rawPost(stack.app.port, '/v1/traces', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Authorization: `Bearer ${stack.key}`, 'Content-Length': '4096' }, bomb);
      expect(under.status).toBe(400);
      statuses.push({ what: 'Content-Length claims 4 KiB', status: under.status });
      expect((await fetch(`${stack.url}/health`)).status).toBe(200);
    });

    it('stops bombs on remote_write (snappy that claims 1 GiB) and on /collect', async () => {
      // Snappy block format starts with the uncompressed length as a varint: claim 1 GiB.
      const liar = Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x04, 0x00, 0x00]);
      const rw = await send('snappy bomb', '/api/v1/push', { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' }, body: liar });
      expect(rw.status).toBe(413);
      expect(rw.type).toMatch(/^text\/plain/);
      const faro = await send('gzip bomb to /collect', '/collect', { method: 'POST', headers: { ...json, 'Content-Encoding': 'gzip' }, body: bomb, key: null });
      expect(faro.status).toBe(401); // no key: refused before the body is read
      const faroKeyed = await send('gzip bomb to /collect with key', '/collect', { method: 'POST', headers: { ...json, 'Content-Encoding': 'gzip', 'x-api-key': stack.key }, body: bomb });
      expect(faroKeyed.status).toBe(413);
      expect(JSON.parse(faroKeyed.text)).toMatchObject({ error: { code: 'decompressed_too_large' } });
    });

    it('kept its memory bounded through all of it, and after', async () => {
      await new Promise((r) => setTimeout(r, 500));
      const after = rssMiB(stack.app.proc.pid as number);
      const peak = Math.max(...rssSamples, after);
      console.log(`server RSS: baseline ${baselineRss.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, after ${after.toFixed(0)} MiB (${rssSamples.length} samples)`);
      expect(rssSamples.length).toBeGreaterThan(10);
      // Inflating the bombs would take 128 MiB each (512 MiB for the four at once).
      expect(peak - baselineRss).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
      expect(after - baselineRss).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
      expect(peak).toBeLessThan(RSS_LIMIT_MIB);
    });
  });

  describe('content types and methods', () => {
    it('answers 415 in JSON for a Content-Type OTLP does not take', async () => {
      const body = new TextEncoder().encode(JSON.stringify(otlpTracesJson('reject-ctype', [{ name: 'x' }])));
      for (const type of ['text/plain', 'application/xml', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', null]) {
        const a = await send(`Content-Type ${type}`, '/v1/traces', { method: 'POST', headers: type ? { 'Content-Type': type } : {}, body });
        expect(a.status, String(type)).toBe(415);
        expect(a.type).toMatch(/^application\/json/);
        expect(statusOf(a).message).toMatch(/application\/x-protobuf or application\/json/);
      }
      const br = await send('Content-Encoding br', '/v1/traces', { method: 'POST', headers: { ...json, 'Content-Encoding': 'br' }, body });
      expect(br.status).toBe(415);
      expect(statusOf(br).message).toMatch(/br/);
    });

    it('answers 415 on remote_write and /collect for the wrong Content-Type', async () => {
      const rw = await send('remote_write as JSON', '/api/v1/push', { method: 'POST', headers: json, body: '{}' });
      expect(rw.status).toBe(415);
      const rw2 = await send('remote_write 2.0', '/api/v1/push', { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request', 'Content-Encoding': 'snappy' }, body: snappy(writeRequest([])) });
      expect(rw2.status).toBe(415);
      const faro = await send('collect as text', '/collect', { method: 'POST', headers: { 'Content-Type': 'text/plain', 'x-api-key': stack.key }, body: '{"meta":{}}' });
      expect(faro.status).toBe(415);
    });

    it('answers 405 to other methods', async () => {
      for (const [method, path] of [
        ['GET', '/v1/traces'],
        ['PUT', '/v1/metrics'],
        ['DELETE', '/v1/logs'],
        ['PATCH', '/v1/traces'],
        ['GET', '/api/v1/push'],
        ['PUT', '/api/v1/push'],
        ['GET', '/collect'],
        ['DELETE', '/collect'],
      ] as const) {
        const a = await send(`${method} ${path}`, path, { method });
        expect(a.status, `${method} ${path}`).toBe(405);
      }
    });
  });

  describe('keys', () => {
    it('answers 401 without a key, with a malformed, an unknown or a revoked key, in the request encoding', async () => {
      const body = await otlpTracesProto('reject-keys', ['x']);
      const created = await stack.cli<{ key: string; prefix: string }>('keys', 'create', '--tenant', 'default', '--scopes', 'ingest', '--name', 'to-revoke');
      expect((await send('fresh key', '/v1/traces', { method: 'POST', headers: proto, body: await otlpTracesProto('accepted-before-revoke', ['x']), key: created.key })).status).toBe(200);
      await stack.cli('keys', 'revoke', '--tenant', 'default', created.prefix);

      const unknown = `obs_zzzzzzzz_${'A'.repeat(40)}`;
      for (const [what, key, code] of [
        ['no key', null, 'Missing API key'],
        ['malformed key', 'hunter2', 'Invalid API key'],
        ['unknown key', unknown, 'Invalid API key'],
      ] as const) {
        const a = await send(what, '/v1/traces', { method: 'POST', headers: proto, body, key });
        expect(a.status, what).toBe(401);
        const s = statusOf(a);
        expect(s.code, what).toBe(16); // UNAUTHENTICATED
        expect(s.message, what).toContain(code);
      }
      await eventually(async () => {
        const a = await send('revoked key', '/v1/traces', { method: 'POST', headers: proto, body, key: created.key });
        expect(a.status).toBe(401);
        expect(statusOf(a).message).toMatch(/revoked/);
      }, 15_000);
      const jsonAnswer = await send('no key, JSON', '/v1/logs', { method: 'POST', headers: json, body: '{}', key: null });
      expect(jsonAnswer.status).toBe(401);
      expect(JSON.parse(jsonAnswer.text)).toMatchObject({ code: 16 });
    });

    it('answers 403 to a key without the ingest scope, on every protocol', async () => {
      const readOnly = await stack.cli<{ key: string }>('keys', 'create', '--tenant', 'default', '--scopes', 'read', '--name', 'read-only');
      const a = await send('read-only key, OTLP', '/v1/traces', { method: 'POST', headers: proto, body: await otlpTracesProto('reject-scope', ['x']), key: readOnly.key });
      expect(a.status).toBe(403);
      expect(statusOf(a)).toMatchObject({ code: 7 });
      const rw = await send('read-only key, remote_write', '/api/v1/push', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' },
        body: snappy(writeRequest([{ labels: [['__name__', 'reject_scope_total']], samples: [[1, Date.now()]] }])),
        key: readOnly.key,
      });
      expect(rw.status).toBe(403);
      const basic = `Basic ${Buffer.from(`prometheus:${readOnly.key}`).toString('base64')}`;
      const rwBasic = await send('read-only key as basic auth', '/api/v1/push', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', Authorization: basic },
        body: snappy(writeRequest([])),
      });
      expect(rwBasic.status).toBe(403);
      const faro = await send('read-only key, Faro', '/collect', { method: 'POST', headers: { ...json, 'x-api-key': readOnly.key }, body: '{}' });
      expect(faro.status).toBe(403);
      expect(JSON.parse(faro.text)).toMatchObject({ error: { code: 'insufficient_scope' } });
    });
  });

  describe('remote_write', () => {
    const rwHeaders = { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' };

    it('refuses bad snappy and a WriteRequest that is not protobuf: 400 in text', async () => {
      const notSnappy = await send('bad snappy', '/api/v1/push', { method: 'POST', headers: rwHeaders, body: Uint8Array.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]) });
      expect(notSnappy.status).toBe(400);
      expect(notSnappy.type).toMatch(/^text\/plain/);
      expect(notSnappy.text).toMatch(/snappy/i);
      const notProto = await send('snappy garbage', '/api/v1/push', { method: 'POST', headers: rwHeaders, body: snappy(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f])) });
      expect(notProto.status).toBe(400);
    });

    it('answers 400 naming the invalid series, while the valid ones are stored', async () => {
      const now = Date.now();
      const body = snappy(
        writeRequest([
          { labels: [['__name__', 'rw_good_total'], ['job', 'badinput'], ['instance', 'a']], samples: [[41, now - 2000], [42, now - 1000]] },
          { labels: [['job', 'badinput'], ['instance', 'no-name']], samples: [[1, now]] },
          { labels: [['__name__', 'rw_dup_label'], ['job', 'a'], ['job', 'b']], samples: [[1, now]] },
          { labels: [['__name__', 'rw_empty_label_name'], ['', 'x']], samples: [[1, now]] },
          { labels: [['__name__', 'rw_good_gauge'], ['job', 'badinput']], samples: [[3.5, now - 1000]] },
        ]),
      );
      const a = await send('some invalid series', '/api/v1/push', { method: 'POST', headers: rwHeaders, body });
      expect(a.status).toBe(400);
      expect(a.type).toMatch(/^text\/plain/);
      expect(a.text).toMatch(/3 .*series|series.*3/i);
      expect(a.text).toMatch(/__name__/);
      const good = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', { ...RANGE, metric: 'rw_good_total', agg: 'none', step: '1d' });
      expect(good.data.series).toHaveLength(1);
      expect(good.data.series[0]?.labels).toMatchObject({ job: 'badinput', instance: 'a' });
      expect(valuesOf(good.data.series[0])).toEqual([42]);
      const gauge = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', { ...RANGE, metric: 'rw_good_gauge', agg: 'none', step: '1d' });
      expect(valuesOf(gauge.data.series[0])).toEqual([3.5]);
      const names = await read<string[]>(stack.url, stack.key, '/api/v1/metrics/names', RANGE);
      expect(names.data).not.toContain('rw_dup_label');
      expect(names.data).not.toContain('rw_empty_label_name');
    });
  });

  describe('Faro', () => {
    it('refuses garbage with 400 in JSON', async () => {
      const cases: Array<[string, string]> = [
        ['not JSON', 'hello faro'],
        ['truncated JSON', '{"meta":{"app":{"name":"shop"}},"logs":['],
        ['array', '[1,2,3]'],
        ['string', '"faro"'],
      ];
      for (const [what, body] of cases) {
        const a = await send(`faro ${what}`, '/collect', { method: 'POST', headers: { ...json, 'x-api-key': stack.key }, body });
        expect(a.status, what).toBe(400);
        expect(JSON.parse(a.text), what).toMatchObject({ error: { code: expect.stringMatching(/malformed_json|invalid_request/) } });
      }
      const utf8 = await send('faro invalid utf-8', '/collect', { method: 'POST', headers: { ...json, 'x-api-key': stack.key }, body: Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]) });
      expect(utf8.status).toBe(400);
    });
  });

  describe('afterwards', () => {
    it('answered every bad request with a 4xx and never a 5xx', () => {
      const server = statuses.filter((s) => s.status >= 500);
      expect(server).toEqual([]);
      expect(statuses.length).toBeGreaterThan(60);
    });

    it('stored nothing of the requests it refused whole, and what it accepted', async () => {
      const services = (await read<ApiServiceStats[]>(stack.url, stack.key, '/api/v1/services', RANGE)).data.map((s) => s.service);
      expect(services).toEqual(expect.arrayContaining(['accepted-control', 'accepted-before-revoke', 'partial-ids', 'oversized-attrs', 'oversized-proto']));
      expect(services.filter((s) => s.startsWith('reject-'))).toEqual([]);
      const logs = await read<{ records: ApiLogRecord[] }>(stack.url, stack.key, '/api/v1/logs', { ...RANGE, limit: '1000' });
      expect(logs.data.records.filter((r) => r.serviceName.startsWith('reject-'))).toEqual([]);
      const names = (await read<string[]>(stack.url, stack.key, '/api/v1/metrics/names', RANGE)).data;
      expect(names.filter((n) => n.startsWith('reject'))).toEqual([]);
      const rum = await read<{ events: unknown[] }>(stack.url, stack.key, '/api/v1/rum', RANGE);
      expect(rum.data.events).toEqual([]);
    });

    it('is still healthy and takes good data', async () => {
      expect((await fetch(`${stack.url}/health`)).status).toBe(200);
      const ok = await send('good request at the end', '/v1/traces', { method: 'POST', headers: proto, body: await otlpTracesProto('accepted-at-the-end', ['GET /end']) });
      expect(ok.status).toBe(200);
      expect(ok.bytes.length).toBe(0); // full success: an empty ExportTraceServiceResponse
      const services = (await read<ApiServiceStats[]>(stack.url, stack.key, '/api/v1/services', RANGE)).data.map((s) => s.service);
      expect(services).toContain('accepted-at-the-end');
      expect(stack.app.proc.exitCode).toBeNull();
    });
  });
});

/**
 * POST with node:http (chunked unless Content-Length is given), written in 1 MiB slices;
 * resolves with the answer even if the server answers early and stops reading.
 */
function nodePost(url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    let answered = false;
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
      res.on('error', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (e) => {
      // EPIPE/ECONNRESET once the server has answered and closed is expected.
      if (!answered) fail(e);
    });
    const write = async () => {
      for (let at = 0; at < body.length && !req.destroyed; at += MiB) {
        if (!req.write(body.subarray(at, at + MiB))) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    };
    write().catch(() => {});
  });
}

/** A POST written byte by byte to a socket, so the headers can lie; resolves with the first answer's status. */
function rawPost(port: number, path: string, headers: Record<string, string>, body: Bytes): Promise<{ status: number; raw: string }> {
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    const done = () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(raw);
      if (m) ok({ status: Number(m[1]), raw });
      else fail(new Error(`no HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`));
    };
    const timer = setTimeout(() => socket.destroy(), 15_000);
    socket.on('data', (c: Buffer) => (raw += c.toString('latin1')));
    // The server may answer and close before it has read everything we write.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      done();
    });
    socket.on('connect', () => {
      const head = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
      socket.write(head);
      socket.end(body);
    });
  });
}
