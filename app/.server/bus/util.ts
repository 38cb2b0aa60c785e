import { batchSize, type WriteBatch } from '@obstack/plugin-api';
import type { BusEnvelope, DeadLetter } from './types';

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Exponential backoff with full jitter, so a fleet of workers does not retry in lockstep. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Rejects with `onTimeout()` if `p` has not settled in `ms`; `p` itself keeps running. */
export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(onTimeout()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * N slots and a bounded line of waiters: `acquire` returns false instead of queueing when
 * the line is full, which is the caller's cue to answer 429 instead of holding memory.
 */
export class Semaphore {
  private inUse = 0;
  private readonly line: Array<(ok: boolean) => void> = [];
  constructor(
    private readonly slots: number,
    private readonly maxWaiting: number,
  ) {}

  get active(): number {
    return this.inUse;
  }
  get waiting(): number {
    return this.line.length;
  }

  async acquire(): Promise<boolean> {
    if (this.inUse < this.slots) {
      this.inUse++;
      return true;
    }
    if (this.line.length >= this.maxWaiting) return false;
    return new Promise<boolean>((resolve) => this.line.push(resolve));
  }

  release(): void {
    const next = this.line.shift();
    if (next) next(true);
    else this.inUse--;
  }

  /** Turns every waiter away (they get false), e.g. on close. */
  rejectWaiting(): void {
    for (const w of this.line.splice(0)) w(false);
  }
}

/** Dead-letter metadata for an envelope. */
export function deadLetterOf(envelope: BusEnvelope, attempts: number, error: string, failedAt = Date.now()): DeadLetter {
  return {
    id: envelope.batch.id,
    tenantId: envelope.tenantId,
    signal: envelope.batch.signal,
    items: batchSize(envelope.batch),
    attempts,
    error: truncate(error, 2000),
    failedAt,
  };
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** FNV-1a, 32 bits: a stable, cheap spread of strings over partitions (not a security hash). */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The same batch with a subset of its items and a derived id. */
export function withItems(batch: WriteBatch, id: string, from: number, to: number): WriteBatch {
  switch (batch.signal) {
    case 'logs':
      return { id, signal: 'logs', records: batch.records.slice(from, to) };
    case 'traces':
      return { id, signal: 'traces', spans: batch.spans.slice(from, to) };
    case 'metrics':
      return { id, signal: 'metrics', points: batch.points.slice(from, to) };
    case 'rum':
      return { id, signal: 'rum', events: batch.events.slice(from, to) };
    case 'cost':
      return { id, signal: 'cost', allocations: batch.allocations.slice(from, to) };
  }
}

interface BatcherEntry<T> {
  item: T;
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
  /** The publisher stopped waiting (timed out): skip it if it has not been sent yet. */
  abandoned: boolean;
}

export interface BatcherOptions<T> {
  /** Sends one chunk; resolves once every item in it is durable. */
  send: (items: T[]) => Promise<void>;
  maxItems: number;
  maxBytes: number;
  /** How long a lone item waits for company (0: until the current turn of the event loop ends). */
  lingerMs: number;
  /** Chunks being sent at once. */
  maxInFlight: number;
}

/**
 * Coalesces concurrent publishes into few large sends: items queue up while a send is in
 * flight (or for `lingerMs`), then go out together. One round trip per chunk instead of
 * per publish is what lets hundreds of HTTP requests a second share a broker connection.
 * Every item's promise settles with its own chunk's outcome.
 */
export class Batcher<T> {
  private queue: Array<BatcherEntry<T>> = [];
  private queuedBytes = 0;
  private inFlightBytes = 0;
  private inFlightItems = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private idle: Array<() => void> = [];

  constructor(private readonly opts: BatcherOptions<T>) {}

  /** Lowers (or raises) the chunk size, e.g. once the broker told us its message size limit. */
  setMaxBytes(bytes: number): void {
    this.opts.maxBytes = bytes;
  }

  /** Bytes accepted but not yet durable: queued plus being sent. */
  get bufferedBytes(): number {
    return this.queuedBytes + this.inFlightBytes;
  }
  get pending(): number {
    return this.queue.length + this.inFlightItems;
  }

  submit(item: T, bytes: number, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        entry.abandoned = true;
        reject(onTimeout());
      }, timeoutMs);
      const entry: BatcherEntry<T> = {
        item,
        bytes,
        abandoned: false,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.queue.push(entry);
      this.queuedBytes += bytes;
      if (this.queuedBytes >= this.opts.maxBytes || this.queue.length >= this.opts.maxItems) this.flush();
      else this.schedule();
    });
  }

  /** Resolves when nothing is queued or in flight. */
  drain(): Promise<void> {
    if (!this.queue.length && !this.inFlight) return Promise.resolve();
    this.flush();
    return new Promise((r) => this.idle.push(r));
  }

  private schedule() {
    if (this.timer) return;
    const run = () => {
      this.timer = undefined;
      this.flush();
    };
    this.timer = this.opts.lingerMs > 0 ? setTimeout(run, this.opts.lingerMs) : setImmediate(run);
  }

  private flush() {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    while (this.inFlight < this.opts.maxInFlight && this.queue.length) {
      const chunk: Array<BatcherEntry<T>> = [];
      let bytes = 0;
      while (this.queue.length && chunk.length < this.opts.maxItems) {
        const next = this.queue[0]!;
        if (chunk.length && bytes + next.bytes > this.opts.maxBytes) break;
        this.queue.shift();
        this.queuedBytes -= next.bytes;
        if (next.abandoned) continue;
        chunk.push(next);
        bytes += next.bytes;
      }
      if (!chunk.length) continue;
      this.inFlight++;
      this.inFlightBytes += bytes;
      this.inFlightItems += chunk.length;
      void this.opts
        .send(chunk.map((e) => e.item))
        .then(
          () => {
            for (const e of chunk) e.resolve();
          },
          (err: unknown) => {
            const error = err instanceof Error ? err : new Error(String(err));
            for (const e of chunk) e.reject(error);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.inFlightBytes -= bytes;
          this.inFlightItems -= chunk.length;
          if (this.queue.length) this.flush();
          else if (!this.inFlight) for (const r of this.idle.splice(0)) r();
        });
    }
    if (!this.queue.length && !this.inFlight) for (const r of this.idle.splice(0)) r();
  }
}
