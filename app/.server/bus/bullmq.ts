import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import { batchSize, type Signal } from '@obstack/plugin-api';
import type { Logger } from '../log';
import { BusCodecError, decodeEnvelope, encodeEnvelope } from './codec';
import { type Bus, type BusEnvelope, type BusHandler, BusFullError, BusUnavailableError, type DeadLetter } from './types';
import { Batcher, errorMessage, truncate, withTimeout } from './util';

export interface BullBusOptions {
  log: Logger;
  /** A connected ioredis client (duplicated, never used directly) or a redis:// URL. */
  redis: Redis | string;
  /** BullMQ key prefix; tests use a unique one per run (default "obstack"). */
  prefix?: string;
  /** Queue name (default "obstack-bus"). */
  queueName?: string;
  /** Batches a worker process handles at once (default 8). */
  concurrency?: number;
  /** Handler calls per batch before it lands in the failed set, i.e. the dead letters (default 5). */
  attempts?: number;
  /** First retry delay, doubling per attempt (default 1 s). */
  backoffMs?: number;
  /** Batches waiting in Redis beyond which publish answers BusFullError (default 2000). */
  maxPending?: number;
  /** Longest a publish waits for Redis before answering BusUnavailableError (default 5 s). */
  publishTimeoutMs?: number;
  retryAfterSeconds?: number;
  /** A dead worker's batch goes back to waiting after its lock expires (default 30 s). */
  lockDurationMs?: number;
  /** How often workers look for such stalled batches (default 30 s). */
  stalledIntervalMs?: number;
  /** Redeliveries after worker deaths before a batch is dead-lettered (default 3). */
  maxStalledCount?: number;
  /** Dead letters kept, newest first (default 10000, and none older than 14 days). */
  deadLetterCapacity?: number;
  /** Compress the frames (default true). */
  compress?: boolean;
}

/** What one job holds: the frame plus what the dead-letter list shows without decoding it. */
interface BusJobData {
  v: 1;
  id: string;
  t: string;
  s: Signal;
  n: number;
  /** The codec frame, base64: BullMQ stores job data as JSON. */
  b: string;
}

/** BullMQ job ids may not contain ':' nor be integers; batch ids are free-form. */
export function jobIdFor(batchId: string): string {
  return `b-${batchId.replace(/%/g, '%25').replace(/:/g, '%3A')}`;
}

/**
 * BullMQ on Redis. publish resolves once Redis accepted the job - durable as far as Redis
 * is: with `appendonly yes` and `appendfsync everysec` (the usual production setting) a
 * Redis crash can lose up to a second of acknowledged batches, with `appendfsync always`
 * none, and without AOF everything since the last RDB snapshot. That is the operator's
 * choice in redis.conf; Kafka is the driver for "acknowledged by replicas".
 *
 * Delivery is at least once: a worker that dies mid-batch loses its lock and the batch
 * goes back to waiting (after lockDurationMs). The job id is the batch id, so a second
 * publish of a batch still waiting, running or dead-lettered is a no-op. No ordering.
 * Dead letters are BullMQ's failed set: listed with getFailed, retried with job.retry().
 */
export function createBullBus(opts: BullBusOptions): Bus {
  const log = opts.log.child({ bus: 'bullmq' });
  const queueName = opts.queueName ?? 'obstack-bus';
  const prefix = opts.prefix ?? 'obstack';
  const attempts = Math.max(1, opts.attempts ?? 5);
  const maxPending = opts.maxPending ?? 2_000;
  const publishTimeout = opts.publishTimeoutMs ?? 5_000;
  const retryAfter = opts.retryAfterSeconds ?? 1;
  const deadCap = opts.deadLetterCapacity ?? 10_000;

  const source = opts.redis;
  // Own connections, whatever the caller's client options were (lazyConnect included).
  const connect = (o: RedisOptions): Redis =>
    typeof source === 'string' ? new Redis(source, { ...o, lazyConnect: false }) : source.duplicate({ ...o, lazyConnect: false });
  // The publishing connection fails fast when Redis is away (no offline queue, as BullMQ
  // advises for producers) so an HTTP request gets its 503 instead of hanging.
  const conn = connect({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let workerConn: Redis | undefined;
  let everReady = false;
  conn.on('ready', () => {
    everReady = true;
    backlogAt = 0;
    refreshBacklog();
  });
  conn.on('error', (err: Error) => log.debug('redis error', { err: err.message }));

  const unavailable = (why: string) => new BusUnavailableError(`Redis is unavailable: ${why}`, Math.max(retryAfter, 5));

  // Made on the first live connection: a Queue built while Redis is away reports its
  // failed start-up as an 'error' event that can outlive close().
  let queueInstance: Queue<BusJobData> | undefined;
  const queueOf = (): Queue<BusJobData> => {
    if (queueInstance) return queueInstance;
    if (conn.status !== 'ready') throw unavailable(conn.status);
    const q = new Queue<BusJobData>(queueName, {
      connection: conn,
      prefix,
      defaultJobOptions: {
        attempts,
        backoff: { type: 'exponential', delay: opts.backoffMs ?? 1_000 },
        removeOnComplete: true,
        removeOnFail: { count: deadCap, age: 14 * 86_400 },
      },
    });
    q.on('error', (err) => log.debug('queue error', { err: err.message }));
    return (queueInstance = q);
  };

  let worker: Worker<BusJobData> | undefined;
  let closed = false;

  // Backlog, refreshed from Redis at most once a second and counted up locally in
  // between, so a publish never costs an extra round trip.
  let backlog = 0;
  let backlogAt = 0;
  let refreshing: Promise<void> | undefined;
  const refreshBacklog = () => {
    if (refreshing || Date.now() - backlogAt < 1_000 || conn.status !== 'ready') return;
    refreshing = queueOf()
      .getJobCounts('waiting', 'delayed', 'prioritized', 'paused', 'active')
      .then((c) => {
        backlog = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0) + (c.active ?? 0);
        backlogAt = Date.now();
      })
      .catch(() => {})
      .finally(() => (refreshing = undefined));
  };

  const batcher = new Batcher<{ name: Signal; data: BusJobData }>({
    // addBulk is one MULTI: many publishes, one round trip.
    send: async (jobs) => {
      // BullMQ would wait for a connection forever; a send only starts on a live one.
      if (conn.status !== 'ready') throw unavailable(conn.status);
      await queueOf().addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: { jobId: jobIdFor(j.data.id) } })));
      backlog += jobs.length;
    },
    maxItems: 200,
    maxBytes: 16 * 1024 * 1024,
    lingerMs: 0,
    maxInFlight: 4,
  });


  const toDeadLetter = (job: Job<BusJobData>): DeadLetter => ({
    id: job.data.id,
    tenantId: job.data.t,
    signal: job.data.s,
    items: job.data.n,
    attempts: job.attemptsMade,
    error: truncate(job.failedReason ?? 'unknown', 2000),
    failedAt: job.finishedOn ?? job.timestamp,
  });

  return {
    driver: 'bullmq',
    async publish(envelope: BusEnvelope) {
      if (closed) throw new BusUnavailableError('bus is closing', retryAfter);
      if (conn.status !== 'ready') {
        // Once connected, a lost connection fails fast; before the first connection (process
        // start) a publish may wait for it, within its deadline.
        if (everReady) throw unavailable(conn.status);
        try {
          await withTimeout(once(conn, 'ready'), publishTimeout, () => new Error(`no connection within ${publishTimeout} ms`));
        } catch (err) {
          throw unavailable(errorMessage(err));
        }
      }
      refreshBacklog();
      if (backlog + batcher.pending >= maxPending) {
        throw new BusFullError(`bus is full (${backlog + batcher.pending} batches waiting)`, retryAfter);
      }
      const frame = encodeEnvelope(envelope, { compress: opts.compress });
      const data: BusJobData = {
        v: 1,
        id: envelope.batch.id,
        t: envelope.tenantId,
        s: envelope.batch.signal,
        n: batchSize(envelope.batch),
        b: frame.toString('base64'),
      };
      try {
        await batcher.submit({ name: envelope.batch.signal, data }, data.b.length, publishTimeout, () => unavailable(`no answer within ${publishTimeout} ms`));
      } catch (err) {
        if (err instanceof BusUnavailableError) throw err;
        throw unavailable(errorMessage(err));
      }
    },

    async startConsumer(handler: BusHandler) {
      if (worker) throw new Error('consumer already started');
      worker = new Worker<BusJobData>(
        queueName,
        async (job) => {
          let envelope: BusEnvelope;
          try {
            envelope = decodeEnvelope(Buffer.from(job.data.b, 'base64'));
          } catch (err) {
            // A frame that cannot be decoded will not decode on a retry either.
            if (err instanceof BusCodecError) throw new UnrecoverableError(err.message);
            throw err;
          }
          await handler(envelope);
        },
        {
          // Blocking commands want their own connection that waits out Redis restarts.
          connection: (workerConn = connect({ maxRetriesPerRequest: null })),
          prefix,
          concurrency: opts.concurrency ?? 8,
          lockDuration: opts.lockDurationMs ?? 30_000,
          stalledInterval: opts.stalledIntervalMs ?? 30_000,
          maxStalledCount: opts.maxStalledCount ?? 3,
        },
      );
      worker.on('failed', (job, err) => {
        if (!job) return;
        const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError || err.name === 'UnrecoverableError';
        if (final) {
          log.error('batch dead-lettered', { batch: job.data.id, tenant: job.data.t, signal: job.data.s, items: job.data.n, err: err.message });
        } else log.warn('bus handler failed', { batch: job.data.id, tenant: job.data.t, attempt: job.attemptsMade, err: err.message });
      });
      worker.on('stalled', (jobId) => log.warn('batch stalled (worker died?), redelivering', { job: jobId }));
      worker.on('error', (err) => log.warn('bus worker error', { err: err.message }));
      await worker.waitUntilReady();
    },

    async health() {
      if (conn.status !== 'ready') return { ok: false, driver: 'bullmq', detail: `Redis: ${conn.status}`, deadLetters: 0 };
      try {
        const c = await withTimeout(queueOf().getJobCounts('waiting', 'delayed', 'prioritized', 'paused', 'active', 'failed'), 3_000, () => new Error('no answer within 3 s'));
        const pending = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0) + (c.active ?? 0);
        backlog = pending;
        backlogAt = Date.now();
        return {
          ok: !closed && conn.status === 'ready',
          driver: 'bullmq',
          detail: `${c.waiting ?? 0} waiting, ${c.active ?? 0} active, ${c.delayed ?? 0} retrying, ${c.failed ?? 0} dead letters${worker ? '' : ' (no consumer here)'}`,
          pending,
          deadLetters: c.failed ?? 0,
        };
      } catch (err) {
        return { ok: false, driver: 'bullmq', detail: `Redis: ${errorMessage(err)}`, deadLetters: 0 };
      }
    },

    async deadLetters({ tenantId, limit }) {
      const out: DeadLetter[] = [];
      // Newest first; a tenant filter pages through the failed set (bounded by its cap).
      const page = tenantId === undefined ? limit : Math.max(100, limit * 4);
      for (let start = 0; out.length < limit && start < deadCap; start += page) {
        const jobs = (await queueOf().getFailed(start, start + page - 1)) as Array<Job<BusJobData>>;
        for (const job of jobs) {
          if (!job?.data) continue;
          if (tenantId === undefined || job.data.t === tenantId) out.push(toDeadLetter(job));
          if (out.length >= limit) break;
        }
        if (jobs.length < page) break;
      }
      return out;
    },

    async retryDeadLetter(id) {
      const job = (await queueOf().getJob(jobIdFor(id))) as Job<BusJobData> | undefined;
      if (!job || !(await job.isFailed())) return false;
      // A fresh set of attempts; the id (and so the sinks' dedupe key) is unchanged.
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    },

    async close() {
      closed = true;
      // Bounded: with Redis gone nothing in flight will settle, and its publishers were answered already.
      await withTimeout(batcher.drain(), publishTimeout, () => new Error('drain timed out')).catch(() => {});
      // Worker.close() lets running handlers finish and their jobs complete.
      if (worker) await withTimeout(worker.close(), (opts.lockDurationMs ?? 30_000) + 5_000, () => new Error('worker close timed out')).catch(() => worker?.close(true));
      if (queueInstance) await withTimeout(queueInstance.close(), 5_000, () => new Error('queue close timed out')).catch(() => {});
      workerConn?.disconnect();
      conn.disconnect();
    },
  };
}
