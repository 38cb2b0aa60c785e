/**
 * Benchmarks of the built-in store (@obstack/plugin-postgres): write throughput against
 * the floor of a plain COPY into the same tables without indexes, alternative index
 * designs, and query latency with 1M+ rows. See bench/RESULTS.md for the figures.
 *
 *   eval "$(bash scripts/services.sh env)"; pnpm bench:store [--quick] [--no-pglite] [--no-postgres] [--no-queries] [--reps 5] [--signals traces,logs,metrics]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LogsQuery, WriteBatch } from '@obstack/plugin-api';
import { createTestContext } from '@obstack/plugin-api/testing';
import { createTestDatabase } from '../../tests/support/pg';
import { splitDatabaseUrl, type PostgresStoreConfig } from '../../plugins/postgres/src/config';
import type { Driver } from '../../plugins/postgres/src/driver';
import { COLUMNS, encodeBatch } from '../../plugins/postgres/src/encode';
import { DAY_NS, hotIndexes, partitionName } from '../../plugins/postgres/src/partitions';
import { createInstance, storeOf, type PostgresStoreInstance } from '../../plugins/postgres/src/plugin';
import { detectExtensions, migrate, quoteIdent, type TelemetryTable } from '../../plugins/postgres/src/schema';
import { Rng, makeLogs, makeMetricPoints, makeSpans } from './data';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-pglite': { type: 'boolean', default: false },
    'no-postgres': { type: 'boolean', default: false },
    'no-queries': { type: 'boolean', default: false },
    reps: { type: 'string', default: '5' },
    signals: { type: 'string', default: 'traces,logs,metrics' },
  },
});

const BATCH = 512;
const REPS = Number(opts.reps);
const TENANT = 'bench-tenant';
const DENSE_TENANT = 'bench-dense';
const HOUR_NS = 3_600_000_000_000n;
const MINUTE_MS = 60_000;

type Signal = 'traces' | 'logs' | 'metrics';
const TABLE: Record<Signal, TelemetryTable> = { traces: 'spans', logs: 'logs', metrics: 'metric_points' };
const ROWS_NAME: Record<Signal, string> = { traces: 'spans', logs: 'log records', metrics: 'metric points' };

interface Target {
  name: 'PostgreSQL' | 'PGlite';
  config: PostgresStoreConfig;
  secrets: Record<string, string>;
  cleanup(): Promise<void>;
  /** Batches per signal per write run. */
  writeRows: number;
  /** Batches in flight during write runs. */
  concurrency: number;
  queryRows: number;
}

function log(msg: string): void {
  process.stderr.write(`[bench:store] ${msg}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const rank = q * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (rank - lo);
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function toBatch(signal: Signal, id: string, items: unknown[]): WriteBatch {
  if (signal === 'logs') return { id, signal, records: items as never };
  if (signal === 'traces') return { id, signal, spans: items as never };
  return { id, signal, points: items as never };
}

function rowsFor(signal: Signal, n: number, seed: number, startNs: bigint): unknown[] {
  const rng = new Rng(seed);
  if (signal === 'logs') return makeLogs(rng, n, startNs, 1_000_000n);
  if (signal === 'traces') return makeSpans(rng, n, startNs, 1_000_000n);
  return makeMetricPoints(rng, n, startNs);
}

// ---------------------------------------------------------------- write variants

/**
 * A way of writing rows: the store itself, or a plain COPY into a schema of identical
 * tables with a given set of indexes (none for the floor).
 */
interface Variant {
  key: string;
  label: string;
  signals: Signal[];
  /** DDL run on the empty parent tables before partitions exist (column type changes). */
  alter?: (s: string) => string[];
  /** Indexes per new partition. */
  indexes?: (s: string, table: TelemetryTable, partition: string, trgmOps: string | null, kind: Driver['kind']) => string[];
  store?: boolean;
}

const VARIANTS: Variant[] = [
  { key: 'floor', label: 'COPY floor: same tables, no indexes', signals: ['traces', 'logs', 'metrics'] },
  { key: 'store', label: 'the store (write(): COPY + batch id + catalog, hot indexes)', signals: ['traces', 'logs', 'metrics'], store: true },
  {
    key: 'hot',
    label: 'plain COPY with the store’s hot indexes only',
    signals: ['traces', 'logs', 'metrics'],
    indexes: (s, table, part, _trgm, kind) => hotIndexes(s.replace(/"/g, ''), table, part, kind),
  },
  {
    key: 'btree-fts',
    label: 'btree (tenant, time) + GIN tsvector(body)',
    signals: ['logs'],
    indexes: (s, _t, part) => [`create index on ${s}.${quoteIdent(part)} (tenant_key, time_ns)`, `create index on ${s}.${quoteIdent(part)} using gin (to_tsvector('simple', body))`],
  },
  {
    key: 'btree-trgm',
    label: 'btree (tenant, time) + GIN trigram(lower(body))',
    signals: ['logs'],
    indexes: (s, _t, part, trgm) => [
      `create index on ${s}.${quoteIdent(part)} (tenant_key, time_ns)`,
      `create index on ${s}.${quoteIdent(part)} using gin ((lower(body collate "C")) ${trgm ?? 'gin_trgm_ops'})`,
    ],
  },
  {
    key: 'jsonb',
    label: 'attributes as jsonb instead of json, no indexes',
    signals: ['logs', 'traces'],
    alter: (s) => [
      `alter table ${s}.logs alter column attributes type jsonb using attributes::jsonb, alter column resource type jsonb using resource::jsonb`,
      `alter table ${s}.spans alter column attributes type jsonb using attributes::jsonb, alter column resource type jsonb using resource::jsonb`,
    ],
  },
  {
    key: 'btree-trace',
    label: 'btree (tenant, time) + btree (tenant, trace_id uuid)',
    signals: ['traces'],
    indexes: (s, _t, part) => [`create index on ${s}.${quoteIdent(part)} (tenant_key, start_ns)`, `create index on ${s}.${quoteIdent(part)} (tenant_key, trace_id)`],
  },
  {
    key: 'bloom-trace',
    label: 'BRIN (tenant, time) + bloom BRIN (tenant, trace_id), no btree',
    signals: ['traces'],
    indexes: (s, _t, part) => [
      `create index on ${s}.${quoteIdent(part)} using brin (tenant_key, start_ns) with (pages_per_range = 32)`,
      `create index on ${s}.${quoteIdent(part)} using brin (tenant_key, trace_id uuid_bloom_ops) with (pages_per_range = 4)`,
    ],
  },
  {
    key: 'btree-trace-text',
    label: 'same, trace_id as 32-char text',
    signals: ['traces'],
    alter: (s) => [`alter table ${s}.spans alter column trace_id type text`],
    indexes: (s, _t, part) => [`create index on ${s}.${quoteIdent(part)} (tenant_key, start_ns)`, `create index on ${s}.${quoteIdent(part)} (tenant_key, trace_id)`],
  },
  {
    key: 'series-no-time',
    label: 'BRIN (tenant, time) + btree (tenant, series_id) without time',
    signals: ['metrics'],
    indexes: (s, _t, part) => [
      `create index on ${s}.${quoteIdent(part)} using brin (tenant_key, time_ns) with (pages_per_range = 32)`,
      `create index on ${s}.${quoteIdent(part)} (tenant_key, series_id)`,
    ],
  },
  {
    key: 'brin-only',
    label: 'BRIN (tenant, time) only, no series btree',
    signals: ['metrics'],
    indexes: (s, table, part) => [`create index on ${s}.${quoteIdent(part)} using brin (tenant_key, ${table === 'spans' ? 'start_ns' : 'time_ns'}) with (pages_per_range = 32)`],
  },
];

async function prepareSchema(driver: Driver, v: Variant, days: Set<number>, signal: Signal): Promise<string> {
  const schema = `bench_${v.key.replace(/-/g, '_')}`;
  const s = quoteIdent(schema);
  await driver.query(`drop schema if exists ${s} cascade`);
  await migrate(driver, schema);
  for (const ddl of v.alter?.(s) ?? []) await driver.query(ddl);
  const ext = await detectExtensions(driver);
  const table = TABLE[signal];
  for (const day of days) {
    const part = partitionName(table, day);
    const from = BigInt(day) * DAY_NS;
    await driver.query(`create table ${s}.${quoteIdent(part)} partition of ${s}.${table} for values from (${from}) to (${from + DAY_NS})`);
    for (const ddl of v.indexes?.(s, table, part, ext.trgmOps, driver.kind) ?? []) await driver.query(ddl);
  }
  return schema;
}

interface WriteFigure {
  target: string;
  signal: Signal;
  variant: string;
  label: string;
  runs: number[];
  median: number;
  /** Median over reps of (this run / the floor's run in the same rep). */
  paired: number;
}

async function writeBench(target: Target, instance: PostgresStoreInstance, driver: Driver, figures: WriteFigure[]): Promise<void> {
  const ctx = () => createTestContext({ tenantId: TENANT, timeoutMs: 600_000 });
  const store = storeOf(instance);
  const s = quoteIdent(store.config.schema);
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  for (const signal of opts.signals.split(',') as Signal[]) {
    // Rows ending now, so they land in today's (hot) partition like live ingest does.
    const rows = rowsFor(signal, target.writeRows, 42, nowNs - BigInt(target.writeRows) * 1_000_000n - 3_600_000_000_000n);
    const batches = chunk(rows, BATCH);
    const days = new Set<number>();
    for (const b of batches) for (const d of encodeBatch(toBatch(signal, 'x', b) as never, 1).days) days.add(d);
    const variants = VARIANTS.filter((v) => v.signals.includes(signal));
    const schemas = new Map<string, string>();
    for (const v of variants) if (!v.store) schemas.set(v.key, await prepareSchema(driver, v, days, signal));
    // Warm up the store: partitions, tenant key, catalog.
    await instance.write(toBatch(signal, `warmup-${signal}`, batches[0] as unknown[]), ctx());
    const runs = new Map<string, number[]>();
    for (let rep = 0; rep < REPS; rep++) {
      for (const v of variants) {
        const table = TABLE[signal];
        const schema = v.store ? s : quoteIdent(schemas.get(v.key) as string);
        await driver.query(v.store ? `truncate ${s}.${table}, ${s}.ingested_batches, ${s}.catalog, ${s}.metric_series` : `truncate ${schema}.${table}`);
        await store.settle();
        const t0 = performance.now();
        if (v.store) {
          await pool(batches, target.concurrency, async (b, i) => {
            await instance.write(toBatch(signal, `rep${rep}-${i}`, b), ctx());
          });
        } else {
          const target_ = `${schema}.${table} (${COLUMNS[table].join(', ')})`;
          await pool(batches, target.concurrency, async (b) => {
            const enc = encodeBatch(toBatch(signal, 'floor', b) as never, 1);
            await driver.copyIn(target_, enc.data);
          });
        }
        const seconds = (performance.now() - t0) / 1000;
        const rate = rows.length / seconds;
        runs.set(v.key, [...(runs.get(v.key) ?? []), rate]);
        log(`${target.name} ${signal} ${v.key} rep ${rep + 1}: ${Math.round(rate)} rows/s`);
      }
    }
    const floorRuns = runs.get('floor') as number[];
    for (const v of variants) {
      const r = runs.get(v.key) as number[];
      // Each rep runs every variant back to back, so the ratio within a rep cancels out
      // whatever else the machine was doing at the time better than a ratio of medians.
      const paired = median(r.map((x, i) => x / (floorRuns[i] as number)));
      figures.push({ target: target.name, signal, variant: v.key, label: v.label, runs: r, median: median(r), paired });
    }
    for (const name of schemas.values()) await driver.query(`drop schema if exists ${quoteIdent(name)} cascade`);
  }
}

// ----------------------------------------------------------------------- queries

interface QueryFigure {
  target: string;
  what: string;
  n: number;
  p50: number;
  p95: number;
  note: string;
}

async function timeQueries(n: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  await fn(-1); // warm the cache the way a user's second look at a view finds it
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

async function queryBench(target: Target, instance: PostgresStoreInstance, driver: Driver, figures: QueryFigure[], notes: string[]): Promise<void> {
  const ctx = () => createTestContext({ tenantId: TENANT, timeoutMs: 600_000 });
  const store = storeOf(instance);
  const nowMs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  const nowNs = BigInt(nowMs) * 1_000_000n;
  const n = target.queryRows;
  // n rows evenly over the 24 hours before now: about n/24 per hour, across two daily partitions.
  const spanNs = 24n * HOUR_NS;
  const startNs = nowNs - spanNs;
  const stepNs = spanNs / BigInt(n);
  const traceSamples: Array<{ traceId: string; ns: bigint }> = [];

  const load = async (tenantId: string, signal: 'logs' | 'traces', rows: number, fromNs: bigint, perRowNs: bigint, what: string) => {
    const batches = Math.ceil(rows / BATCH);
    const t0 = performance.now();
    let written = 0;
    await pool(
      Array.from({ length: batches }, (_, i) => i),
      target.concurrency,
      async (i) => {
        const count = Math.min(BATCH, rows - i * BATCH);
        const from = fromNs + BigInt(i * BATCH) * perRowNs;
        const rng = new Rng(1000 + i);
        const items = signal === 'logs' ? makeLogs(rng, count, from, perRowNs) : makeSpans(rng, count, from, perRowNs / 5n);
        if (signal === 'traces' && i % 20 === 0) traceSamples.push({ traceId: (items[0] as { traceId: string }).traceId, ns: from });
        await instance.write(toBatch(signal, `load-${signal}-${i}`, items), createTestContext({ tenantId, timeoutMs: 600_000 }));
        written += count;
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    notes.push(`${target.name}: loaded ${written.toLocaleString('en-US')} ${what} through write() in ${seconds.toFixed(1)} s (${Math.round(written / seconds).toLocaleString('en-US')} rows/s, generation included)`);
    log(notes[notes.length - 1] as string);
  };
  await load(TENANT, 'logs', n, startNs, stepNs, 'log records over 24 h');
  await load(TENANT, 'traces', n, startNs, stepNs, 'spans over 24 h');
  // A second tenant with as many log records in the last hour alone: the worst case for
  // a search of today's partition, which has no text index.
  const denseStepNs = HOUR_NS / BigInt(n);
  await load(DENSE_TENANT, 'logs', n, nowNs - HOUR_NS, denseStepNs, 'log records in the last hour (second tenant)');
  await store.settle();
  const tm = performance.now();
  const maint = await instance.maintenance({ nowMs, retention: false });
  notes.push(`${target.name}: maintenance() after the load took ${((performance.now() - tm) / 1000).toFixed(1)} s and built ${maint.indexesBuilt.length} cold indexes (${maint.indexesBuilt.join(', ') || 'none'})`);
  log(notes[notes.length - 1] as string);
  const size = await driver.query<{ t: string; mb: number }>(
    `select c.relname as t, round(pg_total_relation_size(c.oid) / 1048576.0)::float8 as mb from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1::text and c.relkind = 'r' and (c.relname like 'logs_%' or c.relname like 'spans_%') order by 1`,
    [store.config.schema],
  );
  notes.push(`${target.name}: partitions ${size.map((r) => `${r.t} ${r.mb} MB`).join(', ')}`);

  const todayStartMs = Math.floor(nowMs / 86_400_000) * 86_400_000;
  const hot = { startMs: nowMs - 60 * MINUTE_MS, endMs: nowMs };
  const cold = { startMs: todayStartMs - 3 * 60 * MINUTE_MS, endMs: todayStartMs - 2 * 60 * MINUTE_MS };
  const reps = opts.quick ? 10 : 30;
  const search = async (tenantId: string, range: { startMs: number; endMs: number }, perRowNs: bigint, what: string, runs: number) => {
    const q: LogsQuery = { range, text: 'timeout', limit: 100, direction: 'backward', volumeStepMs: MINUTE_MS };
    let hits = 0;
    const inRange = Number(((BigInt(range.endMs - range.startMs) * 1_000_000n) / perRowNs).toString());
    const ms = await timeQueries(runs, async () => {
      const r = await instance.queryLogs(q, createTestContext({ tenantId, timeoutMs: 600_000 }));
      hits = (r.volume ?? []).reduce((a, b) => a + b.count, 0);
    });
    figures.push({
      target: target.name,
      what,
      n: runs,
      p50: percentile(ms, 0.5),
      p95: percentile(ms, 0.95),
      note: `limit 100 + per-minute volume; ${hits.toLocaleString('en-US')} of ~${inRange.toLocaleString('en-US')} records in the hour match`,
    });
  };
  await search(TENANT, hot, stepNs, '1-hour log search "timeout", last hour (today’s partition: BRIN only)', reps);
  if (cold.startMs >= nowMs - 24 * 60 * MINUTE_MS) {
    await search(TENANT, cold, stepNs, '1-hour log search "timeout", an hour of yesterday (cold partition: trigram GIN)', reps);
  }
  await search(DENSE_TENANT, hot, denseStepNs, `same search, second tenant with ${n.toLocaleString('en-US')} records in that hour (BRIN only)`, Math.max(5, Math.floor(reps / 3)));
  const byTime = (pred: (ns: bigint) => boolean) => traceSamples.filter((t) => pred(t.ns));
  const todayNs = BigInt(todayStartMs) * 1_000_000n;
  for (const [what, sample] of [
    ['trace by id, today (hot partition)', byTime((ns) => ns >= todayNs)],
    ['trace by id, yesterday (cold partition)', byTime((ns) => ns < todayNs)],
  ] as const) {
    if (sample.length === 0) continue;
    let found = 0;
    const ms = await timeQueries(Math.min(reps * 2, sample.length), async (i) => {
      const t = await instance.getTrace(sample[Math.max(i, 0) % sample.length]?.traceId as string, ctx());
      if (i >= 0 && t && t.spans.length > 0) found++;
    });
    figures.push({ target: target.name, what, n: ms.length, p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), note: `${found}/${ms.length} found (5 spans each)` });
  }
  const unknown = await timeQueries(reps, async () => {
    await instance.getTrace('0123456789abcdef0123456789abcdef', ctx());
  });
  figures.push({ target: target.name, what: 'trace by id, unknown id (every partition)', n: reps, p50: percentile(unknown, 0.5), p95: percentile(unknown, 0.95), note: 'worst case: nothing to find' });
}

// -------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const quick = opts.quick === true;
  const targets: Array<() => Promise<Target>> = [];
  if (!opts['no-postgres']) {
    if (process.env.DATABASE_URL) {
      targets.push(async () => {
        const db = await createTestDatabase('obstack_bench');
        const { url, password } = splitDatabaseUrl(db.url);
        return {
          name: 'PostgreSQL' as const,
          config: { url, maxConnections: 4 },
          secrets: password ? { password } : ({} as Record<string, string>),
          cleanup: async () => {
            // An autovacuum worker (analysing or summarising the loaded partitions) cannot be
            // terminated by a non-superuser, so DROP DATABASE ... WITH (FORCE) may have to wait.
            for (let i = 0; ; i++) {
              try {
                return await db.drop();
              } catch (e) {
                if (i >= 40) {
                  log(`could not drop the bench database (${String(e)}); drop ${new URL(db.url).pathname.slice(1)} by hand`);
                  return;
                }
                await new Promise((r) => setTimeout(r, 3000));
              }
            }
          },
          writeRows: quick ? 20_480 : 102_400,
          concurrency: 2,
          queryRows: quick ? 200_000 : 1_000_000,
        };
      });
    } else log('DATABASE_URL is not set: skipping PostgreSQL (eval "$(bash scripts/services.sh env)")');
  }
  if (!opts['no-pglite']) {
    targets.push(async () => {
      const dir = join(process.cwd(), 'bench', '.data', `store-pglite-${Date.now()}`);
      mkdirSync(dir, { recursive: true });
      return {
        name: 'PGlite' as const,
        config: { dataDir: dir },
        secrets: {},
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
        writeRows: quick ? 10_240 : 51_200,
        // PGlite is one connection in this thread: a second batch in flight only queues.
        concurrency: 1,
        queryRows: quick ? 100_000 : 1_000_000,
      };
    });
  }

  const writes: WriteFigure[] = [];
  const queries: QueryFigure[] = [];
  const notes: string[] = [];
  const started = Date.now();
  for (const make of targets) {
    const target = await make();
    log(`${target.name}: starting`);
    const instance = createInstance(target.config, target.secrets);
    try {
      const health = await instance.checkHealth(createTestContext({ tenantId: TENANT, timeoutMs: 120_000 }));
      notes.push(`${target.name}: ${health.message}`);
      const driver = await storeOf(instance).ready();
      await writeBench(target, instance, driver, writes);
      if (!opts['no-queries']) {
        // A fresh store for the query phase, so the write runs' rows do not count.
        await driver.query(`truncate ${quoteIdent(storeOf(instance).config.schema)}.logs, ${quoteIdent(storeOf(instance).config.schema)}.spans`);
        await queryBench(target, instance, driver, queries, notes);
      }
    } catch (e) {
      // Report it before cleaning up, which may take a while and must not hide it.
      log(`${target.name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      throw e;
    } finally {
      await instance.dispose?.();
      await target.cleanup();
    }
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines: string[] = [];
  lines.push(`Machine: ${availableParallelism()} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}; run took ${Math.round((Date.now() - started) / 1000)} s.`);
  lines.push('');
  lines.push('### Write throughput (batches of 512, median of ' + REPS + ' runs)');
  lines.push('');
  lines.push('| target | rows | how | rows/s (median) | runs | vs COPY floor |');
  lines.push('|---|---|---|---:|---|---:|');
  for (const w of writes) {
    lines.push(`| ${w.target} | ${ROWS_NAME[w.signal]} | ${w.label} | ${Math.round(w.median).toLocaleString('en-US')} | ${w.runs.map((r) => Math.round(r / 1000) + 'k').join(' / ')} | ${w.paired.toFixed(2)} |`);
  }
  if (queries.length > 0) {
    lines.push('');
    lines.push('### Query latency');
    lines.push('');
    lines.push('| target | query | runs | p50 ms | p95 ms | note |');
    lines.push('|---|---|---:|---:|---:|---|');
    for (const q of queries) lines.push(`| ${q.target} | ${q.what} | ${q.n} | ${q.p50.toFixed(1)} | ${q.p95.toFixed(1)} | ${q.note} |`);
  }
  lines.push('');
  for (const n of notes) lines.push(`- ${n}`);
  const text = lines.join('\n');
  mkdirSync(join(process.cwd(), 'bench', '.data'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench', '.data', 'store-results.md'), `${text}\n`);
  process.stdout.write(`${text}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
