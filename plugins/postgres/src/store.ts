import { PluginError, type HealthResult, type PluginLogger, type WriteBatch, type WriteResult } from '@obstack/plugin-api';
import type { ResolvedConfig } from './config';
import { abortError, createPgliteDriver, createPostgresDriver, throwIfAborted, type Driver } from './driver';
import { COLUMNS, encodeBatch, safeJson, type CatalogEntry, type EncodedBatch, type SeriesEntry } from './encode';
import { isAbort, toPluginError } from './errors';
import { DAY_MS, Partitions, coldIndexes, dayOfMs, partitionName } from './partitions';
import type { ReadContext } from './read-context';
import { LATEST_VERSION, TELEMETRY_TABLES, advisoryKey, migrate, quoteIdent, type Extensions, type TelemetryTable } from './schema';

/** A day's partition gets its cold indexes this long after the day ended (late data first). */
export const COLD_AFTER_MS = 60 * 60_000;
/** Rows per DELETE when a tenant's retention is shorter than the store's. */
const DELETE_BATCH = 5_000;
/** Bounded caches of what is known to be in the catalog; a miss only costs an ON CONFLICT. */
const MAX_SEEN = 200_000;

export interface RetentionOptions {
  /** Epoch ms to count back from. Default: now. */
  nowMs?: number;
  /**
   * Tenants that keep less than the store's `retentionDays`: their older rows are deleted
   * in batches. Longer values cannot be honoured (whole days are dropped for everyone).
   */
  tenants?: Array<{ tenantId: string; retentionDays: number }>;
  signal?: AbortSignal;
}

export interface RetentionResult {
  /** Everything before this (epoch ms) is gone or goes with the next whole day. */
  cutoffMs: number;
  droppedPartitions: string[];
  /** Partitions due to go that were locked by a long query (lock_timeout 5 s); the next run drops them. */
  busyPartitions?: string[];
  /** Rows deleted one by one for tenants with a shorter retention. */
  deletedRows: number;
}

export interface MaintenanceOptions extends RetentionOptions {
  /** Run retention first. Default true. */
  retention?: boolean;
}

export interface MaintenanceResult {
  retention?: RetentionResult;
  /** Cold indexes built on partitions whose day is over. */
  indexesBuilt: string[];
  /** True when another process was running maintenance on the same schema: nothing was done. */
  skipped?: true;
}

interface PartitionWrites {
  rows: number;
  analyzedAt: number;
}

export class Store {
  private driverPromise: Promise<Driver> | undefined;
  private driver: Driver | undefined;
  private ext: Extensions = { trgmOps: null, btreeGin: false };
  private partitions: Partitions | undefined;
  private readonly s: string;
  private readonly tenantKeys = new Map<string, number>();
  private readonly catalogSeen = new Set<string>();
  private readonly seriesSeen = new Set<string>();
  private readonly writes = new Map<string, PartitionWrites>();
  private readonly queued = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    readonly config: ResolvedConfig,
    private readonly logger: PluginLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.s = quoteIdent(config.schema);
  }

  /**
   * Connects and migrates once; a failure is not cached, so the next call tries again. A
   * caller whose signal aborts stops waiting (PGlite takes seconds to start) while the
   * opening goes on for the next one.
   */
  ready(signal?: AbortSignal): Promise<Driver> {
    throwIfAborted(signal);
    if (this.disposed) return Promise.reject(new PluginError('The store instance was disposed', { source: 'plugin' }));
    if (!this.driverPromise) {
      this.driverPromise = this.open().catch((e: unknown) => {
        this.driverPromise = undefined;
        throw toPluginError(e, 'opening the store');
      });
    }
    const opening = this.driverPromise;
    if (!signal || this.driver) return opening;
    return new Promise<Driver>((resolve, reject) => {
      const onAbort = () => reject(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      opening.then(
        (driver) => {
          signal.removeEventListener('abort', onAbort);
          resolve(driver);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  private async open(): Promise<Driver> {
    const t = this.config.target;
    const driver =
      t.kind === 'postgres'
        ? await createPostgresDriver({ url: t.url, maxConnections: this.config.maxConnections, ...(t.password === undefined ? {} : { password: t.password }) })
        : await createPgliteDriver({ dataDir: t.dataDir });
    try {
      this.ext = await migrate(driver, this.config.schema);
      const partitions = new Partitions(driver, this.config.schema, this.now);
      await partitions.load();
      this.partitions = partitions;
    } catch (e) {
      await driver.close().catch(() => {});
      throw e;
    }
    this.driver = driver;
    return driver;
  }

  private async tenantKey(tenantId: string, create: boolean, signal?: AbortSignal): Promise<number | undefined> {
    if (typeof tenantId !== 'string' || tenantId === '') throw new PluginError('The call has no tenant', { source: 'plugin' });
    const cached = this.tenantKeys.get(tenantId);
    if (cached !== undefined) return cached;
    const driver = await this.ready(signal);
    const select = async () => (await driver.query<{ k: number }>(`select tenant_key as k from ${this.s}.tenants where tenant_id = $1::text`, [tenantId], signal))[0]?.k;
    let key = await select();
    if (key === undefined && create) {
      const inserted = await driver.query<{ k: number }>(
        `insert into ${this.s}.tenants (tenant_id) values ($1::text) on conflict (tenant_id) do nothing returning tenant_key as k`,
        [tenantId],
        signal,
      );
      key = inserted[0]?.k ?? (await select());
    }
    if (key !== undefined) this.tenantKeys.set(tenantId, Number(key));
    return key === undefined ? undefined : Number(key);
  }

  // ------------------------------------------------------------------------ writes

  async write(batch: WriteBatch, tenantId: string, signal: AbortSignal): Promise<WriteResult> {
    try {
      if (batch.signal === 'cost') throw new PluginError('The built-in store does not keep cost allocations; add a cost data source.', { source: 'plugin' });
      if (typeof batch.id !== 'string' || batch.id === '' || batch.id.includes('\0')) throw new PluginError('The batch has no usable id', { source: 'plugin' });
      const driver = await this.ready(signal);
      const tk = (await this.tenantKey(tenantId, true, signal)) as number;
      const enc = encodeBatch(batch, tk);
      const partitions = this.partitions as Partitions;
      await partitions.ensure(enc.table, enc.days, signal);
      // Sorted, so concurrent batches lock new catalog and series keys in the same order
      // and wait for each other instead of deadlocking.
      const catalog = [...enc.catalog.values()].filter((c) => !this.catalogSeen.has(catalogKey(tk, c))).sort(compareCatalog);
      const series = [...enc.series.values()].filter((x) => !this.seriesSeen.has(seriesKey(tk, x))).sort((a, b) => a.day - b.day || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const params: unknown[] = [tk, batch.signal, batch.id, enc.rows];
      if (catalog.length > 0) params.push(safeJson(catalog));
      if (series.length > 0) params.push(safeJson(series));
      const target = `${this.s}.${enc.table} (${COLUMNS[enc.table].join(', ')})`;
      for (let attempt = 0; ; attempt++) {
        try {
          let fresh = true;
          try {
            const sql = inlineParams(this.batchStatement(catalog.length > 0, series.length > 0), params);
            await driver.execWithCopy(sql, target, enc.rows > 0 ? enc.data : null, signal);
          } catch (e) {
            // The claim fails on the primary key when the id is taken; a concurrent claim of
            // the same id makes this one wait for its outcome first.
            const err = e as { code?: string; constraint?: string; constraint_name?: string };
            if (err.code === '23505' && (err.constraint ?? err.constraint_name) === 'ingested_batches_pkey') fresh = false;
            else throw e;
          }
          if (!fresh) return { accepted: 0, duplicate: true };
          break;
        } catch (e) {
          const code = (e as { code?: string }).code;
          // Another process dropped a partition we still believed in: reload and retry once.
          if (attempt === 0 && code === '23514' && /no partition/i.test(String((e as Error).message))) {
            await partitions.load();
            await partitions.ensure(enc.table, enc.days, signal);
            continue;
          }
          // The whole batch was rolled back, so trying again is safe.
          if (attempt < 2 && (code === '40P01' || code === '40001')) continue;
          throw e;
        }
      }
      this.remember(tk, catalog, series);
      this.afterWrite(enc);
      return { accepted: enc.rows };
    } catch (e) {
      throw toPluginError(e, `storing ${batch.signal}`);
    }
  }

  /**
   * The statement sent before the COPY, in the same message: claims the batch id (a taken
   * id raises a unique violation, which aborts the message, rows included) and records
   * the new catalog and series rows.
   */
  private batchStatement(withCatalog: boolean, withSeries: boolean): string {
    const s = this.s;
    const parts: string[] = [];
    if (withCatalog) {
      parts.push(`c as (insert into ${s}.catalog (tenant_key, day, signal, service_name, name)
        select $1::int4, x.day, x.signal, x.service, x.name
          from rows from (json_to_recordset($5::text::json) as (day int4, signal int2, service text, name text)) with ordinality as x(day, signal, service, name, i)
         order by x.i on conflict do nothing)`);
    }
    if (withSeries) {
      const n = withCatalog ? 6 : 5;
      parts.push(`m as (insert into ${s}.metric_series (tenant_key, day, series_id, type, monotonic, temporality, name, service_name, unit, description, labels)
        select $1::int4, x.day, x.id, x.type, x.monotonic, x.temporality, x.name, x.service, x.unit, x.description, x.labels
          from rows from (json_to_recordset($${n}::text::json) as (day int4, id int8, type int2, monotonic boolean, temporality int2, name text, service text, unit text, description text, labels jsonb))
            with ordinality as x(day, id, type, monotonic, temporality, name, service, unit, description, labels, i)
         order by x.i on conflict do nothing)`);
    }
    const claim = `insert into ${s}.ingested_batches (tenant_key, signal, batch_id, items) values ($1::int4, $2::text, $3::text, $4::int4)`;
    return parts.length > 0 ? `with ${parts.join(', ')} ${claim}` : claim;
  }

  private remember(tk: number, catalog: CatalogEntry[], series: SeriesEntry[]): void {
    if (this.catalogSeen.size > MAX_SEEN) this.catalogSeen.clear();
    if (this.seriesSeen.size > MAX_SEEN) this.seriesSeen.clear();
    for (const c of catalog) this.catalogSeen.add(catalogKey(tk, c));
    for (const x of series) this.seriesSeen.add(seriesKey(tk, x));
  }

  /**
   * PGlite has no autovacuum: the store refreshes planner statistics as a partition grows
   * (at 10k rows, then each time it has grown fourfold). Runs after the write was
   * acknowledged, one task at a time.
   */
  private afterWrite(enc: EncodedBatch): void {
    if (this.driver?.kind !== 'pglite') return;
    for (const [day, n] of enc.rowsPerDay) {
      const part = partitionName(enc.table, day);
      const st = this.writes.get(part) ?? { rows: 0, analyzedAt: 0 };
      st.rows += n;
      this.writes.set(part, st);
      if (st.rows >= Math.max(10_000, st.analyzedAt * 4)) {
        st.analyzedAt = st.rows;
        this.enqueue(`analyze ${part}`, async () => {
          await this.driver?.query(`analyze ${this.s}.${quoteIdent(part)}`);
        });
      }
    }
    if (this.writes.size > 64) {
      // Only recent days keep getting rows; forget the counters of older ones.
      const cutoff = partitionName(enc.table, dayOfMs(this.now()) - 1).slice(-8);
      for (const k of this.writes.keys()) if (k.slice(-8) < cutoff) this.writes.delete(k);
    }
  }

  private enqueue(key: string, task: () => Promise<void>): void {
    if (this.queued.has(key) || this.disposed) return;
    this.queued.add(key);
    this.chain = this.chain
      .then(async () => {
        this.queued.delete(key);
        if (!this.disposed) await task();
      })
      .catch((e: unknown) => this.logger.warn('store housekeeping failed', { task: key, error: e instanceof Error ? e.message : String(e) }));
  }

  private async summarize(part: string): Promise<void> {
    // to_regclass: nothing to do for a partition without that index.
    await this.driver?.query(`select brin_summarize_new_values(to_regclass($1::text)) as n`, [`${this.s}.${quoteIdent(`${part}_brin`)}`]);
  }

  /** Waits for queued housekeeping (tests and benchmarks measure a settled store). */
  async settle(): Promise<void> {
    await this.chain;
  }

  // ------------------------------------------------------------------------- reads

  async read<T>(tenantId: string, signal: AbortSignal, doing: string, empty: T, fn: (rc: ReadContext) => Promise<T>): Promise<T> {
    try {
      const driver = await this.ready(signal);
      const tk = await this.tenantKey(tenantId, false, signal);
      // A tenant that never wrote has nothing to read.
      if (tk === undefined) return empty;
      return await fn({ driver, s: this.s, ext: this.ext, tenantKey: tk, signal });
    } catch (e) {
      throw toPluginError(e, doing);
    }
  }

  // ------------------------------------------------------------------------ health

  async health(signal: AbortSignal): Promise<HealthResult> {
    try {
      const driver = await this.ready(signal);
      const rows = await driver.query<{ v: string; mv: number | null; size: number; tables: number }>(
        `select current_setting('server_version') as v,
                (select max(version) from ${this.s}.store_migrations) as mv,
                (select coalesce(sum(pg_total_relation_size(c.oid)), 0)::float8 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                  where n.nspname = $1::text and c.relkind = 'r') as size,
                (select count(*)::int4 from pg_tables where schemaname = $1::text and tablename in ('logs', 'spans', 'metric_points', 'metric_series', 'rum_events', 'ingested_batches')) as tables`,
        [this.config.schema],
        signal,
      );
      const r = rows[0];
      const version = String(r?.v ?? '').split(' ')[0] ?? '';
      const where = driver.kind === 'postgres' ? `PostgreSQL ${version}` : driver.label;
      const mb = Math.round(Number(r?.size ?? 0) / 1048576);
      const message = `${where}, schema ${this.config.schema}, ${mb} MB`;
      const details = { driver: driver.kind, serverVersion: version, schema: this.config.schema, sizeBytes: Number(r?.size ?? 0), trigramIndex: this.ext.trgmOps !== null };
      if (Number(r?.tables) !== 6 || Number(r?.mv) !== LATEST_VERSION) {
        return { status: 'error', message: `${message}: store tables are missing or at version ${r?.mv ?? 'none'} (expected ${LATEST_VERSION})`, details };
      }
      if (driver.kind === 'postgres' && Number(version.split('.')[0]) < 15) {
        return { status: 'degraded', message: `${message}: PostgreSQL 15 or later is supported`, details };
      }
      return { status: 'ok', message, details };
    } catch (e) {
      if (isAbort(e)) throw e;
      const err = toPluginError(e, 'checking health');
      return { status: 'error', message: err.message };
    }
  }

  // ---------------------------------------------------------------- retention etc.

  async retention(options: RetentionOptions = {}): Promise<RetentionResult> {
    const signal = options.signal;
    try {
      const driver = await this.ready(signal);
      const partitions = this.partitions as Partitions;
      const now = options.nowMs ?? this.now();
      const cutoffMs = now - this.config.retentionDays * DAY_MS;
      await partitions.load();
      const dropped: string[] = [];
      const skipped: string[] = [];
      for (const table of Object.keys(TELEMETRY_TABLES) as TelemetryTable[]) {
        for (const day of partitions.days(table)) {
          if ((day + 1) * DAY_MS > cutoffMs) continue;
          throwIfAborted(signal);
          const part = partitionName(table, day);
          try {
            await driver.transaction(async (tx) => {
              // Dropping locks the parent; give up rather than queue writers behind a long query.
              if (driver.kind === 'postgres') await tx.query(`set local lock_timeout = '5s'`);
              await tx.query(`drop table if exists ${this.s}.${quoteIdent(part)}`);
            }, signal);
          } catch (e) {
            if ((e as { code?: string }).code !== '55P03') throw e;
            // The next run drops it; the other days need not wait for this one.
            this.logger.warn('retention: a partition is busy, left for the next run', { partition: part });
            skipped.push(part);
            continue;
          }
          partitions.forget(table, day);
          dropped.push(part);
        }
      }
      const cutoffDay = dayOfMs(cutoffMs);
      await driver.query(`delete from ${this.s}.catalog where day < $1::int4`, [cutoffDay], signal);
      await driver.query(`delete from ${this.s}.metric_series where day < $1::int4`, [cutoffDay], signal);
      await driver.query(`delete from ${this.s}.ingested_batches where ingested_at < to_timestamp($1::float8 / 1000)`, [cutoffMs], signal);

      let deletedRows = 0;
      for (const t of options.tenants ?? []) {
        if (!(t.retentionDays < this.config.retentionDays)) continue;
        const tk = await this.tenantKey(t.tenantId, false, signal);
        if (tk === undefined) continue;
        const tenantCutoffMs = now - Math.max(0, t.retentionDays) * DAY_MS;
        const cutNs = (BigInt(Math.floor(tenantCutoffMs)) * 1_000_000n).toString();
        for (const table of Object.keys(TELEMETRY_TABLES) as TelemetryTable[]) {
          const time = TELEMETRY_TABLES[table];
          for (const day of partitions.days(table)) {
            if (day * DAY_MS >= tenantCutoffMs) continue;
            const p = `${this.s}.${quoteIdent(partitionName(table, day))}`;
            // ctid = ANY(array) is a TID scan: each round touches only the rows it deletes.
            for (;;) {
              throwIfAborted(signal);
              const r = await driver.query<{ n: number }>(
                `with d as (delete from ${p} where ctid = any(array(select ctid from ${p} where tenant_key = $1::int4 and ${time} < $2::int8 limit ${DELETE_BATCH})) returning 1)
                 select count(*)::int4 as n from d`,
                [tk, cutNs],
                signal,
              );
              const n = Number(r[0]?.n ?? 0);
              deletedRows += n;
              if (n < DELETE_BATCH) break;
            }
          }
        }
        const tenantDay = dayOfMs(tenantCutoffMs);
        await driver.query(`delete from ${this.s}.catalog where tenant_key = $1::int4 and day < $2::int4`, [tk, tenantDay], signal);
        await driver.query(`delete from ${this.s}.metric_series where tenant_key = $1::int4 and day < $2::int4`, [tk, tenantDay], signal);
      }
      const result: RetentionResult = { cutoffMs, droppedPartitions: dropped, deletedRows };
      if (skipped.length > 0) result.busyPartitions = skipped;
      return result;
    } catch (e) {
      throw toPluginError(e, 'applying retention');
    }
  }

  async maintenance(options: MaintenanceOptions = {}): Promise<MaintenanceResult> {
    const driver = await this.ready(options.signal).catch((e: unknown) => {
      throw toPluginError(e, 'maintaining the store');
    });
    const done = await driver.tryExclusive(advisoryKey(this.config.schema, 'maintenance'), () => this.maintainExclusively(driver, options));
    return done ?? { indexesBuilt: [], skipped: true };
  }

  private async maintainExclusively(driver: Driver, options: MaintenanceOptions): Promise<MaintenanceResult> {
    const signal = options.signal;
    const result: MaintenanceResult = { indexesBuilt: [] };
    if (options.retention !== false) result.retention = await this.retention(options);
    try {
      const partitions = this.partitions as Partitions;
      await partitions.load();
      const now = options.nowMs ?? this.now();
      for (const table of Object.keys(TELEMETRY_TABLES) as TelemetryTable[]) {
        for (const day of partitions.days(table)) {
          const part = partitionName(table, day);
          if ((day + 1) * DAY_MS + COLD_AFTER_MS > now) {
            await this.summarize(part);
            // Autovacuum would get to it on PostgreSQL, but estimates matter most while the day is young.
            await driver.query(`analyze ${this.s}.${quoteIdent(part)}`);
            continue;
          }
          const existing = await driver.query<{ name: string; valid: boolean }>(
            `select c.relname as name, i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
              join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = t.relnamespace where n.nspname = $1::text and t.relname = $2::text`,
            [this.config.schema, part],
            signal,
          );
          const valid = new Set(existing.filter((x) => x.valid).map((x) => x.name));
          const invalid = new Set(existing.filter((x) => !x.valid).map((x) => x.name));
          let built = false;
          for (const idx of coldIndexes(this.config.schema, table, part, this.ext)) {
            if (valid.has(idx.name)) continue;
            throwIfAborted(signal);
            // A failed CONCURRENTLY build leaves an invalid index that IF NOT EXISTS would keep.
            if (invalid.has(idx.name)) await driver.query(`drop index if exists ${this.s}.${quoteIdent(idx.name)}`, [], signal);
            // CONCURRENTLY lets late rows for that day keep arriving during the build.
            await driver.query(idx.sql(driver.kind === 'postgres'), [], signal);
            result.indexesBuilt.push(idx.name);
            built = true;
          }
          if (built) await driver.query(`analyze ${this.s}.${quoteIdent(part)}`, [], signal);
        }
      }
      return result;
    } catch (e) {
      throw toPluginError(e, 'maintaining the store');
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.chain;
    const pending = this.driverPromise;
    this.driverPromise = undefined;
    if (pending) {
      const driver = await pending.catch(() => undefined);
      await driver?.close();
    }
  }
}

/**
 * `$n` placeholders replaced by literals, for the simple-query message (which takes no
 * parameters). Only numbers and strings occur; E'' strings escape the same way whatever
 * standard_conforming_strings says.
 */
export function inlineParams(sql: string, params: unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const v = params[Number(n) - 1];
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'string') return `E'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    throw new Error(`cannot inline parameter $${n}`);
  });
}

function compareCatalog(a: CatalogEntry, b: CatalogEntry): number {
  return a.day - b.day || a.signal - b.signal || (a.service < b.service ? -1 : a.service > b.service ? 1 : 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function catalogKey(tk: number, c: CatalogEntry): string {
  return `${tk}\u0001${c.day}\u0001${c.signal}\u0001${c.service}\u0001${c.name}`;
}

function seriesKey(tk: number, x: SeriesEntry): string {
  return `${tk}\u0001${x.day}\u0001${x.id}`;
}
