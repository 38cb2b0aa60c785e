import type { Logger } from '../log';
import { type Bus, type BusEnvelope, type BusHandler, BusFullError, BusUnavailableError, type DeadLetter } from './types';
import { Semaphore, backoffMs, deadLetterOf, errorMessage, sleep } from './util';

export interface InlineBusOptions {
  log: Logger;
  /** Batches handled at once (default 8). */
  concurrency?: number;
  /** Publishes that may wait for a slot before the bus answers BusFullError (default 256). */
  maxWaiting?: number;
  /** Handler calls per batch before it is dead-lettered (default 3). */
  attempts?: number;
  /** First retry delay; doubles per attempt, capped at maxBackoffMs (defaults 100 ms, 2 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Dead letters kept in memory, oldest dropped first (default 1000). */
  deadLetterCapacity?: number;
  retryAfterSeconds?: number;
}

/**
 * Embedded mode: no broker, the publisher's process is the consumer. "Durable" means in
 * the store, so publish resolves only after the handler (every sink) acknowledged the
 * batch, and rejects with BusUnavailableError if it finally could not - the client gets
 * a 503 and resends, so nothing acknowledged is lost. Failed batches are also kept in a
 * bounded in-memory ring as dead letters (visible in the UI, retryable by hand); they
 * do not survive a restart, and the client was told to resend anyway.
 *
 * Bounded: `concurrency` batches run at once and at most `maxWaiting` publishes wait;
 * past that the bus answers BusFullError (429) at once instead of queueing memory.
 */
export function createInlineBus(opts: InlineBusOptions): Bus {
  const log = opts.log.child({ bus: 'inline' });
  const attempts = Math.max(1, opts.attempts ?? 3);
  const baseBackoff = opts.backoffMs ?? 100;
  const maxBackoff = opts.maxBackoffMs ?? 2_000;
  const capacity = opts.deadLetterCapacity ?? 1_000;
  const retryAfter = opts.retryAfterSeconds ?? 1;
  const slots = new Semaphore(opts.concurrency ?? 8, opts.maxWaiting ?? 256);
  // Insertion-ordered: the oldest dead letter is the first key.
  const dead = new Map<string, { letter: DeadLetter; envelope: BusEnvelope }>();
  const running = new Set<Promise<unknown>>();
  let handler: BusHandler | undefined;
  let closed = false;

  /** Runs the handler with retries; resolves true if stored, false once dead-lettered. */
  const deliver = async (envelope: BusEnvelope, previousAttempts = 0): Promise<{ ok: true } | { ok: false; error: string }> => {
    const h = handler;
    if (!h) return { ok: false, error: 'no consumer started' };
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await h(envelope);
        return { ok: true };
      } catch (err) {
        lastError = errorMessage(err);
        log.warn('bus handler failed', { batch: envelope.batch.id, tenant: envelope.tenantId, attempt, err: lastError });
      }
      // A closing process stops retrying; the caller is told to resend.
      if (attempt < attempts && !closed) await sleep(backoffMs(attempt, baseBackoff, maxBackoff));
      else break;
    }
    const letter = deadLetterOf(envelope, previousAttempts + attempts, lastError);
    dead.delete(letter.id);
    dead.set(letter.id, { letter, envelope });
    while (dead.size > capacity) dead.delete(dead.keys().next().value as string);
    log.error('batch dead-lettered', { batch: letter.id, tenant: letter.tenantId, signal: letter.signal, items: letter.items, err: lastError });
    return { ok: false, error: lastError };
  };

  const track = <T>(p: Promise<T>): Promise<T> => {
    running.add(p);
    void p.finally(() => running.delete(p)).catch(() => {});
    return p;
  };

  return {
    driver: 'inline',
    async publish(envelope) {
      if (closed) throw new BusUnavailableError('bus is closing', retryAfter);
      if (!handler) throw new BusUnavailableError('bus has no consumer yet', retryAfter);
      if (!(await slots.acquire())) {
        throw closed
          ? new BusUnavailableError('bus is closing', retryAfter)
          : new BusFullError(`bus is full (${slots.active} batches in flight, ${slots.waiting} waiting)`, retryAfter);
      }
      try {
        const result = await track(deliver(envelope));
        if (!result.ok) throw new BusUnavailableError(`batch could not be stored: ${result.error}`, retryAfter);
      } finally {
        slots.release();
      }
    },
    async startConsumer(h) {
      handler = h;
    },
    async health() {
      return {
        ok: !closed && handler !== undefined,
        driver: 'inline',
        detail: closed
          ? 'closed'
          : handler
            ? `${slots.active} in flight, ${slots.waiting} waiting, ${dead.size} dead letters`
            : 'no consumer started',
        pending: slots.active + slots.waiting,
        deadLetters: dead.size,
      };
    },
    async deadLetters({ tenantId, limit }) {
      const out: DeadLetter[] = [];
      for (const { letter } of [...dead.values()].reverse()) {
        if (out.length >= limit) break;
        if (tenantId === undefined || letter.tenantId === tenantId) out.push({ ...letter });
      }
      return out;
    },
    async retryDeadLetter(id) {
      const entry = dead.get(id);
      if (!entry || closed || !handler) return false;
      dead.delete(id);
      // Handed back to the handler; if it fails again it is dead-lettered again with the attempts added up.
      await track(deliver(entry.envelope, entry.letter.attempts));
      return true;
    },
    async close() {
      closed = true;
      slots.rejectWaiting();
      await Promise.allSettled([...running]);
    },
  };
}
