import type { MetadataQuery, Signal } from '@obstack/plugin-api';
import { CATALOG_SIGNAL } from './encode';
import { dayOfMs } from './partitions';
import { attributeText, type ReadContext } from './read-context';
import type { TelemetryTable } from './schema';
import { Params, nsParam } from './sql';

/** Rows read to collect attribute keys and values: metadata is a hint for pickers, not a census. */
const SAMPLE_ROWS = 10_000;
const MAX_VALUES = 1_000;

const SIGNAL_TABLE: Partial<Record<Signal, TelemetryTable>> = { logs: 'logs', traces: 'spans', rum: 'rum_events' };

function sorted(values: Iterable<string>): string[] {
  // JS order rather than the database collation's, and without duplicates.
  return [...new Set(values)].sort();
}

function dayRange(q: MetadataQuery, p: Params): string[] {
  if (!q.range) return [];
  return [`day between ${p.add(dayOfMs(q.range.startMs), 'int4')} and ${p.add(dayOfMs(q.range.endMs - 1), 'int4')}`];
}

function timeRange(table: TelemetryTable, q: MetadataQuery, p: Params): string[] {
  if (!q.range) return [];
  const col = table === 'spans' ? 'start_ns' : 'time_ns';
  return [`${col} >= ${p.add(nsParam(q.range.startMs), 'int8')}`, `${col} < ${p.add(nsParam(q.range.endMs), 'int8')}`];
}

/**
 * The catalog lists (service, name) per day, so it narrows the candidates; within a day
 * each candidate is confirmed with an EXISTS on the data, which stops at the first row.
 */
export async function services(rc: ReadContext, q: MetadataQuery): Promise<string[]> {
  const p = new Params();
  const tk = p.add(rc.tenantKey, 'int4');
  const where = [`tenant_key = ${tk}`, `signal in (${CATALOG_SIGNAL.logs}, ${CATALOG_SIGNAL.traces}, ${CATALOG_SIGNAL.metrics})`, ...dayRange(q, p)];
  let sql = `select distinct service_name as v from ${rc.s}.catalog c where ${where.join(' and ')}`;
  if (q.range) {
    const from = p.add(nsParam(q.range.startMs), 'int8');
    const to = p.add(nsParam(q.range.endMs), 'int8');
    sql = `select c.v from (${sql}) c where
      exists (select 1 from ${rc.s}.logs l where l.tenant_key = ${tk} and l.service_name = c.v and l.time_ns >= ${from} and l.time_ns < ${to})
      or exists (select 1 from ${rc.s}.spans s where s.tenant_key = ${tk} and s.service_name = c.v and s.start_ns >= ${from} and s.start_ns < ${to})
      or exists (select 1 from ${rc.s}.metric_series ms join ${rc.s}.metric_points mp on mp.tenant_key = ms.tenant_key and mp.series_id = ms.series_id
                  where ms.tenant_key = ${tk} and ms.service_name = c.v and ${dayRange(q, p)[0] as string}
                    and mp.time_ns >= ${from} and mp.time_ns < ${to})`;
  }
  const rows = await rc.driver.query<{ v: string }>(sql, p.values, rc.signal);
  return sorted(rows.map((r) => r.v));
}

export async function operations(rc: ReadContext, q: MetadataQuery): Promise<string[]> {
  const p = new Params();
  const tk = p.add(rc.tenantKey, 'int4');
  const where = [`tenant_key = ${tk}`, `signal = ${CATALOG_SIGNAL.traces}`, ...dayRange(q, p)];
  if (q.service !== undefined) where.push(`service_name = ${p.add(q.service, 'text')}`);
  let sql = `select distinct service_name as svc, name as v from ${rc.s}.catalog where ${where.join(' and ')}`;
  if (q.range) {
    sql = `select c.v from (${sql}) c where exists (
      select 1 from ${rc.s}.spans s where s.tenant_key = ${tk} and s.service_name = c.svc and s.name = c.v and ${timeRange('spans', q, p).join(' and ')})`;
  }
  const rows = await rc.driver.query<{ v: string }>(sql, p.values, rc.signal);
  return sorted(rows.map((r) => r.v));
}

export async function metricNames(rc: ReadContext, q: MetadataQuery): Promise<string[]> {
  const p = new Params();
  const where = [`tenant_key = ${p.add(rc.tenantKey, 'int4')}`, ...dayRange(q, p)];
  if (q.service !== undefined) where.push(`service_name = ${p.add(q.service, 'text')}`);
  const rows = await rc.driver.query<{ v: string }>(`select distinct name as v from ${rc.s}.metric_series where ${where.join(' and ')}`, p.values, rc.signal);
  return sorted(rows.map((r) => r.v));
}

export async function labelNames(rc: ReadContext, signal: Signal, q: MetadataQuery): Promise<string[]> {
  const p = new Params();
  if (signal === 'metrics') {
    const where = [`tenant_key = ${p.add(rc.tenantKey, 'int4')}`, ...dayRange(q, p)];
    if (q.service !== undefined) where.push(`service_name = ${p.add(q.service, 'text')}`);
    const rows = await rc.driver.query<{ v: string }>(`select distinct jsonb_object_keys(labels) as v from ${rc.s}.metric_series where ${where.join(' and ')}`, p.values, rc.signal);
    return sorted(rows.map((r) => r.v));
  }
  const table = SIGNAL_TABLE[signal];
  if (!table) return [];
  const where = [`tenant_key = ${p.add(rc.tenantKey, 'int4')}`, ...timeRange(table, q, p)];
  if (q.service !== undefined) where.push(table === 'rum_events' ? `app_name = ${p.add(q.service, 'text')}` : `service_name = ${p.add(q.service, 'text')}`);
  const keys = table === 'rum_events' ? 'select json_object_keys(x.attributes)' : 'select json_object_keys(x.attributes) union select json_object_keys(x.resource)';
  const cols = table === 'rum_events' ? 'attributes' : 'attributes, resource';
  const rows = await rc.driver.query<{ v: string }>(
    `select distinct k.v from (select ${cols} from ${rc.s}.${table} where ${where.join(' and ')} limit ${SAMPLE_ROWS}) x, lateral (${keys}) as k(v)`,
    p.values,
    rc.signal,
  );
  return sorted(rows.map((r) => r.v));
}

export async function labelValues(rc: ReadContext, signal: Signal, name: string, q: MetadataQuery): Promise<string[]> {
  const p = new Params();
  if (signal === 'metrics') {
    const where = [`tenant_key = ${p.add(rc.tenantKey, 'int4')}`, ...dayRange(q, p)];
    if (q.service !== undefined) where.push(`service_name = ${p.add(q.service, 'text')}`);
    const k = p.add(name, 'text');
    const rows = await rc.driver.query<{ v: string }>(
      `select distinct labels ->> ${k} as v from ${rc.s}.metric_series where ${where.join(' and ')} and labels ->> ${k} is not null limit ${MAX_VALUES}`,
      p.values,
      rc.signal,
    );
    return sorted(rows.map((r) => r.v));
  }
  const table = SIGNAL_TABLE[signal];
  if (!table) return [];
  const value = attributeText(table, name, p);
  const where = [`tenant_key = ${p.add(rc.tenantKey, 'int4')}`, ...timeRange(table, q, p), `${value} is not null`];
  if (q.service !== undefined) where.push(table === 'rum_events' ? `app_name = ${p.add(q.service, 'text')}` : `service_name = ${p.add(q.service, 'text')}`);
  const rows = await rc.driver.query<{ v: string }>(
    `select distinct x.v from (select ${value} as v from ${rc.s}.${table} where ${where.join(' and ')} limit ${SAMPLE_ROWS}) x limit ${MAX_VALUES}`,
    p.values,
    rc.signal,
  );
  return sorted(rows.map((r) => r.v));
}
