import { matchesFilters, PluginError, severityName, type LogsQuery, type LogsResult, type LogVolumeBucket } from '@obstack/plugin-api';
import { inRange, type StoredLog, type TenantStore } from './store';

export function queryLogs(store: TenantStore | undefined, query: LogsQuery): LogsResult {
  const words = (query.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const matching = (store?.logs ?? [])
    .filter(({ record: r }) => {
      if (!inRange(r.timeUnixNano, query.range)) return false;
      if (query.services !== undefined && !query.services.includes(r.serviceName)) return false;
      if (query.minSeverity !== undefined && r.severityNumber < query.minSeverity) return false;
      if (query.traceId !== undefined && r.traceId !== query.traceId) return false;
      const body = r.body.toLowerCase();
      if (!words.every((w) => body.includes(w))) return false;
      return matchesFilters(query.filters, r.attributes, r.resource);
    })
    .sort(ascending);
  if (query.direction === 'backward') matching.reverse();

  let start = 0;
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    start = matching.findIndex((s) => (query.direction === 'forward' ? compare(s, after) > 0 : compare(s, after) < 0));
    if (start === -1) start = matching.length;
  }
  const page = matching.slice(start, start + query.limit);
  const last = page[page.length - 1];
  const result: LogsResult = { records: page.map((s) => structuredClone(s.record)) };
  if (last !== undefined && start + page.length < matching.length) result.nextCursor = encodeCursor(last);
  if (query.volumeStepMs !== undefined) result.volume = volume(matching, query.volumeStepMs);
  return result;
}

function compare(a: StoredLog, b: { time: bigint; seq: number }): number {
  if (a.record.timeUnixNano !== b.time) return a.record.timeUnixNano < b.time ? -1 : 1;
  return a.seq - b.seq;
}

function ascending(a: StoredLog, b: StoredLog): number {
  return compare(a, { time: b.record.timeUnixNano, seq: b.seq });
}

function encodeCursor(s: StoredLog): string {
  return Buffer.from(JSON.stringify([s.record.timeUnixNano.toString(), s.seq])).toString('base64url');
}

function decodeCursor(cursor: string): { time: bigint; seq: number } {
  try {
    const [time, seq] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, number];
    return { time: BigInt(time), seq };
  } catch (cause) {
    throw new PluginError('this cursor was not given out by this plugin', { source: 'plugin', cause });
  }
}

function volume(records: StoredLog[], stepMs: number): LogVolumeBucket[] {
  const buckets = new Map<number, LogVolumeBucket & { bySeverity: Record<string, number> }>();
  for (const { record } of records) {
    const t = Math.floor(Number(record.timeUnixNano / 1_000_000n) / stepMs) * stepMs;
    const bucket = buckets.get(t) ?? { t, count: 0, bySeverity: {} };
    const name = severityName(record.severityNumber);
    bucket.count++;
    bucket.bySeverity[name] = (bucket.bySeverity[name] ?? 0) + 1;
    buckets.set(t, bucket);
  }
  return [...buckets.values()].sort((a, b) => a.t - b.t);
}
