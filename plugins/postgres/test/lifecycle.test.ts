import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord, Span } from '@obstack/plugin-api';
import { createTestContext } from '@obstack/plugin-api/testing';
import { createInstance, maintenance, retention, type PostgresStoreInstance } from '../src/index';
import { storeOf } from '../src/plugin';
import { LATEST_VERSION } from '../src/schema';
import { TARGETS, hasPostgres, pgliteTarget, postgresTarget, type Target } from './support';

const DAY = 86_400_000;
const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const ns = (ms: number) => BigInt(ms) * 1_000_000n;
const ctx = (tenantId: string) => createTestContext({ tenantId, timeoutMs: 60_000 });

function record(ms: number, body: string, attributes: LogRecord['attributes'] = {}): LogRecord {
  return { timeUnixNano: ns(ms), severityNumber: 9, body, serviceName: 'svc', attributes, resource: { 'host.name': 'h1' } };
}

function span(traceId: string, ms: number): Span {
  return {
    traceId,
    spanId: traceId.slice(0, 16),
    name: 'op',
    kind: 'server',
    startTimeUnixNano: ns(ms),
    endTimeUnixNano: ns(ms + 5),
    status: { code: 'unset' },
    serviceName: 'svc',
    attributes: { 'http.route': '/cart' },
    resource: {},
    events: [],
    links: [],
  };
}

for (const t of TARGETS) {
  describe.skipIf(!t.enabled)(`lifecycle on ${t.name}`, () => {
    let target: Target;
    let inst: PostgresStoreInstance;
    beforeAll(async () => {
      target = await t.make();
      inst = createInstance({ ...target.config, retentionDays: 30 }, target.secrets);
    });
    afterAll(async () => {
      await inst?.dispose();
      await target?.cleanup();
    });

    it('answers the same before and after a finished day gets its cold indexes', async () => {
      const day = NOW - 3 * DAY;
      const records = Array.from({ length: 300 }, (_, i) =>
        record(day + i * 1000, i % 10 === 0 ? `connection timeout ${i}` : `ok ${i}`, { 'user.id': `u${i % 7}`, code: i % 3 === 0 ? 500 : 200 }),
      );
      await inst.write({ id: 'cold-logs', signal: 'logs', records }, ctx('cold'));
      await inst.write({ id: 'cold-spans', signal: 'traces', spans: [span('ab'.repeat(16), day + 5000)] }, ctx('cold'));
      const range = { startMs: day - 60_000, endMs: day + 3_600_000 };
      const ask = async () => ({
        text: (await inst.queryLogs({ range, text: 'TIMEOUT', limit: 1000, direction: 'forward' }, ctx('cold'))).records.length,
        filtered: (await inst.queryLogs({ range, filters: [{ key: 'user.id', op: '=', value: 'u3' }, { key: 'code', op: '=', value: 500 }], limit: 1000, direction: 'forward' }, ctx('cold'))).records.length,
        resource: (await inst.queryLogs({ range, filters: [{ key: 'host.name', op: '=', value: 'h1' }], limit: 1000, direction: 'forward' }, ctx('cold'))).records.length,
        trace: (await inst.getTrace('ab'.repeat(16), ctx('cold')))?.spans.length,
        search: (await inst.searchTraces({ range, filters: [{ key: 'http.route', op: '=', value: '/cart' }], limit: 10 }, ctx('cold'))).traces.length,
      });
      const before = await ask();
      expect(before).toEqual({ text: 30, filtered: 15, resource: 300, trace: 1, search: 1 });
      const result = await maintenance(inst, { nowMs: NOW, retention: false });
      const stamp = new Date(day).toISOString().slice(0, 10).replace(/-/g, '');
      expect(result.indexesBuilt).toEqual(expect.arrayContaining([`logs_${stamp}_tenant_time`, `logs_${stamp}_body_trgm`, `logs_${stamp}_attrs`, `spans_${stamp}_tenant_time`, `spans_${stamp}_attrs`]));
      expect(await ask()).toEqual(before);
      expect((await maintenance(inst, { nowMs: NOW, retention: false })).indexesBuilt.filter((n) => n.includes(stamp))).toEqual([]);
    });

    it('drops whole days past retention and deletes older rows of tenants that keep less', async () => {
      const days = [40, 10, 0].map((d) => NOW - d * DAY - 3_600_000);
      for (const tenantId of ['keep', 'short']) {
        await inst.write({ id: 'r', signal: 'logs', records: days.map((ms, i) => record(ms, `day ${i}`)) }, ctx(tenantId));
      }
      const everything = { startMs: NOW - 60 * DAY, endMs: NOW + 1 };
      const bodies = async (tenantId: string) => (await inst.queryLogs({ range: everything, limit: 100, direction: 'forward' }, ctx(tenantId))).records.map((r) => r.body);
      expect(await bodies('keep')).toEqual(['day 0', 'day 1', 'day 2']);

      const old = new Date(days[0] as number).toISOString().slice(0, 10).replace(/-/g, '');
      const result = await retention(inst, { nowMs: NOW, tenants: [{ tenantId: 'short', retentionDays: 5 }, { tenantId: 'keep', retentionDays: 365 }] });
      expect(result.droppedPartitions).toContain(`logs_${old}`);
      expect(result.deletedRows).toBe(1);
      expect(await bodies('keep')).toEqual(['day 1', 'day 2']);
      expect(await bodies('short')).toEqual(['day 2']);
      expect(await inst.services({ range: { startMs: NOW - 45 * DAY, endMs: NOW - 35 * DAY } }, ctx('keep'))).toEqual([]);
      expect((await retention(inst, { nowMs: NOW })).droppedPartitions, 'a second run finds nothing left to drop').toEqual([]);
    });
  });
}

describe('restarts', () => {
  it('keeps data and migrates nothing twice when PGlite reopens its directory', async () => {
    const target = await pgliteTarget();
    try {
      const first = createInstance(target.config);
      await first.write({ id: 'a', signal: 'logs', records: [record(NOW - 60_000, 'persisted')] }, ctx('t'));
      await first.dispose();
      const second = createInstance(target.config);
      try {
        const r = await second.queryLogs({ range: { startMs: NOW - 3_600_000, endMs: NOW }, limit: 10, direction: 'forward' }, ctx('t'));
        expect(r.records.map((x) => x.body)).toEqual(['persisted']);
        expect(await second.write({ id: 'a', signal: 'logs', records: [record(NOW - 60_000, 'persisted')] }, ctx('t'))).toEqual({ accepted: 0, duplicate: true });
        const driver = await storeOf(second).ready();
        expect(await driver.query(`select version from obstack_store.store_migrations`)).toEqual([{ version: LATEST_VERSION }]);
      } finally {
        await second.dispose();
      }
    } finally {
      await target.cleanup();
    }
  });

  it('gives up waiting for a store that is still opening when the deadline passes', async () => {
    const target = await pgliteTarget();
    const inst = createInstance(target.config);
    try {
      const started = Date.now();
      // PGlite needs seconds to start; the call must not take them.
      await expect(inst.queryLogs({ range: { startMs: 0, endMs: 1 }, limit: 1, direction: 'forward' }, createTestContext({ tenantId: 't', timeoutMs: 50 }))).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1000);
      expect((await inst.checkHealth(ctx('t'))).status).toBe('ok');
    } finally {
      await inst.dispose();
      await target.cleanup();
    }
  });

  describe.skipIf(!hasPostgres)('on PostgreSQL', () => {
    let target: Target;
    beforeAll(async () => {
      target = await postgresTarget();
    });
    afterAll(async () => {
      await target?.cleanup();
    });

    it('lets several processes start on an empty database at once', async () => {
      const instances = Array.from({ length: 4 }, () => createInstance(target.config, target.secrets));
      try {
        const health = await Promise.all(instances.map((i) => i.checkHealth(ctx('t'))));
        expect(health.map((h) => h.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
        // They also race to create today's partition on their first writes.
        const writes = await Promise.all(instances.map((i, k) => i.write({ id: `w${k}`, signal: 'logs', records: [record(NOW - 1000, `from ${k}`)] }, ctx('t'))));
        expect(writes).toEqual([{ accepted: 1 }, { accepted: 1 }, { accepted: 1 }, { accepted: 1 }]);
        const driver = await storeOf(instances[0] as PostgresStoreInstance).ready();
        expect(await driver.query(`select version from obstack_store.store_migrations`)).toEqual([{ version: LATEST_VERSION }]);
      } finally {
        await Promise.all(instances.map((i) => i.dispose()));
      }
    });

    it('lets two processes run maintenance at the same time', async () => {
      const [a, b] = [createInstance(target.config, target.secrets), createInstance(target.config, target.secrets)];
      try {
        const old = NOW - 2 * DAY;
        await a.write({ id: 'm', signal: 'logs', records: Array.from({ length: 50 }, (_, i) => record(old + i, `line ${i}`)) }, ctx('t'));
        await storeOf(b).ready();
        const results = await Promise.all([maintenance(a, { nowMs: NOW }), maintenance(b, { nowMs: NOW })]);
        const stamp = new Date(old).toISOString().slice(0, 10).replace(/-/g, '');
        // Each index is built once: by whichever holds the lock (the other leaves at once,
        // or, if it came later, finds them built).
        const built = results.flatMap((r) => r.indexesBuilt).filter((n) => n.startsWith(`logs_${stamp}`));
        expect(built.sort()).toEqual([`logs_${stamp}_attrs`, `logs_${stamp}_body_trgm`, `logs_${stamp}_tenant_time`]);
        const driver = await storeOf(a).ready();
        const valid = await driver.query<{ n: number }>(
          `select count(*)::int4 as n from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname like $1::text and i.indisvalid`,
          [`logs_${stamp}_%`],
        );
        expect(valid[0]?.n).toBe(4);
      } finally {
        await Promise.all([a.dispose(), b.dispose()]);
      }
    });

    it('reports an unreachable server as an error without the password', async () => {
      const inst = createInstance({ url: 'postgres://obstack@127.0.0.1:1/obstack' }, { password: 'sekret-pw' });
      try {
        const h = await inst.checkHealth(ctx('t'));
        expect(h.status).toBe('error');
        expect(h.message).toMatch(/ECONNREFUSED|reach/);
        expect(h.message).not.toContain('sekret-pw');
        const error = await inst.queryLogs({ range: { startMs: 0, endMs: 1 }, limit: 1, direction: 'forward' }, ctx('t')).catch((e: unknown) => e);
        expect(error).toMatchObject({ source: 'downstream', retryable: true });
      } finally {
        await inst.dispose();
      }
    });

    it('cancels a running query when the signal aborts', async () => {
      const inst = createInstance(target.config, target.secrets);
      try {
        const driver = await storeOf(inst).ready();
        const controller = new AbortController();
        const started = Date.now();
        setTimeout(() => controller.abort(), 100);
        await expect(driver.query('select pg_sleep(10)', [], controller.signal)).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        await inst.dispose();
      }
    });
  });
});
