import type { Signal, WriteBatch, WriteResult } from '../model';
import type { CallContext, PluginConfig, PluginDefinition, PluginInstance, PluginSecrets } from '../plugin';
import { createTestContext } from './context';
import type { ConformanceDataset } from './dataset';

type Resolvable<T> = T | (() => T | Promise<T>);

export interface BadConfig {
  config: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  /** The field the rejection must name. */
  field: string;
}

export interface ConformanceOptions<C extends object = PluginConfig> {
  plugin: PluginDefinition<C>;
  /** A valid config for the instance under test (before defaults; secret fields may go in `secrets`). A function runs after `setup`. */
  config: Resolvable<Record<string, unknown>>;
  secrets?: Resolvable<Record<string, unknown>>;
  /**
   * Configs that must be rejected naming `field`: by the config schema (as the host checks
   * it) or by `create` throwing a PluginError with source `config` and that `field`.
   */
  badConfigs?: BadConfig[];
  /**
   * Loads a dataset into the backend for a tenant, for the signals in `signals`: those the
   * plugin reads but does not write. Called for tenant A and tenant B, each with its own
   * dataset, before any query. Required when such signals exist.
   */
  seed?: (dataset: ConformanceDataset, tenantId: string, signals: Signal[]) => Promise<void>;
  /** Runs before the instance is created (start a fake backend, say). */
  setup?: () => void | Promise<void>;
  /** Runs after the data is written and seeded, before the first query (refresh an index, wait for ingestion). */
  afterLoad?: () => void | Promise<void>;
  /** Runs after the instance is disposed. */
  teardown?: () => void | Promise<void>;
  /** Deadline of each call to the plugin (ms, default 10 000). */
  timeoutMs?: number;
  /** Anchor of the datasets (epoch ms, default: now rounded down to the minute). */
  nowMs?: number;
  /** Tenant ids; default ones unique to this run, so a persistent backend starts empty for them. */
  tenants?: { a: string; b: string };
}

export interface TenantData {
  tenantId: string;
  data: ConformanceDataset;
}

export interface WriteRecord {
  batch: WriteBatch;
  first: WriteResult;
  again: WriteResult;
  /** Tenant B's first batch: the same id as `batch`, other rows. */
  otherTenant: WriteResult;
  otherBatch: WriteBatch;
}

/** Everything a check needs; filled in by the suite as it goes. */
export interface ConformanceState {
  definition: PluginDefinition;
  options: ConformanceOptions<object>;
  instance: PluginInstance;
  config: PluginConfig;
  secrets: PluginSecrets;
  a: TenantData;
  b: TenantData;
  /** For calls that could leave data behind (aborted writes). */
  scratchTenant: string;
  /** Signals declared readable. */
  reads: Set<Signal>;
  /** Signals declared writable whose `write` exists: the kit writes these. */
  writes: Set<Signal>;
  writeLog: Map<Signal, WriteRecord>;
  loaded: boolean;
  timeoutMs: number;
}

export function contextFor(state: ConformanceState, tenantId: string): CallContext {
  return createTestContext({ tenantId, timeoutMs: state.timeoutMs });
}

type Method = Exclude<keyof PluginInstance, 'dispose'>;

/** The instance's method, bound; throws a message naming what is missing when it is not implemented. */
export function method<K extends Method>(state: ConformanceState, name: K, why?: string): NonNullable<PluginInstance[K]> {
  const fn = state.instance[name] as unknown;
  if (typeof fn !== 'function') {
    throw new Error(`plugin ${state.definition.id} does not implement ${name}${why === undefined ? '' : `, which ${why}`}`);
  }
  return ((...args: unknown[]) => (fn as (...a: unknown[]) => unknown).apply(state.instance, args)) as NonNullable<PluginInstance[K]>;
}

export function implemented(state: ConformanceState, name: keyof PluginInstance): boolean {
  return typeof state.instance[name] === 'function';
}

export function requireLoaded(state: ConformanceState): void {
  if (!state.loaded) throw new Error('the conformance dataset was not loaded: see the error of the setup hook');
}

export const CORE_READ_METHODS: Record<Signal, Method[]> = {
  logs: ['queryLogs'],
  metrics: ['queryMetrics'],
  traces: ['getTrace', 'searchTraces'],
  rum: ['queryRum'],
  cost: ['queryCost'],
};

/** JSON that keeps bigints, for searching answers for a marker. */
export function serialize(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? '';
}

/** One assertion of the kit: throws when the plugin does not conform. */
export interface ConformanceCheck {
  group: string;
  name: string;
  run(): Promise<void>;
}

export function check(group: string, name: string, run: () => Promise<void>): ConformanceCheck {
  return { group, name, run };
}

export const MINUTE = 60_000;

/** Slot timestamps of a step query: multiples of step from floor(start / step) * step, before end. */
export function slotTimestamps(startMs: number, endMs: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let t = Math.floor(startMs / stepMs) * stepMs; t < endMs; t += stepMs) out.push(t);
  return out;
}

/** Epoch ms of a nanosecond time, rounded down; exact, unlike flooring nanosToMs near 2^52. */
export function floorMs(t: bigint): number {
  return Number(t / 1_000_000n);
}

/** Epoch ms of a nanosecond time, with the fraction (to about a microsecond). */
export function nanosToMs(t: bigint): number {
  return Number(t / 1_000_000n) + Number(t % 1_000_000n) / 1e6;
}
