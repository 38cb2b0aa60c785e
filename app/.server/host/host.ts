import {
  type CallContext,
  type HealthResult,
  type PluginInstance,
  type PluginLogger,
  type Signal,
  type WriteBatch,
  type WriteResult,
  PluginError,
  SIGNALS,
  formatConfigIssues,
  isPluginError,
  prepareConfig,
} from '@obstack/plugin-api';
import type { Logger } from '../log';
import { CallGuard, type GuardState, errorSource } from './guard';
import { createGuardedFetch } from './guarded-fetch';
import type { LoadedPlugin, PluginRegistry } from './registry';

/** Everything needed to build (or rebuild) one plugin instance. */
export interface InstanceSpec {
  /** Data source id, or `builtin` for the store shared by all tenants. */
  id: string;
  name: string;
  pluginId: string;
  /** Changes whenever the settings change; a new value rebuilds the instance. */
  version: string;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  allowInternalAddresses: boolean;
  timeoutMs: number;
  maxConcurrency: number;
}

/** A data source as the host routes to it for one tenant. */
export interface RoutedSource {
  spec: InstanceSpec;
  /** Signals it answers queries for (intersected with what the plugin can read). */
  query: Signal[];
  /** Signals the pipeline writes to it (intersected with what the plugin can write). */
  write: Signal[];
}

export interface SourceError {
  dataSourceId: string;
  dataSourceName: string;
  source: 'plugin' | 'downstream' | 'config';
  message: string;
  retryable: boolean;
}

interface Managed {
  version: string;
  plugin: LoadedPlugin;
  instance: Promise<PluginInstance>;
  guard: CallGuard;
  /** The instance's logger, made once: every call's context hands out the same one. */
  logger: PluginLogger;
  calls: number;
  retired: boolean;
}

function toSourceError(spec: InstanceSpec, e: unknown): SourceError {
  return {
    dataSourceId: spec.id,
    dataSourceName: spec.name,
    source: errorSource(e),
    message: e instanceof Error ? e.message : String(e),
    retryable: isPluginError(e) ? e.retryable : false,
  };
}

export { toSourceError };

/**
 * Owns plugin instances: one per data-source config, rebuilt when the config changes
 * and disposed once the calls running on the old one have finished. Every call goes
 * through the instance's guard (deadline, concurrency, circuit breaker) with a context
 * that carries the caller's tenant — the only place plugins get it from.
 */
export class PluginHost {
  private readonly managed = new Map<string, Managed>();
  private closed = false;

  constructor(
    readonly registry: PluginRegistry,
    private readonly log: Logger,
  ) {}

  capabilities(pluginId: string) {
    return this.registry.get(pluginId)?.definition.capabilities;
  }

  /** Signals `pluginId` can read / write. */
  readable(pluginId: string): Signal[] {
    const caps = this.capabilities(pluginId);
    return caps ? SIGNALS.filter((s) => caps[s]?.read) : [];
  }

  writable(pluginId: string): Signal[] {
    const caps = this.capabilities(pluginId);
    return caps ? SIGNALS.filter((s) => caps[s]?.write) : [];
  }

  private managedFor(spec: InstanceSpec): Managed {
    if (this.closed) throw new PluginError('Obstack is shutting down', { source: 'plugin', retryable: true });
    const current = this.managed.get(spec.id);
    if (current && current.version === spec.version) return current;
    const plugin = this.registry.get(spec.pluginId);
    if (!plugin) {
      throw new PluginError(`The plugin "${spec.pluginId}" of ${spec.name} is not installed or was refused at start`, {
        source: 'config',
      });
    }
    const prepared = prepareConfig(plugin.definition, spec.config, spec.secrets);
    if (!prepared.ok) {
      throw new PluginError(`${spec.name} is misconfigured: ${formatConfigIssues(prepared.issues)}`, {
        source: 'config',
        field: prepared.issues[0]?.field,
      });
    }
    const logger = this.pluginLogger(spec);
    const instance = Promise.resolve()
      .then(() =>
        plugin.definition.create(prepared.config, prepared.secrets, {
          dataSourceId: spec.id,
          logger,
          fetch: createGuardedFetch({ allowInternal: spec.allowInternalAddresses }),
        }),
      )
      .catch((e: unknown) => {
        // A failed build is forgotten so the next call tries again (the backend may be back).
        if (this.managed.get(spec.id)?.instance === instance) this.managed.delete(spec.id);
        throw e;
      });
    const next: Managed = {
      version: spec.version,
      plugin,
      instance,
      guard: new CallGuard(spec.name, { maxConcurrency: spec.maxConcurrency }),
      logger,
      calls: 0,
      retired: false,
    };
    this.managed.set(spec.id, next);
    if (current) this.retire(current);
    return next;
  }

  private retire(m: Managed) {
    m.retired = true;
    if (m.calls === 0) void this.dispose(m);
  }

  private async dispose(m: Managed) {
    try {
      const instance = await m.instance;
      await instance.dispose?.();
    } catch (e) {
      this.log.warn('plugin dispose failed', { plugin: m.plugin.definition.id, err: e instanceof Error ? e.message : String(e) });
    }
  }

  private pluginLogger(spec: InstanceSpec): PluginLogger {
    return this.log.child({ dataSource: spec.name, plugin: spec.pluginId });
  }

  /**
   * Runs `fn` on the instance for `spec`, as `tenantId`. Errors come back as PluginError
   * (or whatever the plugin threw); the caller decides how to report them per source.
   */
  async call<T>(
    spec: InstanceSpec,
    tenantId: string,
    fn: (instance: PluginInstance, ctx: CallContext) => Promise<T>,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<T> {
    const m = this.managedFor(spec);
    m.calls++;
    try {
      return await m.guard.run(options.timeoutMs ?? spec.timeoutMs, options.signal, async (signal, deadline) => {
        const instance = await m.instance;
        const ctx: CallContext = {
          tenantId,
          signal,
          deadline,
          logger: m.logger,
          fetch: createGuardedFetch({ allowInternal: spec.allowInternalAddresses, signal }),
        };
        return fn(instance, ctx);
      });
    } finally {
      m.calls--;
      if (m.retired && m.calls === 0) void this.dispose(m);
    }
  }

  /** checkHealth through the guard, never throwing: failures become an error result. */
  async check(spec: InstanceSpec, tenantId: string): Promise<HealthResult> {
    try {
      return await this.call(spec, tenantId, (i, ctx) => i.checkHealth(ctx), { timeoutMs: Math.min(spec.timeoutMs, 10_000) });
    } catch (e) {
      return { status: 'error', message: e instanceof Error ? e.message : String(e) };
    }
  }

  /**
   * Health of a config that isn't saved yet (the "Test" button before saving): a
   * throwaway instance, checked and disposed.
   */
  async checkDraft(spec: Omit<InstanceSpec, 'version'>, tenantId: string): Promise<HealthResult> {
    const probe: InstanceSpec = { ...spec, id: `draft:${spec.id}:${Date.now()}`, version: 'draft' };
    try {
      return await this.check(probe, tenantId);
    } finally {
      const m = this.managed.get(probe.id);
      this.managed.delete(probe.id);
      if (m) this.retire(m);
    }
  }

  /**
   * The pipeline's sink: writes the batch to every source routed for its signal. Resolves
   * only when all of them stored it; otherwise throws, so the bus redelivers (sinks are
   * idempotent per batch id, so the ones that did succeed skip it next time).
   */
  async write(sources: RoutedSource[], tenantId: string, batch: WriteBatch): Promise<Array<{ id: string; result: WriteResult }>> {
    const sinks = sources.filter((s) => s.write.includes(batch.signal));
    if (sinks.length === 0) {
      throw new PluginError(`No data source stores ${batch.signal} for this tenant`, { source: 'config' });
    }
    const results = await Promise.allSettled(
      sinks.map((s) =>
        this.call(s.spec, tenantId, (i, ctx) => {
          if (!i.write) throw new PluginError(`${s.spec.name} cannot store data`, { source: 'config' });
          return i.write(batch, ctx);
        }),
      ),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [toSourceError(sinks[i]!.spec, r.reason)] : []));
    if (failed.length) {
      throw new PluginError(failed.map((f) => `${f.dataSourceName}: ${f.message}`).join('; '), {
        source: failed.every((f) => f.source === 'config') ? 'config' : 'downstream',
        retryable: failed.some((f) => f.retryable),
      });
    }
    return results.map((r, i) => ({ id: sinks[i]!.spec.id, result: (r as PromiseFulfilledResult<WriteResult>).value }));
  }

  /** Guard state per instance id, for health and Settings. */
  states(): Map<string, GuardState & { pluginId: string }> {
    const out = new Map<string, GuardState & { pluginId: string }>();
    for (const [id, m] of this.managed) out.set(id, { ...m.guard.state(), pluginId: m.plugin.definition.id });
    return out;
  }

  /** Drops the instance of a deleted data source. */
  forget(id: string): void {
    const m = this.managed.get(id);
    if (!m) return;
    this.managed.delete(id);
    this.retire(m);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.managed.values()];
    this.managed.clear();
    await Promise.all(all.map((m) => this.dispose(m)));
  }
}
