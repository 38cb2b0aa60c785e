import type { Driver, Queryable } from './driver';

/**
 * The store's own tables. Telemetry tables are partitioned by day on their time column
 * (nanoseconds, int8); partitions are created on demand by the writer (partitions.ts)
 * with only the cheap "hot" indexes, and maintenance adds the heavier "cold" ones once a
 * day is over. Columns are ordered wide-fixed first to avoid alignment padding.
 *
 * Attributes, resources, span events and links are `json`, not `jsonb`: json input only
 * validates the text, which made COPY of log rows 45% faster than jsonb here, keeps the
 * exact text for the "compare as JSON" filter rule, and is smaller for these shapes.
 * Cold partitions index `(resource || attributes)::jsonb` with GIN.
 */

export interface Migration {
  version: number;
  name: string;
  sql: (s: string) => string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'tables for logs, spans, metrics and RUM events',
    sql: (s) => `
create table if not exists ${s}.tenants (
  tenant_key serial primary key,
  tenant_id text not null unique
);

create table if not exists ${s}.ingested_batches (
  tenant_key int4 not null,
  signal text not null,
  batch_id text not null,
  items int4 not null,
  ingested_at timestamptz not null default now(),
  primary key (tenant_key, signal, batch_id)
);

create table if not exists ${s}.catalog (
  tenant_key int4 not null,
  day int4 not null,
  signal int2 not null,
  service_name text not null,
  name text not null,
  primary key (tenant_key, signal, day, service_name, name)
);

create table if not exists ${s}.logs (
  time_ns int8 not null,
  observed_ns int8,
  tenant_key int4 not null,
  flags int4,
  severity_number int2 not null,
  trace_id uuid,
  span_id bytea,
  service_name text not null,
  severity_text text,
  body text not null,
  scope_name text,
  scope_version text,
  attributes json not null,
  resource json not null
) partition by range (time_ns);

create table if not exists ${s}.spans (
  start_ns int8 not null,
  duration_ns int8 not null,
  tenant_key int4 not null,
  kind int2 not null,
  status_code int2 not null,
  trace_id uuid not null,
  span_id bytea not null,
  parent_span_id bytea,
  service_name text not null,
  name text not null,
  status_message text,
  trace_state text,
  scope_name text,
  scope_version text,
  attributes json not null,
  resource json not null,
  events json,
  links json
) partition by range (start_ns);

create table if not exists ${s}.metric_series (
  tenant_key int4 not null,
  day int4 not null,
  series_id int8 not null,
  type int2 not null,
  monotonic boolean,
  temporality int2,
  name text not null,
  service_name text not null,
  unit text,
  description text,
  labels jsonb not null,
  primary key (tenant_key, day, series_id)
);
create index if not exists metric_series_name on ${s}.metric_series (tenant_key, name, day);

create table if not exists ${s}.metric_points (
  time_ns int8 not null,
  start_ns int8,
  series_id int8 not null,
  tenant_key int4 not null,
  value float8,
  sum float8,
  min float8,
  max float8,
  bounds float8[],
  counts float8[],
  exp_histogram json,
  summary json
) partition by range (time_ns);

create table if not exists ${s}.rum_events (
  time_ns int8 not null,
  value float8,
  tenant_key int4 not null,
  kind int2 not null,
  trace_id uuid,
  span_id bytea,
  name text not null,
  session_id text not null,
  user_id text,
  app_name text not null,
  app_version text,
  app_environment text,
  page_url text not null,
  page_path text,
  page_query text,
  page_referrer text,
  browser_name text,
  browser_version text,
  browser_os text,
  browser_device text,
  user_agent text,
  message text,
  stack text,
  attributes json not null
) partition by range (time_ns);
`,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Partitioned telemetry tables and the column each is partitioned on. */
export const TELEMETRY_TABLES = {
  logs: 'time_ns',
  spans: 'start_ns',
  metric_points: 'time_ns',
  rum_events: 'time_ns',
} as const;
export type TelemetryTable = keyof typeof TELEMETRY_TABLES;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A stable 63-bit key for pg_advisory_xact_lock, per schema and purpose. */
export function advisoryKey(schema: string, purpose: string): string {
  let h = 0xcbf29ce484222325n;
  for (const ch of `obstack-store/${schema}/${purpose}`) {
    h ^= BigInt(ch.codePointAt(0) ?? 0);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, h).toString();
}

export interface Extensions {
  /** Schema-qualified opclass for trigram GIN, when pg_trgm is installed. */
  trgmOps: string | null;
  /** Whether btree_gin is installed, so GIN indexes can lead with tenant_key. */
  btreeGin: boolean;
}

/**
 * Applies missing migrations in one transaction under an advisory lock, so concurrent
 * starts of several processes queue up and the later ones find nothing to do.
 * Returns the extensions the database offers.
 */
export async function migrate(driver: Driver, schema: string): Promise<Extensions> {
  const s = quoteIdent(schema);
  await driver.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${advisoryKey(schema, 'migrate')}::int8)`);
    await tx.query(`create schema if not exists ${s}`);
    await tx.query(`create table if not exists ${s}.store_migrations (version int4 primary key, name text not null, applied_at timestamptz not null default now())`);
    const applied = new Set((await tx.query<{ version: number }>(`select version from ${s}.store_migrations`)).map((r) => Number(r.version)));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const statement of splitStatements(m.sql(s))) await tx.query(statement);
      await tx.query(`insert into ${s}.store_migrations (version, name) values ($1::int4, $2::text)`, [m.version, m.name]);
    }
    // Optional: without them text search and attribute filters scan instead of using an index.
    await tryExtension(tx, 'pg_trgm');
    await tryExtension(tx, 'btree_gin');
  });
  return detectExtensions(driver);
}

async function tryExtension(tx: Queryable, name: string): Promise<void> {
  await tx.query('savepoint ext');
  try {
    await tx.query(`create extension if not exists ${name}`);
    await tx.query('release savepoint ext');
  } catch {
    // Not installed on the server or not allowed for this role; the store works without.
    await tx.query('rollback to savepoint ext');
  }
}

export async function detectExtensions(driver: Queryable): Promise<Extensions> {
  const rows = await driver.query<{ extname: string; schema: string }>(
    `select e.extname, n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname in ('pg_trgm', 'btree_gin')`,
  );
  const trgm = rows.find((r) => r.extname === 'pg_trgm');
  return {
    trgmOps: trgm ? `${quoteIdent(trgm.schema)}.gin_trgm_ops` : null,
    btreeGin: rows.some((r) => r.extname === 'btree_gin'),
  };
}

function splitStatements(sql: string): string[] {
  // Our DDL has no semicolons inside literals or bodies, so a plain split is enough.
  return sql
    .split(/;\s*\n/)
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}
