import {
  definePlugin,
  type CallContext,
  type MetricsResult,
  type PluginDefinition,
  type PluginInstance,
  type WriteBatch,
} from '@obstack/plugin-api';
import { createTestContext, createTestCreateContext, runConformanceChecks, type CheckResult, type ConformanceOptions } from '@obstack/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { plugin as reference } from './inmemory-plugin/src/index';

/**
 * The kit is only worth something if it fails plugins that break the contract. Each case
 * wraps the reference plugin with one fault and runs the checks programmatically.
 */

const goodOptions = {
  config: { maxItemsPerTenant: 10_000 },
  secrets: { accessKey: 'conformance-key' },
} satisfies Partial<ConformanceOptions>;

/** The reference plugin with `wrap` applied to every instance it creates. */
function broken(id: string, wrap: (inner: PluginInstance) => PluginInstance, overrides: Partial<PluginDefinition> = {}): PluginDefinition {
  return definePlugin({
    ...reference,
    id,
    ...overrides,
    async create(config, secrets, ctx) {
      return wrap(await reference.create(config as never, secrets, ctx));
    },
  });
}

/** Forwards every method of `inner` through `through`, which may change the context or the answer. */
function intercept(inner: PluginInstance, through: (name: string, args: unknown[], call: (args: unknown[]) => Promise<unknown>) => Promise<unknown>): PluginInstance {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(inner)) {
    if (typeof fn !== 'function') continue;
    out[name] = (...args: unknown[]) => through(name, args, (a) => (fn as (...x: unknown[]) => Promise<unknown>).apply(inner, a));
  }
  return out as unknown as PluginInstance;
}

function withContext(args: unknown[], change: (ctx: CallContext) => CallContext): unknown[] {
  const last = args[args.length - 1] as CallContext | undefined;
  return last && typeof last === 'object' && 'tenantId' in last ? [...args.slice(0, -1), change(last)] : args;
}

function failures(results: CheckResult[]): string[] {
  return results.filter((r) => !r.ok).map((r) => `${r.group} > ${r.name}`);
}

function messages(results: CheckResult[]): string {
  return results
    .filter((r) => !r.ok)
    .map((r) => String(r.error instanceof Error ? r.error.message : r.error))
    .join('\n');
}

describe('the conformance kit', () => {
  it('passes the reference plugin on every check it runs', async () => {
    const results = await runConformanceChecks({ plugin: reference, ...goodOptions });
    expect(failures(results)).toEqual([]);
    expect(results.length).toBeGreaterThan(150);
  });

  it('fails a plugin that ignores the tenant', async () => {
    const leaky = broken('leaky', (inner) => intercept(inner, (_name, args, call) => call(withContext(args, (ctx) => ({ ...ctx, tenantId: 'everyone' })))));
    const failed = failures(await runConformanceChecks({ plugin: leaky, ...goodOptions }));
    expect(failed).toEqual(expect.arrayContaining(['tenant isolation > queryLogs as one tenant returns none of the other\'s data', 'tenant isolation > getTrace as one tenant returns none of the other\'s data', 'writes > logs: the same batch id from another tenant is stored for it']));
  });

  it('fails a plugin that answers tenant B with tenant A\'s data as well', async () => {
    // Writes stay separate; only reads of any tenant also see the first tenant that wrote.
    let first: string | undefined;
    const merged = broken('merging', (inner) =>
      intercept(inner, async (name, args, call) => {
        const ctx = args[args.length - 1] as CallContext;
        if (name === 'write') {
          first ??= ctx.tenantId;
          return call(args);
        }
        if (name !== 'queryLogs' || first === undefined || ctx.tenantId === first) return call(args);
        const own = (await call(args)) as { records: unknown[] };
        const theirs = (await call(withContext(args, (c) => ({ ...c, tenantId: first as string })))) as { records: unknown[] };
        return { ...own, records: [...own.records, ...theirs.records] };
      }),
    );
    const results = await runConformanceChecks({ plugin: merged, ...goodOptions });
    expect(failures(results)).toContain("tenant isolation > queryLogs as one tenant returns none of the other's data");
    expect(messages(results)).toMatch(/as tenant B contains the other tenant's data \("alpha"\)/);
  });

  it('fails a plugin that ignores abort signals', async () => {
    const deaf = broken('deaf', (inner) => intercept(inner, (_name, args, call) => call(withContext(args, (ctx) => ({ ...ctx, signal: new AbortController().signal })))));
    const failed = failures(await runConformanceChecks({ plugin: deaf, ...goodOptions }));
    for (const method of ['checkHealth', 'write', 'queryLogs', 'queryMetrics', 'getTrace', 'searchTraces', 'queryRum', 'queryCost', 'services']) {
      expect(failed).toContain(`abort > ${method} rejects within 1 s when the signal is already aborted`);
    }
  });

  it('fails a plugin that hangs past its deadline', async () => {
    const slow = broken('slow', (inner) =>
      intercept(inner, async (name, args, call) => {
        const ctx = args[args.length - 1] as CallContext;
        // Hangs only for the kit's scratch tenant, so the rest of the suite stays quick.
        if (name === 'queryLogs' && ctx.tenantId.startsWith('conformance-scratch')) await new Promise((r) => setTimeout(r, 1500));
        return call(args);
      }),
    );
    const failed = failures(await runConformanceChecks({ plugin: slow, ...goodOptions }));
    expect(failed).toContain('abort > queryLogs answers or rejects within 1 s of a 1 ms deadline');
  });

  it('fails a plugin that rounds times to milliseconds', async () => {
    const roundMs = (t: bigint) => (t / 1_000_000n) * 1_000_000n;
    const coarse = broken('coarse', (inner) =>
      intercept(inner, (name, args, call) => {
        if (name !== 'write') return call(args);
        const batch = args[0] as WriteBatch;
        if (batch.signal !== 'logs') return call(args);
        return call([{ ...batch, records: batch.records.map((r) => ({ ...r, timeUnixNano: roundMs(r.timeUnixNano) })) }, ...args.slice(1)]);
      }),
    );
    const failed = failures(await runConformanceChecks({ plugin: coarse, ...goodOptions }));
    expect(failed).toContain('logs > round-trips every field of every record, oldest first when forward');
  });

  it('fails a plugin whose writes are not idempotent', async () => {
    let n = 0;
    const duplicating = broken('duplicating', (inner) =>
      intercept(inner, (name, args, call) => (name === 'write' ? call([{ ...(args[0] as WriteBatch), id: `fresh-${n++}` }, ...args.slice(1)]) : call(args))),
    );
    const failed = failures(await runConformanceChecks({ plugin: duplicating, ...goodOptions }));
    expect(failed).toContain('writes > logs: writing the same batch id again stores nothing and answers duplicate');
    // The redelivered batch is stored twice, so the round trip shows the extra records.
    expect(failed).toContain('logs > round-trips every field of every record, oldest first when forward');
  });

  it('fails a plugin that answers rates per minute', async () => {
    const perMinute = broken('per-minute', (inner) =>
      intercept(inner, async (name, args, call) => {
        const answer = await call(args);
        if (name !== 'queryMetrics' || !(args[0] as { rate?: boolean }).rate) return answer;
        const result = answer as MetricsResult;
        return { ...result, series: result.series.map((s) => ({ ...s, values: s.values.map((v) => (v === null ? null : v * 60)) })) };
      }),
    );
    const failed = failures(await runConformanceChecks({ plugin: perMinute, ...goodOptions }));
    expect(failed).toContain('metrics > rate of a cumulative counter is its per-second increase');
    expect(failed).toContain('metrics > sum of counter rates across series');
  });

  it('fails a plugin that declares a signal without its query method', async () => {
    const noRum = broken('no-rum', (inner) => {
      const { queryRum: _gone, ...others } = inner;
      return others as PluginInstance;
    });
    const results = await runConformanceChecks({ plugin: noRum, ...goodOptions });
    expect(failures(results)).toContain('definition > declares rum read: implements queryRum');
    expect(messages(results)).toContain('plugin no-rum does not implement queryRum, which a plugin that reads rum must implement');
  });

  it('fails a badConfigs entry the plugin accepts, and one rejected for another field', async () => {
    const results = await runConformanceChecks({
      plugin: reference,
      ...goodOptions,
      badConfigs: [
        { config: { maxItemsPerTenant: 5 }, secrets: { accessKey: 'conformance-key' }, field: 'maxItemsPerTenant' },
        { config: { maxItemsPerTenant: 0 }, secrets: { accessKey: 'conformance-key' }, field: 'dropAttributes' },
      ],
    });
    const failed = results.filter((r) => r.group === 'config' && !r.ok);
    expect(failed).toHaveLength(2);
    expect(messages(results)).toMatch(/the schema and create\(\) both accepted it/);
  });

  it('refuses to start a read-only plugin without a seed', async () => {
    const readOnly = broken('read-only', (inner) => inner, {
      capabilities: { logs: { read: true, stability: 'beta' } },
    });
    await expect(runConformanceChecks({ plugin: readOnly, ...goodOptions })).rejects.toThrow(
      /plugin read-only reads logs without writing it: pass seed\(dataset, tenantId, signals\) to runConformance/,
    );
  });

  it('runs a read-only plugin against what seed loaded', async () => {
    // A plugin that only reads: its "backend" is filled by the test through seed, as a
    // read-only plugin's author fills a fake Loki or Prometheus.
    const backend = await reference.create({ maxItemsPerTenant: 10_000, dropAttributes: [] }, { accessKey: 'conformance-key' }, createTestCreateContext());
    const readOnly = definePlugin({
      ...reference,
      id: 'read-only-logs',
      capabilities: { logs: { read: true, stability: 'beta' } },
      create: () => ({ checkHealth: backend.checkHealth.bind(backend), queryLogs: backend.queryLogs!.bind(backend) }),
    });
    const seeded: string[] = [];
    const results = await runConformanceChecks({
      plugin: readOnly,
      ...goodOptions,
      seed: async (dataset, tenantId, signals) => {
        seeded.push(`${tenantId.slice(0, 13)}:${signals.join(',')}`);
        const ctx = createTestContext({ tenantId });
        await backend.write!({ id: `seed-${dataset.marker}`, signal: 'logs', records: dataset.logs }, ctx);
      },
    });
    expect(seeded).toEqual(['conformance-a:logs', 'conformance-b:logs']);
    expect(failures(results)).toEqual([]);
    expect(results.filter((r) => r.group === 'logs').length).toBeGreaterThan(20);
    expect(results.some((r) => r.group === 'writes')).toBe(false);
  });
});
