import { afterAll, beforeAll, describe, it } from 'vitest';
import { batchSize, SIGNALS, type Signal, type WriteBatch, type WriteResult } from '../model';
import type { PluginConfig, PluginDefinition, PluginInstance, PluginSecrets } from '../plugin';
import { formatConfigIssues, prepareConfig } from '../validate-config';
import { createTestCreateContext } from './context';
import { conformanceDataset, datasetBatches } from './dataset';
import { abortChecks, configChecks, definitionChecks, healthChecks, writeChecks } from './checks/contract';
import { costChecks } from './checks/cost';
import { isolationChecks } from './checks/isolation';
import { logsChecks } from './checks/logs';
import { metadataChecks } from './checks/metadata';
import { metricsChecks } from './checks/metrics';
import { rumChecks } from './checks/rum';
import { tracesChecks } from './checks/traces';
import { contextFor, type ConformanceCheck, type ConformanceOptions, type ConformanceState } from './state';

export interface ConformanceSuite {
  state: ConformanceState;
  /** Every check that applies to this plugin, in the order they run. */
  checks: ConformanceCheck[];
  /** Writes (or seeds) both tenants' datasets. Every query check needs it first. */
  load(): Promise<void>;
  /** Disposes the instance and runs `teardown`. */
  close(): Promise<void>;
}

export interface CheckResult {
  group: string;
  name: string;
  ok: boolean;
  error?: unknown;
}

async function resolve<T>(value: T | (() => T | Promise<T>) | undefined, fallback: T): Promise<T> {
  if (value === undefined) return fallback;
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : value;
}

/**
 * Runs `setup`, creates the instance as the host would (config validated, defaults
 * applied, secrets split off) and plans the checks for what it declares and implements.
 */
export async function createConformanceSuite<C extends object>(options: ConformanceOptions<C>): Promise<ConformanceSuite> {
  const definition = options.plugin as unknown as PluginDefinition;
  await options.setup?.();
  let prepared: { config: PluginConfig; secrets: PluginSecrets };
  let instance: PluginInstance;
  try {
    const result = prepareConfig(definition, await resolve(options.config, {}), await resolve(options.secrets, {}));
    if (!result.ok) {
      throw new Error(`the config given to runConformance for ${definition.id} is invalid: ${formatConfigIssues(result.issues)}`);
    }
    prepared = result;
    instance = await definition.create(prepared.config, prepared.secrets, createTestCreateContext());
  } catch (e) {
    // Whatever setup started (a fake backend, say) must not outlive the failed start.
    await options.teardown?.();
    throw e;
  }
  const nowMs = options.nowMs ?? Math.floor(Date.now() / 60_000) * 60_000;
  // Unique per run, so a backend that keeps data between runs starts empty for these tenants.
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  const tenants = options.tenants ?? { a: `conformance-a-${run}`, b: `conformance-b-${run}` };
  const caps = definition.capabilities;
  const state: ConformanceState = {
    definition,
    options: options as unknown as ConformanceOptions<object>,
    instance,
    config: prepared.config,
    secrets: prepared.secrets,
    a: { tenantId: tenants.a, data: conformanceDataset({ nowMs, marker: 'alpha' }) },
    b: { tenantId: tenants.b, data: conformanceDataset({ nowMs, marker: 'bravo' }) },
    scratchTenant: `conformance-scratch-${run}`,
    reads: new Set(SIGNALS.filter((s) => caps[s]?.read === true)),
    writes: new Set(typeof instance.write === 'function' ? SIGNALS.filter((s) => caps[s]?.write === true) : []),
    writeLog: new Map(),
    loaded: false,
    timeoutMs: options.timeoutMs ?? 10_000,
  };

  const checks = [
    ...definitionChecks(state),
    ...configChecks(state, options.badConfigs ?? []),
    ...healthChecks(state),
    ...writeChecks(state),
    ...(state.reads.has('logs') ? logsChecks(state) : []),
    ...(state.reads.has('metrics') ? metricsChecks(state) : []),
    ...(state.reads.has('traces') ? tracesChecks(state) : []),
    ...(state.reads.has('rum') ? rumChecks(state) : []),
    ...(state.reads.has('cost') ? costChecks(state) : []),
    ...metadataChecks(state),
    ...isolationChecks(state),
    ...abortChecks(state),
  ];

  return {
    state,
    checks,
    load: () => load(state),
    close: async () => {
      try {
        await instance.dispose?.();
      } finally {
        await options.teardown?.();
      }
    },
  };
}

async function load(state: ConformanceState): Promise<void> {
  const { instance, a, b } = state;
  const write = async (batch: WriteBatch, tenantId: string): Promise<WriteResult> => {
    try {
      return await instance.write!(batch, contextFor(state, tenantId));
    } catch (e) {
      throw new Error(`write of ${batch.signal} batch ${batch.id} (${batchSize(batch)} items) for ${tenantId} failed: ${String(e)}`, { cause: e });
    }
  };
  for (const signal of state.writes) {
    const aBatches = datasetBatches(a.data, signal);
    const bBatches = datasetBatches(b.data, signal);
    const results: WriteResult[] = [];
    for (const batch of aBatches) results.push(await write(batch, a.tenantId));
    const bResults: WriteResult[] = [];
    for (const batch of bBatches) bResults.push(await write(batch, b.tenantId));
    // Redelivery of a batch already stored, as the ingest pipeline does after a crash.
    const again = await write(aBatches[0] as WriteBatch, a.tenantId);
    state.writeLog.set(signal, {
      batch: aBatches[0] as WriteBatch,
      first: results[0] as WriteResult,
      again,
      otherBatch: bBatches[0] as WriteBatch,
      otherTenant: bResults[0] as WriteResult,
    });
  }
  const seeded: Signal[] = [...state.reads].filter((s) => !state.writes.has(s));
  if (seeded.length > 0) {
    if (state.options.seed === undefined) {
      throw new Error(
        `plugin ${state.definition.id} reads ${seeded.join(', ')} without writing it: pass seed(dataset, tenantId, signals) to runConformance to load the dataset into its backend`,
      );
    }
    await state.options.seed(a.data, a.tenantId, seeded);
    await state.options.seed(b.data, b.tenantId, seeded);
  }
  await state.options.afterLoad?.();
  state.loaded = true;
}

/**
 * Runs every check without vitest's describe/it and reports each outcome: for testing
 * the kit itself, or a plugin from a script.
 */
export async function runConformanceChecks<C extends object>(options: ConformanceOptions<C>): Promise<CheckResult[]> {
  const suite = await createConformanceSuite(options);
  const results: CheckResult[] = [];
  try {
    await suite.load();
    for (const c of suite.checks) {
      try {
        await c.run();
        results.push({ group: c.group, name: c.name, ok: true });
      } catch (error) {
        results.push({ group: c.group, name: c.name, ok: false, error });
      }
    }
  } finally {
    await suite.close();
  }
  return results;
}

/**
 * Registers the conformance suite as vitest tests: one `describe` per plugin, one per
 * group (definition, config, health, writes, each signal, metadata, tenant isolation,
 * abort) and one `it` per check. Call it at the top level of a test file.
 *
 * `setup` and `create` run while vitest collects the file: which checks apply depends on
 * the methods the instance has.
 */
export function runConformance<C extends object>(options: ConformanceOptions<C>): void {
  const timeout = Math.max(30_000, (options.timeoutMs ?? 10_000) * 3);
  describe(`${options.plugin.id} conformance`, async () => {
    const suite = await createConformanceSuite(options);
    beforeAll(() => suite.load(), timeout * 4);
    afterAll(() => suite.close(), timeout);
    const groups = new Map<string, ConformanceCheck[]>();
    for (const c of suite.checks) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
    for (const [group, checks] of groups) {
      describe(group, () => {
        for (const c of checks) it(c.name, () => c.run(), timeout);
      });
    }
  });
}
