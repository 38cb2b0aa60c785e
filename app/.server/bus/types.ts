import type { Signal, WriteBatch } from '@obstack/plugin-api';

export type BusDriver = 'inline' | 'bullmq' | 'kafka';

/**
 * What travels on the bus: one batch for one tenant. `batch.id` is the idempotency key
 * every sink dedupes on, so the bus keeps it stable across redeliveries and retries.
 */
export interface BusEnvelope {
  tenantId: string;
  batch: WriteBatch;
}

/**
 * The worker side. Resolves once every sink acknowledged the batch; throwing asks the bus
 * to retry (with backoff) and, after the last attempt, to dead-letter the batch.
 */
export type BusHandler = (envelope: BusEnvelope) => Promise<void>;

export interface BusHealth {
  ok: boolean;
  driver: BusDriver;
  detail: string;
  /** Batches accepted but not yet handled (inline: in flight + waiting; BullMQ: waiting + delayed; Kafka: unsent in this process). */
  pending?: number;
  /** Dead letters not yet retried. */
  deadLetters: number;
  /** Kafka: messages the consumer group has not committed yet, summed over partitions. */
  lag?: number;
}

export interface DeadLetter {
  /** The dead letter's own id, for retryDeadLetter (the batch id, which is unique per bus). */
  id: string;
  tenantId: string;
  signal: Signal;
  items: number;
  attempts: number;
  error: string;
  /** Unix milliseconds. */
  failedAt: number;
}

export interface Bus {
  readonly driver: BusDriver;
  /**
   * Resolves once the batch is durable: in the store (inline), in Redis (BullMQ) or
   * acknowledged by all in-sync replicas (Kafka). Rejects with BusFullError (answer 429)
   * or BusUnavailableError (answer 503), both carrying retryAfterSeconds. A rejected
   * publish may or may not have landed; the caller answers an error and the client resends.
   */
  publish(envelope: BusEnvelope): Promise<void>;
  /**
   * Worker role: start consuming with this handler. Inline has no separate consumer:
   * publish runs the handler, so a process must call this before it publishes.
   */
  startConsumer(handler: BusHandler): Promise<void>;
  health(): Promise<BusHealth>;
  /** Dead letters not yet retried, newest first, optionally of one tenant. */
  deadLetters(opts: { tenantId?: string; limit: number }): Promise<DeadLetter[]>;
  /** Hands a dead letter back to the consumers; false if no such dead letter (or it was already retried). */
  retryDeadLetter(id: string): Promise<boolean>;
  /** Stops accepting, finishes in-flight handler calls and their commits, disconnects. */
  close(): Promise<void>;
}

/** Base of the bus's refusals: both carry how long a client should wait before resending. */
export abstract class BusRefusedError extends Error {
  abstract readonly status: 429 | 503;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The bus's buffers (or the queue behind it) are full: answer 429 with Retry-After. */
export class BusFullError extends BusRefusedError {
  override readonly name = 'BusFullError';
  readonly status = 429 as const;
}

/** The bus cannot make the batch durable right now (broker/Redis/store down, closing): answer 503 with Retry-After. */
export class BusUnavailableError extends BusRefusedError {
  override readonly name = 'BusUnavailableError';
  readonly status = 503 as const;
}

/** A batch the bus cannot carry at all (e.g. too large even split to single items): a 413 for the client. */
export class BusRejectedError extends Error {
  override readonly name = 'BusRejectedError';
  readonly status = 413 as const;
}
