import { PluginError, isPluginError } from '@obstack/plugin-api';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface GuardOptions {
  maxConcurrency: number;
  /** Calls allowed to wait for a slot before new ones are refused at once. */
  maxQueue?: number;
  /** Consecutive failures that open the breaker. */
  failureThreshold?: number;
  /** How long an open breaker refuses calls before letting one through to probe. */
  cooldownMs?: number;
}

export interface GuardState {
  breaker: BreakerState;
  inFlight: number;
  queued: number;
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: number | null;
  openedAt: number | null;
}

/**
 * Protection around one plugin instance: a concurrency limit with a bounded wait queue,
 * a deadline on every call (enforced here even if the plugin ignores its signal), and a
 * circuit breaker so a backend that keeps failing is not hammered and can't stall callers.
 */
export class CallGuard {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private failures = 0;
  private breaker: BreakerState = 'closed';
  private openedAt: number | null = null;
  private probing = false;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;

  constructor(
    private readonly name: string,
    private readonly options: GuardOptions,
  ) {}

  state(): GuardState {
    this.refreshBreaker();
    return {
      breaker: this.breaker,
      inFlight: this.inFlight,
      queued: this.waiting.length,
      consecutiveFailures: this.failures,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      openedAt: this.openedAt,
    };
  }

  private refreshBreaker() {
    if (this.breaker === 'open' && this.openedAt !== null && Date.now() - this.openedAt >= (this.options.cooldownMs ?? 30_000)) {
      this.breaker = 'half-open';
    }
  }

  /** Runs `fn` with a signal that aborts at `timeoutMs` or when `parent` aborts. */
  async run<T>(timeoutMs: number, parent: AbortSignal | undefined, fn: (signal: AbortSignal, deadline: number) => Promise<T>): Promise<T> {
    this.refreshBreaker();
    if (this.breaker === 'open' || (this.breaker === 'half-open' && this.probing)) {
      throw new PluginError(
        `${this.name} is failing (${this.lastError ?? 'unknown error'}); calls are paused for a moment before it is tried again`,
        { source: 'downstream', retryable: true },
      );
    }
    const probe = this.breaker === 'half-open';
    if (probe) this.probing = true;
    try {
      await this.acquire(parent);
    } catch (e) {
      if (probe) this.probing = false;
      throw e;
    }
    const deadline = Date.now() + timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = parent ? AbortSignal.any([parent, timeout]) : timeout;
    try {
      const result = await raceAbort(fn(signal, deadline), signal, () =>
        timeout.aborted
          ? new PluginError(`${this.name} did not answer within ${timeoutMs} ms`, { source: 'downstream', retryable: true })
          : new PluginError('The request was cancelled', { source: 'plugin', retryable: false }),
      );
      this.failures = 0;
      this.breaker = 'closed';
      this.openedAt = null;
      return result;
    } catch (e) {
      // A caller giving up is not the backend's fault.
      if (!(parent?.aborted && !timeout.aborted)) this.recordFailure(e);
      throw e;
    } finally {
      if (probe) this.probing = false;
      this.release();
    }
  }

  private recordFailure(e: unknown) {
    this.failures++;
    this.lastError = e instanceof Error ? e.message : String(e);
    this.lastErrorAt = Date.now();
    const threshold = this.options.failureThreshold ?? 5;
    if (this.breaker === 'half-open' || this.failures >= threshold) {
      this.breaker = 'open';
      this.openedAt = Date.now();
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.inFlight < this.options.maxConcurrency) {
      this.inFlight++;
      return Promise.resolve();
    }
    if (this.waiting.length >= (this.options.maxQueue ?? 64)) {
      return Promise.reject(
        new PluginError(`${this.name} is busy (${this.inFlight} requests running, ${this.waiting.length} waiting)`, {
          source: 'downstream',
          retryable: true,
        }),
      );
    }
    return new Promise<void>((ok, fail) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.inFlight++;
        ok();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        fail(new PluginError('The request was cancelled while waiting', { source: 'plugin' }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release() {
    this.inFlight--;
    this.waiting.shift()?.();
  }
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal, reason: () => Error): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(reason());
  }
  return new Promise<T>((ok, fail) => {
    const onAbort = () => {
      work.catch(() => {});
      fail(reason());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        ok(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        fail(e);
      },
    );
  });
}

export function errorSource(e: unknown): 'plugin' | 'downstream' | 'config' {
  return isPluginError(e) ? e.source : 'plugin';
}
