import { randomBytes } from 'node:crypto';
import type { BusEnvelope } from '../../app/.server/bus';
import { spanBatch } from '../../tests/bus/fixtures';

export const SPANS = 512;
const POOL = 32;

export interface Run {
  accepted: number;
  refused: number;
  secs: number;
  /** Publish latencies of accepted batches, ms, sorted. */
  latencies: number[];
}

/** Distinct batches (ids, trace ids, times) so nothing is cached across publishes; each call a new batch id. */
export function envelopes(tag = randomBytes(3).toString('hex')): { pool: BusEnvelope['batch'][]; next: () => BusEnvelope } {
  const pool = Array.from({ length: POOL }, () => spanBatch(SPANS, { tracesPerBatch: 64 }));
  let seq = 0;
  return {
    pool,
    next: () => {
      const b = pool[seq % POOL]!;
      return { tenantId: 'tenant-bench', batch: { ...b, id: `${tag}-${seq++}` } };
    },
  };
}

/** `publishers` loops, each publishing one batch at a time for `ms`. */
export async function drive(publish: () => Promise<void>, ms: number, publishers: number): Promise<Run> {
  const latencies: number[] = [];
  let accepted = 0;
  let refused = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: publishers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await publish();
          accepted++;
          latencies.push(performance.now() - t);
        } catch {
          refused++;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { accepted, refused, secs: (performance.now() - start) / 1000, latencies };
}

export const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
