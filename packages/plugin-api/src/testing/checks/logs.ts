import { expect } from 'vitest';
import { severityName } from '../../filters';
import type { AttributeValue, LogRecord } from '../../model';
import type { AttributeFilter, LogsQuery, LogsResult } from '../../query';
import { check, contextFor, floorMs, method, MINUTE, requireLoaded, type ConformanceCheck, type ConformanceState } from '../state';

const G = 'logs';

export function logsChecks(state: ConformanceState): ConformanceCheck[] {
  const data = state.a.data;
  const all = data.logs;
  const query = async (q: Partial<LogsQuery>): Promise<LogsResult> => {
    requireLoaded(state);
    const queryLogs = method(state, 'queryLogs', 'a plugin that reads logs must implement');
    return queryLogs({ range: data.range, limit: 1000, direction: 'backward', ...q }, contextFor(state, state.a.tenantId));
  };
  /** Expected records for a predicate, in the order of `direction`. */
  const expected = (pred: (r: LogRecord) => boolean, direction: 'backward' | 'forward' = 'backward') => {
    const matching = all.filter(pred);
    return direction === 'forward' ? matching : matching.reverse();
  };
  const attr = (r: LogRecord, key: string): AttributeValue | undefined => (key in r.attributes ? r.attributes[key] : r.resource[key]);
  const filterCase = (title: string, filters: AttributeFilter[], pred: (r: LogRecord) => boolean) =>
    check(G, `filter ${title}`, async () => {
      const result = await query({ filters });
      expect(result.records, `records matching ${JSON.stringify(filters)}`).toEqual(expected(pred));
    });

  return [
    check(G, 'round-trips every field of every record, oldest first when forward', async () => {
      const result = await query({ direction: 'forward' });
      expect(result.records).toEqual(all);
    }),
    check(G, 'answers newest first when backward', async () => {
      const result = await query({ direction: 'backward' });
      expect(result.records).toEqual([...all].reverse());
    }),
    check(G, 'limit keeps the newest (backward) or oldest (forward) records', async () => {
      expect((await query({ limit: 5, direction: 'backward' })).records).toEqual(all.slice(-5).reverse());
      expect((await query({ limit: 5, direction: 'forward' })).records).toEqual(all.slice(0, 5));
    }),
    check(G, 'range is half-open [startMs, endMs) over nanosecond times', async () => {
      const from = all[10] as LogRecord;
      const to = all[20] as LogRecord;
      const range = { startMs: floorMs(from.timeUnixNano), endMs: floorMs(to.timeUnixNano) };
      const startNs = BigInt(range.startMs) * 1_000_000n;
      const endNs = BigInt(range.endMs) * 1_000_000n;
      const result = await query({ range, direction: 'forward' });
      expect(result.records).toEqual(all.filter((r) => r.timeUnixNano >= startNs && r.timeUnixNano < endNs));
    }),
    check(G, 'text search needs every word, in any order, ignoring case', async () => {
      const has = (...words: string[]) => (r: LogRecord) => words.every((w) => r.body.toLowerCase().includes(w));
      expect((await query({ text: 'payment declined' })).records, 'text "payment declined"').toEqual(expected(has('payment', 'declined')));
      expect((await query({ text: 'DECLINED Payment' })).records, 'text "DECLINED Payment"').toEqual(expected(has('payment', 'declined')));
      expect((await query({ text: 'berlin' })).records, 'text "berlin"').toEqual(expected(has('berlin')));
      expect((await query({ text: 'declined zebra' })).records, 'text "declined zebra"').toEqual([]);
    }),
    check(G, 'services filter keeps records of any listed service', async () => {
      const { checkout, payments } = data.services;
      expect((await query({ services: [checkout] })).records).toEqual(expected((r) => r.serviceName === checkout));
      expect((await query({ services: [checkout, payments] })).records).toEqual(expected((r) => r.serviceName !== data.services.frontend));
    }),
    check(G, 'minSeverity keeps records at or above it, never unset ones', async () => {
      expect((await query({ minSeverity: 13 })).records).toEqual(expected((r) => r.severityNumber >= 13));
      expect((await query({ minSeverity: 1 })).records).toEqual(expected((r) => r.severityNumber >= 1));
    }),
    check(G, 'traceId filter', async () => {
      const traceId = data.traces[0]?.traceId as string;
      const result = await query({ traceId });
      expect(result.records.length, 'records of the first trace').toBeGreaterThan(0);
      expect(result.records).toEqual(expected((r) => r.traceId === traceId));
    }),
    filterCase('= on a string', [{ key: 'http.method', op: '=', value: 'POST' }], (r) => r.attributes['http.method'] === 'POST'),
    filterCase('= on a number', [{ key: 'http.status_code', op: '=', value: 500 }], (r) => r.attributes['http.status_code'] === 500),
    filterCase('= on a boolean', [{ key: 'retry', op: '=', value: true }], (r) => r.attributes.retry === true),
    filterCase('!= (also matches records without the key)', [{ key: 'http.method', op: '!=', value: 'GET' }], (r) => r.attributes['http.method'] !== 'GET'),
    filterCase('=~ matches the whole value', [{ key: 'user.id', op: '=~', value: 'u[12]' }], (r) => ['u1', 'u2'].includes(r.attributes['user.id'] as string)),
    filterCase('=~ is anchored', [{ key: 'http.method', op: '=~', value: 'OS' }], () => false),
    filterCase('!~ (also matches records without the key)', [{ key: 'user.id', op: '!~', value: 'u[0-2]' }], (r) => !['u0', 'u1', 'u2'].includes(r.attributes['user.id'] as string)),
    filterCase('exists', [{ key: 'request', op: 'exists' }], (r) => r.attributes.request !== undefined),
    filterCase('!exists', [{ key: 'request', op: '!exists' }], (r) => r.attributes.request === undefined),
    filterCase('!exists counts a null value as absent', [{ key: 'cleared', op: '!exists' }], () => true),
    filterCase('> on a number', [{ key: 'http.status_code', op: '>', value: 404 }], (r) => (r.attributes['http.status_code'] as number) > 404),
    filterCase('>= on a number', [{ key: 'http.status_code', op: '>=', value: 404 }], (r) => (r.attributes['http.status_code'] as number) >= 404),
    filterCase('< on a number', [{ key: 'duration_ms', op: '<', value: 5 }], (r) => (r.attributes.duration_ms as number) < 5),
    filterCase('<= on a number', [{ key: 'duration_ms', op: '<=', value: 5 }], (r) => (r.attributes.duration_ms as number) <= 5),
    filterCase('contains ignores case', [{ key: 'user_agent', op: 'contains', value: 'FIREFOX' }], (r) => String(r.attributes.user_agent).includes('Firefox')),
    filterCase('on a resource attribute', [{ key: 'host.name', op: '=', value: 'host-1' }], (r) => r.resource['host.name'] === 'host-1'),
    filterCase(
      'list combines with AND',
      [
        { key: 'host.name', op: '=', value: 'host-0' },
        { key: 'http.method', op: '=', value: 'GET' },
      ],
      (r) => attr(r, 'host.name') === 'host-0' && attr(r, 'http.method') === 'GET',
    ),
    check(G, 'conditions combine with AND', async () => {
      const result = await query({ services: [data.services.payments], minSeverity: 9, text: 'declined' });
      expect(result.records).toEqual(expected((r) => r.serviceName === data.services.payments && r.severityNumber >= 9 && r.body.toLowerCase().includes('declined')));
    }),
    ...(['backward', 'forward'] as const).map((direction) =>
      check(G, `cursor pagination (${direction}) returns every record exactly once, in order`, async () => {
        const pages = await paginate(query, { direction, limit: 7 });
        expect(pages.flat()).toEqual(expected(() => true, direction));
        expect(pages[0]?.length, 'first page size').toBe(7);
      }),
    ),
    check(G, 'cursor pagination keeps the query filters', async () => {
      const pages = await paginate(query, { direction: 'forward', limit: 3, services: [data.services.frontend] });
      expect(pages.flat()).toEqual(expected((r) => r.serviceName === data.services.frontend, 'forward'));
    }),
    check(G, 'volume counts every matching record per step-aligned bucket', async () => {
      const stepMs = 5 * MINUTE;
      const result = await query({ minSeverity: 9, volumeStepMs: stepMs, limit: 3 });
      const matching = all.filter((r) => r.severityNumber >= 9);
      const want = new Map<number, { count: number; bySeverity: Record<string, number> }>();
      for (const r of matching) {
        const t = Math.floor(floorMs(r.timeUnixNano) / stepMs) * stepMs;
        const bucket = want.get(t) ?? { count: 0, bySeverity: {} };
        bucket.count++;
        const name = severityName(r.severityNumber);
        bucket.bySeverity[name] = (bucket.bySeverity[name] ?? 0) + 1;
        want.set(t, bucket);
      }
      expect(result.volume, 'volume (asked with volumeStepMs)').toBeDefined();
      const volume = result.volume ?? [];
      expect(volume.reduce((n, b) => n + b.count, 0), 'sum of the bucket counts').toBe(matching.length);
      const ts = volume.map((b) => b.t);
      expect(ts, 'bucket starts ascending').toEqual([...ts].sort((x, y) => x - y));
      for (const bucket of volume) {
        expect(bucket.t % stepMs, `bucket ${bucket.t} is a multiple of the step`).toBe(0);
        expect(bucket.count, `count of bucket ${new Date(bucket.t).toISOString()}`).toBe(want.get(bucket.t)?.count ?? 0);
        if (bucket.bySeverity !== undefined) {
          const nonZero = Object.fromEntries(Object.entries(bucket.bySeverity).filter(([, n]) => n > 0));
          expect(nonZero, `bySeverity of bucket ${new Date(bucket.t).toISOString()}`).toEqual(want.get(bucket.t)?.bySeverity ?? {});
        }
      }
    }),
  ];
}

async function paginate(query: (q: Partial<LogsQuery>) => Promise<LogsResult>, q: Partial<LogsQuery>): Promise<LogRecord[][]> {
  const pages: LogRecord[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const result = await query(cursor === undefined ? q : { ...q, cursor });
    expect(result.records.length, 'page size').toBeLessThanOrEqual(q.limit ?? Infinity);
    if (result.records.length > 0) pages.push(result.records);
    if (result.nextCursor === undefined || result.records.length === 0) return pages;
    expect(result.nextCursor, 'a cursor must move on').not.toBe(cursor);
    cursor = result.nextCursor;
  }
  throw new Error('queryLogs kept answering a nextCursor after 100 pages');
}
