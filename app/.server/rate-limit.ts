import type { Redis } from 'ioredis';

export interface RateState {
  count: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
}

/**
 * Fixed-window counters. Redis when configured, so every web process shares the
 * same counts; an in-process map otherwise.
 */
export interface RateLimiter {
  /** Current count without changing it. */
  peek(key: string, windowMs: number): Promise<RateState>;
  /** Adds one and returns the new state. */
  hit(key: string, windowMs: number): Promise<RateState>;
  reset(key: string): Promise<void>;
}

export function createMemoryRateLimiter(): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const current = (key: string) => {
    const w = windows.get(key);
    if (w && w.resetAt > Date.now()) return w;
    if (w) windows.delete(key);
    return undefined;
  };
  return {
    async peek(key) {
      const w = current(key);
      return { count: w?.count ?? 0, resetInMs: w ? w.resetAt - Date.now() : 0 };
    },
    async hit(key, windowMs) {
      let w = current(key);
      if (!w) {
        // Bound memory under a flood of distinct keys: drop expired windows first.
        if (windows.size > 50_000) for (const [k, v] of windows) if (v.resetAt <= Date.now()) windows.delete(k);
        w = { count: 0, resetAt: Date.now() + windowMs };
        windows.set(key, w);
      }
      w.count++;
      return { count: w.count, resetInMs: w.resetAt - Date.now() };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}

export function createRedisRateLimiter(redis: Redis, prefix = 'obstack:rl:'): RateLimiter {
  return {
    async peek(key) {
      const [count, ttl] = await Promise.all([redis.get(prefix + key), redis.pttl(prefix + key)]);
      return { count: Number(count ?? 0), resetInMs: Math.max(0, ttl) };
    },
    async hit(key, windowMs) {
      const k = prefix + key;
      const results = await redis.multi().incr(k).pexpire(k, windowMs, 'NX').pttl(k).exec();
      const count = Number(results?.[0]?.[1] ?? 1);
      const ttl = Number(results?.[2]?.[1] ?? windowMs);
      return { count, resetInMs: Math.max(0, ttl) };
    },
    async reset(key) {
      await redis.del(prefix + key);
    },
  };
}
