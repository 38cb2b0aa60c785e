import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { badBody, IngestError, tooLarge, unsupported } from './errors';
import { encodeFaroResponse, encodeOtlpResponse, encodeRemoteWriteResponse } from './response';

// google/rpc/status.proto, transcribed; protobufjs is the independent reader.
const Status = protobuf
  .parse('syntax = "proto3"; package google.rpc; message Any { string type_url = 1; bytes value = 2; } message Status { int32 code = 1; string message = 2; repeated Any details = 3; }', {
    keepCase: true,
  })
  .root.lookupType('google.rpc.Status');

const text = (b: Uint8Array | string) => (typeof b === 'string' ? new TextEncoder().encode(b) : b);

describe('OTLP export responses, read back by the official otlp-transformer deserializers', () => {
  const cases = [
    ['traces', ProtobufTraceSerializer, JsonTraceSerializer, 'rejectedSpans'],
    ['metrics', ProtobufMetricsSerializer, JsonMetricsSerializer, 'rejectedDataPoints'],
    ['logs', ProtobufLogsSerializer, JsonLogsSerializer, 'rejectedLogRecords'],
  ] as const;

  it.each(cases)('%s: full success leaves partial_success unset', (signal, pb, json) => {
    const p = encodeOtlpResponse(signal, 'protobuf', { rejected: 0 });
    expect(p).toMatchObject({ status: 200, contentType: 'application/x-protobuf' });
    expect(pb.deserializeResponse(text(p.body))).toEqual({});
    const j = encodeOtlpResponse(signal, 'json', { rejected: 0, message: undefined });
    expect(j).toMatchObject({ status: 200, contentType: 'application/json', body: '{}' });
    expect(json.deserializeResponse(text(j.body))).toEqual({});
  });

  it.each(cases)('%s: partial success carries the rejected count and the message', (signal, pb, json, field) => {
    const message = '3 spans rejected: résumé ✓ — naming the problem';
    const p = encodeOtlpResponse(signal, 'protobuf', { rejected: 3, message });
    expect(pb.deserializeResponse(text(p.body))).toEqual({ partialSuccess: { [field]: 3, errorMessage: message } });
    const j = encodeOtlpResponse(signal, 'json', { rejected: 3, message });
    // int64 is a decimal string in the proto3 JSON mapping.
    expect(json.deserializeResponse(text(j.body))).toEqual({ partialSuccess: { [field]: '3', errorMessage: message } });
  });

  it.each(cases)('%s: a warning without rejections is rejected = 0 plus a non-empty message', (signal, pb) => {
    const p = encodeOtlpResponse(signal, 'protobuf', { rejected: 0, message: '2× attribute value truncated' });
    expect(pb.deserializeResponse(text(p.body))).toEqual({ partialSuccess: { errorMessage: '2× attribute value truncated' } });
  });

  it('large rejected counts survive the varint', () => {
    const p = encodeOtlpResponse('traces', 'protobuf', { rejected: 2 ** 40 + 7, message: 'x' });
    expect(ProtobufTraceSerializer.deserializeResponse(text(p.body))).toEqual({ partialSuccess: { rejectedSpans: 2 ** 40 + 7, errorMessage: 'x' } });
  });
});

describe('failures answer with a google.rpc.Status', () => {
  it.each([
    [badBody('malformed_protobuf', 'malformed protobuf at byte 3: bad'), 400, 3],
    [tooLarge('body_too_large', 'too big'), 413, 8],
    [unsupported('unsupported_media_type', 'no'), 415, 3],
  ] as const)('%s', (err, status, code) => {
    const p = encodeOtlpResponse('traces', 'protobuf', err);
    expect(p.status).toBe(status);
    expect(p.contentType).toBe('application/x-protobuf');
    expect(Status.toObject(Status.decode(text(p.body)))).toEqual({ code, message: err.message });
    const j = encodeOtlpResponse('logs', 'json', err);
    expect(j.contentType).toBe('application/json');
    expect(JSON.parse(j.body as string)).toEqual({ code, message: err.message });
  });

  it('an unknown request encoding (415) answers in JSON', () => {
    const r = encodeOtlpResponse('metrics', undefined, unsupported('unsupported_media_type', 'text/plain is not supported'));
    expect(r).toMatchObject({ status: 415, contentType: 'application/json' });
    expect(JSON.parse(r.body as string)).toEqual({ code: 3, message: 'text/plain is not supported' });
  });
});

describe('remote_write and Faro answers', () => {
  it('remote_write: 204 when all is well, 400 naming series otherwise, the error status on failure', () => {
    expect(encodeRemoteWriteResponse({ rejectedSeries: 0 })).toMatchObject({ status: 204, body: '' });
    expect(encodeRemoteWriteResponse({ rejectedSeries: 1, message: '1 series rejected: series {__name__="x"}: …' })).toMatchObject({
      status: 400,
      body: '1 series rejected: series {__name__="x"}: …',
    });
    expect(encodeRemoteWriteResponse(tooLarge('decompressed_too_large', 'big'))).toMatchObject({ status: 413, body: 'big' });
  });

  it('faro: 202 with counts; errors in the app JSON error shape', () => {
    const ok = encodeFaroResponse({ accepted: 3, rejected: 1, message: 'm' });
    expect(ok.status).toBe(202);
    expect(JSON.parse(ok.body as string)).toEqual({ accepted: 3, rejected: 1, message: 'm' });
    const bad = encodeFaroResponse(new IngestError(400, 'malformed_json', 'nope'));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body as string)).toEqual({ error: { code: 'malformed_json', message: 'nope' } });
  });
});

describe('encodeOtlpResponse takes the raw Content-Type header too', () => {
  it('answers protobuf for a protobuf request and JSON for anything else', () => {
    expect(encodeOtlpResponse('traces', 'application/x-protobuf; charset=binary', { rejected: 1, message: 'm' }).contentType).toBe('application/x-protobuf');
    expect(encodeOtlpResponse('traces', 'application/json; charset=utf-8', { rejected: 1, message: 'm' }).contentType).toBe('application/json');
    expect(encodeOtlpResponse('traces', 'text/plain', unsupported('unsupported_media_type', 'no')).contentType).toBe('application/json');
    expect(encodeOtlpResponse('traces', null, unsupported('unsupported_media_type', 'no')).contentType).toBe('application/json');
  });
});
