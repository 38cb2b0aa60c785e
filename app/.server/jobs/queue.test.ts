import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { hasRedis } from '../../../tests/support/pg';
import { createLogger } from '../log';
import { createMemoryRateLimiter, createRedisRateLimiter } from '../rate-limit';
import { type JobQueue, createBullQueue, createInlineQueue } from './queue';

const log = createLogger({ level: 'error', format: 'json', write: () => {} });

async function until(cond: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function exercise(make: () => JobQueue) {
  const web = make();
  const worker = make();
  const seen: unknown[] = [];
  let ticks = 0;
  for (const q of [web, worker]) {
    q.register('echo', async (d) => void seen.push(d));
    q.register('tick', async () => void ticks++);
  }
  // The web role enqueues; only the process that started a worker runs jobs.
  await web.enqueue('echo', { n: 1 });
  await worker.schedule('tick', 200);
  await worker.startWorker();
  if (web !== worker) await web.enqueue('echo', { n: 2 });
  await until(() => seen.length >= (web === worker ? 1 : 2) && ticks >= 2);
  expect(seen).toContainEqual({ n: 1 });
  expect((await worker.health()).ok).toBe(true);
  await web.close();
  if (web !== worker) await worker.close();
}

describe('inline queue', () => {
  it('runs enqueued jobs and schedules once the worker starts, and drains on close', async () => {
    const q = createInlineQueue(log);
    await exercise(() => q);
    let finished = false;
    const q2 = createInlineQueue(log);
    q2.register('slow', async () => {
      await new Promise((r) => setTimeout(r, 300));
      finished = true;
    });
    await q2.startWorker();
    await q2.enqueue('slow');
    await q2.close();
    expect(finished).toBe(true);
    await expect(q2.enqueue('slow')).rejects.toThrow('closed');
  });

  it('runs an hourly schedule soon after the worker starts, not only an hour later', async () => {
    const q = createInlineQueue(log, { firstRunMs: 50 });
    let runs = 0;
    q.register('hourly', async () => void runs++);
    await q.schedule('hourly', 3_600_000);
    await new Promise((r) => setTimeout(r, 150));
    expect(runs, 'nothing runs before the worker starts').toBe(0);
    await q.startWorker();
    await until(() => runs === 1);
    await new Promise((r) => setTimeout(r, 150));
    expect(runs, 'then it waits for the interval').toBe(1);
    await q.close();
  });
});

describe.skipIf(!hasRedis)('BullMQ queue on Redis', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const c of clients) await c.quit();
  });
  it('hands jobs from one process to a worker in another and runs repeatable schedules', async () => {
    const prefix = `t${Date.now()}`;
    const mk = () => {
      const r = new Redis(process.env.REDIS_URL ?? '', { keyPrefix: undefined, maxRetriesPerRequest: null });
      clients.push(r);
      return createBullQueue(r, log, { queueName: `obstack-test-${prefix}` });
    };
    const web = mk();
    const worker = mk();
    const seen: unknown[] = [];
    let ticks = 0;
    for (const q of [web, worker]) {
      q.register('echo', async (d) => void seen.push(d));
      q.register('tick', async () => void ticks++);
    }
    await web.enqueue('echo', { from: 'web' });
    await worker.schedule('tick', 300);
    await worker.schedule('tick', 300);
    await worker.startWorker();
    await until(() => seen.length === 1 && ticks >= 2, 15_000);
    expect(seen).toEqual([{ from: 'web' }]);
    expect((await web.health()).detail).toMatch(/waiting/);
    await web.close();
    await worker.close();
  });
});

describe('sign-in rate limiter', () => {
  const impls: Array<[string, () => ReturnType<typeof createMemoryRateLimiter>, boolean]> = [
    ['memory', () => createMemoryRateLimiter(), true],
    ['redis', () => createRedisRateLimiter(new Redis(process.env.REDIS_URL ?? ''), `obstack:test:${Date.now()}:`), hasRedis],
  ];
  describe.each(impls)('%s', (_name, make, available) => {
    it.skipIf(!available)('counts within a window, reports when it resets, and resets', async () => {
      const l = make();
      expect((await l.peek('k', 1_000)).count).toBe(0);
      await l.hit('k', 1_000);
      const s = await l.hit('k', 1_000);
      expect(s.count).toBe(2);
      expect(s.resetInMs).toBeGreaterThan(0);
      expect(s.resetInMs).toBeLessThanOrEqual(1_000);
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await l.peek('k', 1_000)).count).toBe(0);
      await l.hit('k', 1_000);
      await l.reset('k');
      expect((await l.peek('k', 1_000)).count).toBe(0);
    });
  });
});
