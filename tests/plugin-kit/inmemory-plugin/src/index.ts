/**
 * Keeps every signal in memory and answers the whole unified query model. Written from
 * @obstack/plugin-api's README and the plugin template only, as a third party would.
 */
import {
  definePlugin,
  PLUGIN_API_VERSION,
  PluginError,
  type Attributes,
  type CallContext,
  type PluginInstance,
  type WriteBatch,
  type WriteResult,
} from '@obstack/plugin-api';
import { queryCost } from './cost';
import { queryLogs } from './logs';
import { labelNames, labelValues, metricNames, operations, services } from './metadata';
import { queryMetrics } from './metrics';
import { queryRum } from './rum';
import { emptyStore, type TenantStore } from './store';
import { getTrace, searchTraces, serviceStats } from './traces';

export interface InMemoryConfig {
  maxItemsPerTenant: number;
  /** Attribute keys removed from logs, spans and RUM events as they are written. */
  dropAttributes: string[];
}

const ATTRIBUTE_KEY = /^[\w.-]+$/;

const all = { read: true, write: true, stability: 'beta' } as const;

export const plugin = definePlugin({
  id: 'acme-inmemory',
  name: 'Acme in-memory store',
  description: 'Keeps every signal in memory. For demos and tests; data is gone on restart.',
  version: '1.0.0',
  apiVersion: `^${PLUGIN_API_VERSION}`,
  capabilities: { logs: all, metrics: all, traces: all, rum: all, cost: all },
  configSchema: {
    type: 'object',
    properties: {
      maxItemsPerTenant: {
        type: 'integer',
        title: 'Items kept per tenant and signal',
        description: 'The oldest are dropped first.',
        default: 1_000_000,
        minimum: 1,
      },
      dropAttributes: {
        type: 'array',
        title: 'Attributes to drop',
        description: 'Attribute keys never stored, e.g. user.email.',
        items: { type: 'string' },
        default: [],
        maxItems: 50,
      },
      accessKey: {
        type: 'string',
        title: 'Access key',
        description: 'Shown in nothing; proves secrets reach the plugin.',
        format: 'password',
        minLength: 8,
      },
    },
    required: ['accessKey'],
  },
  secretFields: ['accessKey'],
  create(config: InMemoryConfig, secrets): PluginInstance {
    // The schema cannot say what an attribute key looks like inside a list; check it here
    // so the settings page can point at the field.
    const badKey = config.dropAttributes.find((k) => !ATTRIBUTE_KEY.test(k));
    if (badKey !== undefined) {
      throw new PluginError(`dropAttributes: ${JSON.stringify(badKey)} is not an attribute key`, { source: 'config', field: 'dropAttributes' });
    }
    if (secrets.accessKey === undefined) {
      throw new PluginError('accessKey: is required', { source: 'config', field: 'accessKey' });
    }

    const tenants = new Map<string, TenantStore>();
    let seq = 0;
    const read = (ctx: CallContext) => {
      ctx.signal.throwIfAborted();
      return tenants.get(ctx.tenantId);
    };
    const drop = <T extends { attributes: Attributes }>(item: T): T => {
      const copy = structuredClone(item);
      for (const key of config.dropAttributes) delete copy.attributes[key];
      return copy;
    };
    const cap = <T>(list: T[]) => list.splice(0, Math.max(0, list.length - config.maxItemsPerTenant));

    return {
      async checkHealth(ctx) {
        ctx.signal.throwIfAborted();
        return { status: 'ok', message: `In memory: ${tenants.size} tenant(s)` };
      },

      async write(batch: WriteBatch, ctx): Promise<WriteResult> {
        ctx.signal.throwIfAborted();
        let store = tenants.get(ctx.tenantId);
        if (store === undefined) tenants.set(ctx.tenantId, (store = emptyStore()));
        // Batch ids are per tenant and per signal stream: a redelivery stores nothing.
        const id = `${batch.signal}\u0000${batch.id}`;
        if (store.batchIds.has(id)) return { accepted: 0, duplicate: true };
        switch (batch.signal) {
          case 'logs':
            for (const record of batch.records) store.logs.push({ record: drop(record), seq: seq++ });
            cap(store.logs);
            break;
          case 'traces':
            store.spans.push(...batch.spans.map(drop));
            cap(store.spans);
            break;
          case 'metrics':
            store.points.push(...structuredClone(batch.points));
            cap(store.points);
            break;
          case 'rum':
            store.rum.push(...batch.events.map(drop));
            cap(store.rum);
            break;
          case 'cost':
            store.cost.push(...structuredClone(batch.allocations));
            cap(store.cost);
            break;
        }
        store.batchIds.add(id);
        return { accepted: batchItems(batch) };
      },

      queryLogs: async (query, ctx) => queryLogs(read(ctx), query),
      queryMetrics: async (query, ctx) => queryMetrics(read(ctx), query),
      getTrace: async (traceId, ctx) => getTrace(read(ctx), traceId),
      searchTraces: async (query, ctx) => searchTraces(read(ctx), query),
      serviceStats: async (range, ctx) => serviceStats(read(ctx), range),
      queryRum: async (query, ctx) => queryRum(read(ctx), query),
      queryCost: async (query, ctx) => queryCost(read(ctx), query),
      services: async (query, ctx) => services(read(ctx), query),
      operations: async (query, ctx) => operations(read(ctx), query),
      labelNames: async (signal, query, ctx) => labelNames(read(ctx), signal, query),
      labelValues: async (signal, name, query, ctx) => labelValues(read(ctx), signal, name, query),
      metricNames: async (query, ctx) => metricNames(read(ctx), query),

      async dispose() {
        tenants.clear();
      },
    };
  },
});

export default plugin;

function batchItems(batch: WriteBatch): number {
  switch (batch.signal) {
    case 'logs':
      return batch.records.length;
    case 'traces':
      return batch.spans.length;
    case 'metrics':
      return batch.points.length;
    case 'rum':
      return batch.events.length;
    case 'cost':
      return batch.allocations.length;
  }
}
