/**
 * Ingest benchmark: OTLP protobuf traces and logs (512 per request, as the official SDK
 * serializes them) sent to a running Obstack over HTTP by many concurrent clients.
 *
 *   pnpm bench:ingest [-- --modes embedded,postgres,kafka --signals traces,logs --runs 3 --seconds 8 --concurrency 16]
 *
 * Modes: embedded (PGlite, inline bus: answered once stored), postgres (PostgreSQL for app
 * data and the store, inline bus: answered once stored — the end-to-end figure), kafka
 * (PostgreSQL + Kafka: answered once Kafka acknowledged; the worker drains into the store).
 *
 * Beside each run, in the same run and on the same database: the floor, a plain COPY of
 * the same rows (decoded from the same bodies) into the same tables without indexes, as
 * fast as this process can send it. Figures: rows/s accepted (and stored), ratio to the
 * floor, p99 request latency, ingest-to-queryable latency (a marker log sent during the
 * load, polled through the query API), and the server's peak RSS.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { LogRecord, Span } from '@obstack/plugin-api';
import postgres from 'postgres';
import { Pool } from 'undici';
import { decodeOtlp } from '../../app/.server/ingest/decode';
import { createPgliteDriver, createPostgresDriver, type Driver } from '../../plugins/postgres/src/driver';
import { COLUMNS, encodeBatch } from '../../plugins/postgres/src/encode';
import { DAY_NS, partitionName } from '../../plugins/postgres/src/partitions';
import { migrate, quoteIdent, type TelemetryTable } from '../../plugins/postgres/src/schema';
import { type RunningObstack, freshBackend, startObstack, tempDir } from '../../tests/support/obstack';
import { logBodies, spanBodies } from './payloads';

type Mode = 'embedded' | 'postgres' | 'kafka';
type Sig = 'traces' | 'logs';

const { values: opts } = parseArgs({
  // `pnpm bench:ingest -- --x` passes the `--` through.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    modes: { type: 'string', default: 'embedded,postgres,kafka' },
    signals: { type: 'string', default: 'traces,logs' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '16' },
    /** Kafka mode: web-role processes taking the load (each stateless, one per core). */
    web: { type: 'string', default: '2' },
    dry: { type: 'boolean', default: false },
  },
});

const RUNS = Number(opts.runs);
const SECONDS = Number(opts.seconds);
const CONCURRENCY = Number(opts.concurrency);
const BODIES = 24;
const WEB_PROCESSES = Number(opts.web);
const TABLE: Record<Sig, TelemetryTable> = { traces: 'spans', logs: 'logs' };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2 : NaN;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

function vmHwmMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function keyFor(): string {
  return `obs_bench${Math.floor(Math.random() * 900 + 100)}_${randomBytes(30).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 40).padEnd(40, 'x')}`;
}

// --------------------------------------------------------------------------- floor

/**
 * The floor: the same decoded rows COPYed into the same tables (the store's own
 * migration in a scratch schema, partitions created, no indexes), 512 rows per COPY,
 * `CONCURRENCY` COPYs at a time, each batch turned into COPY text as it is sent — the
 * fastest a client holding these rows gets them into these tables.
 */
async function floor(
  driver: Driver,
  signal: Sig,
  source: { rows: Array<Span[] | LogRecord[]>; bodies: Uint8Array[] },
  totalRows: number,
  generate: boolean,
): Promise<number> {
  const rows = source.rows;
  const schema = `bench_ingest_floor`;
  const s = quoteIdent(schema);
  await driver.query(`drop schema if exists ${s} cascade`);
  await migrate(driver, schema);
  const table = TABLE[signal];
  const batches = rows.map((r) => (signal === 'traces' ? { id: 'f', signal, spans: r as Span[] } : { id: 'f', signal, records: r as LogRecord[] }));
  const days = new Set<number>();
  for (const b of batches) for (const d of encodeBatch(b as never, 1).days) days.add(d);
  for (const day of days) {
    const from = BigInt(day) * DAY_NS;
    await driver.query(`create table ${s}.${quoteIdent(partitionName(table, day))} partition of ${s}.${table} for values from (${from}) to (${from + DAY_NS})`);
  }
  const target = `${s}.${table} (${COLUMNS[table].join(', ')})`;
  const t0 = performance.now();
  let sent = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < totalRows) {
        const i = next++ % batches.length;
        // A client generating the rows (the floor) makes them from the same OTLP
        // bodies the server receives, with the same decoder; the strict floor starts from
        // rows already in memory. Either way the rows are turned into COPY text as sent.
        const batch = generate
          ? signal === 'traces'
            ? { id: 'f', signal, spans: decodeOtlp('traces', 'protobuf', source.bodies[i]!).items }
            : { id: 'f', signal, records: decodeOtlp('logs', 'protobuf', source.bodies[i]!).items }
          : batches[i];
        const data = encodeBatch(batch as never, 1).data;
        sent += 512;
        await driver.copyIn(target, data);
      }
    }),
  );
  const rate = sent / ((performance.now() - t0) / 1000);
  await driver.query(`drop schema if exists ${s} cascade`);
  return rate;
}

// ---------------------------------------------------------------------------- load

interface LoadResult {
  accepted: number;
  seconds: number;
  latencies: number[];
  refused: number;
  queryable: number[];
}

async function load(apps: RunningObstack[], key: string, signal: Sig, bodies: Uint8Array[], probeQueryable: boolean): Promise<LoadResult> {
  const app = apps[0]!;
  const pools = apps.map((a) => new Pool(a.url, { connections: Math.ceil(CONCURRENCY / apps.length), pipelining: 1 }));
  const path = `/v1/${signal}`;
  const latencies: number[] = [];
  let accepted = 0;
  let refused = 0;
  let next = 0;
  const end = Date.now() + SECONDS * 1000;
  const t0 = performance.now();
  const workers = Array.from({ length: CONCURRENCY }, async (_, w) => {
    const pool = pools[w % pools.length]!;
    while (Date.now() < end) {
      const body = bodies[next++ % bodies.length]!;
      const started = performance.now();
      const res = await pool.request({
        path,
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${key}` },
        body,
      });
      await res.body.arrayBuffer();
      latencies.push(performance.now() - started);
      if (res.statusCode === 200) accepted += 512;
      else {
        refused++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  // A marker log every second during the load: how long until a query finds it.
  const queryable: number[] = [];
  const probe = (async () => {
    while (probeQueryable && Date.now() < end - 1500) {
      const ms = await probeOnce(app, key);
      if (ms !== undefined) queryable.push(ms);
      await new Promise((res) => setTimeout(res, 1000));
    }
  })();
  await Promise.all(workers);
  const seconds = (performance.now() - t0) / 1000;
  await probe;
  await Promise.all(pools.map((p) => p.close()));
  return { accepted, seconds, latencies, refused, queryable };
}

/** Marker logs one at a time on an otherwise idle pipeline: ingest-to-queryable latency. */
async function probeOnly(app: RunningObstack, key: string, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const ms = await probeOnce(app, key);
    if (ms !== undefined) out.push(ms);
  }
  return out;
}

/** Sends one marker log and polls the query API until it is found: ms from send to found. */
async function probeOnce(app: RunningObstack, key: string): Promise<number | undefined> {
  const marker = `probe${randomBytes(6).toString('hex')}`;
  const sent = performance.now();
  const ns = String(BigInt(Date.now()) * 1_000_000n);
  const r = await fetch(`${app.url}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'probe' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: ns, body: { stringValue: marker } }] }] }],
    }),
  });
  if (r.status !== 200) return undefined;
  for (;;) {
    const q = await fetch(`${app.url}/api/v1/logs?from=now-5m&q=${marker}&limit=1`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await q.json()) as { data?: { records?: unknown[] } };
    if (body.data?.records?.length || performance.now() - sent > 60_000) break;
    await new Promise((res) => setTimeout(res, 25));
  }
  return performance.now() - sent;
}

/** Kafka mode: how long until everything accepted is in the store (counted in its tables). */
async function drained(url: string, signal: Sig, expected: number, since: number): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const [row] = await sql.unsafe<Array<{ n: string }>>(`select count(*)::bigint as n from obstack_store.${TABLE[signal]}`);
      if (Number(row?.n ?? 0) >= expected || Date.now() > deadline) return (performance.now() - since) / 1000;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await sql.end();
  }
}

// ---------------------------------------------------------------------------- main

interface Figure {
  mode: Mode;
  signal: Sig;
  accepted: number[];
  stored: number[];
  floor: number[];
  ratio: number[];
  floorStrict: number[];
  ratioStrict: number[];
  p99: number[];
  queryableP50: number[];
  queryableP95: number[];
  rss: number[];
  refused: number[];
}

async function main() {
  const modes = opts.modes!.split(',') as Mode[];
  const signals = opts.signals!.split(',') as Sig[];
  const bodies: Record<Sig, Uint8Array[]> = { traces: [], logs: [] };
  const decoded: Record<Sig, Array<Span[] | LogRecord[]>> = { traces: [], logs: [] };
  if (signals.includes('traces')) bodies.traces = await spanBodies(BODIES);
  if (signals.includes('logs')) bodies.logs = await logBodies(BODIES);
  for (const s of signals) decoded[s] = bodies[s].map((b) => decodeOtlp(s, 'protobuf', b).items as Span[] | LogRecord[]);
  const figures: Figure[] = [];

  for (const mode of modes) {
    if (mode !== 'embedded' && !process.env.DATABASE_URL) throw new Error(`${mode} needs DATABASE_URL (eval "$(bash scripts/services.sh env)")`);
    if (mode === 'kafka' && (!process.env.KAFKA_BROKERS || !process.env.REDIS_URL)) throw new Error('kafka needs KAFKA_BROKERS and REDIS_URL');
    for (const signal of signals) {
      const fig: Figure = { mode, signal, accepted: [], stored: [], floor: [], ratio: [], floorStrict: [], ratioStrict: [], p99: [], queryableP50: [], queryableP95: [], rss: [], refused: [] };
      for (let run = 0; run < RUNS; run++) {
        const key = keyFor();
        const store = await freshBackend(mode === 'embedded' ? 'pglite' : 'postgres', {
          OBSTACK_ADMIN_EMAIL: 'bench@obstack.test',
          OBSTACK_ADMIN_PASSWORD: 'bench password 1',
          OBSTACK_BOOTSTRAP_API_KEY: key,
          OBSTACK_LOG_LEVEL: 'error',
          ...(mode === 'kafka'
            ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '', REDIS_URL: process.env.REDIS_URL ?? '', OBSTACK_BUS_PREFIX: `bench${Date.now().toString(36)}` }
            : {}),
        });
        // Kafka: the web role takes the load on its own (`--role web` processes, stateless,
        // as many as --web); a worker drains the topics into the store afterwards.
        const web = mode === 'kafka' ? WEB_PROCESSES : 1;
        const apps: RunningObstack[] = [];
        let worker: RunningObstack | undefined;
        try {
          for (let i = 0; i < web; i++) apps.push(await startObstack(store.env, mode === 'kafka' ? ['--role', 'web'] : []));
          const app = apps[0]!;
          // Warm up: partitions, tenant key, catalog, JIT.
          for (const a of apps) {
            for (let i = 0; i < 4; i++) {
              await fetch(`${a.url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${key}` }, body: Buffer.from(bodies[signal][i]!) });
            }
          }
          const r = await load(apps, key, signal, bodies[signal], mode !== 'kafka');
          const rate = r.accepted / r.seconds;
          let storedRate = rate;
          const rss = Math.max(...apps.map((a) => vmHwmMiB(a.proc.pid as number)));
          if (mode === 'kafka') {
            const since = performance.now();
            worker = await startObstack(store.env, ['--role', 'worker']);
            storedRate = r.accepted / (await drained(store.env.DATABASE_URL ?? '', signal, r.accepted + web * 4 * 512, since));
            // Through Kafka at rest: how long a record takes from the web role to the query API.
            r.queryable = await probeOnly(app, key, 10);
          }
          for (const a of apps) await a.stop();
          await worker?.stop();
          // The floor, same run, same database server (or a PGlite of its own), same row count.
          let driver: Driver;
          let dir: string | undefined;
          if (mode === 'embedded') {
            dir = tempDir('obstack-floor-');
            driver = await createPgliteDriver({ dataDir: dir });
          } else {
            driver = await createPostgresDriver({ url: store.env.DATABASE_URL ?? '', maxConnections: CONCURRENCY });
          }
          const rows = Math.max(r.accepted, 512 * 200);
          const src = { rows: decoded[signal], bodies: bodies[signal] };
          await driver.query('checkpoint').catch(() => undefined);
          const floorRate = await floor(driver, signal, src, rows, true);
          await driver.query('checkpoint').catch(() => undefined);
          const strictRate = await floor(driver, signal, src, rows, false);
          await driver.close();
          if (dir) rmSync(dir, { recursive: true, force: true });
          fig.accepted.push(rate);
          fig.stored.push(storedRate);
          fig.floor.push(floorRate);
          fig.ratio.push(storedRate / floorRate);
          fig.floorStrict.push(strictRate);
          fig.ratioStrict.push(storedRate / strictRate);
          fig.p99.push(pct(r.latencies, 99));
          fig.queryableP50.push(pct(r.queryable, 50));
          fig.queryableP95.push(pct(r.queryable, 95));
          fig.rss.push(rss);
          fig.refused.push(r.refused);
          console.log(
            `${mode} ${signal} run ${run + 1}: accepted ${Math.round(rate)}/s, stored ${Math.round(storedRate)}/s, floor ${Math.round(floorRate)}/s, ratio ${(storedRate / floorRate).toFixed(2)}, strict floor ${Math.round(strictRate)}/s (${(storedRate / strictRate).toFixed(2)}), p99 ${pct(r.latencies, 99).toFixed(0)} ms, queryable p95 ${pct(r.queryable, 95).toFixed(0)} ms, rss ${rss.toFixed(0)} MiB, refused ${r.refused}`,
          );
        } finally {
          for (const a of apps) await a.stop();
          await worker?.stop();
          await store.cleanup();
        }
      }
      figures.push(fig);
    }
  }
  const report = render(figures);
  console.log(report);
  if (!opts.dry) writeSection(report);
}

function render(figs: Figure[]): string {
  const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    '## Ingest',
    '',
    `Command: \`pnpm bench:ingest -- --runs ${RUNS} --seconds ${SECONDS} --concurrency ${CONCURRENCY}\` (bench/ingest/run.ts), ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${availableParallelism()} cores, load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}.`,
    `OTLP protobuf bodies made by the official OpenTelemetry JS SDK and serializer, 512 spans (64 traces of 8, ~8 attributes) or 512 log records (6-14 words, 5 attributes, trace context) each, ${CONCURRENCY} concurrent HTTP clients for ${SECONDS} s per run; median of ${RUNS} runs.`,
    'The floor (the issue\'s: "a plain COPY of the same rows into the same tables without indexes" by "a node client generating the rows"): a client in this process makes the rows from the same OTLP bodies with the same decoder, turns them into COPY text and COPYs them, 512 at a time, as many COPYs at once as there are HTTP clients, into the store\'s own tables (a scratch schema, partitions, no indexes), in the same run on the same database (a PGlite of its own for embedded), after a CHECKPOINT. The strict floor skips making the rows: they are already in memory, only encoded and sent.',
    '',
    '| mode | signal | accepted rows/s | stored rows/s | COPY floor rows/s | stored ÷ floor | strict floor rows/s | stored ÷ strict | p99 request | ingest → queryable p50 / p95 | peak RSS |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...figs.map(
      (f) =>
        `| ${f.mode} | ${f.signal} | ${f0(median(f.accepted))} | ${f0(median(f.stored))} | ${f0(median(f.floor))} | ${median(f.ratio).toFixed(2)} | ${f0(median(f.floorStrict))} | ${median(f.ratioStrict).toFixed(2)} | ${median(f.p99).toFixed(0)} ms | ${median(f.queryableP50).toFixed(0)} / ${median(f.queryableP95).toFixed(0)} ms | ${median(f.rss).toFixed(0)} MiB |`,
    ),
    '',
    `Reading it: embedded and postgres answer only once the rows are stored, so accepted = stored, and ingest → queryable is measured under the load. kafka: ${WEB_PROCESSES} \`--role web\` process(es) take the load (answering once Kafka acknowledged) while no worker runs; then a \`--role worker\` process drains the topics — "stored" is accepted rows over the time it took — and ingest → queryable is measured through Kafka with the worker running and no other load. Peak RSS is the largest web process's.`,
  ];
  return lines.join('\n');
}

function writeSection(section: string) {
  const path = new URL('../RESULTS.md', import.meta.url);
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf('## Ingest\n');
  const next = start < 0 ? -1 : text.indexOf('\n## ', start + 5);
  const updated = start < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, start)}${section}\n${next < 0 ? '' : text.slice(next + 1)}`;
  writeFileSync(path, updated);
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

