import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { type Bus, type BusDriver, createBus } from '../../app/.server/bus';
import { createLogger } from '../../app/.server/log';

/** Quiet unless BUS_TEST_LOG=debug|info|warn asks otherwise. */
export const log = createLogger({
  level: (process.env.BUS_TEST_LOG as 'debug' | 'info' | 'warn' | undefined) ?? 'error',
  format: 'pretty',
  write: process.env.BUS_TEST_LOG ? undefined : () => {},
});

export const kafkaBrokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

export async function until(cond: () => boolean | Promise<boolean>, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per-run names, so runs (and other engineers' runs on the same services) never see each other. */
export function runId(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export interface Harness {
  driver: BusDriver;
  /** A new bus instance on this run's queue/topics; for inline every call returns the same one. */
  make(tuning?: Record<string, unknown>): Bus;
  /** Inline has no broker: publisher and consumer are one instance. */
  shared: boolean;
  /** This run's BullMQ key prefix or Kafka topic prefix. */
  prefix: string;
  cleanup(): Promise<void>;
}

/** Test-friendly defaults: fast retries, short timeouts. */
export function harness(driver: BusDriver, base: Record<string, unknown> = {}): Harness {
  const id = runId();
  const made: Bus[] = [];
  const track = (b: Bus) => (made.push(b), b);
  if (driver === 'inline') {
    let one: Bus | undefined;
    return {
      driver,
      shared: true,
      prefix: '',
      make: (tuning = {}) => (one ??= track(createBus({ driver, log, inline: { attempts: 3, backoffMs: 10, ...base, ...tuning } }))),
      cleanup: async () => {
        for (const b of made) await b.close();
      },
    };
  }
  if (driver === 'bullmq') {
    const prefix = `obstack-test-${id}`;
    return {
      driver,
      shared: false,
      prefix,
      make: (tuning = {}) =>
        track(
          createBus({
            driver,
            log,
            redis: process.env.REDIS_URL!,
            bullmq: { prefix, attempts: 3, backoffMs: 10, lockDurationMs: 5_000, stalledIntervalMs: 2_000, ...base, ...tuning },
          }),
        ),
      cleanup: async () => {
        for (const b of made) await b.close().catch(() => {});
        await deleteRedisKeys(prefix);
      },
    };
  }
  const topicPrefix = `obstack-test-${id}.`;
  return {
    driver,
    shared: false,
    prefix: topicPrefix,
    make: (tuning = {}) =>
      track(
        createBus({
          driver,
          log,
          kafkaBrokers,
          kafka: { topicPrefix, groupId: `obstack-test-${id}`, attempts: 3, backoffMs: 10, sessionTimeoutMs: 6_000, ...base, ...tuning },
        }),
      ),
    cleanup: async () => {
      for (const b of made) await b.close().catch(() => {});
      await deleteKafkaTopics(topicPrefix);
    },
  };
}

/** Drops every key of a BullMQ prefix. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const r = new Redis(process.env.REDIS_URL!);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    await r.quit();
  }
}

export async function deleteKafkaTopics(prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'obstack-test-cleanup', brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
