import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import { type BullBusOptions, createBullBus } from './bullmq';
import { createInlineBus, type InlineBusOptions } from './inline';
import { createKafkaBus, type KafkaBusOptions } from './kafka';
import type { Bus, BusDriver } from './types';

export * from './types';
export { decodeEnvelope, encodeEnvelope, BusCodecError, CODEC_VERSION } from './codec';
export { createInlineBus, type InlineBusOptions } from './inline';
export { createBullBus, type BullBusOptions } from './bullmq';
export { createKafkaBus, type KafkaBusOptions } from './kafka';

type Tuning<T> = Omit<T, 'log' | 'redis' | 'brokers'>;

export interface CreateBusOptions {
  /** Chosen from what is configured when omitted: Kafka if brokers, else BullMQ if Redis, else inline. */
  driver?: BusDriver;
  log: Logger;
  redis?: Redis | string;
  kafkaBrokers?: string[];
  /** Per-driver tuning (limits, retries, prefixes); every field has a default. */
  inline?: Tuning<InlineBusOptions>;
  bullmq?: Tuning<BullBusOptions>;
  kafka?: Tuning<KafkaBusOptions>;
}

export function busDriverFor(opts: { redis?: unknown; kafkaBrokers?: string[] }): BusDriver {
  if (opts.kafkaBrokers?.length) return 'kafka';
  if (opts.redis) return 'bullmq';
  return 'inline';
}

/**
 * The bus between ingest and the workers. The web role publishes; the worker role also
 * calls `startConsumer(handler)` (embedded mode: one process does both, and the inline
 * driver needs the handler before the first publish).
 */
export function createBus(opts: CreateBusOptions): Bus {
  const driver = opts.driver ?? busDriverFor(opts);
  switch (driver) {
    case 'inline':
      return createInlineBus({ ...opts.inline, log: opts.log });
    case 'bullmq':
      if (!opts.redis) throw new Error('the BullMQ bus needs Redis (REDIS_URL)');
      return createBullBus({ ...opts.bullmq, log: opts.log, redis: opts.redis });
    case 'kafka':
      if (!opts.kafkaBrokers?.length) throw new Error('the Kafka bus needs brokers (KAFKA_BROKERS)');
      return createKafkaBus({ ...opts.kafka, log: opts.log, brokers: opts.kafkaBrokers });
  }
}
