import type { CostAllocation, LogRecord, MetricPoint, RumEvent, Span, TimeRange } from '@obstack/plugin-api';

export interface StoredLog {
  record: LogRecord;
  /** Arrival order, to order records with equal times the same way on every page. */
  seq: number;
}

/** Everything one tenant has written. The plugin keeps one per tenant and never mixes them. */
export interface TenantStore {
  batchIds: Set<string>;
  logs: StoredLog[];
  spans: Span[];
  points: MetricPoint[];
  rum: RumEvent[];
  cost: CostAllocation[];
}

export function emptyStore(): TenantStore {
  return { batchIds: new Set(), logs: [], spans: [], points: [], rum: [], cost: [] };
}

export function nsOf(ms: number): bigint {
  return BigInt(ms) * 1_000_000n;
}

export function msOf(ns: bigint): number {
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
}

export function inRange(timeUnixNano: bigint, range: TimeRange | undefined): boolean {
  if (range === undefined) return true;
  return timeUnixNano >= nsOf(range.startMs) && timeUnixNano < nsOf(range.endMs);
}

/** Linear interpolation between the closest ranks (rank = q * (n - 1)), as Postgres' percentile_cont. */
export function percentile(q: number, values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = sorted[Math.floor(rank)] as number;
  const hi = sorted[Math.ceil(rank)] as number;
  return lo + (hi - lo) * (rank - Math.floor(rank));
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}
