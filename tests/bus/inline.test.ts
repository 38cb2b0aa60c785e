import { describe, expect, it } from 'vitest';
import { BusFullError, BusUnavailableError, createInlineBus } from '../../app/.server/bus';
import { conformance } from './conformance';
import { logBatch } from './fixtures';
import { log, sleep, until } from './support';

describe('inline bus', () => {
  conformance('inline');

  it('bounds in-flight and waiting batches: past them publish answers BusFullError with Retry-After at once', async () => {
    const bus = createInlineBus({ log, concurrency: 2, maxWaiting: 3, retryAfterSeconds: 2 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let running = 0;
    await bus.startConsumer(async () => {
      running++;
      await gate;
    });
    const accepted = Array.from({ length: 5 }, () => bus.publish({ tenantId: 't', batch: logBatch(1) }));
    await until(() => running === 2);
    expect((await bus.health()).pending).toBe(5);
    const started = Date.now();
    const err = await bus.publish({ tenantId: 't', batch: logBatch(1) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusFullError);
    expect((err as BusFullError).retryAfterSeconds).toBe(2);
    expect((err as BusFullError).status).toBe(429);
    expect(Date.now() - started).toBeLessThan(100);
    release();
    await Promise.all(accepted);
    expect(running).toBe(5);
    await bus.close();
  });

  it('refuses publishes before a consumer exists (nothing could store them)', async () => {
    const bus = createInlineBus({ log });
    const err = await bus.publish({ tenantId: 't', batch: logBatch(1) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusUnavailableError);
    expect((err as BusUnavailableError).status).toBe(503);
    await bus.close();
  });

  it('close() turns waiting publishes away and drains running ones', async () => {
    const bus = createInlineBus({ log, concurrency: 1, maxWaiting: 10 });
    let done = 0;
    await bus.startConsumer(async () => {
      await sleep(200);
      done++;
    });
    const first = bus.publish({ tenantId: 't', batch: logBatch(1) });
    const waiting = bus.publish({ tenantId: 't', batch: logBatch(1) }).catch((e: unknown) => e);
    await sleep(20);
    await bus.close();
    await first;
    expect(done).toBe(1);
    expect(await waiting).toBeInstanceOf(BusUnavailableError);
  });
});
