/**
 * Bus throughput: spans/s accepted by `publish` (resolved = durable) with many concurrent
 * publishers, in batches of 512 realistic spans, onto Kafka, against a floor in the same
 * run: the raw kafkajs producer (idempotent, acks=-1) sending the same pre-encoded bytes,
 * once as one `send` per batch from as many concurrent publishers and once as large
 * `sendBatch` calls (its best case). The ratio shows what the bus costs on top: encoding,
 * compression, partitioning and coalescing. Also the same with two publishing processes
 * (the web role is stateless; a 2-core box runs one per core), and BullMQ and inline
 * (no-op handler) for reference.
 *
 *   pnpm bench:bus                       # codec table, then throughput; Markdown for bench/RESULTS.md
 *   pnpm bench:bus -- --runs 3 --ms 6000 --publishers 64
 *
 * Needs KAFKA_BROKERS (and REDIS_URL for the BullMQ row): eval "$(bash scripts/services.sh env)".
 * Topics and keys get a unique prefix and are deleted afterwards.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { type Bus, createBus, encodeEnvelope } from '../../app/.server/bus';
import { createLogger } from '../../app/.server/log';
import { codecBench } from './codec';
import { type Run, SPANS, drive, envelopes, quantile } from './drive';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) if (process.argv[i]!.startsWith('--')) args.set(process.argv[i]!.slice(2), process.argv[i + 1] ?? '');
const RUNS = Number(args.get('runs') ?? 3);
const RUN_MS = Number(args.get('ms') ?? 6_000);
const PUBLISHERS = Number(args.get('publishers') ?? 64);

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const redisUrl = process.env.REDIS_URL;
if (!brokers.length) throw new Error('KAFKA_BROKERS is not set: eval "$(bash scripts/services.sh env)"');

const log = createLogger({ level: 'error', format: 'pretty' });
const id = `b${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const topicPrefix = `obstack-bench-${id}.`;
const { pool, next: nextEnvelope } = envelopes(id);
const POOL = pool.length;

interface Summary {
  spansPerSec: number;
  p50: number;
  p99: number;
  refused: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summarize = (runs: Run[], spansPerCall = SPANS): Summary => {
  const accepted = runs.reduce((n, r) => n + r.accepted, 0);
  const secs = Math.max(...runs.map((r) => r.secs));
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return { spansPerSec: (accepted * spansPerCall) / secs, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), refused: runs.reduce((n, r) => n + r.refused, 0) };
};

/** Child processes publishing at once (one web-role process per core). */
async function startPublishers(n: number): Promise<{ run: (ms: number, publishers: number) => Promise<Run[]>; stop: () => Promise<void> }> {
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'publisher.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_TOPIC_PREFIX: topicPrefix },
    });
    await new Promise<void>((ok, fail) => {
      child.once('message', () => ok());
      child.once('exit', (code) => fail(new Error(`publisher exited with ${code}`)));
    });
    children.push(child);
  }
  return {
    run: (ms, publishers) =>
      Promise.all(
        children.map(
          (c) =>
            new Promise<Run>((ok) => {
              c.once('message', (m: { run: Run }) => ok(m.run));
              c.send({ type: 'go', ms, publishers });
            }),
        ),
      ),
    stop: async () => {
      await Promise.all(children.map((c) => new Promise((ok) => (c.once('exit', ok), c.send({ type: 'exit' })))));
    },
  };
}

async function main() {
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`;
  // The box is shared: the load average says how much of it this run really had.
  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`bus bench ${new Date().toISOString()} on ${machine}; ${RUNS} runs x ${RUN_MS} ms, ${PUBLISHERS} publishers, ${SPANS} spans/batch; load ${load()}`);

  console.log('\ncodec, one batch of 512 spans:');
  const codec = codecBench();
  for (const r of codec) {
    console.log(`  ${r.name.padEnd(38)} ${String(r.bytesPerSpan).padStart(5)} B/span  enc ${(r.encodeSpansPerSec / 1e3).toFixed(0).padStart(5)}k spans/s  dec ${(r.decodeSpansPerSec / 1e3).toFixed(0).padStart(5)}k spans/s`);
  }

  const kafka = new Kafka({ clientId: 'obstack-bench', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();

  // The bus creates its topics; the raw peer writes to the same traces topic.
  const bus: Bus = createBus({ driver: 'kafka', log, kafkaBrokers: brokers, kafka: { topicPrefix } });
  await bus.publish(nextEnvelope());
  const affine: Bus = createBus({ driver: 'kafka', log, kafkaBrokers: brokers, kafka: { topicPrefix: `${topicPrefix}affine.`, traceAffinity: true } });
  await affine.publish(nextEnvelope());
  const rawTopic = `${topicPrefix}traces`;
  const partitions = (await admin.fetchTopicMetadata({ topics: [rawTopic] })).topics[0]!.partitions.length;
  const raw = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await raw.connect();
  // The same bytes the bus writes for these batches (whole batch per message), made up front.
  const encoded = pool.map((b) => encodeEnvelope({ tenantId: 'tenant-bench', batch: b }));
  const avgBytes = encoded.reduce((n, b) => n + b.length, 0) / encoded.length;
  let rawSeq = 0;
  const rawMessage = () => {
    const n = rawSeq++;
    return { key: 'tenant-bench', value: encoded[n % POOL]!, partition: n % partitions };
  };

  let bull: Bus | undefined;
  if (redisUrl) bull = createBus({ driver: 'bullmq', log, redis: redisUrl, bullmq: { prefix: `obstack-bench-${id}`, maxPending: 1_000_000 } });
  const inline = createBus({ driver: 'inline', log, inline: { concurrency: 64, maxWaiting: 4096 } });
  await inline.startConsumer(async () => {});

  const procs = 2;
  const children = await startPublishers(procs);
  const perChild = Math.ceil(PUBLISHERS / procs);

  const one = (r: Run) => summarize([r]);
  const scenarios: Array<{ name: string; note?: string; run: () => Promise<Summary> }> = [
    { name: 'raw kafkajs: send() per batch, same bytes', run: async () => one(await drive(() => raw.send({ topic: rawTopic, acks: -1, messages: [rawMessage()] }).then(() => {}), RUN_MS, PUBLISHERS)) },
    {
      name: 'raw kafkajs: sendBatch of 64 batches, same bytes',
      note: 'one call = 64 batches',
      // Large requests, one in flight (what the idempotent producer does).
      run: async () => summarize([await drive(() => raw.sendBatch({ acks: -1, topicMessages: [{ topic: rawTopic, messages: Array.from({ length: 64 }, rawMessage) }] }).then(() => {}), RUN_MS, 1)], SPANS * 64),
    },
    { name: 'bus kafka: publish()', run: async () => one(await drive(() => bus.publish(nextEnvelope()), RUN_MS, PUBLISHERS)) },
    { name: 'bus kafka: publish(), traceAffinity on', run: async () => one(await drive(() => affine.publish(nextEnvelope()), RUN_MS, PUBLISHERS)) },
    { name: `bus kafka: publish(), ${procs} processes x ${perChild} publishers`, run: async () => summarize(await children.run(RUN_MS, perChild)) },
    ...(bull ? [{ name: 'bus bullmq: publish()', run: async () => one(await drive(() => bull!.publish(nextEnvelope()), Math.min(RUN_MS, 4_000), PUBLISHERS)) }] : []),
    { name: 'bus inline: publish() (no-op handler, no encoding)', run: async () => one(await drive(() => inline.publish(nextEnvelope()), Math.min(RUN_MS, 3_000), PUBLISHERS)) },
  ];

  const results = new Map<string, Summary[]>(scenarios.map((s) => [s.name, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const s of scenarios) {
      const out = await s.run();
      results.get(s.name)!.push(out);
      console.log(`run ${r + 1} ${s.name.padEnd(52)} ${(out.spansPerSec / 1e3).toFixed(0).padStart(6)}k spans/s  p50 ${out.p50.toFixed(1)} ms  p99 ${out.p99.toFixed(1)} ms${out.refused ? `  refused ${out.refused}` : ''}  load ${load()}`);
      // Let the broker flush and the GC settle between scenarios.
      await new Promise((res) => setTimeout(res, 1_000));
    }
  }
  await children.stop();

  const summary = scenarios.map((s) => {
    const runs = results.get(s.name)!;
    return { name: s.name, note: s.note, spansPerSec: median(runs.map((x) => x.spansPerSec)), p50: median(runs.map((x) => x.p50)), p99: median(runs.map((x) => x.p99)) };
  });
  const floor = Math.max(summary[0]!.spansPerSec, summary[1]!.spansPerSec);
  console.log(`\nMarkdown (medians of ${RUNS}; ${(avgBytes / SPANS).toFixed(0)} B/span on the wire; load at the end ${load()}):\n`);
  console.log('| codec (512 spans) | bytes/span | encode spans/s | decode spans/s |');
  console.log('|---|---|---|---|');
  for (const r of codec) console.log(`| ${r.name} | ${r.bytesPerSpan} | ${Math.round(r.encodeSpansPerSec).toLocaleString('en-US')} | ${Math.round(r.decodeSpansPerSec).toLocaleString('en-US')} |`);
  console.log('');
  console.log('| what | spans/s accepted | p50 publish | p99 publish | vs best raw kafkajs |');
  console.log('|---|---|---|---|---|');
  for (const s of summary) {
    const lat = (v: number) => (s.note ? `n/a (${s.note})` : `${v.toFixed(1)} ms`);
    console.log(`| ${s.name} | ${Math.round(s.spansPerSec).toLocaleString('en-US')} | ${lat(s.p50)} | ${lat(s.p99)} | ${(s.spansPerSec / floor).toFixed(2)}× |`);
  }

  await raw.disconnect();
  await bus.close();
  await affine.close();
  await bull?.close();
  await inline.close();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(topicPrefix));
  if (topics.length) await admin.deleteTopics({ topics });
  await admin.disconnect();
  if (redisUrl) {
    const r = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `obstack-bench-${id}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
    await r.quit();
  }
}

await main();
