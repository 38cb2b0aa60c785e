import type { Driver, Queryable } from './driver';
import { PluginError } from '@obstack/plugin-api';
import { TELEMETRY_TABLES, advisoryKey, quoteIdent, type Extensions, type TelemetryTable } from './schema';

/**
 * The log body as text search sees it, and as the trigram index is built over: lowercased
 * in the C locale, which folds ASCII letters only (the embedded database has no other
 * locale, so both drivers agree) and does so without a locale lookup per character:
 * 180 ms instead of 450 ms for ILIKE over 1M rows.
 */
export const LOG_TEXT = 'lower(body collate "C")';

export const DAY_MS = 86_400_000;
export const DAY_NS = 86_400_000_000_000n;

/** Days since the epoch (UTC) of a nanosecond time; floors for times before 1970 too. */
export function dayOfNs(ns: bigint): number {
  const q = ns / DAY_NS;
  return Number(ns < 0n && q * DAY_NS !== ns ? q - 1n : q);
}

export function dayOfMs(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function partitionName(table: TelemetryTable, day: number): string {
  return `${table}_${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

const NAME = /^(logs|spans|metric_points|rum_events)_(\d{4})(\d{2})(\d{2})$/;

function parsePartition(name: string): { table: TelemetryTable; day: number } | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  return { table: m[1] as TelemetryTable, day: dayOfMs(Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]))) };
}

/** A batch may open at most this many new days: a guard against garbage timestamps. */
const MAX_NEW_DAYS_PER_BATCH = 32;

/**
 * The indexes a partition gets when it is created. They must stay cheap to maintain,
 * because the write path pays for them on every row: BRIN summarises whole page ranges,
 * so an append costs next to nothing. Lookups by id need a real index: a btree on
 * (tenant, trace id) for spans and on (tenant, series, time) for metric points. Logs and
 * RUM get their btree and GIN indexes only once their day is over (coldIndexes).
 *
 * A bloom BRIN on trace ids was cheaper to maintain, but it needs summarising as it
 * fills (work the write path then pays after all), and the planner, which costs BRIN by
 * correlation, preferred the time BRIN with only `tenant_key = $1` to it, reading the
 * whole day: 20 to 50 ms per trace on 500k spans instead of 2.
 */
export function hotIndexes(schema: string, table: TelemetryTable, partition: string, driver: Driver['kind']): string[] {
  const s = quoteIdent(schema);
  const p = `${s}.${quoteIdent(partition)}`;
  const time = TELEMETRY_TABLES[table];
  // On PostgreSQL autovacuum summarises ranges as they fill; PGlite has no autovacuum, so
  // maintenance() does it there. Unsummarised ranges are the newest rows, which a query
  // of the last minutes reads anyway.
  const brinWith = driver === 'postgres' ? 'pages_per_range = 32, autosummarize = on' : 'pages_per_range = 32';
  const out = [`create index if not exists ${quoteIdent(`${partition}_brin`)} on ${p} using brin (tenant_key, ${time}) with (${brinWith})`];
  if (table === 'spans') {
    out.push(`create index if not exists ${quoteIdent(`${partition}_trace_id`)} on ${p} (tenant_key, trace_id)`);
  }
  if (table === 'metric_points') {
    // Every metric query reads a handful of series out of many; without this it would
    // read every point of the range.
    out.push(`create index if not exists ${quoteIdent(`${partition}_series`)} on ${p} (tenant_key, series_id, time_ns)`);
  }
  return out;
}

/** The expression GIN indexes and filter pre-checks share (attributes win over resource). */
export function attributeIndexExpr(table: TelemetryTable): string {
  return table === 'rum_events' ? '(attributes::jsonb)' : '(resource::jsonb || attributes::jsonb)';
}

/**
 * Indexes added to a partition once its day is over: btrees for tenant + time order,
 * trigram GIN for log text search, GIN over attributes for filters across long ranges.
 * Built once per day, off the write path.
 */
export function coldIndexes(schema: string, table: TelemetryTable, partition: string, ext: Extensions): Array<{ name: string; sql: (concurrently: boolean) => string }> {
  const s = quoteIdent(schema);
  const p = `${s}.${quoteIdent(partition)}`;
  const time = TELEMETRY_TABLES[table];
  const tenantGin = ext.btreeGin ? 'tenant_key, ' : '';
  const def = (suffix: string, body: string) => {
    const name = `${partition}_${suffix}`;
    return { name, sql: (c: boolean) => `create index ${c ? 'concurrently ' : ''}if not exists ${quoteIdent(name)} on ${p} ${body}` };
  };
  const out = [];
  if (table !== 'metric_points') out.push(def('tenant_time', `(tenant_key, ${time})`));
  if (table === 'rum_events') out.push(def('session', '(tenant_key, session_id, time_ns)'));
  // Over the same expression the search uses, or it would not match.
  if (table === 'logs' && ext.trgmOps) out.push(def('body_trgm', `using gin (${tenantGin}(${LOG_TEXT}) ${ext.trgmOps})`));
  if (table !== 'metric_points') out.push(def('attrs', `using gin (${tenantGin}(${attributeIndexExpr(table)}) jsonb_path_ops)`));
  return out;
}

/**
 * Which daily partitions exist, cached per process. The cache only ever misses (a
 * partition another process dropped): the writer then gets "no partition found",
 * reloads and retries.
 */
export class Partitions {
  private readonly known = new Map<TelemetryTable, Set<number>>();

  constructor(
    private readonly driver: Driver,
    private readonly schema: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async load(q: Queryable = this.driver): Promise<void> {
    const rows = await q.query<{ child: string }>(
      `select c.relname as child
         from pg_inherits i
         join pg_class c on c.oid = i.inhrelid
         join pg_class p on p.oid = i.inhparent
         join pg_namespace n on n.oid = p.relnamespace
        where n.nspname = $1::text`,
      [this.schema],
    );
    this.known.clear();
    for (const table of Object.keys(TELEMETRY_TABLES) as TelemetryTable[]) this.known.set(table, new Set());
    for (const r of rows) {
      const parsed = parsePartition(r.child);
      if (parsed) this.known.get(parsed.table)?.add(parsed.day);
    }
  }

  days(table: TelemetryTable): number[] {
    return [...(this.known.get(table) ?? [])].sort((a, b) => a - b);
  }

  forget(table: TelemetryTable, day: number): void {
    this.known.get(table)?.delete(day);
  }

  /** Creates the partitions `days` need; tomorrow's too when today's is new, so midnight finds it ready. */
  async ensure(table: TelemetryTable, days: Iterable<number>, signal?: AbortSignal): Promise<void> {
    const have = this.known.get(table) ?? new Set<number>();
    const missing = new Set<number>();
    for (const d of days) if (!have.has(d)) missing.add(d);
    if (missing.size === 0) return;
    if (missing.size > MAX_NEW_DAYS_PER_BATCH) {
      throw new PluginError(`The batch has timestamps on ${missing.size} different days the store has no data for; at most ${MAX_NEW_DAYS_PER_BATCH} new days per batch are accepted. Check the clock of the sender.`, {
        source: 'plugin',
      });
    }
    const today = dayOfMs(this.nowMs());
    if (missing.has(today) && !have.has(today + 1)) missing.add(today + 1);
    await this.driver.transaction(async (tx) => {
      // Serialises creators across processes; `if not exists` alone still races on the catalog.
      await tx.query(`select pg_advisory_xact_lock(${advisoryKey(this.schema, 'partitions')}::int8)`);
      // Attaching takes a lock on the parent: wait a bounded time behind long queries, then retry later.
      if (this.driver.kind === 'postgres') await tx.query(`set local lock_timeout = '10s'`);
      for (const day of [...missing].sort((a, b) => a - b)) {
        const partition = partitionName(table, day);
        const from = BigInt(day) * DAY_NS;
        await tx.query(
          `create table if not exists ${quoteIdent(this.schema)}.${quoteIdent(partition)} partition of ${quoteIdent(this.schema)}.${table} for values from (${from}) to (${from + DAY_NS})`,
        );
        for (const ddl of hotIndexes(this.schema, table, partition, this.driver.kind)) await tx.query(ddl);
      }
    }, signal);
    for (const d of missing) have.add(d);
    this.known.set(table, have);
  }
}
