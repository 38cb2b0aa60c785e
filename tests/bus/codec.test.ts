import { describe, expect, it } from 'vitest';
import type { LogRecord, Span, WriteBatch } from '@obstack/plugin-api';
import { BusCodecError, decodeEnvelope, encodeEnvelope } from '../../app/.server/bus';
import { everySignal, spanBatch } from './fixtures';

describe('bus codec', () => {
  it('round-trips every signal exactly, compressed or not', () => {
    for (const batch of [...everySignal(), spanBatch(512)]) {
      for (const compress of [true, false]) {
        const envelope = { tenantId: 'tenant-ü', batch };
        expect(decodeEnvelope(encodeEnvelope(envelope, { compress }))).toStrictEqual(envelope);
      }
    }
  });

  it('keeps bigints bigints and numbers numbers, whatever their size', () => {
    const batch = everySignal()[0]!;
    const back = decodeEnvelope(encodeEnvelope({ tenantId: 't', batch })).batch as typeof batch & { signal: 'logs' };
    const r = back.records[0]!;
    expect(typeof r.timeUnixNano).toBe('bigint');
    expect(r.attributes.large).toBe(2 ** 40);
    expect(r.attributes.big).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('restores shared resources and scopes as shared objects; optional fields absent or undefined arrive absent', () => {
    const batch = spanBatch(8);
    const scope = { name: '@opentelemetry/instrumentation-http', version: '0.57.1' };
    for (const span of batch.spans) span.scope = scope;
    delete (batch.spans[1] as { scope?: unknown }).scope;
    (batch.spans[2] as { scope?: unknown }).scope = undefined;
    const back = decodeEnvelope(encodeEnvelope({ tenantId: 't', batch })).batch as typeof batch;
    delete (batch.spans[2] as { scope?: unknown }).scope;
    expect(back).toStrictEqual(batch);
    expect('scope' in back.spans[1]!).toBe(false);
    expect('scope' in back.spans[2]!).toBe(false);
    expect(back.spans[0]!.resource).toBe(back.spans[4]!.resource);
    expect(back.spans[0]!.scope).toBe(back.spans[3]!.scope);
  });

  it('carries every field of spans and log records, optional ones included (positional rows keep their slots)', () => {
    const t = 1_712_345_678_901_234_567n;
    const span: Span = {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      parentSpanId: 'c'.repeat(16),
      traceState: 'vendor=x',
      name: 'GET /',
      kind: 'server',
      startTimeUnixNano: t,
      endTimeUnixNano: t + 5n,
      status: { code: 'error', message: 'boom' },
      serviceName: 'api',
      attributes: { a: 1 },
      resource: { 'service.name': 'api' },
      scope: { name: 's', version: '1' },
      events: [{ timeUnixNano: t + 1n, name: 'e', attributes: { x: 'y' } }],
      links: [
        { traceId: 'd'.repeat(32), spanId: 'e'.repeat(16), traceState: 'k=v', attributes: { l: true } },
        { traceId: 'f'.repeat(32), spanId: '0'.repeat(16), attributes: {} },
      ],
    };
    const log: LogRecord = {
      timeUnixNano: t,
      observedTimeUnixNano: t + 1n,
      severityNumber: 13,
      severityText: 'WARN',
      body: 'b',
      serviceName: 'api',
      attributes: { k: [1, { n: null }] },
      resource: { 'service.name': 'api' },
      scope: { name: 's' },
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      flags: 1,
    };
    for (const batch of [
      { id: 's', signal: 'traces', spans: [span] },
      { id: 'l', signal: 'logs', records: [log] },
    ] as WriteBatch[]) {
      expect(decodeEnvelope(encodeEnvelope({ tenantId: 't', batch }))).toStrictEqual({ tenantId: 't', batch });
    }
  });

  it('compresses realistic spans to well under 200 bytes each', () => {
    const frame = encodeEnvelope({ tenantId: 't', batch: spanBatch(512) });
    expect(frame.length / 512).toBeLessThan(200);
  });

  it('still reads a frame written by this codec version (golden bytes: the format is a contract with data already on the bus)', () => {
    const golden = Buffer.from(
      'T0IBAJWodGVuYW50LWHUckCSomlkpnNpZ25hbKhnb2xkZW4tMaRsb2dzkpzTF8N5UpOVS4fUAAAJ1AAAqWhlbGxvIOKck6NhcGnUckGUoW6hZqFsoW3LQnAAAAAAAADLP/gAAAAAAACTAaF4wNRyQpGha8MAANQAANQAANQAAJzP///////////UAAAR1AAApnNlY29uZKNhcGnUckOQANQAANQAANQAANQAAJHUckSRrHNlcnZpY2UubmFtZaNhcGmR1HJFkaRuYW1loXM=',
      'base64',
    );
    const metrics = Buffer.from(
      'T0IBAJKodGVuYW50LWHUckCTomlkpnNpZ25hbKZwb2ludHOoZ29sZGVuLTKnbWV0cmljc5HUckGWpG5hbWWkdHlwZax0aW1lVW5peE5hbm+rc2VydmljZU5hbWWmbGFiZWxzpXZhbHVlonVwpWdhdWdl0xfDeVKTlUuHo2FwadRyQpGjam9ioXgB',
      'base64',
    );
    expect(decodeEnvelope(metrics)).toStrictEqual({
      tenantId: 'tenant-a',
      batch: { id: 'golden-2', signal: 'metrics', points: [{ name: 'up', type: 'gauge', timeUnixNano: 1712345678901234567n, serviceName: 'api', labels: { job: 'x' }, value: 1 }] },
    });
    const resource = { 'service.name': 'api' };
    const records: LogRecord[] = [
      { timeUnixNano: 1712345678901234567n, severityNumber: 9, body: 'hello ✓', serviceName: 'api', attributes: { n: 2 ** 40, f: 1.5, l: [1, 'x', null], m: { k: true } }, resource, scope: { name: 's' } },
      { timeUnixNano: 18446744073709551615n, severityNumber: 17, body: 'second', serviceName: 'api', attributes: {}, resource },
    ];
    expect(decodeEnvelope(golden)).toStrictEqual({ tenantId: 'tenant-a', batch: { id: 'golden-1', signal: 'logs', records } });
  });

  it('refuses frames that are not ours, from the future, or corrupt, with BusCodecError', () => {
    const good = encodeEnvelope({ tenantId: 't', batch: spanBatch(64) });
    expect(() => decodeEnvelope(Buffer.from('{"tenantId":"t"}'))).toThrow(BusCodecError);
    const future = Buffer.from(good);
    future[2] = 9;
    expect(() => decodeEnvelope(future)).toThrow(/version 9/);
    expect(() => decodeEnvelope(good.subarray(0, good.length - 40))).toThrow(BusCodecError);
    const flipped = Buffer.from(good);
    for (let i = 10; i < flipped.length; i += 7) flipped[i] = flipped[i]! ^ 0xff;
    expect(() => decodeEnvelope(flipped)).toThrow(BusCodecError);
  });
});
