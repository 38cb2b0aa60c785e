import type { Signal, Trace, WriteBatch, WriteResult } from './model';
import type {
  CostQuery,
  CostResult,
  LogsQuery,
  LogsResult,
  MetadataQuery,
  MetricsQuery,
  MetricsResult,
  NativeLanguage,
  NativeQuery,
  NativeResult,
  RumQuery,
  RumResult,
  ServiceStats,
  TimeRange,
  TracesQuery,
  TracesResult,
} from './query';
import type { ConfigSchema } from './config-schema';

/** The version of this contract. Plugins declare the range of it they work with. */
export const PLUGIN_API_VERSION = '1.0.0';

export type Stability = 'experimental' | 'beta' | 'stable';

export interface SignalCapability {
  read?: boolean;
  write?: boolean;
  stability: Stability;
}

/** What a plugin can do, as data: the host routes queries and writes by it. */
export interface Capabilities {
  logs?: SignalCapability;
  metrics?: SignalCapability;
  traces?: SignalCapability;
  rum?: SignalCapability;
  cost?: SignalCapability;
  /** Native query languages it accepts through `queryNative`. */
  native?: NativeLanguage[];
}

export interface PluginLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * `fetch` as the host hands it to plugins: it aborts at the call's deadline and, unless
 * the data source allows private networks, refuses loopback, link-local and cloud
 * metadata addresses (checked on the resolved IP, so DNS tricks don't get around it).
 */
export type PluginFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Given to `create`: lives as long as the instance. */
export interface CreateContext {
  /** The data source this instance serves (stable across config edits). */
  dataSourceId: string;
  logger: PluginLogger;
  fetch: PluginFetch;
}

/** Given to every call: who is asking, and until when. */
export interface CallContext {
  /** The tenant whose data this call may read or write. Never take it from anywhere else. */
  tenantId: string;
  /** Aborted at the deadline or when the caller gives up; pass it to every I/O. */
  signal: AbortSignal;
  /** Epoch ms by which the call must have answered. */
  deadline: number;
  logger: PluginLogger;
  fetch: PluginFetch;
}

export interface HealthResult {
  status: 'ok' | 'degraded' | 'error';
  /** One sentence for the Settings page ("Connected to Loki 3.1.0", "401 from /ready: check the token"). */
  message: string;
  details?: Record<string, unknown>;
}

/**
 * What `create` returns. Every method but `checkHealth` is optional; implement those
 * your capabilities declare. Methods must honour `ctx.signal` (a call whose signal is
 * aborted rejects, with `ctx.signal.reason` or a PluginError, instead of answering late)
 * and must only ever return data written for `ctx.tenantId`.
 */
export interface PluginInstance {
  checkHealth(ctx: CallContext): Promise<HealthResult>;
  /** The sink for batches from the ingest pipeline. Must be idempotent per `batch.id`. */
  write?(batch: WriteBatch, ctx: CallContext): Promise<WriteResult>;
  queryLogs?(query: LogsQuery, ctx: CallContext): Promise<LogsResult>;
  queryMetrics?(query: MetricsQuery, ctx: CallContext): Promise<MetricsResult>;
  getTrace?(traceId: string, ctx: CallContext): Promise<Trace | null>;
  searchTraces?(query: TracesQuery, ctx: CallContext): Promise<TracesResult>;
  /** Request rate, error rate and latency percentiles per service, from spans. */
  serviceStats?(range: TimeRange, ctx: CallContext): Promise<ServiceStats[]>;
  queryRum?(query: RumQuery, ctx: CallContext): Promise<RumResult>;
  queryCost?(query: CostQuery, ctx: CallContext): Promise<CostResult>;
  queryNative?(query: NativeQuery, ctx: CallContext): Promise<NativeResult>;
  services?(query: MetadataQuery, ctx: CallContext): Promise<string[]>;
  operations?(query: MetadataQuery, ctx: CallContext): Promise<string[]>;
  labelNames?(signal: Signal, query: MetadataQuery, ctx: CallContext): Promise<string[]>;
  labelValues?(signal: Signal, name: string, query: MetadataQuery, ctx: CallContext): Promise<string[]>;
  metricNames?(query: MetadataQuery, ctx: CallContext): Promise<string[]>;
  /** Drop connections and timers. Called once, when the data source changes or the host stops. */
  dispose?(): Promise<void>;
}

export type PluginConfig = Record<string, unknown>;
export type PluginSecrets = Record<string, string>;

/**
 * `C` is the shape of the validated config `create` receives. Any object type works,
 * including an interface (which `PluginConfig`'s index signature would not accept).
 */
export interface PluginDefinition<C extends object = PluginConfig> {
  /** Stable and unique: 2-63 lowercase letters, digits and dashes, starting with a letter (`loki`, `acme-inmemory`). */
  id: string;
  name: string;
  description?: string;
  /** The plugin's own version (semver). */
  version: string;
  /** Range of PLUGIN_API_VERSION it works with, e.g. `^1.0.0`. */
  apiVersion: string;
  capabilities: Capabilities;
  /** JSON-Schema-style description of the config: validated by the host, rendered as the settings form. */
  configSchema: ConfigSchema;
  /** Config properties that are secrets: stored encrypted, never shown again, passed as `secrets`. */
  secretFields?: string[];
  create(config: C, secrets: PluginSecrets, ctx: CreateContext): PluginInstance | Promise<PluginInstance>;
}

export type { Signal, WriteBatch, WriteResult };
