import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/**
 * Request bodies for the ingest benchmark, made the way real services make them: the
 * official OpenTelemetry SDK records spans and logs and the official serializer turns
 * them into the OTLP protobuf bytes the -otlp-proto exporters send. 512 items per body.
 */

const SERVICES = ['frontend', 'checkout', 'payments', 'inventory', 'users', 'shipping'];
const ROUTES = ['/api/cart', '/api/checkout', '/api/charge', '/api/stock', '/api/users/:id', '/api/ship'];
const WORDS = ['request', 'completed', 'payment', 'declined', 'timeout', 'retrying', 'cache', 'miss', 'order', 'shipped', 'user', 'session', 'token', 'refreshed', 'connection', 'reset', 'slow', 'query', 'inventory', 'reserved'];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 512 spans in 64 traces of 8 (a server span with nested client/internal children), ~10 attributes each. */
export async function spanBodies(count: number, seed = 1): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const r = rng(seed);
  for (let b = 0; b < count; b++) {
    const service = SERVICES[b % SERVICES.length]!;
    const exporter = new InMemorySpanExporter();
    const tp = new TracerProvider({
      resource: resourceFromAttributes({
        'service.name': service,
        'service.version': '1.4.2',
        'deployment.environment': 'production',
        'host.name': `node-${b % 4}`,
        'telemetry.sdk.language': 'nodejs',
      }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = tp.getTracer('bench', '1.0.0');
    for (let t = 0; t < 64; t++) {
      const route = ROUTES[Math.floor(r() * ROUTES.length)]!;
      const root = tracer.startSpan(`POST ${route}`, {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'POST',
          'http.route': route,
          'http.response.status_code': r() < 0.05 ? 500 : 200,
          'url.path': route,
          'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36',
          'client.address': `10.0.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`,
          'user.id': `u-${Math.floor(r() * 10000)}`,
          'order.id': `o-${Math.floor(r() * 1_000_000)}`,
        },
      });
      const ctx = trace.setSpan(context.active(), root);
      for (let c = 0; c < 7; c++) {
        const child = tracer.startSpan(c % 2 ? `SELECT ${route.split('/')[2]}` : `GET ${ROUTES[c % ROUTES.length]}`, {
          kind: c % 2 ? SpanKind.CLIENT : SpanKind.INTERNAL,
          attributes: {
            'db.system': 'postgresql',
            'db.statement': 'SELECT * FROM items WHERE id = $1',
            'server.address': 'pg-primary',
            'server.port': 5432,
            'code.function': `handler${c}`,
            'thread.id': c,
            'net.peer.name': 'pg-primary.svc',
            retry: c === 3,
          },
        }, ctx);
        if (c === 2) child.addEvent('cache.miss', { key: `item:${Math.floor(r() * 500)}` });
        if (r() < 0.02) child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out' });
        child.end();
      }
      root.end();
    }
    await tp.forceFlush();
    out.push(new Uint8Array(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans()) as Uint8Array));
  }
  return out;
}

/** 512 log records with 6-14 word bodies, 5 attributes and trace context on most. */
export async function logBodies(count: number, seed = 2): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const r = rng(seed);
  for (let b = 0; b < count; b++) {
    const exporter = new InMemoryLogRecordExporter();
    const lp = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': SERVICES[b % SERVICES.length]!, 'service.version': '1.4.2', 'deployment.environment': 'production' }),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const tp = new TracerProvider({});
    const tracer = tp.getTracer('bench');
    const logger = lp.getLogger('bench', '1.0.0');
    for (let i = 0; i < 512; i++) {
      const words = Array.from({ length: 6 + Math.floor(r() * 9) }, () => WORDS[Math.floor(r() * WORDS.length)]!);
      const sev = r();
      const span = tracer.startSpan('x');
      logger.emit({
        body: `${words.join(' ')} id=${Math.floor(r() * 1e6)}`,
        severityNumber: sev < 0.7 ? 9 : sev < 0.9 ? 13 : 17,
        severityText: sev < 0.7 ? 'INFO' : sev < 0.9 ? 'WARN' : 'ERROR',
        attributes: { 'code.function': `fn${i % 20}`, 'http.route': ROUTES[i % ROUTES.length]!, 'user.id': `u-${Math.floor(r() * 10000)}`, attempt: i % 3, cached: i % 2 === 0 },
        context: r() < 0.8 ? trace.setSpan(context.active(), span) : context.active(),
      });
      span.end();
    }
    await lp.forceFlush();
    out.push(new Uint8Array(ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords()) as Uint8Array));
  }
  return out;
}
