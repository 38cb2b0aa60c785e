import { ROOT_CONTEXT, SeverityNumber, trace } from '@opentelemetry/api';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { decodeLogsJson } from './otlp-json';
import { decodeLogsProtobuf } from './otlp-proto';
import { expectLog } from './test-support';

async function recordLogs(): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'billing', 'k8s.pod.name': 'billing-7d9f' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('app-logger', '2.0.0');
  const inSpan = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
  logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'payment accepted', attributes: { amount: 12.5, currency: 'EUR', retries: 0 } });
  logger.emit({ severityNumber: SeverityNumber.ERROR2, severityText: 'ERROR', body: 'card declined', context: inSpan, attributes: { code: 'do_not_honor' } });
  logger.emit({ severityNumber: SeverityNumber.WARN, body: { event: 'limit', user: { id: 7, tags: ['a', 'b'] }, ok: false } });
  logger.emit({ body: 42 });
  logger.emit({ eventName: 'session.start', body: 'structured event', timestamp: new Date('2024-05-01T10:00:00.123Z') });
  logger.emit({ severityNumber: SeverityNumber.FATAL4, body: 'multi\nline\tbody ✓' });
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

describe('OTLP logs: decoded exactly as the official SDK recorded them', () => {
  it.each([
    ['protobuf', (l: ReadableLogRecord[]) => decodeLogsProtobuf(ProtobufLogsSerializer.serializeRequest(l)!)],
    ['json', (l: ReadableLogRecord[]) => decodeLogsJson(JsonLogsSerializer.serializeRequest(l)!)],
  ])('%s: every record, field by field', async (_enc, decode) => {
    const logs = await recordLogs();
    expect(logs).toHaveLength(6);
    const res = decode(logs);
    expect(res.rejected).toBe(0);
    expect(res.message).toBeUndefined();
    expect(res.items).toEqual(logs.map(expectLog));
  });

  it('structured bodies arrive as JSON text and trace context is kept', async () => {
    const res = decodeLogsProtobuf(ProtobufLogsSerializer.serializeRequest(await recordLogs())!);
    expect(res.items[2]!.body).toBe('{"event":"limit","user":{"id":7,"tags":["a","b"]},"ok":false}');
    expect(res.items[3]!.body).toBe('42');
    expect(res.items[1]).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', flags: 1, severityNumber: 18 });
    expect(res.items[4]!.attributes['event.name']).toBe('session.start');
    expect(res.items[4]!.timeUnixNano).toBe(1714557600123000000n);
    expect(res.items[0]!.serviceName).toBe('billing');
  });
});
