import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiSpan, type IngestStack, eventually, modeAvailable, read, startIngestStack } from '../support/ingest';
import { hexId, otlpTracesJson } from '../support/payloads';

/** Messages on a topic so far: the sum of its partitions' high watermarks, and how many partitions hold any. */
async function topicCounts(topic: string): Promise<{ messages: number; partitionsUsed: number }> {
  const admin = new Kafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const counts = offsets.map((o) => Number(o.high) - Number(o.low));
    return { messages: counts.reduce((a, b) => a + b, 0), partitionsUsed: counts.filter((n) => n > 0).length };
  } finally {
    await admin.disconnect();
  }
}

/**
 * OBSTACK_KAFKA_TRACE_AFFINITY=true: one OTLP request with spans of many traces is split on
 * Kafka so that each trace's spans share a partition, and every trace reads back whole.
 * (The driver test checks the partition of every span; this checks the setting reaches it.)
 */
describe.skipIf(!modeAvailable('kafka'))('Kafka with trace affinity', () => {
  let stack: IngestStack;
  beforeAll(async () => {
    stack = await startIngestStack('kafka', { OBSTACK_KAFKA_TRACE_AFFINITY: 'true' });
  });
  afterAll(async () => stack?.stop());

  it('splits a span batch per partition by trace, and every trace reads back complete', async () => {
    const traces = Array.from({ length: 24 }, () => hexId(16));
    const spans = traces.flatMap((traceId, i) => [0, 1, 2].map((n) => ({ name: `step ${n} of ${i}`, traceId })));
    const res = await fetch(`${stack.url}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${stack.key}` },
      body: JSON.stringify(otlpTracesJson('affine', spans)),
    });
    expect(res.status).toBe(200);

    // 24 traces over 6 partitions: one request became one message per partition it touched.
    const { messages, partitionsUsed } = await topicCounts(`${stack.store.env.OBSTACK_BUS_PREFIX}.traces`);
    expect(partitionsUsed).toBeGreaterThan(1);
    expect(messages).toBe(partitionsUsed);

    for (const [i, traceId] of traces.entries()) {
      await eventually(async () => {
        const { data } = await read<{ spans: ApiSpan[] } | null>(stack.url, stack.key, `/api/v1/traces/${traceId}`);
        expect(data?.spans.map((s) => s.name).sort()).toEqual([0, 1, 2].map((n) => `step ${n} of ${i}`));
      });
    }
  });
});
