/**
 * One publishing process for the multi-process row of bench/bus/run.ts: the web role is
 * stateless and a 2-core box runs one per core. Told over IPC when to run; answers with
 * what it got acknowledged.
 */
import { createBus } from '../../app/.server/bus';
import { createLogger } from '../../app/.server/log';
import { drive, envelopes } from './drive';

const log = createLogger({ level: 'error', format: 'pretty' });
const bus = createBus({
  driver: 'kafka',
  log,
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '').split(','),
  kafka: { topicPrefix: process.env.BENCH_TOPIC_PREFIX },
});
const { next } = envelopes();
await bus.publish(next());

process.on('message', (msg: { type: 'go'; ms: number; publishers: number } | { type: 'exit' }) => {
  if (msg.type === 'exit') {
    void bus.close().then(() => process.exit(0));
    return;
  }
  void drive(() => bus.publish(next()), msg.ms, msg.publishers).then((run) => process.send!({ type: 'done', run }));
});
process.send!({ type: 'ready' });
