import { expect } from 'vitest';
import { isCompatibleApiVersion, validatePluginDefinition } from '../../define';
import { isPluginError } from '../../errors';
import { batchSize, SIGNALS, type Signal, type WriteBatch } from '../../model';
import { PLUGIN_API_VERSION, type CallContext, type PluginInstance } from '../../plugin';
import { prepareConfig } from '../../validate-config';
import { createAbortedContext, createTestContext, createTestCreateContext } from '../context';
import type { ConformanceDataset } from '../dataset';
import {
  check,
  contextFor,
  CORE_READ_METHODS,
  implemented,
  method,
  requireLoaded,
  type BadConfig,
  type ConformanceCheck,
  type ConformanceState,
} from '../state';

export function definitionChecks(state: ConformanceState): ConformanceCheck[] {
  const def = state.definition;
  const checks = [
    check('definition', 'is a valid plugin definition', async () => {
      expect(validatePluginDefinition(def), 'problems with the definition').toEqual([]);
    }),
    check('definition', `apiVersion accepts this plugin API (${PLUGIN_API_VERSION})`, async () => {
      expect(isCompatibleApiVersion(def.apiVersion), `apiVersion ${def.apiVersion} must include ${PLUGIN_API_VERSION}`).toBe(true);
    }),
  ];
  for (const signal of SIGNALS) {
    const cap = def.capabilities[signal];
    if (cap?.read) {
      checks.push(
        check('definition', `declares ${signal} read: implements ${CORE_READ_METHODS[signal].join(' and ')}`, async () => {
          for (const name of CORE_READ_METHODS[signal]) method(state, name, `a plugin that reads ${signal} must implement`);
        }),
      );
    }
    if (cap?.write) {
      checks.push(
        check('definition', `declares ${signal} write: implements write`, async () => {
          method(state, 'write', `a plugin that writes ${signal} must implement`);
        }),
      );
    }
  }
  if ((def.capabilities.native ?? []).length > 0) {
    checks.push(
      check('definition', 'declares native languages: implements queryNative', async () => {
        method(state, 'queryNative', 'a plugin that declares native languages must implement');
      }),
    );
  }
  return checks;
}

export function configChecks(state: ConformanceState, badConfigs: BadConfig[]): ConformanceCheck[] {
  const def = state.definition;
  return badConfigs.map((bad) =>
    check('config', `rejects a bad ${bad.field} (${JSON.stringify(bad.config)})`, async () => {
      const prepared = prepareConfig(def, bad.config, bad.secrets ?? {});
      if (!prepared.ok) {
        const issue = prepared.issues.find((i) => i.field === bad.field);
        expect(issue, `the config schema rejected it, but for ${JSON.stringify(prepared.issues)}, not ${bad.field}`).toBeDefined();
        expect(issue?.message, 'the message names the field').toContain(bad.field);
        return;
      }
      let error: unknown;
      try {
        const instance = await def.create(prepared.config, prepared.secrets, createTestCreateContext());
        await instance.dispose?.();
      } catch (e) {
        error = e;
      }
      expect(error, `the schema and create() both accepted it; create must throw PluginError({ source: 'config', field: '${bad.field}' })`).toBeDefined();
      const described = isPluginError(error) ? `PluginError source=${error.source} field=${String(error.field)}: ${error.message}` : String(error);
      expect(isPluginError(error) && error.source === 'config' && error.field === bad.field, `create threw ${described}; want a PluginError with source config and field ${bad.field}`).toBe(true);
    }),
  );
}

export function healthChecks(state: ConformanceState): ConformanceCheck[] {
  return [
    check('health', 'checkHealth answers ok with a message', async () => {
      const result = await method(state, 'checkHealth')(contextFor(state, state.a.tenantId));
      expect(result.status, `checkHealth: ${result.message}`).toBe('ok');
      expect(typeof result.message === 'string' && result.message.trim().length > 0, 'checkHealth message is a sentence').toBe(true);
    }),
  ];
}

export function writeChecks(state: ConformanceState): ConformanceCheck[] {
  return [...state.writes].flatMap((signal) => {
    const record = () => {
      requireLoaded(state);
      const r = state.writeLog.get(signal);
      if (r === undefined) throw new Error(`no ${signal} batch was written`);
      return r;
    };
    return [
      check('writes', `${signal}: a new batch is stored (accepted = its items)`, async () => {
        const r = record();
        expect(r.first, `first write of batch ${r.batch.id}`).toEqual({ accepted: batchSize(r.batch), ...(r.first.duplicate === undefined ? {} : { duplicate: false }) });
      }),
      check('writes', `${signal}: writing the same batch id again stores nothing and answers duplicate`, async () => {
        const r = record();
        expect(r.again, `second write of batch ${r.batch.id}`).toEqual({ accepted: 0, duplicate: true });
      }),
      check('writes', `${signal}: the same batch id from another tenant is stored for it`, async () => {
        const r = record();
        expect(r.otherTenant.accepted, `tenant B's batch ${r.otherBatch.id}`).toBe(batchSize(r.otherBatch));
        expect(r.otherTenant.duplicate ?? false, 'batch ids are per tenant').toBe(false);
      }),
    ];
  });
}

interface Probe {
  method: keyof PluginInstance;
  call(instance: PluginInstance, ctx: CallContext): Promise<unknown>;
}

/** One plausible call per implemented method, for abort and deadline checks. */
function probes(state: ConformanceState): Probe[] {
  const data = state.a.data;
  const firstWritten = [...state.writes][0] ?? (SIGNALS.find((s) => state.definition.capabilities[s]?.write) as Signal | undefined);
  const out: Probe[] = [
    { method: 'checkHealth', call: (i, ctx) => i.checkHealth(ctx) },
    { method: 'queryLogs', call: (i, ctx) => i.queryLogs!({ range: data.range, limit: 10, direction: 'backward' }, ctx) },
    { method: 'queryMetrics', call: (i, ctx) => i.queryMetrics!({ range: data.range, metric: data.metricNames.counter, aggregation: 'none', stepMs: 60_000 }, ctx) },
    { method: 'getTrace', call: (i, ctx) => i.getTrace!(data.traces[0]?.traceId ?? '', ctx) },
    { method: 'searchTraces', call: (i, ctx) => i.searchTraces!({ range: data.range, limit: 10 }, ctx) },
    { method: 'serviceStats', call: (i, ctx) => i.serviceStats!(data.range, ctx) },
    { method: 'queryRum', call: (i, ctx) => i.queryRum!({ range: data.range, limit: 10 }, ctx) },
    { method: 'queryCost', call: (i, ctx) => i.queryCost!({ range: data.range, aggregate: 'namespace' }, ctx) },
    { method: 'services', call: (i, ctx) => i.services!({ range: data.range }, ctx) },
    { method: 'operations', call: (i, ctx) => i.operations!({ range: data.range }, ctx) },
    { method: 'labelNames', call: (i, ctx) => i.labelNames!('metrics', { range: data.range }, ctx) },
    { method: 'labelValues', call: (i, ctx) => i.labelValues!('metrics', 'service.name', { range: data.range }, ctx) },
    { method: 'metricNames', call: (i, ctx) => i.metricNames!({ range: data.range }, ctx) },
  ];
  if (firstWritten !== undefined) {
    out.push({ method: 'write', call: (i, ctx) => i.write!(probeBatch(data, firstWritten), ctx) });
  }
  return out.filter((p) => implemented(state, p.method));
}

function probeBatch(data: ConformanceDataset, signal: Signal): WriteBatch {
  const id = `conformance-abort-probe-${data.nowMs}`;
  switch (signal) {
    case 'logs':
      return { id, signal, records: data.logs.slice(0, 1) };
    case 'traces':
      return { id, signal, spans: data.traces[0]?.spans.slice(0, 1) ?? [] };
    case 'metrics':
      return { id, signal, points: data.metrics.slice(0, 1) };
    case 'rum':
      return { id, signal, events: data.rum.slice(0, 1) };
    case 'cost':
      return { id, signal, allocations: data.cost.slice(0, 1) };
  }
}

type Outcome = { settled: 'resolved' | 'rejected'; value: unknown; ms: number } | { settled: 'pending'; ms: number };

async function within(promise: Promise<unknown>, ms: number): Promise<Outcome> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ settled: 'pending', ms: Date.now() - started }), ms);
  });
  const settled = promise.then(
    (value): Outcome => ({ settled: 'resolved', value, ms: Date.now() - started }),
    (value: unknown): Outcome => ({ settled: 'rejected', value, ms: Date.now() - started }),
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Abort and deadline checks run against a tenant of their own, so an aborted write that went through anyway cannot disturb the others. */
export function abortChecks(state: ConformanceState): ConformanceCheck[] {
  return probes(state).flatMap((probe) => [
    check('abort', `${probe.method} rejects within 1 s when the signal is already aborted`, async () => {
      requireLoaded(state);
      const outcome = await within(
        Promise.resolve().then(() => probe.call(state.instance, createAbortedContext(state.scratchTenant))),
        1000,
      );
      expect(outcome.settled, `${probe.method} with an aborted signal ${outcome.settled === 'pending' ? 'was still running after 1 s' : 'answered instead of rejecting'}`).toBe('rejected');
    }),
    check('abort', `${probe.method} answers or rejects within 1 s of a 1 ms deadline`, async () => {
      requireLoaded(state);
      const ctx = createTestContext({ tenantId: state.scratchTenant, timeoutMs: 1 });
      const outcome = await within(
        Promise.resolve().then(() => probe.call(state.instance, ctx)),
        1000,
      );
      expect(outcome.settled, `${probe.method} with a 1 ms deadline was still running after 1 s`).not.toBe('pending');
    }),
  ]);
}
