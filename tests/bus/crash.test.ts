import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bus, type BusDriver, createBus } from '../../app/.server/bus';
import { ROOT } from '../support/obstack';
import { createTestDatabase, hasKafka, hasRedis } from '../support/pg';
import { logBatch } from './fixtures';
import { deleteKafkaTopics, deleteRedisKeys, kafkaBrokers, log, runId, sleep, until } from './support';

const BATCHES = 200;
const ITEMS = 512;

interface Worker {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

async function startWorker(driver: BusDriver, tuning: Record<string, unknown>, sinkUrl: string): Promise<Worker> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bus/crash-worker.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      BUS_DRIVER: driver,
      BUS_OPTIONS: JSON.stringify(tuning),
      SINK_URL: sinkUrl,
      SINK_DELAY_MS: '25',
      ...(driver === 'kafka' ? { KAFKA_BROKERS: kafkaBrokers.join(',') } : { REDIS_URL: process.env.REDIS_URL ?? '' }),
    } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'] as const,
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await until(() => out.includes('ready') || proc.exitCode !== null, 60_000, 'worker ready');
  if (proc.exitCode !== null) throw new Error(`worker exited early:\n${out}`);
  return { proc, output: () => out, exited };
}

/**
 * Publishes 200 x 512 items while a real worker process consumes them into Postgres,
 * SIGKILLs the worker mid-stream, starts another, and checks that every item of every
 * acknowledged publish is stored exactly once (and nothing that was never published).
 */
function crashSuite(driver: BusDriver) {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: postgres.Sql;
  const id = runId();
  const prefix = driver === 'kafka' ? `obstack-test-${id}.` : `obstack-test-${id}`;
  const tuning: Record<string, unknown> =
    driver === 'kafka'
      ? { topicPrefix: prefix, groupId: `obstack-test-${id}`, sessionTimeoutMs: 6_000, concurrency: 4 }
      : { prefix, lockDurationMs: 3_000, stalledIntervalMs: 1_000, concurrency: 4 };
  const workers: Worker[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('obstack_bus');
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    await sql`create table items (batch_id text not null, item_index int not null, tenant text not null, body text not null, primary key (batch_id, item_index))`;
    await sql`create table deliveries (batch_id text primary key, n int not null)`;
  });
  afterAll(async () => {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    await sql?.end();
    await db?.drop();
    if (driver === 'kafka') await deleteKafkaTopics(prefix);
    else await deleteRedisKeys(prefix);
  });

  it(`every acknowledged item is stored exactly once across a SIGKILLed ${driver} worker`, async () => {
    const publisher: Bus = createBus({ driver, log, redis: process.env.REDIS_URL, kafkaBrokers, [driver]: tuning });
    // A second publisher with a deadline too short to always make: some of its publishes are
    // refused although the batch may still land. Refused batches may be present (whole) or
    // absent; acknowledged ones must be present.
    const hasty: Bus = createBus({ driver, log, redis: process.env.REDIS_URL, kafkaBrokers, [driver]: { ...tuning, publishTimeoutMs: driver === 'kafka' ? 15 : 2 } });
    const first = await startWorker(driver, tuning, db.url);
    workers.push(first);

    const acked: string[] = [];
    const refused: string[] = [];
    let next = 0;
    let killedAt = -1;
    const stored = async () => Number((await sql`select count(*)::int as n from items`)[0]!.n);

    // Eight publishers, paced so publishing is still going on when the worker dies.
    const lanes = Array.from({ length: 8 }, async () => {
      while (next < BATCHES) {
        const batch = logBatch(ITEMS, { id: `${id}-${String(next++).padStart(4, '0')}` });
        // Bodies name their batch, so the check below can tell misplaced rows.
        batch.records.forEach((r, i) => (r.body = `${batch.id}/${i}`));
        try {
          await publisher.publish({ tenantId: 'tenant-crash', batch });
          acked.push(batch.id);
        } catch {
          refused.push(batch.id);
        }
        await sleep(60);
      }
    });

    let hastyNext = 0;
    const hastyLanes = Array.from({ length: 2 }, async () => {
      while (hastyNext < 40) {
        const batch = logBatch(ITEMS, { id: `${id}-h${String(hastyNext++).padStart(3, '0')}` });
        batch.records.forEach((r, i) => (r.body = `${batch.id}/${i}`));
        try {
          await hasty.publish({ tenantId: 'tenant-crash', batch });
          acked.push(batch.id);
        } catch {
          refused.push(batch.id);
        }
        await sleep(50);
      }
    });

    const killer = (async () => {
      await until(async () => (await stored()) >= (BATCHES * ITEMS) / 4, 120_000, 'a quarter stored');
      killedAt = await stored();
      first.proc.kill('SIGKILL');
      await first.exited;
      await sleep(500);
      workers.push(await startWorker(driver, tuning, db.url));
    })();

    await Promise.all([...lanes, ...hastyLanes, killer]);
    await publisher.close();
    await hasty.close();
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(BATCHES * ITEMS);
    expect(acked.length).toBeGreaterThan(0);

    // The backlog drains into the second worker.
    await until(
      async () => Number((await sql`select count(*)::int as n from items where batch_id = any(${acked})`)[0]!.n) === acked.length * ITEMS,
      180_000,
      'every acknowledged item stored',
    );
    await sleep(1_000);

    const perBatch = await sql<Array<{ batch_id: string; n: number; lo: number; hi: number; wrong: number }>>`
      select batch_id, count(*)::int as n, min(item_index) as lo, max(item_index) as hi,
             count(*) filter (where body <> batch_id || '/' || item_index)::int as wrong
      from items group by batch_id`;
    const byBatch = new Map(perBatch.map((r) => [r.batch_id, r]));
    for (const b of acked) expect(byBatch.get(b)).toEqual({ batch_id: b, n: ITEMS, lo: 0, hi: ITEMS - 1, wrong: 0 });
    // Nothing that was never published; a refused publish may or may not have landed, whole.
    const published = new Set([...acked, ...refused]);
    for (const r of perBatch) {
      expect(published.has(r.batch_id)).toBe(true);
      expect(r.n).toBe(ITEMS);
    }
    const refusedButStored = refused.filter((b) => byBatch.has(b)).length;
    const [d] = await sql<Array<{ batches: number; deliveries: number }>>`select count(*)::int as batches, coalesce(sum(n), 0)::int as deliveries from deliveries`;
    const redeliveries = d!.deliveries - d!.batches;
    console.log(
      `[crash ${driver}] acknowledged ${acked.length}/${BATCHES + 40} batches, ${refused.length} refused (${refusedButStored} of them landed anyway, whole), killed at ${killedAt} items stored, ` +
        `${d!.batches} batches stored, ${redeliveries} redelivered batch(es) deduplicated by the sink`,
    );
    expect(redeliveries).toBeGreaterThanOrEqual(0);

    const second = workers.at(-1)!;
    second.proc.kill('SIGTERM');
    await second.exited;
  });
}

describe.skipIf(!hasKafka)('Kafka bus survives a killed worker', () => crashSuite('kafka'));
describe.skipIf(!hasRedis)('BullMQ bus survives a killed worker', () => crashSuite('bullmq'));
