import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPluginError, type LogRecord, type MetricPoint, type RumEvent, type Span, type WriteBatch } from '@obstack/plugin-api';
import { createAbortedContext, createTestContext } from '@obstack/plugin-api/testing';
import { createInstance, type PostgresStoreInstance } from '../src/index';
import { storeOf } from '../src/plugin';
import { TARGETS, type Target } from './support';

const MINUTE = 60_000;
const NOW = Math.floor(Date.now() / MINUTE) * MINUTE;
const ns = (ms: number, extra = 0) => BigInt(ms) * 1_000_000n + BigInt(extra);
let counter = 0;
const tenant = () => `tenant-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
const ctx = (tenantId: string) => createTestContext({ tenantId, timeoutMs: 60_000 });
const hex = (seed: number, len: number) => (seed.toString(16).padStart(8, '0').repeat(8)).slice(0, len);

function logRecord(i: number, over: Partial<LogRecord> = {}): LogRecord {
  return {
    timeUnixNano: ns(NOW - 30 * MINUTE + i * 1000),
    severityNumber: 9,
    body: `record ${i}`,
    serviceName: 'svc',
    attributes: { i },
    resource: { 'service.name': 'svc' },
    ...over,
  };
}

function span(traceSeed: number, spanSeed: number, startMs: number, durMs: number, over: Partial<Span> = {}): Span {
  return {
    traceId: hex(traceSeed, 32),
    spanId: hex(spanSeed, 16),
    name: 'op',
    kind: 'server',
    startTimeUnixNano: ns(startMs),
    endTimeUnixNano: ns(startMs + durMs),
    status: { code: 'unset' },
    serviceName: 'svc',
    attributes: {},
    resource: { 'service.name': 'svc' },
    events: [],
    links: [],
    ...over,
  };
}

const range = { startMs: NOW - 60 * MINUTE, endMs: NOW };

for (const t of TARGETS) {
  describe.skipIf(!t.enabled)(`store on ${t.name}`, () => {
    let target: Target;
    let inst: PostgresStoreInstance;
    beforeAll(async () => {
      target = await t.make();
      inst = createInstance(target.config, target.secrets);
    });
    afterAll(async () => {
      await inst?.dispose();
      await target?.cleanup();
    });

    const logs = async (tenantId: string, extra: Record<string, unknown> = {}) =>
      (await inst.queryLogs({ range, limit: 5000, direction: 'forward', ...extra }, ctx(tenantId))).records;

    describe('idempotent writes', () => {
      it('stores a redelivered batch once', async () => {
        const tn = tenant();
        const batch: WriteBatch = { id: 'b1', signal: 'logs', records: [logRecord(1), logRecord(2)] };
        expect(await inst.write(batch, ctx(tn))).toEqual({ accepted: 2 });
        expect(await inst.write(batch, ctx(tn))).toEqual({ accepted: 0, duplicate: true });
        expect(await logs(tn)).toHaveLength(2);
      });

      it('lets exactly one of several concurrent deliveries of a batch write', async () => {
        const tn = tenant();
        const batch: WriteBatch = { id: 'race', signal: 'logs', records: [logRecord(1), logRecord(2), logRecord(3)] };
        const results = await Promise.all([1, 2, 3, 4].map(() => inst.write(batch, ctx(tn))));
        expect(results.filter((r) => r.accepted === 3)).toHaveLength(1);
        expect(results.filter((r) => r.duplicate === true)).toHaveLength(3);
        expect(await logs(tn)).toHaveLength(3);
      });

      it('keeps batch ids apart per signal', async () => {
        const tn = tenant();
        expect(await inst.write({ id: 'same', signal: 'logs', records: [logRecord(1)] }, ctx(tn))).toEqual({ accepted: 1 });
        expect(await inst.write({ id: 'same', signal: 'traces', spans: [span(1, 1, NOW - 10 * MINUTE, 5)] }, ctx(tn))).toEqual({ accepted: 1 });
      });

      it('runs concurrent batches that introduce the same new services without deadlocking', async () => {
        const tn = tenant();
        // The tenant and today's partition exist, so the batches below start together.
        await inst.write({ id: 'warm', signal: 'logs', records: [logRecord(0)] }, ctx(tn));
        const all: string[] = ['svc'];
        // Lock-order deadlocks need the inserts to overlap; a few rounds make one near certain.
        for (let round = 0; round < 15; round++) {
          const services = Array.from({ length: 300 }, (_, i) => `r${round}-svc-${String(i).padStart(3, '0')}`);
          all.push(...services);
          // Each batch meets the same new services in its own order, as batches from many hosts do.
          const batches: WriteBatch[] = Array.from({ length: 8 }, (_, b) => {
            const records = services.map((_, i) => logRecord(i, { serviceName: services[(i * 7 + b * 37) % services.length] as string }));
            return { id: `r${round}-c${b}`, signal: 'logs', records: b % 2 === 1 ? records.reverse() : records };
          });
          const results = await Promise.all(batches.map((batch) => inst.write(batch, ctx(tn))));
          expect(results.every((r) => r.accepted === services.length)).toBe(true);
        }
        expect(await inst.services({}, ctx(tn))).toEqual(all.sort());
      });

      it('takes any batch id literally, quotes and dollar signs included', async () => {
        const tn = tenant();
        const batch: WriteBatch = { id: "it's $1 '; drop table x; --", signal: 'logs', records: [logRecord(1, { serviceName: "o'brien $2" })] };
        expect(await inst.write(batch, ctx(tn))).toEqual({ accepted: 1 });
        expect(await inst.write(batch, ctx(tn))).toEqual({ accepted: 0, duplicate: true });
        expect(await inst.services({}, ctx(tn))).toEqual(["o'brien $2"]);
      });

      it('records an empty batch, so its redelivery is a duplicate too', async () => {
        const tn = tenant();
        expect(await inst.write({ id: 'empty', signal: 'logs', records: [] }, ctx(tn))).toEqual({ accepted: 0 });
        expect(await inst.write({ id: 'empty', signal: 'logs', records: [] }, ctx(tn))).toEqual({ accepted: 0, duplicate: true });
      });
    });

    describe('all-or-nothing batches', () => {
      it('stores nothing of a batch the encoder refuses, and leaves its id free', async () => {
        const tn = tenant();
        const bad: WriteBatch = { id: 'b', signal: 'logs', records: [logRecord(1), logRecord(2, { traceId: 'not-a-trace-id' })] };
        const error = await inst.write(bad, ctx(tn)).catch((e: unknown) => e);
        expect(isPluginError(error) && error.source === 'plugin' && !error.retryable).toBe(true);
        expect(await logs(tn)).toEqual([]);
        expect(await inst.write({ ...bad, records: [logRecord(1), logRecord(2)] }, ctx(tn))).toEqual({ accepted: 2 });
      });

      it('rolls back a batch the database refuses halfway through the COPY', async () => {
        const tn = tenant();
        // 70000 passes the encoder but not the smallint column: the COPY fails on row 3 of 4.
        const records = [logRecord(1), logRecord(2), logRecord(3, { severityNumber: 70_000 }), logRecord(4)];
        const error = await inst.write({ id: 'b', signal: 'logs', records }, ctx(tn)).catch((e: unknown) => e);
        expect(isPluginError(error)).toBe(true);
        expect(await logs(tn)).toEqual([]);
        expect(await inst.write({ id: 'b', signal: 'logs', records: records.slice(0, 2) }, ctx(tn))).toEqual({ accepted: 2 });
      });

      it('writes nothing when the signal is already aborted', async () => {
        const tn = tenant();
        await expect(inst.write({ id: 'b', signal: 'logs', records: [logRecord(1)] }, createAbortedContext(tn))).rejects.toThrow();
        expect(await logs(tn)).toEqual([]);
      });

      it('refuses cost allocations, which it does not store', async () => {
        const error = await inst.write({ id: 'c', signal: 'cost', allocations: [] }, ctx(tenant())).catch((e: unknown) => e);
        expect(isPluginError(error) && error.source === 'plugin').toBe(true);
      });
    });

    describe('logs', () => {
      it('round-trips text COPY would mangle: tabs, newlines, backslashes, NUL, JSON escapes', async () => {
        const tn = tenant();
        const body = 'tab\there\nnew line \\ back\\slash \\N not null, quote " and \u2603';
        const attributes = { 'weird\tkey': 'a\\b', nested: { q: 'say "hi"\n' }, list: [1, 'two', null] };
        await inst.write({ id: 'w', signal: 'logs', records: [logRecord(1, { body, attributes }), logRecord(2, { body: 'nul\u0000byte', attributes: { s: 'nul\u0000' } })] }, ctx(tn));
        const got = await logs(tn);
        expect(got[0]?.body).toBe(body);
        expect(got[0]?.attributes).toEqual(attributes);
        // Postgres text cannot hold NUL; the store keeps the rest of the record.
        expect(got[1]?.body).toBe('nul\uFFFDbyte');
        expect(got[1]?.attributes).toEqual({ s: 'nul\uFFFD' });
      });

      it('pages through records that share a timestamp exactly once, in both directions', async () => {
        const tn = tenant();
        const same = ns(NOW - 20 * MINUTE, 123);
        const records = Array.from({ length: 23 }, (_, i) => logRecord(i, { timeUnixNano: i < 20 ? same : ns(NOW - 19 * MINUTE + i), body: `tie ${i}` }));
        await inst.write({ id: 'ties', signal: 'logs', records: records.slice(0, 11) }, ctx(tn));
        await inst.write({ id: 'ties2', signal: 'logs', records: records.slice(11) }, ctx(tn));
        for (const direction of ['forward', 'backward'] as const) {
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let page = 0; page < 20; page++) {
            const r = await inst.queryLogs({ range, limit: 4, direction, ...(cursor ? { cursor } : {}) }, ctx(tn));
            seen.push(...r.records.map((x) => x.body));
            cursor = r.nextCursor;
            if (!cursor) break;
          }
          expect(seen).toHaveLength(23);
          expect(new Set(seen).size).toBe(23);
          const all = await inst.queryLogs({ range, limit: 100, direction }, ctx(tn));
          expect(seen).toEqual(all.records.map((x) => x.body));
        }
      });

      it('answers a text search with volume the same way as the page and the volume alone', async () => {
        const tn = tenant();
        const day = 86_400_000;
        // Matches on two days (two partitions), with ties, over several pages.
        const records = Array.from({ length: 40 }, (_, i) =>
          logRecord(i, {
            timeUnixNano: ns(NOW - (i % 2) * day - 20 * MINUTE + Math.floor(i / 3) * 1000),
            body: i % 4 === 0 ? `needle ${i}` : `hay ${i}`,
            severityNumber: i % 3 === 0 ? 17 : 9,
          }),
        );
        await inst.write({ id: 'v', signal: 'logs', records }, ctx(tn));
        const wide = { startMs: NOW - 2 * day, endMs: NOW };
        for (const direction of ['forward', 'backward'] as const) {
          const pages: string[] = [];
          let cursor: string | undefined;
          let volume: unknown;
          for (let i = 0; i < 10; i++) {
            const r = await inst.queryLogs({ range: wide, text: 'NEEDLE', limit: 3, direction, volumeStepMs: 5 * MINUTE, ...(cursor ? { cursor } : {}) }, ctx(tn));
            pages.push(...r.records.map((x) => x.body));
            volume ??= r.volume;
            cursor = r.nextCursor;
            if (!cursor) break;
          }
          const alone = await inst.queryLogs({ range: wide, text: 'needle', limit: 100, direction }, ctx(tn));
          expect(pages).toEqual(alone.records.map((x) => x.body));
          expect(pages).toHaveLength(10);
          const counted = await inst.queryLogs({ range: wide, filters: [], text: undefined, limit: 0, direction, volumeStepMs: 5 * MINUTE }, ctx(tn));
          expect((volume as Array<{ count: number }>).reduce((a, b) => a + b.count, 0)).toBe(10);
          expect((counted.volume ?? []).reduce((a, b) => a + b.count, 0)).toBe(40);
        }
      });

      it('rejects a cursor it did not issue', async () => {
        const tn = tenant();
        await inst.write({ id: 'c', signal: 'logs', records: [logRecord(1)] }, ctx(tn));
        const error = await inst.queryLogs({ range, limit: 1, direction: 'forward', cursor: 'garbage' }, ctx(tn)).catch((e: unknown) => e);
        expect(isPluginError(error)).toBe(true);
      });

      it('searches words as substrings and takes % and _ literally', async () => {
        const tn = tenant();
        await inst.write(
          {
            id: 's',
            signal: 'logs',
            records: [logRecord(1, { body: 'request timeout after 30s' }), logRecord(2, { body: 'progress 100% done' }), logRecord(3, { body: 'progress 1000 done' }), logRecord(4, { body: 'snake_case here' })],
          },
          ctx(tn),
        );
        expect((await logs(tn, { text: 'TIME' })).map((r) => r.body)).toEqual(['request timeout after 30s']);
        expect((await logs(tn, { text: '100%' })).map((r) => r.body)).toEqual(['progress 100% done']);
        expect((await logs(tn, { text: 'e_c' })).map((r) => r.body)).toEqual(['snake_case here']);
        expect((await logs(tn, { text: '  done   progress ' })).map((r) => r.body)).toEqual(['progress 100% done', 'progress 1000 done']);
      });

      it('compares structured attributes as their JSON text and stops at a null attribute', async () => {
        const tn = tenant();
        const request = { path: '/cart', sizes: [1, 2.5] };
        await inst.write(
          {
            id: 'f',
            signal: 'logs',
            records: [
              logRecord(1, { attributes: { request, n: '42' }, resource: { 'host.name': 'h1' } }),
              logRecord(2, { attributes: { 'host.name': null, n: 7 }, resource: { 'host.name': 'h1' } }),
              logRecord(3, { attributes: { n: ' 12 ' }, resource: { 'host.name': 'h2' } }),
            ],
          },
          ctx(tn),
        );
        const bodies = async (filters: unknown) => (await logs(tn, { filters })).map((r) => r.body);
        expect(await bodies([{ key: 'request', op: '=', value: JSON.stringify(request) }])).toEqual(['record 1']);
        // The attribute's null hides the resource's value: the key counts as missing.
        expect(await bodies([{ key: 'host.name', op: '=', value: 'h1' }])).toEqual(['record 1']);
        expect(await bodies([{ key: 'host.name', op: 'exists' }])).toEqual(['record 1', 'record 3']);
        expect(await bodies([{ key: 'n', op: '>', value: 10 }])).toEqual(['record 1', 'record 3']);
        expect(await bodies([{ key: 'n', op: '=', value: 42 }])).toEqual(['record 1']);
        const error = await logs(tn, { filters: [{ key: 'n', op: '=~', value: '(' }] }).catch((e: unknown) => e);
        expect(isPluginError(error)).toBe(true);
      });
    });

    describe('metrics', () => {
      const point = (name: string, tMs: number, value: number, over: Partial<MetricPoint> = {}): MetricPoint => ({
        name,
        type: 'sum',
        temporality: 'cumulative',
        monotonic: true,
        timeUnixNano: ns(tMs),
        serviceName: 'svc',
        labels: { 'service.name': 'svc', pod: 'a' },
        value,
        ...over,
      });
      const base = NOW - 20 * MINUTE;

      it('takes a counter drop as a reset when computing the rate', async () => {
        const tn = tenant();
        // 10 per 15 s, reset to 0 after the third sample: increases 10, 10, 5 (reset: 5), 10.
        const values = [100, 110, 120, 5, 15];
        await inst.write({ id: 'm', signal: 'metrics', points: values.map((v, i) => point('c', base + 1000 + i * 12_000, v)) }, ctx(tn));
        const r = await inst.queryMetrics({ range: { startMs: base, endMs: base + MINUTE }, metric: 'c', rate: true, aggregation: 'sum', stepMs: MINUTE }, ctx(tn));
        expect(r.series[0]?.values[0]).toBeCloseTo(35 / 48, 9);
      });

      it('adds up delta sums over the step for a rate', async () => {
        const tn = tenant();
        const points = [0, 1, 2, 3].map((i) => point('d', base + 5000 + i * 15_000, 30, { temporality: 'delta' }));
        await inst.write({ id: 'm', signal: 'metrics', points }, ctx(tn));
        const r = await inst.queryMetrics({ range: { startMs: base, endMs: base + MINUTE }, metric: 'd', rate: true, aggregation: 'none', stepMs: MINUTE }, ctx(tn));
        expect(r.series[0]?.values).toEqual([2]);
      });

      it('treats a missing label as "" in matchers', async () => {
        const tn = tenant();
        await inst.write(
          { id: 'm', signal: 'metrics', points: [point('g', base + 1000, 1, { type: 'gauge', labels: { pod: 'a', zone: 'x' } }), point('g', base + 1000, 2, { type: 'gauge', labels: { pod: 'b' } })] },
          ctx(tn),
        );
        const q = async (value: string, op: '=' | '!=' = '=') =>
          (await inst.queryMetrics({ range: { startMs: base, endMs: base + MINUTE }, metric: 'g', matchers: [{ name: 'zone', op, value }], aggregation: 'none', stepMs: MINUTE }, ctx(tn))).series.map(
            (s) => s.labels.pod,
          );
        expect(await q('')).toEqual(['b']);
        expect(await q('x', '!=')).toEqual(['b']);
      });

      it('computes percentiles of exponential histograms from their buckets', async () => {
        const tn = tenant();
        // scale 0: buckets (1,2], (2,4], (4,8]; 10 observations each, observed within the step.
        const h = (k: number) => ({ count: 30 * k, zeroCount: 0, scale: 0, positive: { offset: 0, counts: [10 * k, 10 * k, 10 * k] }, negative: { offset: 0, counts: [] } });
        const points = [1, 2].map((k) => point('e', base + k * 20_000, 0, { type: 'exponential_histogram', value: undefined, exponentialHistogram: h(k) }));
        await inst.write({ id: 'm', signal: 'metrics', points }, ctx(tn));
        const r = await inst.queryMetrics({ range: { startMs: base, endMs: base + MINUTE }, metric: 'e', aggregation: 'p50', stepMs: MINUTE }, ctx(tn));
        // 30 observed; rank 15 lies halfway through (2,4].
        expect(r.series[0]?.values[0]).toBeCloseTo(3, 9);
      });

      it('refuses more steps than a chart can use', async () => {
        const tn = tenant();
        await inst.write({ id: 'm', signal: 'metrics', points: [point('g', base, 1)] }, ctx(tn));
        const error = await inst.queryMetrics({ range: { startMs: 0, endMs: NOW }, metric: 'g', aggregation: 'none', stepMs: 1000 }, ctx(tn)).catch((e: unknown) => e);
        expect(isPluginError(error)).toBe(true);
      });
    });

    describe('traces', () => {
      it('finds a trace by its start, not by spans inside the range', async () => {
        const tn = tenant();
        const start = NOW - 40 * MINUTE;
        // Trace 1 starts before the range; only its child is inside. Trace 2 has no root span.
        await inst.write(
          {
            id: 't',
            signal: 'traces',
            spans: [
              span(1, 1, start - 2 * MINUTE, 3 * MINUTE),
              span(1, 2, start + 10_000, 1000, { parentSpanId: hex(1, 16), serviceName: 'child' }),
              span(2, 3, start + 20_000, 500, { parentSpanId: hex(99, 16), name: 'orphan-a' }),
              span(2, 4, start + 30_000, 100, { parentSpanId: hex(3, 16), name: 'orphan-b' }),
            ],
          },
          ctx(tn),
        );
        const r = await inst.searchTraces({ range: { startMs: start, endMs: NOW }, limit: 10 }, ctx(tn));
        expect(r.traces.map((x) => [x.traceId, x.rootName, x.spanCount])).toEqual([[hex(2, 32), 'orphan-a', 2]]);
        const whole = await inst.searchTraces({ range: { startMs: start - 5 * MINUTE, endMs: NOW }, limit: 10, service: 'child' }, ctx(tn));
        expect(whole.traces.map((x) => [x.traceId, x.services])).toEqual([[hex(1, 32), ['child', 'svc']]]);
      });

      it('answers getTrace for an invalid id with null', async () => {
        expect(await inst.getTrace('xyz', ctx(tenant()))).toBeNull();
      });
    });

    describe('RUM', () => {
      it('groups events without a browser under ""', async () => {
        const tn = tenant();
        const event = (i: number, browser?: RumEvent['browser']): RumEvent => ({
          timeUnixNano: ns(NOW - 10 * MINUTE + i),
          kind: 'web_vital',
          name: 'LCP',
          value: 1000 * (i + 1),
          sessionId: `s${i}`,
          app: { name: 'shop' },
          page: { url: 'https://shop.example/' },
          attributes: {},
          ...(browser ? { browser } : {}),
        });
        await inst.write({ id: 'r', signal: 'rum', events: [event(0, { name: 'Chrome' }), event(1), event(2)] }, ctx(tn));
        const r = await inst.queryRum({ range, limit: 10, groupBy: ['browser'] }, ctx(tn));
        expect(r.groups).toEqual([
          { key: { browser: '' }, count: 2, sessions: 2, p75Value: 2750 },
          { key: { browser: 'Chrome' }, count: 1, sessions: 1, p75Value: 1000 },
        ]);
      });
    });

    describe('metadata', () => {
      it('lists only services with data in the range', async () => {
        const tn = tenant();
        await inst.write({ id: 'a', signal: 'logs', records: [logRecord(1, { serviceName: 'early', timeUnixNano: ns(NOW - 50 * MINUTE) }), logRecord(2, { serviceName: 'late' })] }, ctx(tn));
        expect(await inst.services({ range: { startMs: NOW - 40 * MINUTE, endMs: NOW } }, ctx(tn))).toEqual(['late']);
        expect(await inst.services({}, ctx(tn))).toEqual(['early', 'late']);
      });
    });

    describe('tenant isolation', () => {
      it('never answers one tenant with rows another tenant wrote', async () => {
        const [a, b] = [tenant(), tenant()];
        await inst.write({ id: 'x', signal: 'logs', records: [logRecord(1, { body: 'secret of a' })] }, ctx(a));
        await inst.write({ id: 'x', signal: 'traces', spans: [span(77, 1, NOW - 10 * MINUTE, 5)] }, ctx(a));
        expect(await inst.write({ id: 'x', signal: 'logs', records: [logRecord(1, { body: 'of b' })] }, ctx(b))).toEqual({ accepted: 1 });
        expect((await logs(b)).map((r) => r.body)).toEqual(['of b']);
        expect(await inst.getTrace(hex(77, 32), ctx(b))).toBeNull();
        expect(await inst.getTrace(hex(77, 32), ctx(a))).not.toBeNull();
        // A tenant that never wrote anything gets empty answers, not errors.
        expect(await logs(tenant())).toEqual([]);
      });
    });

    describe('partitions', () => {
      it('recreates a partition another process dropped behind its cache', async () => {
        const tn = tenant();
        const old = NOW - 6 * 86_400_000;
        await inst.write({ id: 'p1', signal: 'logs', records: [logRecord(1, { timeUnixNano: ns(old) })] }, ctx(tn));
        const driver = await storeOf(inst).ready();
        const day = new Date(old).toISOString().slice(0, 10).replace(/-/g, '');
        await driver.query(`drop table obstack_store.logs_${day}`);
        expect(await inst.write({ id: 'p2', signal: 'logs', records: [logRecord(2, { timeUnixNano: ns(old) })] }, ctx(tn))).toEqual({ accepted: 1 });
      });

      it('refuses a batch scattered over more days than any real batch spans', async () => {
        const records = Array.from({ length: 40 }, (_, i) => logRecord(i, { timeUnixNano: ns(NOW - (100 + i) * 86_400_000) }));
        const error = await inst.write({ id: 'scatter', signal: 'logs', records }, ctx(tenant())).catch((e: unknown) => e);
        expect(isPluginError(error) && /days/.test(error.message)).toBe(true);
      });
    });

    describe('planner', () => {
      it('prices seq scans out on every connection, so range queries go through BRIN before any ANALYZE', async () => {
        const driver = await storeOf(inst).ready();
        const rows = await Promise.all([1, 2, 3].map(() => driver.query<{ enable_seqscan: string }>('show enable_seqscan')));
        expect(rows.flat().map((r) => r.enable_seqscan)).toEqual(['off', 'off', 'off']);
      });
    });

    describe('health', () => {
      it('names the server, the schema and the size', async () => {
        const h = await inst.checkHealth(ctx(tenant()));
        expect(h.status).toBe('ok');
        expect(h.message).toMatch(t.name === 'PGlite' ? /^PGlite \(PostgreSQL \d+\.\d+\), schema obstack_store, \d+ MB$/ : /^PostgreSQL 1\d\.\d+, schema obstack_store, \d+ MB$/);
      });
    });
  });
}
