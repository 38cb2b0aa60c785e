import { definePlugin, type PluginInstance, type PluginLogger } from '@obstack/plugin-api';
import { configSchema, resolveConfig, secretFields, type PostgresStoreConfig } from './config';
import { getTrace, searchTraces, serviceStats } from './read-traces';
import { labelNames, labelValues, metricNames, operations, services } from './read-metadata';
import { queryLogs } from './read-logs';
import { queryMetrics } from './read-metrics';
import { queryRum } from './read-rum';
import { Store, type MaintenanceOptions, type MaintenanceResult, type RetentionOptions, type RetentionResult } from './store';

export const VERSION = '0.0.0';

/** The instance `create` returns: every method of the contract but cost and native queries, plus the store's own jobs. */
export interface PostgresStoreInstance extends Required<Omit<PluginInstance, 'queryCost' | 'queryNative'>> {
  /** Drops whole days older than `retentionDays`, and older rows of tenants that keep less. */
  retention(options?: RetentionOptions): Promise<RetentionResult>;
  /** Retention, then cold indexes on finished days and BRIN summaries: call it hourly. */
  maintenance(options?: MaintenanceOptions): Promise<MaintenanceResult>;
}

const silentLogger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };

const STORE = Symbol.for('obstack.plugin-postgres.store');

/** The store behind an instance this plugin created (for benchmarks and tests). */
export function storeOf(instance: PluginInstance): Store {
  const store = (instance as unknown as Record<symbol, unknown>)[STORE];
  if (!(store instanceof Store)) throw new TypeError('Not an instance of the built-in store (@obstack/plugin-postgres)');
  return store;
}

export function createInstance(config: PostgresStoreConfig, secrets: Record<string, string> = {}, logger: PluginLogger = silentLogger): PostgresStoreInstance {
  const store = new Store(resolveConfig(config, secrets), logger);
  const instance: PostgresStoreInstance = {
    checkHealth: (ctx) => store.health(ctx.signal),
    write: (batch, ctx) => store.write(batch, ctx.tenantId, ctx.signal),
    queryLogs: (q, ctx) => store.read(ctx.tenantId, ctx.signal, 'searching logs', { records: [] }, (rc) => queryLogs(rc, q)),
    queryMetrics: (q, ctx) => store.read(ctx.tenantId, ctx.signal, 'querying metrics', { series: [] }, (rc) => queryMetrics(rc, q)),
    getTrace: (traceId, ctx) => store.read(ctx.tenantId, ctx.signal, 'reading a trace', null, (rc) => getTrace(rc, traceId)),
    searchTraces: (q, ctx) => store.read(ctx.tenantId, ctx.signal, 'searching traces', { traces: [] }, (rc) => searchTraces(rc, q)),
    serviceStats: (range, ctx) => store.read(ctx.tenantId, ctx.signal, 'computing service stats', [], (rc) => serviceStats(rc, range)),
    queryRum: (q, ctx) =>
      store.read(ctx.tenantId, ctx.signal, 'querying RUM events', q.groupBy && q.groupBy.length > 0 ? { events: [], groups: [] } : { events: [] }, (rc) => queryRum(rc, q)),
    services: (q, ctx) => store.read(ctx.tenantId, ctx.signal, 'listing services', [], (rc) => services(rc, q)),
    operations: (q, ctx) => store.read(ctx.tenantId, ctx.signal, 'listing operations', [], (rc) => operations(rc, q)),
    labelNames: (signal, q, ctx) => store.read(ctx.tenantId, ctx.signal, 'listing label names', [], (rc) => labelNames(rc, signal, q)),
    labelValues: (signal, name, q, ctx) => store.read(ctx.tenantId, ctx.signal, 'listing label values', [], (rc) => labelValues(rc, signal, name, q)),
    metricNames: (q, ctx) => store.read(ctx.tenantId, ctx.signal, 'listing metric names', [], (rc) => metricNames(rc, q)),
    retention: (options) => store.retention(options),
    maintenance: (options) => store.maintenance(options),
    dispose: () => store.dispose(),
  };
  Object.defineProperty(instance, STORE, { value: store });
  return instance;
}

const signal = { read: true, write: true, stability: 'beta' } as const;

export const postgresPlugin = definePlugin<PostgresStoreConfig>({
  id: 'postgres',
  name: 'Built-in store',
  description: 'Logs, metrics, traces and RUM events in PostgreSQL, or in an embedded PGlite database when there is no server.',
  version: VERSION,
  apiVersion: '^1.0.0',
  capabilities: { logs: signal, metrics: signal, traces: signal, rum: signal },
  configSchema,
  secretFields,
  create: (config, secrets, ctx) => createInstance(config, secrets, ctx.logger),
});
