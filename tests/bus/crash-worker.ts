/**
 * A worker process for the crash tests: consumes the bus and stores every item in
 * Postgres through an idempotent sink - a unique key on (batch_id, item_index) with
 * ON CONFLICT DO NOTHING - and counts every delivery, so the test can see redeliveries.
 * The test SIGKILLs it mid-stream and starts another.
 *
 * env: BUS_DRIVER, BUS_OPTIONS (JSON tuning for that driver), SINK_URL (Postgres),
 * SINK_DELAY_MS (time between storing the items and acknowledging, widening the window
 * in which a kill leaves stored-but-unacknowledged batches), REDIS_URL / KAFKA_BROKERS.
 */
import postgres from 'postgres';
import { type BusDriver, createBus } from '../../app/.server/bus';
import { createLogger } from '../../app/.server/log';

const driver = process.env.BUS_DRIVER as BusDriver;
const tuning = JSON.parse(process.env.BUS_OPTIONS ?? '{}') as Record<string, unknown>;
const delay = Number(process.env.SINK_DELAY_MS ?? 0);
const log = createLogger({ level: 'warn', format: 'pretty' });
const sql = postgres(process.env.SINK_URL!, { max: 8, onnotice: () => {} });

const bus = createBus({
  driver,
  log,
  redis: process.env.REDIS_URL,
  kafkaBrokers: process.env.KAFKA_BROKERS?.split(','),
  [driver]: tuning,
});

await bus.startConsumer(async ({ tenantId, batch }) => {
  if (batch.signal !== 'logs') throw new Error(`unexpected signal ${batch.signal}`);
  const indexes = batch.records.map((_, i) => i);
  const bodies = batch.records.map((r) => r.body);
  await sql.begin(async (tx) => {
    await tx`
      insert into items (batch_id, item_index, tenant, body)
      select ${batch.id}, i, ${tenantId}, b from unnest(${indexes}::int[], ${bodies}::text[]) as t(i, b)
      on conflict (batch_id, item_index) do nothing`;
    await tx`
      insert into deliveries (batch_id, n) values (${batch.id}, 1)
      on conflict (batch_id) do update set n = deliveries.n + 1`;
  });
  if (delay) await new Promise((r) => setTimeout(r, delay));
});
process.stdout.write('ready\n');

process.on('SIGTERM', () => {
  void bus
    .close()
    .then(() => sql.end())
    .then(() => process.exit(0));
});
