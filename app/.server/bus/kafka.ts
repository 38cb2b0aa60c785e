import { randomUUID } from 'node:crypto';
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  type Message,
  Partitioners,
  type Producer,
  logLevel as KafkaLogLevel,
} from 'kafkajs';
import { SIGNALS, type Signal, type Span, batchSize } from '@obstack/plugin-api';
import type { Logger } from '../log';
import { BusCodecError, CODEC_VERSION, decodeEnvelope, encodeEnvelope } from './codec';
import {
  type Bus,
  type BusEnvelope,
  type BusHandler,
  type BusHealth,
  BusFullError,
  BusRejectedError,
  BusUnavailableError,
  type DeadLetter,
} from './types';
import { Batcher, backoffMs, deadLetterOf, errorMessage, fnv1a, sleep, truncate, withItems, withTimeout } from './util';

export interface KafkaBusOptions {
  log: Logger;
  brokers: string[];
  clientId?: string;
  /** Topics are `<prefix><signal>` and `<prefix>dlq`; tests use a unique prefix per run (default "obstack."). */
  topicPrefix?: string;
  /** Consumer group of the worker role (default "obstack-workers"). */
  groupId?: string;
  /** Partitions of the signal topics when the bus creates them (default 6). Existing topics are used as they are. */
  partitions?: number;
  /** Replication factor of created topics (default: the broker's default.replication.factor). */
  replicationFactor?: number;
  /** Largest single message; bigger batches are split (default 8 MiB; topics are created to allow it). */
  maxMessageBytes?: number;
  /** Largest coalesced produce request (default 4 MiB). */
  maxRequestBytes?: number;
  /** How long a publish waits for others to share its produce request (default 2 ms). */
  lingerMs?: number;
  /** Encoded bytes accepted but not yet acknowledged by Kafka, beyond which publish answers BusFullError (default 64 MiB). */
  maxBufferedBytes?: number;
  /** Longest a publish waits for Kafka before answering BusUnavailableError (default 5 s). */
  publishTimeoutMs?: number;
  retryAfterSeconds?: number;
  /** Split span batches by trace id so each trace stays on one partition (default false; see below). */
  traceAffinity?: boolean;
  /** Compress frames (default true). */
  compress?: boolean;
  /** Handler calls per batch before it goes to the dead-letter topic (default 5). */
  attempts?: number;
  /** First retry delay, doubling per attempt up to maxBackoffMs (defaults 500 ms, 10 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Partitions a worker process handles at once (default 4). */
  concurrency?: number;
  /** A worker that stops heartbeating is out of the group after this long (default 30 s; the broker's minimum is usually 6 s). */
  sessionTimeoutMs?: number;
  /** Dead letters kept in the dead-letter topic (default 14 days). */
  deadLetterRetentionMs?: number;
  /** Dead letters a process keeps in memory with their bytes, for the UI and retries (default 1000). */
  deadLetterCapacity?: number;
  connectionTimeoutMs?: number;
}

const H_KIND = 'obstack-kind';
const H_TENANT = 'obstack-tenant';
const H_SIGNAL = 'obstack-signal';
const H_BATCH = 'obstack-batch';
const H_ITEMS = 'obstack-items';
const H_SCHEMA = 'obstack-schema';
const H_ERROR = 'obstack-error';
const H_ATTEMPTS = 'obstack-attempts';
const H_FAILED_AT = 'obstack-failed-at';
const H_SOURCE_TOPIC = 'obstack-source-topic';
const H_SOURCE_PARTITION = 'obstack-source-partition';
const H_SOURCE_OFFSET = 'obstack-source-offset';
const H_RETRIED_OFFSET = 'obstack-retried-offset';

/** Record batch and request framing on top of the message bytes, kept out of the size cap. */
const FRAMING_SLACK = 64 * 1024;
/** What a record adds to its value on the wire (length, offsets, key, our headers), counted against the request size. */
const RECORD_OVERHEAD = 320;

/** One publish's messages: always sent in the same produce request, never split across two. */
interface Outgoing {
  messages: Array<Message & { topic: string }>;
}

interface ViewEntry {
  letter: DeadLetter;
  value: Buffer;
  sourceTopic: string;
  sourcePartition: number;
  offset: bigint;
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
}

/**
 * Kafka through kafkajs.
 *
 * Publish: one topic per signal. The message key is the tenant (and a header says so);
 * the partition is chosen here, by a hash of (tenant, batch id), so a single busy tenant
 * - the usual self-hosted install - still spreads over every partition and every worker
 * instead of pinning one, as keying by tenant alone would. A span batch holds many traces,
 * so a trace id cannot be its key; with `traceAffinity` the batch is split instead into
 * per-partition sub-batches by a hash of (tenant, trace id), with derived stable ids
 * `<id>:p<n>`, so every span of a trace lands on one partition (for consumers that need
 * whole traces: tail sampling, span metrics). It is off by default: nothing consumes that
 * locality yet, it cut publish throughput by ~30% on the 2-core bench box (6 messages
 * per batch) and turns one 512-row sink write into six of ~85. The producer is idempotent with acks=-1 (all in-sync replicas),
 * so publish resolves when the batch is on every in-sync replica. Concurrent publishes
 * are coalesced into one produce request (the Batcher), one request in flight at a time:
 * kafkajs assigns idempotence sequence numbers per request under a broker lock, and after
 * a failed request whose fate is unknown the producer is replaced (new producer id), so
 * a later request can never reuse a sequence range the broker already holds - which
 * would make it acknowledge new messages as duplicates.
 *
 * Consume: group `obstack-workers`, eachBatch without auto-resolve or auto-commit. Each
 * message is handed to the handler; its offset is resolved after the handler (every sink)
 * succeeded, and committed after that. A failing batch is retried with backoff while the
 * consumer keeps heartbeating, then written to `<prefix>dlq` with the error and its
 * source, and committed past. A worker that dies uncommitted has its messages redelivered
 * to the group: at least once, and the sinks dedupe on the batch id. Ordering: per
 * partition (per trace for spans with traceAffinity). Backpressure needs no pause/resume:
 * a partition's next fetch waits for its eachBatch to return, and fetches are bounded in
 * bytes, so a slow sink slows consumption instead of filling memory. A new group starts
 * from the beginning of retention.
 *
 * Durable: on the in-sync replicas, which is Kafka's durability (it does not fsync per
 * message); with one broker that is one copy. Production wants replication 3 and
 * min.insync.replicas 2, set on the broker or on the topics.
 */
export function createKafkaBus(opts: KafkaBusOptions): Bus {
  const log = opts.log.child({ bus: 'kafka' });
  const prefix = opts.topicPrefix ?? 'obstack.';
  const groupId = opts.groupId ?? 'obstack-workers';
  const topicOf = new Map<Signal, string>(SIGNALS.map((s) => [s, `${prefix}${s}`]));
  const signalTopics = [...topicOf.values()];
  const dlqTopic = `${prefix}dlq`;
  const wantedPartitions = opts.partitions ?? 6;
  let maxMessageBytes = opts.maxMessageBytes ?? 8 * 1024 * 1024;
  const maxRequestBytes = Math.min(opts.maxRequestBytes ?? 4 * 1024 * 1024, maxMessageBytes);
  const maxBuffered = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
  const publishTimeout = opts.publishTimeoutMs ?? 5_000;
  const retryAfter = opts.retryAfterSeconds ?? 1;
  const unavailableAfter = Math.max(retryAfter, 5);
  const attempts = Math.max(1, opts.attempts ?? 5);
  const baseBackoff = opts.backoffMs ?? 500;
  const maxBackoff = opts.maxBackoffMs ?? 10_000;
  const sessionTimeout = opts.sessionTimeoutMs ?? 30_000;
  const heartbeatInterval = Math.max(500, Math.min(3_000, Math.floor(sessionTimeout / 5)));
  const traceAffinity = opts.traceAffinity ?? false;

  const kafka = new Kafka({
    clientId: opts.clientId ?? 'obstack',
    brokers: opts.brokers,
    connectionTimeout: opts.connectionTimeoutMs ?? 3_000,
    requestTimeout: 10_000,
    // Bounded retries: a publish has a deadline, and a broken producer is replaced (see above).
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2_000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }) => {
        const { message, ...extra } = entry;
        // Expected with bounded retries, and made safe by replacing the producer on failure.
        if (message.includes('Limiting retries for the idempotent producer')) return;
        const fields = { namespace, ...extra };
        if (level <= KafkaLogLevel.WARN) log.warn(`kafkajs: ${message}`, fields);
        else log.debug(`kafkajs: ${message}`, fields);
      },
  });

  const admin: Admin = kafka.admin();
  const partitionsOf = new Map<string, number>();
  let closing = false;
  let ready: Promise<void> | undefined;
  // A failed send or connect opens this window: publishes fail fast instead of queueing behind a dead broker.
  let downUntil = 0;
  let lastSendError = '';

  // ----------------------------------------------------------------- topics and producer

  const setup = async () => {
    await admin.connect();
    const topicConfig = (extra: Array<{ name: string; value: string }>) => [
      { name: 'max.message.bytes', value: String(maxMessageBytes + FRAMING_SLACK) },
      ...extra,
    ];
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        ...signalTopics.map((topic) => ({
          topic,
          numPartitions: wantedPartitions,
          replicationFactor: opts.replicationFactor ?? -1,
          configEntries: topicConfig([]),
        })),
        {
          // One partition: dead letters are few, and one partition keeps them in order for the view.
          topic: dlqTopic,
          numPartitions: 1,
          replicationFactor: opts.replicationFactor ?? -1,
          configEntries: topicConfig([{ name: 'retention.ms', value: String(opts.deadLetterRetentionMs ?? 14 * 86_400_000) }]),
        },
      ],
    });
    // Topics that existed before keep their settings (AlterConfigs would reset the others
    // an operator set); a smaller max.message.bytes just lowers our split threshold.
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [...signalTopics, dlqTopic].map((name) => ({ type: 2 /* TOPIC */, name, configNames: ['max.message.bytes'] })),
    });
    for (const r of described.resources) {
      const v = Number(r.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
      if (Number.isFinite(v) && v - FRAMING_SLACK < maxMessageBytes) {
        log.warn('topic allows smaller messages than configured; splitting batches smaller', { topic: r.resourceName, maxMessageBytes: v });
        maxMessageBytes = Math.max(16 * 1024, v - FRAMING_SLACK);
      }
    }
    // One produce request puts many messages into one record batch per partition, which
    // the topic's limit applies to as a whole.
    batcher.setMaxBytes(Math.min(maxRequestBytes, maxMessageBytes));
    const meta = await admin.fetchTopicMetadata({ topics: [...signalTopics, dlqTopic] });
    for (const t of meta.topics) partitionsOf.set(t.name, t.partitions.length);
    await producerFor();
  };

  const ensureReady = (): Promise<void> => {
    ready ??= setup().catch((err: unknown) => {
      ready = undefined;
      // Publishes fail fast for a moment rather than each waiting out its own connect attempt.
      lastSendError = errorMessage(err);
      downUntil = Date.now() + 1_000;
      throw err;
    });
    return ready;
  };

  let producer: Producer | undefined;
  let producerBroken = false;
  let producerConnected = false;
  const producerFor = async (): Promise<Producer> => {
    if (producer && !producerBroken) return producer;
    const old = producer;
    producer = undefined;
    producerConnected = false;
    if (old) void old.disconnect().catch(() => {});
    const p = kafka.producer({
      idempotent: true,
      // kafkajs serialises idempotent requests per broker anyway; one in flight is what
      // keeps sequence numbers gapless across retries.
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await p.connect();
    producer = p;
    producerBroken = false;
    producerConnected = true;
    return p;
  };

  const batcher = new Batcher<Outgoing>({
    send: async (items) => {
      const byTopic = new Map<string, Message[]>();
      for (const item of items) {
        for (const { topic, ...m } of item.messages) {
          let list = byTopic.get(topic);
          if (!list) byTopic.set(topic, (list = []));
          list.push(m);
        }
      }
      try {
        const p = await producerFor();
        await p.sendBatch({ acks: -1, timeout: 10_000, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
        downUntil = 0;
      } catch (err) {
        producerBroken = true;
        lastSendError = errorMessage(err);
        downUntil = Date.now() + 1_000;
        log.warn('kafka send failed', { err: lastSendError, messages: items.length });
        throw new BusUnavailableError(`Kafka did not acknowledge: ${lastSendError}`, unavailableAfter);
      }
    },
    maxItems: 10_000,
    maxBytes: maxRequestBytes,
    lingerMs: opts.lingerMs ?? 2,
    maxInFlight: 1,
  });

  const headersOf = (env: BusEnvelope, items: number): IHeaders => ({
    [H_KIND]: 'batch',
    [H_TENANT]: env.tenantId,
    [H_SIGNAL]: env.batch.signal,
    [H_BATCH]: env.batch.id,
    [H_ITEMS]: String(items),
    [H_SCHEMA]: String(CODEC_VERSION),
  });

  /** Encodes a (sub-)batch, halving it with derived ids until each part fits in a message. */
  const encodeFitting = (env: BusEnvelope, partition: number, topic: string, out: Array<Message & { topic: string }>): void => {
    const value = encodeEnvelope(env, { compress: opts.compress });
    const n = batchSize(env.batch);
    if (value.length <= maxMessageBytes) {
      out.push({ topic, key: env.tenantId, value, partition, headers: headersOf(env, n) });
      return;
    }
    if (n <= 1) throw new BusRejectedError(`one item is larger than ${maxMessageBytes} bytes encoded`);
    const half = Math.ceil(n / 2);
    encodeFitting({ tenantId: env.tenantId, batch: withItems(env.batch, `${env.batch.id}:s0`, 0, half) }, partition, topic, out);
    encodeFitting({ tenantId: env.tenantId, batch: withItems(env.batch, `${env.batch.id}:s1`, half, n) }, partition, topic, out);
  };

  const messagesFor = (env: BusEnvelope): Array<Message & { topic: string }> => {
    const topic = topicOf.get(env.batch.signal)!;
    const partitions = partitionsOf.get(topic) ?? 1;
    const out: Array<Message & { topic: string }> = [];
    if (env.batch.signal === 'traces' && traceAffinity && partitions > 1) {
      const groups = new Map<number, Span[]>();
      const tenantSeed = fnv1a(env.tenantId);
      for (const span of env.batch.spans) {
        const p = fnv1a(span.traceId, tenantSeed) % partitions;
        let g = groups.get(p);
        if (!g) groups.set(p, (g = []));
        g.push(span);
      }
      if (groups.size <= 1) {
        encodeFitting(env, groups.keys().next().value ?? 0, topic, out);
      } else {
        // Sorted so the derived ids do not depend on which trace came first.
        for (const [p, spans] of [...groups].sort((a, b) => a[0] - b[0])) {
          encodeFitting({ tenantId: env.tenantId, batch: { id: `${env.batch.id}:p${p}`, signal: 'traces', spans } }, p, topic, out);
        }
      }
    } else {
      encodeFitting(env, fnv1a(env.batch.id, fnv1a(env.tenantId)) % partitions, topic, out);
    }
    return out;
  };

  const sendOutgoing = async (messages: Array<Message & { topic: string }>, timeoutMs: number) => {
    const bytes = messages.reduce((n, m) => n + RECORD_OVERHEAD + (m.value ? (m.value as Buffer).length : 0), 0);
    await batcher.submit({ messages }, bytes, timeoutMs, () => new BusUnavailableError(`Kafka did not acknowledge within ${timeoutMs} ms`, unavailableAfter));
  };

  // ------------------------------------------------------------------------- consumer

  let consumer: Consumer | undefined;
  let consumerCrashed: string | undefined;

  const sendDeadLetter = async (topic: string, partition: number, message: KafkaMessage, letter: DeadLetter) => {
    const headers: IHeaders = {
      [H_KIND]: 'dead-letter',
      [H_TENANT]: letter.tenantId,
      [H_SIGNAL]: letter.signal,
      [H_BATCH]: letter.id,
      [H_ITEMS]: String(letter.items),
      [H_SCHEMA]: String(CODEC_VERSION),
      [H_ERROR]: truncate(letter.error, 2000),
      [H_ATTEMPTS]: String(letter.attempts),
      [H_FAILED_AT]: String(letter.failedAt),
      [H_SOURCE_TOPIC]: topic,
      [H_SOURCE_PARTITION]: String(partition),
      [H_SOURCE_OFFSET]: message.offset,
    };
    // The original bytes, untouched: a retry re-publishes exactly what was published.
    await sendOutgoing([{ topic: dlqTopic, key: letter.tenantId, value: message.value ?? Buffer.alloc(0), headers }], 30_000);
  };

  type Outcome = 'done' | 'aborted';

  /** Handles one message: retries, then dead-letters. 'aborted' leaves it uncommitted for redelivery. */
  const handleMessage = async (handler: BusHandler, topic: string, partition: number, message: KafkaMessage, stop: () => boolean): Promise<Outcome> => {
    let envelope: BusEnvelope;
    try {
      envelope = decodeEnvelope(message.value ?? Buffer.alloc(0));
    } catch (err) {
      // Undecodable bytes will not decode on a retry: straight to the dead letters.
      const h = message.headers;
      const letter: DeadLetter = {
        id: header(h, H_BATCH) ?? `${topic}/${partition}/${message.offset}`,
        tenantId: header(h, H_TENANT) ?? '',
        signal: (header(h, H_SIGNAL) ?? topic.slice(prefix.length)) as Signal,
        items: Number(header(h, H_ITEMS) ?? 0),
        attempts: 1,
        error: err instanceof BusCodecError ? err.message : errorMessage(err),
        failedAt: Date.now(),
      };
      try {
        await sendDeadLetter(topic, partition, message, letter);
      } catch {
        return 'aborted';
      }
      log.error('undecodable message dead-lettered', { topic, partition, offset: message.offset, err: letter.error });
      return 'done';
    }
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await handler(envelope);
        return 'done';
      } catch (err) {
        lastError = errorMessage(err);
        log.warn('bus handler failed', { batch: envelope.batch.id, tenant: envelope.tenantId, attempt, err: lastError });
      }
      if (stop()) return 'aborted';
      if (attempt < attempts) {
        const until = Date.now() + backoffMs(attempt, baseBackoff, maxBackoff);
        while (Date.now() < until) {
          if (stop()) return 'aborted';
          await sleep(Math.min(100, until - Date.now()));
        }
      }
    }
    const letter = deadLetterOf(envelope, attempts, lastError);
    try {
      await sendDeadLetter(topic, partition, message, letter);
    } catch (err) {
      log.warn('could not write dead letter; leaving the batch uncommitted', { batch: letter.id, err: errorMessage(err) });
      return 'aborted';
    }
    log.error('batch dead-lettered', { batch: letter.id, tenant: letter.tenantId, signal: letter.signal, items: letter.items, err: lastError });
    return 'done';
  };

  const eachBatch = (handler: BusHandler) => async (payload: EachBatchPayload) => {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    // kafkajs heartbeats only when asked; a slow sink must not get this worker thrown out
    // of the group (and its partitions handed over while it is still writing).
    let lost = false;
    const beat = setInterval(() => {
      heartbeat().catch((err: unknown) => {
        lost = true;
        log.info('heartbeat refused (rebalance?), finishing this batch early', { topic, partition, err: errorMessage(err) });
      });
    }, heartbeatInterval);
    const stop = () => closing || lost || !isRunning() || isStale();
    let resolved: string | undefined;
    let committedAt = Date.now();
    const commit = async () => {
      if (resolved === undefined) return;
      const offset = (BigInt(resolved) + 1n).toString();
      resolved = undefined;
      committedAt = Date.now();
      try {
        await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
      } catch (err) {
        // Not fatal: the next commit covers it, and if this worker loses the partition the
        // new owner redelivers from the last commit (sinks dedupe).
        log.info('offset commit failed', { topic, partition, offset, err: errorMessage(err) });
      }
    };
    try {
      for (const message of batch.messages) {
        if (stop()) break;
        const outcome = await handleMessage(handler, topic, partition, message, stop);
        if (outcome === 'aborted') break;
        // Every sink acknowledged (or the batch is safely in the dead-letter topic).
        resolveOffset(message.offset);
        resolved = message.offset;
        // Commit often enough that a crash redelivers little, without a round trip per message.
        if (Date.now() - committedAt >= 200) await commit();
      }
      await commit();
    } finally {
      clearInterval(beat);
    }
  };

  // ------------------------------------------------------------------ dead-letter view

  // Every process (web included) tails the dead-letter topic with its own throwaway group
  // (no commits, so it always reads from the start of retention) and keeps the newest
  // letters, with their bytes for retries. Retries are recorded in the topic itself as
  // markers naming the letter's offset, so every process's view agrees.
  const live = new Map<string, bigint>();
  const view = new Map<string, ViewEntry>();
  const viewCapacity = opts.deadLetterCapacity ?? 1_000;
  let viewConsumer: Consumer | undefined;
  let viewStarted: Promise<void> | undefined;
  let viewNext = 0n;

  const onDeadLetterMessage = (message: KafkaMessage) => {
    const offset = BigInt(message.offset);
    viewNext = offset + 1n;
    const h = message.headers;
    const id = header(h, H_BATCH);
    if (!id) return;
    if (header(h, H_KIND) === 'retried') {
      const of = BigInt(header(h, H_RETRIED_OFFSET) ?? '-1');
      const at = live.get(id);
      // Only the letter that was retried; a later failure of the same batch stays listed.
      if (at !== undefined && at <= of) {
        live.delete(id);
        view.delete(id);
      }
      return;
    }
    live.set(id, offset);
    view.delete(id);
    view.set(id, {
      letter: {
        id,
        tenantId: header(h, H_TENANT) ?? '',
        signal: (header(h, H_SIGNAL) ?? 'logs') as Signal,
        items: Number(header(h, H_ITEMS) ?? 0),
        attempts: Number(header(h, H_ATTEMPTS) ?? 0),
        error: header(h, H_ERROR) ?? '',
        failedAt: Number(header(h, H_FAILED_AT) ?? message.timestamp),
      },
      value: message.value ?? Buffer.alloc(0),
      sourceTopic: header(h, H_SOURCE_TOPIC) ?? '',
      sourcePartition: Number(header(h, H_SOURCE_PARTITION) ?? 0),
      offset,
    });
    while (view.size > viewCapacity) view.delete(view.keys().next().value as string);
  };

  const startView = (): Promise<void> => {
    viewStarted ??= (async () => {
      await ensureReady();
      const c = kafka.consumer({
        groupId: `${groupId}.dlq-view.${randomUUID()}`,
        maxWaitTimeInMs: 500,
        allowAutoTopicCreation: false,
      });
      await c.connect();
      await c.subscribe({ topics: [dlqTopic], fromBeginning: true });
      await c.run({ autoCommit: false, eachMessage: async ({ message }) => onDeadLetterMessage(message) });
      viewConsumer = c;
    })().catch((err: unknown) => {
      viewStarted = undefined;
      throw err;
    });
    return viewStarted;
  };

  /** Waits (briefly) until the view has read everything in the topic as of now. */
  const viewCaughtUp = async (maxWaitMs = 5_000) => {
    await startView();
    const [p0] = await admin.fetchTopicOffsets(dlqTopic);
    const high = BigInt(p0?.high ?? '0');
    const low = BigInt(p0?.low ?? '0');
    if (viewNext < low) viewNext = low;
    const until = Date.now() + maxWaitMs;
    while (viewNext < high && Date.now() < until) await sleep(25);
  };

  // -------------------------------------------------------------------------- health

  let lagCache: { at: number; lag: number } | undefined;
  const consumerLag = async (): Promise<number> => {
    if (lagCache && Date.now() - lagCache.at < 5_000) return lagCache.lag;
    let lag = 0;
    const committed = await admin.fetchOffsets({ groupId, topics: signalTopics });
    for (const t of committed) {
      const ends = await admin.fetchTopicOffsets(t.topic);
      for (const p of t.partitions) {
        const end = ends.find((e) => e.partition === p.partition);
        if (!end) continue;
        const from = p.offset === '-1' ? BigInt(end.low) : BigInt(p.offset);
        lag += Number(BigInt(end.high) - from);
      }
    }
    lagCache = { at: Date.now(), lag };
    return lag;
  };

  // ---------------------------------------------------------------------------- bus

  return {
    driver: 'kafka',

    async publish(envelope) {
      if (closing) throw new BusUnavailableError('bus is closing', retryAfter);
      if (Date.now() < downUntil) throw new BusUnavailableError(`Kafka is unavailable: ${lastSendError}`, unavailableAfter);
      if (batcher.bufferedBytes >= maxBuffered) {
        throw new BusFullError(`bus is full (${batcher.bufferedBytes} bytes waiting for Kafka)`, retryAfter);
      }
      const started = Date.now();
      try {
        await withTimeout(ensureReady(), publishTimeout, () => new Error(`no answer within ${publishTimeout} ms`));
      } catch (err) {
        throw new BusUnavailableError(`Kafka is unavailable: ${errorMessage(err)}`, unavailableAfter);
      }
      const messages = messagesFor(envelope);
      const bytes = messages.reduce((n, m) => n + (m.value as Buffer).length, 0);
      // Checked again with the real size; a lone batch larger than the buffer still goes.
      if (batcher.bufferedBytes > 0 && batcher.bufferedBytes + bytes > maxBuffered) {
        throw new BusFullError(`bus is full (${batcher.bufferedBytes} bytes waiting for Kafka)`, retryAfter);
      }
      await sendOutgoing(messages, Math.max(1, publishTimeout - (Date.now() - started)));
    },

    async startConsumer(handler) {
      if (consumer) throw new Error('consumer already started');
      await ensureReady();
      const c = kafka.consumer({
        groupId,
        sessionTimeout,
        heartbeatInterval,
        maxWaitTimeInMs: 1_000,
        maxBytesPerPartition: Math.max(2 * 1024 * 1024, maxRequestBytes),
        maxBytes: 32 * 1024 * 1024,
        allowAutoTopicCreation: false,
        retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
      });
      c.on(c.events.CRASH, (e) => {
        consumerCrashed = errorMessage(e.payload.error);
        log.error('kafka consumer crashed', { err: consumerCrashed, restarting: e.payload.restart });
      });
      c.on(c.events.GROUP_JOIN, () => (consumerCrashed = undefined));
      await c.connect();
      await c.subscribe({ topics: signalTopics, fromBeginning: true });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.concurrency ?? 4,
        eachBatch: eachBatch(handler),
      });
      consumer = c;
    },

    async health(): Promise<BusHealth> {
      try {
        await withTimeout(ensureReady(), 3_000, () => new Error('no answer within 3 s'));
      } catch (err) {
        return { ok: false, driver: 'kafka', detail: `Kafka is unavailable: ${errorMessage(err)}`, deadLetters: viewConsumer ? live.size : 0 };
      }
      // The first call starts this process's dead-letter view; give it a moment to count.
      await withTimeout(viewCaughtUp(1_000), 1_500, () => new Error('dead-letter view is starting')).catch(() => {});
      const deadLetters = viewConsumer ? live.size : 0;
      const down = Date.now() < downUntil;
      let lag: number | undefined;
      try {
        lag = await withTimeout(consumerLag(), 3_000, () => new Error('no answer within 3 s'));
      } catch {
        lag = undefined;
      }
      const parts = [
        down ? `producer failing: ${lastSendError}` : producerConnected ? 'producer connected' : 'producer connecting',
        consumer ? (consumerCrashed ? `consumer crashed: ${consumerCrashed}` : `consuming as ${groupId}`) : 'no consumer here',
        lag === undefined ? 'lag unknown' : `lag ${lag}`,
        viewConsumer ? `${live.size} dead letters` : 'dead letters: counting',
      ];
      return {
        ok: !closing && !down && producerConnected && !consumerCrashed,
        driver: 'kafka',
        detail: parts.join(', '),
        pending: batcher.pending,
        deadLetters,
        ...(lag === undefined ? {} : { lag }),
      };
    },

    async deadLetters({ tenantId, limit }) {
      await viewCaughtUp();
      const out: DeadLetter[] = [];
      for (const { letter } of [...view.values()].reverse()) {
        if (out.length >= limit) break;
        if (tenantId === undefined || letter.tenantId === tenantId) out.push({ ...letter });
      }
      return out;
    },

    async retryDeadLetter(id) {
      await viewCaughtUp();
      const entry = view.get(id);
      if (!entry || live.get(id) !== entry.offset) return false;
      const partitions = partitionsOf.get(entry.sourceTopic) ?? 1;
      const headers: IHeaders = { [H_KIND]: 'batch', [H_TENANT]: entry.letter.tenantId, [H_SIGNAL]: entry.letter.signal, [H_BATCH]: id, [H_ITEMS]: String(entry.letter.items), [H_SCHEMA]: String(CODEC_VERSION) };
      // Back onto its own topic and partition with its own bytes (same batch id), then the
      // marker. A crash between the two leaves the letter listed; retrying it twice only
      // redelivers a batch the sinks already dedupe.
      await sendOutgoing(
        [{ topic: entry.sourceTopic, key: entry.letter.tenantId, value: entry.value, partition: entry.sourcePartition % partitions, headers }],
        publishTimeout,
      );
      await sendOutgoing(
        [{ topic: dlqTopic, key: entry.letter.tenantId, value: null, headers: { [H_KIND]: 'retried', [H_BATCH]: id, [H_RETRIED_OFFSET]: entry.offset.toString() } }],
        publishTimeout,
      );
      live.delete(id);
      view.delete(id);
      return true;
    },

    async close() {
      closing = true;
      // Stops fetching, lets the running eachBatch calls finish their handler calls and
      // commits (retry loops give up at once and leave their message uncommitted).
      await consumer?.disconnect().catch((err: unknown) => log.warn('consumer disconnect failed', { err: errorMessage(err) }));
      await viewConsumer?.disconnect().catch(() => {});
      await batcher.drain();
      await producer?.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
    },
  };
}

