import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';

export type JobHandler = (data: unknown) => Promise<void>;

export interface QueueHealth {
  ok: boolean;
  driver: 'inline' | 'bullmq';
  detail: string;
}

/**
 * Background jobs and repeatable schedules. The web role only enqueues; the worker
 * role processes. Inline runs everything in this process (embedded mode); BullMQ
 * shares the work among worker processes through Redis.
 */
export interface JobQueue {
  readonly driver: 'inline' | 'bullmq';
  /** Declares what a job name does. Every process registers the same handlers. */
  register(name: string, handler: JobHandler): void;
  /** Runs `name` every `everyMs` in one worker (idempotent across restarts and processes). */
  schedule(name: string, everyMs: number): Promise<void>;
  enqueue(name: string, data?: unknown): Promise<void>;
  /** Starts processing in this process (worker role). */
  startWorker(): Promise<void>;
  health(): Promise<QueueHealth>;
  /** Stops taking jobs, waits for running ones, closes connections. */
  close(): Promise<void>;
}

/**
 * Jobs in this process. A schedule first runs `firstRunMs` after the worker starts (at most
 * its interval), then every interval: its timers live only as long as the process, so
 * without the early run a process restarted more often than an hourly job's interval would
 * never run it at all. (BullMQ keeps schedules in Redis, across restarts.)
 */
export function createInlineQueue(log: Logger, options: { firstRunMs?: number } = {}): JobQueue {
  const firstRunMs = options.firstRunMs ?? 10_000;
  const handlers = new Map<string, JobHandler>();
  const schedules = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  const pending: Array<{ name: string; data: unknown }> = [];
  let working = false;
  let closed = false;

  const run = (name: string, data: unknown) => {
    const handler = handlers.get(name);
    if (!handler) {
      log.error('no handler for job', { job: name });
      return;
    }
    const p = handler(data)
      .catch((err: unknown) => log.error('job failed', { job: name, err: err instanceof Error ? err.message : String(err) }))
      .finally(() => running.delete(p));
    running.add(p);
  };
  const arm = (name: string, everyMs: number) => {
    const tick = () => {
      if (!closed) run(name, undefined);
    };
    const first = setTimeout(() => {
      tick();
      const t = setInterval(tick, everyMs);
      t.unref();
      timers.push(t);
    }, Math.min(firstRunMs, everyMs));
    first.unref();
    timers.push(first);
  };

  return {
    driver: 'inline',
    register(name, handler) {
      handlers.set(name, handler);
    },
    async schedule(name, everyMs) {
      schedules.set(name, everyMs);
      if (working) arm(name, everyMs);
    },
    async enqueue(name, data) {
      if (closed) throw new Error('queue is closed');
      if (working) run(name, data);
      else pending.push({ name, data });
    },
    async startWorker() {
      working = true;
      for (const [name, every] of schedules) arm(name, every);
      for (const job of pending.splice(0)) run(job.name, job.data);
    },
    async health() {
      return { ok: !closed, driver: 'inline', detail: `${running.size} running, ${schedules.size} schedules` };
    },
    async close() {
      closed = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}

const QUEUE_NAME = 'obstack-jobs';

export function createBullQueue(
  redis: Redis,
  log: Logger,
  options: { concurrency?: number; queueName?: string } = {},
): JobQueue {
  const name = options.queueName ?? QUEUE_NAME;
  const handlers = new Map<string, JobHandler>();
  // BullMQ wants its own connections for blocking commands; duplicate() keeps the URL/options.
  const queue = new Queue(name, {
    connection: redis.duplicate(),
    defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
  });
  let worker: Worker | undefined;

  return {
    driver: 'bullmq',
    register(name, handler) {
      handlers.set(name, handler);
    },
    async schedule(name, everyMs) {
      await queue.upsertJobScheduler(name, { every: everyMs }, { name });
    },
    async enqueue(name, data) {
      await queue.add(name, data ?? null);
    },
    async startWorker() {
      worker = new Worker(
        name,
        async (job) => {
          const handler = handlers.get(job.name);
          if (!handler) throw new Error(`no handler for job ${job.name}`);
          await handler(job.data);
        },
        { connection: redis.duplicate({ maxRetriesPerRequest: null }), concurrency: options.concurrency ?? 4 },
      );
      worker.on('failed', (job, err) => log.error('job failed', { job: job?.name, err: err.message }));
      worker.on('error', (err) => log.error('job worker error', { err: err.message }));
    },
    async health() {
      try {
        const counts = await queue.getJobCounts('waiting', 'active', 'failed');
        return {
          ok: true,
          driver: 'bullmq',
          detail: `${counts.waiting ?? 0} waiting, ${counts.active ?? 0} active, ${counts.failed ?? 0} failed`,
        };
      } catch (err) {
        return { ok: false, driver: 'bullmq', detail: err instanceof Error ? err.message : String(err) };
      }
    },
    async close() {
      // Worker.close() waits for the jobs it is running to finish.
      await worker?.close();
      await queue.close();
    },
  };
}
