import { describe, expect, it } from 'vitest';
import { BusFullError, BusUnavailableError, createBullBus } from '../../app/.server/bus';
import { hasRedis } from '../support/pg';
import { conformance } from './conformance';
import { logBatch } from './fixtures';
import { harness, log, sleep, until } from './support';

describe.skipIf(!hasRedis)('BullMQ bus on Redis', () => {
  conformance('bullmq');

  it('publishing the same batch id twice stores one job (the job id is the batch id)', async () => {
    const h = harness('bullmq');
    try {
      const publisher = h.make();
      const batch = logBatch(2, { id: 'same:id%with-colons' });
      await publisher.publish({ tenantId: 't', batch });
      await publisher.publish({ tenantId: 't', batch });
      expect((await publisher.health()).pending).toBe(1);
      const seen: string[] = [];
      await h.make().startConsumer(async (e) => void seen.push(e.batch.id));
      await until(() => seen.length === 1);
      await sleep(300);
      expect(seen).toEqual([batch.id]);
    } finally {
      await h.cleanup();
    }
  });

  it('answers BusFullError with Retry-After once maxPending batches wait in Redis', async () => {
    const h = harness('bullmq', { maxPending: 5, retryAfterSeconds: 3 });
    try {
      const publisher = h.make();
      for (let i = 0; i < 5; i++) await publisher.publish({ tenantId: 't', batch: logBatch(1) });
      const err = await publisher.publish({ tenantId: 't', batch: logBatch(1) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusFullError);
      expect((err as BusFullError).retryAfterSeconds).toBe(3);
      // A fresh process learns the backlog from Redis, not from its own count.
      const other = h.make();
      await until(async () => (await other.health()).ok);
      await expect(other.publish({ tenantId: 't', batch: logBatch(1) })).rejects.toBeInstanceOf(BusFullError);
      // Draining the queue opens it again.
      await h.make().startConsumer(async () => {});
      await until(async () => (await other.health()).pending === 0);
      await other.publish({ tenantId: 't', batch: logBatch(1) });
    } finally {
      await h.cleanup();
    }
  });

  it('answers BusUnavailableError within the publish deadline when Redis is unreachable', async () => {
    const bus = createBullBus({ log, redis: 'redis://127.0.0.1:1', publishTimeoutMs: 1_500, prefix: 'obstack-test-unreachable' });
    const started = Date.now();
    const err = await bus.publish({ tenantId: 't', batch: logBatch(1) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusUnavailableError);
    expect((err as BusUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await bus.health()).ok).toBe(false);
    await bus.close();
  });
});
