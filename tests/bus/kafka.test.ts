import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Span } from '@obstack/plugin-api';
import { type BusEnvelope, BusFullError, BusRejectedError, BusUnavailableError, createKafkaBus, decodeEnvelope } from '../../app/.server/bus';
import { hasKafka } from '../support/pg';
import { conformance } from './conformance';
import { logBatch, spanBatch } from './fixtures';
import { deleteKafkaTopics, harness, kafkaBrokers, log, runId, until } from './support';

describe.skipIf(!hasKafka)('Kafka bus', () => {
  conformance('kafka');

  it('with traceAffinity keeps each trace on one partition: span batches split into per-partition sub-batches with stable derived ids', async () => {
    const h = harness('kafka', { traceAffinity: true });
    try {
      const batch = spanBatch(300, { tracesPerBatch: 40 });
      const got: BusEnvelope[] = [];
      await h.make().startConsumer(async (e) => void got.push(e));
      const a = h.make();
      await a.publish({ tenantId: 'tenant-a', batch });
      await until(() => got.reduce((n, e) => n + (e.batch.signal === 'traces' ? e.batch.spans.length : 0), 0) >= 300);
      const spans = got.flatMap((e) => (e.batch.signal === 'traces' ? e.batch.spans : []));
      // Every span exactly once, unchanged.
      expect(spans).toHaveLength(300);
      const byId = new Map<string, Span>(spans.map((s) => [s.spanId, s]));
      for (const s of batch.spans) expect(byId.get(s.spanId)).toStrictEqual(s);
      // Every trace lives in exactly one sub-batch, and sub-batch ids derive from the batch id.
      const home = new Map<string, string>();
      for (const e of got) {
        expect(e.batch.id).toMatch(new RegExp(`^${batch.id}:p\\d+$`));
        expect(e.tenantId).toBe('tenant-a');
        for (const s of e.batch.signal === 'traces' ? e.batch.spans : []) {
          expect(home.get(s.traceId) ?? e.batch.id).toBe(e.batch.id);
          home.set(s.traceId, e.batch.id);
        }
      }
      expect(got.length).toBeGreaterThan(1);

      // A second publish of the same batch (another process) derives the same ids: the
      // sinks' dedupe key is stable even for the split.
      const firstIds = got.map((e) => e.batch.id).sort();
      got.length = 0;
      await h.make().publish({ tenantId: 'tenant-a', batch });
      await until(() => got.length >= firstIds.length);
      expect(got.map((e) => e.batch.id).sort()).toEqual(firstIds);
    } finally {
      await h.cleanup();
    }
  });

  it('writes the tenant as message key and describes the batch in headers', async () => {
    const h = harness('kafka');
    const id = runId();
    const kafka = new Kafka({ clientId: 'obstack-test', brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
    const raw = kafka.consumer({ groupId: `obstack-test-raw-${id}`, maxWaitTimeInMs: 200 });
    try {
      const bus = h.make();
      const batch = logBatch(3);
      await bus.publish({ tenantId: 'tenant-k', batch });
      const seen: Array<{ key: string; headers: Record<string, string>; value: Buffer }> = [];
      await raw.connect();
      await raw.subscribe({ topics: [`${h.prefix}logs`], fromBeginning: true });
      await raw.run({
        eachMessage: async ({ message }) => {
          if (!message.value) return;
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          if (headers['obstack-batch'] === batch.id) seen.push({ key: message.key!.toString(), headers, value: message.value });
        },
      });
      await until(() => seen.length === 1, 30_000, 'raw consumer saw the message');
      expect(seen[0]!.key).toBe('tenant-k');
      expect(seen[0]!.headers).toMatchObject({ 'obstack-tenant': 'tenant-k', 'obstack-signal': 'logs', 'obstack-batch': batch.id, 'obstack-items': '3', 'obstack-schema': '1' });
      expect(decodeEnvelope(seen[0]!.value)).toStrictEqual({ tenantId: 'tenant-k', batch });
    } finally {
      await raw.disconnect();
      await h.cleanup();
    }
  });

  it('splits a batch larger than maxMessageBytes into halves with derived ids, and rejects an item too large alone', async () => {
    const h = harness('kafka', { maxMessageBytes: 64 * 1024, compress: false });
    try {
      const batch = logBatch(2_000);
      const got: BusEnvelope[] = [];
      await h.make().startConsumer(async (e) => void got.push(e));
      await h.make().publish({ tenantId: 't', batch });
      await until(() => got.reduce((n, e) => n + (e.batch.signal === 'logs' ? e.batch.records.length : 0), 0) >= 2_000);
      expect(got.length).toBeGreaterThan(1);
      for (const e of got) expect(e.batch.id).toMatch(new RegExp(`^${batch.id}(:s[01])+$`));
      const bodies = got.flatMap((e) => (e.batch.signal === 'logs' ? e.batch.records.map((r) => r.body) : [])).sort();
      expect(bodies).toEqual(batch.records.map((r) => r.body).sort());

      // One item that alone exceeds the cap cannot be carried: a 413 for the client, not a retry.
      const huge = logBatch(1);
      huge.records[0]!.body = 'x'.repeat(100 * 1024);
      const err = await h.make().publish({ tenantId: 't', batch: huge }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusRejectedError);
      expect((err as BusRejectedError).status).toBe(413);
    } finally {
      await h.cleanup();
    }
  });

  it('bounds the bytes waiting for Kafka: past maxBufferedBytes publish answers BusFullError with Retry-After', async () => {
    const h = harness('kafka', { maxBufferedBytes: 100 * 1024, lingerMs: 300, compress: false, retryAfterSeconds: 2 });
    try {
      const bus = h.make();
      await bus.publish({ tenantId: 't', batch: logBatch(1) }); // topics and producer ready
      const results = await Promise.all(
        Array.from({ length: 12 }, () => bus.publish({ tenantId: 't', batch: logBatch(400) }).then(() => 'ok', (e: unknown) => e)),
      );
      const full = results.filter((r) => r instanceof BusFullError) as BusFullError[];
      expect(full.length).toBeGreaterThan(0);
      expect(results.filter((r) => r === 'ok').length).toBeGreaterThan(0);
      expect(full[0]!.retryAfterSeconds).toBe(2);
      expect(full[0]!.status).toBe(429);
      // The buffer empties as Kafka acknowledges; the bus accepts again.
      await bus.publish({ tenantId: 't', batch: logBatch(400) });
    } finally {
      await h.cleanup();
    }
  });

  it('answers BusUnavailableError within the publish deadline when no broker answers', async () => {
    const prefix = `obstack-test-${runId()}.`;
    const bus = createKafkaBus({ log, brokers: ['127.0.0.1:1'], topicPrefix: prefix, publishTimeoutMs: 2_000, connectionTimeoutMs: 500 });
    const started = Date.now();
    const err = await bus.publish({ tenantId: 't', batch: logBatch(1) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusUnavailableError);
    expect((err as BusUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(3_500);
    // Then fails fast for a moment rather than making every request wait.
    const again = Date.now();
    await expect(bus.publish({ tenantId: 't', batch: logBatch(1) })).rejects.toBeInstanceOf(BusUnavailableError);
    expect(Date.now() - again).toBeLessThan(2_500);
    expect((await bus.health()).ok).toBe(false);
    await bus.close();
    await deleteKafkaTopics(prefix);
  });
});
