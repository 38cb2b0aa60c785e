import { and, asc, eq } from 'drizzle-orm';
import { type ConfigSchema, type HealthResult, SIGNALS, type Signal, prepareConfig } from '@obstack/plugin-api';
import { type DataSource, type Database, dataSources, tenants } from '@obstack/db';
import { AppError, conflict, isUniqueViolation, notFound } from '../errors';
import type { GuardState } from './guard';
import type { InstanceSpec, PluginHost, RoutedSource } from './host';
import type { SecretBox } from './secrets';

export const BUILTIN_ID = 'builtin';

export interface Routing {
  query: Signal[];
  write: Signal[];
}

/** What Settings shows of a data source: never its secrets, only which ones are set. */
export interface DataSourceView {
  id: string;
  name: string;
  pluginId: string;
  pluginName: string;
  builtin: boolean;
  config: Record<string, unknown>;
  secretsSet: string[];
  query: Signal[];
  write: Signal[];
  allowInternalAddresses: boolean;
  timeoutMs: number;
  state: (GuardState & { pluginId: string }) | null;
  updatedAt: string | null;
}

export interface DataSourceInput {
  name: string;
  pluginId: string;
  config: Record<string, unknown>;
  /** New secret values; a secret left out keeps its stored value. */
  secrets: Record<string, string>;
  query: Signal[];
  write: Signal[];
  allowInternalAddresses: boolean;
  timeoutMs: number;
}

function onlySignals(values: unknown): Signal[] {
  return Array.isArray(values) ? SIGNALS.filter((s) => values.includes(s)) : [];
}

/**
 * Tenants' data sources (rows) plus the built-in store (shared, configured by the operator)
 * and how each tenant routes signals to them. The built-in store answers and stores every
 * signal it supports unless the tenant turned that off.
 */
export class DataSourceService {
  private readonly routeCache = new Map<string, { at: number; value: Promise<RoutedSource[]> }>();

  constructor(
    private readonly db: Database,
    private readonly host: PluginHost,
    private readonly box: SecretBox,
    readonly builtin: InstanceSpec | undefined,
  ) {}

  private specOf(row: DataSource): InstanceSpec {
    return {
      id: row.id,
      name: row.name,
      pluginId: row.pluginId,
      version: String(row.updatedAt.getTime()),
      config: row.config,
      secrets: this.box.open(row.secretsEnc),
      allowInternalAddresses: row.allowInternalAddresses,
      timeoutMs: row.timeoutMs,
      maxConcurrency: row.maxConcurrency,
    };
  }

  private async builtinRouting(tenantId: string): Promise<Routing> {
    const [t] = await this.db.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, tenantId)).limit(1);
    const saved = (t?.settings as { builtinRouting?: Partial<Routing> } | undefined)?.builtinRouting;
    const pluginId = this.builtin?.pluginId ?? '';
    return {
      query: saved?.query ? onlySignals(saved.query) : this.host.readable(pluginId),
      write: saved?.write ? onlySignals(saved.write) : this.host.writable(pluginId),
    };
  }

  /** The sources a tenant's queries and writes go to. */
  async routed(tenantId: string): Promise<RoutedSource[]> {
    const out: RoutedSource[] = [];
    if (this.builtin) {
      const r = await this.builtinRouting(tenantId);
      out.push({ spec: this.builtin, ...this.clamp(this.builtin.pluginId, r) });
    }
    const rows = await this.db.select().from(dataSources).where(eq(dataSources.tenantId, tenantId)).orderBy(asc(dataSources.createdAt));
    for (const row of rows) {
      out.push({ spec: this.specOf(row), ...this.clamp(row.pluginId, { query: onlySignals(row.querySignals), write: onlySignals(row.writeSignals) }) });
    }
    return out;
  }

  /**
   * `routed`, cached for a few seconds, for the ingest hot path. Changes made by this
   * process apply at once; those made by another process within the cache time.
   */
  routedCached(tenantId: string, ttlMs = 5_000): Promise<RoutedSource[]> {
    const hit = this.routeCache.get(tenantId);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = this.routed(tenantId);
    value.catch(() => this.routeCache.delete(tenantId));
    if (this.routeCache.size > 10_000) this.routeCache.clear();
    this.routeCache.set(tenantId, { at: Date.now(), value });
    return value;
  }

  private invalidate(tenantId: string) {
    this.routeCache.delete(tenantId);
  }

  private clamp(pluginId: string, r: Routing): Routing {
    const readable = this.host.readable(pluginId);
    const writable = this.host.writable(pluginId);
    return { query: r.query.filter((s) => readable.includes(s)), write: r.write.filter((s) => writable.includes(s)) };
  }

  async list(tenantId: string): Promise<DataSourceView[]> {
    const states = this.host.states();
    const routed = await this.routed(tenantId);
    return routed.map(({ spec, query, write }) => {
      const plugin = this.host.registry.get(spec.pluginId);
      return {
        id: spec.id,
        name: spec.name,
        pluginId: spec.pluginId,
        pluginName: plugin?.definition.name ?? `${spec.pluginId} (not installed)`,
        builtin: spec.id === BUILTIN_ID,
        // The built-in store's connection is the operator's business, not the tenant's.
        config: spec.id === BUILTIN_ID ? {} : spec.config,
        secretsSet: spec.id === BUILTIN_ID ? [] : Object.keys(spec.secrets),
        query,
        write,
        allowInternalAddresses: spec.allowInternalAddresses,
        timeoutMs: spec.timeoutMs,
        state: states.get(spec.id) ?? null,
        // A tenant's source's version is its row's updated_at in ms; the built-in store's is not a time.
        updatedAt: spec.id === BUILTIN_ID ? null : new Date(Number(spec.version)).toISOString(),
      };
    });
  }

  private async row(tenantId: string, id: string): Promise<DataSource> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Data source not found');
    const [row] = await this.db
      .select()
      .from(dataSources)
      .where(and(eq(dataSources.id, id), eq(dataSources.tenantId, tenantId)))
      .limit(1);
    if (!row) throw notFound('Data source not found');
    return row;
  }

  /** Validates against the plugin's schema; errors name the field as `config.<field>`. */
  private validate(input: DataSourceInput, existingSecrets: Record<string, string>) {
    const plugin = this.host.registry.get(input.pluginId);
    if (!plugin) throw new AppError(400, 'unknown_plugin', `No installed plugin "${input.pluginId}"`, 'pluginId');
    // Its data directory option reaches the server's disk: the built-in store is the operator's to configure.
    if (this.builtin && input.pluginId === this.builtin.pluginId) {
      throw new AppError(403, 'operator_only', 'The built-in store is configured by the operator, not per tenant', 'pluginId');
    }
    const name = input.name.trim();
    if (!name) throw new AppError(400, 'invalid', 'Name is required', 'name');
    if (name.length > 100) throw new AppError(400, 'invalid', 'Name must be at most 100 characters', 'name');
    const secretFields = plugin.definition.secretFields ?? [];
    const secrets: Record<string, string> = {};
    for (const f of secretFields) {
      const v = input.secrets[f] || existingSecrets[f];
      if (v) secrets[f] = v;
    }
    const prepared = prepareConfig(plugin.definition, input.config, secrets);
    if (!prepared.ok) {
      const first = prepared.issues[0];
      const title = first ? plugin.definition.configSchema.properties[first.field]?.title : undefined;
      // "url: must be an http(s) URL" reads better beside the field as "PostgreSQL URL must be ...".
      const message = first ? (title ? `${title} ${first.message.replace(/^[^:]+:\s*/, '')}` : first.message) : 'Invalid settings';
      throw new AppError(400, 'invalid_config', message, `config.${first?.field ?? ''}`);
    }
    const { query, write } = this.clamp(input.pluginId, input);
    if (input.timeoutMs < 1_000 || input.timeoutMs > 120_000) {
      throw new AppError(400, 'invalid', 'Timeout must be between 1000 and 120000 ms', 'timeoutMs');
    }
    return { name, config: prepared.config as Record<string, unknown>, secrets: prepared.secrets, query, write };
  }

  async create(tenantId: string, input: DataSourceInput, createdBy: string | null): Promise<DataSourceView> {
    const v = this.validate(input, {});
    try {
      const [row] = await this.db
        .insert(dataSources)
        .values({
          tenantId,
          name: v.name,
          pluginId: input.pluginId,
          config: v.config,
          secretsEnc: Object.keys(v.secrets).length ? this.box.seal(v.secrets) : null,
          querySignals: v.query,
          writeSignals: v.write,
          allowInternalAddresses: input.allowInternalAddresses,
          timeoutMs: input.timeoutMs,
          createdBy,
        })
        .returning();
      if (!row) throw new Error('insert returned no data source');
      this.invalidate(tenantId);
      return (await this.list(tenantId)).find((d) => d.id === row.id)!;
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('name_taken', `A data source named "${v.name}" already exists`, 'name');
      throw e;
    }
  }

  async update(tenantId: string, id: string, input: Omit<DataSourceInput, 'pluginId'>): Promise<void> {
    const row = await this.row(tenantId, id);
    const v = this.validate({ ...input, pluginId: row.pluginId }, this.box.open(row.secretsEnc));
    try {
      await this.db
        .update(dataSources)
        .set({
          name: v.name,
          config: v.config,
          secretsEnc: Object.keys(v.secrets).length ? this.box.seal(v.secrets) : null,
          querySignals: v.query,
          writeSignals: v.write,
          allowInternalAddresses: input.allowInternalAddresses,
          timeoutMs: input.timeoutMs,
          updatedAt: new Date(),
        })
        .where(and(eq(dataSources.id, id), eq(dataSources.tenantId, tenantId)));
      this.invalidate(tenantId);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('name_taken', `A data source named "${v.name}" already exists`, 'name');
      throw e;
    }
  }

  async remove(tenantId: string, id: string): Promise<string> {
    const row = await this.row(tenantId, id);
    await this.db.delete(dataSources).where(and(eq(dataSources.id, id), eq(dataSources.tenantId, tenantId)));
    this.host.forget(id);
    this.invalidate(tenantId);
    return row.name;
  }

  async setBuiltinRouting(tenantId: string, routing: Routing): Promise<void> {
    const [t] = await this.db.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, tenantId)).limit(1);
    const settings = { ...(t?.settings ?? {}), builtinRouting: { query: onlySignals(routing.query), write: onlySignals(routing.write) } };
    await this.db.update(tenants).set({ settings, updatedAt: new Date() }).where(eq(tenants.id, tenantId));
    this.invalidate(tenantId);
  }

  /** "Test": the saved data source's health, through its live instance. */
  async test(tenantId: string, id: string): Promise<HealthResult> {
    if (id === BUILTIN_ID) {
      if (!this.builtin) return { status: 'error', message: 'The built-in store is not configured' };
      return this.host.check(this.builtin, tenantId);
    }
    return this.host.check(this.specOf(await this.row(tenantId, id)), tenantId);
  }

  /** "Test" before saving: the settings in the form, with stored secrets filling blanks on edit. */
  async testDraft(tenantId: string, input: DataSourceInput, existingId?: string): Promise<HealthResult> {
    const existing = existingId ? this.box.open((await this.row(tenantId, existingId)).secretsEnc) : {};
    let v: ReturnType<DataSourceService['validate']>;
    try {
      v = this.validate(input, existing);
    } catch (e) {
      return { status: 'error', message: e instanceof Error ? e.message : String(e) };
    }
    return this.host.checkDraft(
      {
        id: existingId ?? 'new',
        name: v.name,
        pluginId: input.pluginId,
        config: v.config,
        secrets: v.secrets,
        allowInternalAddresses: input.allowInternalAddresses,
        timeoutMs: input.timeoutMs,
        maxConcurrency: 2,
      },
      tenantId,
    );
  }

  pluginSchema(pluginId: string): { schema: ConfigSchema; secretFields: string[] } | undefined {
    const p = this.host.registry.get(pluginId);
    return p ? { schema: p.definition.configSchema, secretFields: p.definition.secretFields ?? [] } : undefined;
  }
}
