import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { type Bus, type BusEnvelope, BusUnavailableError } from '../../app/.server/bus';
import { everySignal, logBatch } from './fixtures';
import { type Harness, harness, sleep, until } from './support';

/**
 * What every driver promises, run against each of them: exact round trips, retries then
 * dead letters (listed, counted, retryable), and a close that finishes what it started.
 * Each test gets its own queue/topics so consumers of one test never see another's batches.
 */
export function conformance(driver: Harness['driver']) {
  let h: Harness | undefined;
  const fresh = (base: Record<string, unknown> = {}) => (h = harness(driver, base));
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
  });

  it('delivers every signal exactly as published: bigints, nested attributes, unicode', async () => {
    const hh = fresh();
    const consumer = hh.make();
    const received: BusEnvelope[] = [];
    await consumer.startConsumer(async (e) => void received.push(e));
    const publisher = hh.make();
    const batches = everySignal();
    await Promise.all(batches.map((batch) => publisher.publish({ tenantId: 'tenant-a', batch })));
    await until(() => received.length >= batches.length, 30_000, 'all batches delivered');
    for (const batch of batches) {
      expect(received.filter((r) => r.batch.id === batch.id)).toStrictEqual([{ tenantId: 'tenant-a', batch }]);
    }
  });

  it('retries a failing batch, then dead-letters it where health and deadLetters() show it, and retryDeadLetter re-delivers it', async () => {
    const hh = fresh();
    const consumer = hh.make();
    const publisher = hh.make();
    const tag = randomUUID().slice(0, 8);
    const flaky = logBatch(2, { id: `${tag}-flaky` });
    const bad = logBatch(3, { id: `${tag}-bad` });
    const good = logBatch(1, { id: `${tag}-good` });
    const calls = new Map<string, number>();
    const failing = new Set([bad.id]);
    const delivered: BusEnvelope[] = [];
    await consumer.startConsumer(async (e) => {
      const n = (calls.get(e.batch.id) ?? 0) + 1;
      calls.set(e.batch.id, n);
      if (e.batch.id === flaky.id && n === 1) throw new Error('transient: connection reset');
      if (failing.has(e.batch.id)) throw new Error(`sink down for ${e.batch.id}`);
      delivered.push(e);
    });

    const started = Date.now();
    await publisher.publish({ tenantId: 'tenant-a', batch: flaky });
    await publisher.publish({ tenantId: 'tenant-a', batch: good });
    const badPublish = await publisher.publish({ tenantId: 'tenant-b', batch: bad }).then(
      () => 'ok',
      (e: unknown) => e,
    );
    // Inline means "durable = stored": a batch that could not be stored is refused (503)
    // and the client resends; brokers took it and dead-letter it on the worker side.
    if (driver === 'inline') expect(badPublish).toBeInstanceOf(BusUnavailableError);
    else expect(badPublish).toBe('ok');

    await until(() => delivered.length >= 2, 30_000, 'flaky and good delivered');
    expect(calls.get(flaky.id)).toBe(2);
    expect(calls.get(good.id)).toBe(1);

    let letters = await publisher.deadLetters({ limit: 10 });
    await until(
      async () => (letters = await publisher.deadLetters({ limit: 10 })).some((d) => d.id === bad.id),
      30_000,
      'dead letter listed',
    );
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ id: bad.id, tenantId: 'tenant-b', signal: 'logs', items: 3, attempts: 3 });
    expect(letters[0]!.error).toContain(`sink down for ${bad.id}`);
    expect(letters[0]!.failedAt).toBeGreaterThanOrEqual(started - 1000);
    expect(letters[0]!.failedAt).toBeLessThanOrEqual(Date.now() + 1000);
    expect(calls.get(bad.id)).toBe(3);
    // Tenant-scoped listing.
    expect(await publisher.deadLetters({ tenantId: 'tenant-a', limit: 10 })).toEqual([]);
    expect((await publisher.deadLetters({ tenantId: 'tenant-b', limit: 10 })).map((d) => d.id)).toEqual([bad.id]);
    const health = await publisher.health();
    expect(health.deadLetters).toBe(1);
    expect(health.driver).toBe(driver);

    failing.delete(bad.id);
    expect(await publisher.retryDeadLetter(bad.id)).toBe(true);
    await until(() => delivered.some((d) => d.batch.id === bad.id), 30_000, 'retried dead letter delivered');
    // Same bytes, same id: the sinks' dedupe key survives the detour.
    expect(delivered.find((d) => d.batch.id === bad.id)).toStrictEqual({ tenantId: 'tenant-b', batch: bad });
    await until(async () => (await publisher.deadLetters({ limit: 10 })).length === 0, 30_000, 'dead letter gone');
    await until(async () => (await publisher.health()).deadLetters === 0, 30_000, 'health shows no dead letters');
    expect(await publisher.retryDeadLetter(bad.id)).toBe(false);
    expect(await publisher.retryDeadLetter('no-such-batch')).toBe(false);
  });

  it('close() lets the running handler finish and commit, then refuses publishes', async () => {
    const hh = fresh();
    const consumer = hh.make();
    let started = 0;
    let finished = 0;
    await consumer.startConsumer(async () => {
      started++;
      await sleep(600);
      finished++;
    });
    const publisher = hh.make();
    const published = publisher.publish({ tenantId: 'tenant-a', batch: logBatch(4) });
    await until(() => started === 1, 30_000, 'handler started');
    await consumer.close();
    expect(finished).toBe(1);
    await published;
    await expect(consumer.publish({ tenantId: 'tenant-a', batch: logBatch(1) })).rejects.toBeInstanceOf(BusUnavailableError);
    const err = await consumer.publish({ tenantId: 'tenant-a', batch: logBatch(1) }).catch((e: unknown) => e);
    expect((err as BusUnavailableError).retryAfterSeconds).toBeGreaterThan(0);

    if (hh.shared) return;
    // Nothing left for the next worker: the finished batch was acknowledged/committed.
    const observer: Bus = hh.make();
    await until(
      async () => {
        const health = await observer.health();
        return driver === 'kafka' ? health.lag === 0 : health.pending === 0;
      },
      15_000,
      'no backlog after close',
    );
    let redelivered = 0;
    const next = hh.make();
    await next.startConsumer(async () => void redelivered++);
    await sleep(1_500);
    expect(redelivered).toBe(0);
  });
}
