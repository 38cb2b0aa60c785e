import { eq } from 'drizzle-orm';
import { type LogRecord, PLUGIN_API_VERSION, PluginError, definePlugin } from '@obstack/plugin-api';
import { dataSources } from '@obstack/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDb } from '../../../tests/support/db';
import type { Backend } from '../../../tests/support/obstack';
import { hasPostgres } from '../../../tests/support/pg';
import { createTenant } from '../accounts';
import { isAppError } from '../errors';
import { createLogger } from '../log';
import { QueryService } from '../query';
import { DataSourceService, type DataSourceInput } from './data-sources';
import { PluginHost } from './host';
import { PluginRegistry } from './registry';
import { SecretBox } from './secrets';

const lines: string[] = [];
const log = createLogger({ level: 'debug', format: 'json', write: (l) => void lines.push(l) });

// A source that always fails its queries, to see partial answers.
const failing = definePlugin({
  id: 'failing',
  name: 'Failing',
  version: '1.0.0',
  apiVersion: `^${PLUGIN_API_VERSION}`,
  capabilities: { logs: { read: true, stability: 'experimental' } },
  configSchema: { type: 'object', properties: {} },
  create: () => ({
    checkHealth: async () => ({ status: 'error' as const, message: 'down' }),
    queryLogs: async () => Promise.reject(new PluginError('Loki answered 502', { source: 'downstream', retryable: true })),
  }),
});

function record(n: number, body: string, service = 'api'): LogRecord {
  return {
    timeUnixNano: BigInt(Date.now() - 60_000 + n * 1000) * 1_000_000n,
    severityNumber: 9,
    body,
    serviceName: service,
    attributes: { n },
    resource: { 'service.name': service },
  };
}

function input(name: string, extra: Partial<DataSourceInput> = {}): DataSourceInput {
  return {
    name,
    pluginId: 'acme-inmemory',
    config: {},
    secrets: { accessKey: 'sup3r-s3cret-value' },
    query: ['logs', 'traces'],
    write: ['logs'],
    allowInternalAddresses: false,
    timeoutMs: 5_000,
    ...extra,
  };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return `${e.code}:${e.field ?? ''}`;
    throw e;
  }
  return 'ok';
}

describe.each<Backend>(['pglite', 'postgres'])('data sources and queries on %s', (backend) => {
  describe.skipIf(backend === 'postgres' && !hasPostgres)('', () => {
    let h: Awaited<ReturnType<typeof testDb>>;
    let host: PluginHost;
    let svc: DataSourceService;
    let query: QueryService;
    const box = new SecretBox('k'.repeat(40));
    let a = '';
    let b = '';

    beforeAll(async () => {
      h = await testDb(backend);
      const registry = new PluginRegistry(log);
      await registry.loadPackages(['@acme/obstack-plugin-inmemory']);
      registry.register(failing, 'builtin');
      host = new PluginHost(registry, log);
      svc = new DataSourceService(h.db, host, box, undefined);
      query = new QueryService(host, svc);
      a = (await createTenant(h.db, { name: 'Tenant A' })).id;
      b = (await createTenant(h.db, { name: 'Tenant B' })).id;
    });
    afterAll(async () => {
      await host?.close();
      await h?.cleanup();
    });

    it('validates settings against the plugin schema and names the field', async () => {
      expect(await code(svc.create(a, input('bad', { config: { maxItemsPerTenant: 0 } }), null))).toBe('invalid_config:config.maxItemsPerTenant');
      expect(await code(svc.create(a, input('bad', { config: { nope: 1 } }), null))).toBe('invalid_config:config.nope');
      expect(await code(svc.create(a, input(''), null))).toBe('invalid:name');
      expect(await code(svc.create(a, input('x', { pluginId: 'not-installed' }), null))).toBe('unknown_plugin:pluginId');
    });

    it('stores secrets sealed, shows only which are set, and keeps them when left blank on edit', async () => {
      const created = await svc.create(a, input('Memory one'), null);
      expect(created.secretsSet).toEqual(['accessKey']);
      expect(JSON.stringify(created)).not.toContain('sup3r-s3cret-value');
      const [row] = await h.db.select().from(dataSources).where(eq(dataSources.id, created.id));
      expect(JSON.stringify(row)).not.toContain('sup3r-s3cret-value');
      expect(box.open(row?.secretsEnc)).toEqual({ accessKey: 'sup3r-s3cret-value' });
      await svc.update(a, created.id, { ...input('Memory one renamed'), secrets: {} });
      const [after] = await h.db.select().from(dataSources).where(eq(dataSources.id, created.id));
      expect(after?.name).toBe('Memory one renamed');
      expect(box.open(after?.secretsEnc)).toEqual({ accessKey: 'sup3r-s3cret-value' });
      expect(await code(svc.create(a, input('Memory one renamed'), null))).toBe('name_taken:name');
      expect(lines.join('\n')).not.toContain('sup3r-s3cret-value');
    });

    it("keeps tenants apart: B neither sees nor touches A's sources, and queries as B return none of A's data", async () => {
      const [mine] = await svc.list(a);
      expect(mine).toBeDefined();
      expect((await svc.list(b)).map((s) => s.id)).not.toContain(mine!.id);
      expect(await code(svc.remove(b, mine!.id))).toBe('not_found:');
      expect(await code(svc.test(b, mine!.id))).toBe('not_found:');
      await host.write(await svc.routed(a), a, { id: 'batch-a', signal: 'logs', records: [record(1, 'secret of tenant a')] });
      const range = { startMs: Date.now() - 3_600_000, endMs: Date.now() + 60_000 };
      const asA = await query.logs(a, { range, limit: 10, direction: 'backward' });
      expect(asA.data.records.map((r) => r.body)).toEqual(['secret of tenant a']);
      const asB = await query.logs(b, { range, limit: 10, direction: 'backward' });
      expect(asB.data.records).toEqual([]);
      // Even a source of B's own built from the same plugin has nothing of A's.
      await svc.create(b, input('B memory'), null);
      expect((await query.logs(b, { range, limit: 10, direction: 'backward' })).data.records).toEqual([]);
    });

    it('merges several sources in time order and pages through them without skipping or repeating', async () => {
      const t = (await createTenant(h.db, { name: 'Merge' })).id;
      await svc.create(t, input('Left', { secrets: { accessKey: 'key-number-1' } }), null);
      await svc.create(t, input('Right', { secrets: { accessKey: 'key-number-2' } }), null);
      const [left, right] = (await svc.routed(t)).map((s) => [s]);
      await host.write(left!, t, { id: 'l', signal: 'logs', records: [1, 3, 5, 7, 9].map((n) => record(n, `left ${n}`)) });
      await host.write(right!, t, { id: 'r', signal: 'logs', records: [2, 4, 6, 8].map((n) => record(n, `right ${n}`)) });
      const range = { startMs: Date.now() - 3_600_000, endMs: Date.now() + 60_000 };
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await query.logs(t, { range, limit: 3, direction: 'forward', ...(cursor ? { cursor } : {}) });
        seen.push(...res.data.records.map((r) => r.body));
        cursor = res.data.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toEqual(['left 1', 'right 2', 'left 3', 'right 4', 'left 5', 'right 6', 'left 7', 'right 8', 'left 9']);
    });

    it('shows a record stored in two sources once, and still pages exactly', async () => {
      const t = (await createTenant(h.db, { name: 'Twice' })).id;
      await svc.create(t, input('First copy', { secrets: { accessKey: 'key-number-5' } }), null);
      await svc.create(t, input('Second copy', { secrets: { accessKey: 'key-number-6' } }), null);
      // The pipeline's fan-out: every source that stores logs gets the batch.
      await host.write(await svc.routed(t), t, { id: 'both', signal: 'logs', records: [1, 2, 3].map((n) => record(n, `line ${n}`)) });
      const range = { startMs: Date.now() - 3_600_000, endMs: Date.now() + 60_000 };
      const first = await query.logs(t, { range, limit: 2, direction: 'forward' });
      expect(first.data.records.map((r) => r.body)).toEqual(['line 1', 'line 2']);
      const second = await query.logs(t, { range, limit: 2, direction: 'forward', cursor: first.data.nextCursor! });
      expect(second.data.records.map((r) => r.body)).toEqual(['line 3']);
    });

    it('answers with the data of healthy sources and names the failing one', async () => {
      const t = (await createTenant(h.db, { name: 'Partial' })).id;
      await svc.create(t, input('Healthy', { secrets: { accessKey: 'key-number-3' } }), null);
      await svc.create(t, { ...input('Loki prod'), pluginId: 'failing', secrets: {}, query: ['logs'], write: [] }, null);
      const [healthy] = await svc.routed(t);
      await host.write([healthy!], t, { id: 'p', signal: 'logs', records: [record(1, 'still here')] });
      const res = await query.logs(t, { range: { startMs: Date.now() - 3_600_000, endMs: Date.now() + 60_000 }, limit: 10, direction: 'backward' });
      expect(res.data.records.map((r) => r.body)).toEqual(['still here']);
      expect(res.errors).toEqual([
        expect.objectContaining({ dataSourceName: 'Loki prod', source: 'downstream', message: 'Loki answered 502', retryable: true }),
      ]);
      expect(res.sources).toEqual(['Healthy']);
    });

    it('disposes the instance of a deleted source', async () => {
      const t = (await createTenant(h.db, { name: 'Gone' })).id;
      const created = await svc.create(t, input('Temporary', { secrets: { accessKey: 'key-number-4' } }), null);
      expect((await svc.test(t, created.id)).status).toBe('ok');
      expect(host.states().has(created.id)).toBe(true);
      await svc.remove(t, created.id);
      expect(host.states().has(created.id)).toBe(false);
      expect(await svc.list(t)).toEqual([]);
    });
  });
});
