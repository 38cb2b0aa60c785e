import { type Context, ROOT_CONTEXT, SeverityNumber, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPLogExporter as HttpLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as HttpMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as HttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/**
 * The official OpenTelemetry JS SDK wired to an Obstack with the official OTLP exporters,
 * as a user would configure them: `url: <obstack>/v1/<signal>` and an Authorization header.
 * `proto` uses the -otlp-proto exporters (application/x-protobuf), `http` the -otlp-http
 * ones (OTLP/JSON). Every export's result is recorded, so a test can insist that the
 * server accepted each one (the SDK itself only logs failures).
 */
export type OtlpTransport = 'proto' | 'http';

export interface ExportOutcome {
  signal: 'traces' | 'metrics' | 'logs';
  code: number;
  error?: string;
}

export interface OtelPipeline {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  loggerProvider: LoggerProvider;
  outcomes: ExportOutcome[];
  /** Every export so far; throws if any failed. */
  assertAllExported(): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

interface Exporting<T> {
  export(items: T, done: (r: { code: number; error?: Error }) => void): void;
}

/** Records what each export answered, leaving the exporter otherwise untouched. */
function recordOutcomes<T, E extends Exporting<T>>(exporter: E, signal: ExportOutcome['signal'], outcomes: ExportOutcome[]): E {
  const original = exporter.export.bind(exporter);
  exporter.export = (items: T, done: (r: { code: number; error?: Error }) => void) =>
    original(items, (r) => {
      outcomes.push({ signal, code: r.code, ...(r.error ? { error: r.error.message } : {}) });
      done(r);
    });
  return exporter;
}

export function otelPipeline(opts: {
  baseUrl: string;
  key: string;
  transport: OtlpTransport;
  resource: Record<string, string | number | boolean>;
}): OtelPipeline {
  const headers = { Authorization: `Bearer ${opts.key}` };
  const outcomes: ExportOutcome[] = [];
  // As NodeSDK does: the SDK's own attributes (telemetry.sdk.*) under the user's.
  const resource = defaultResource().merge(resourceFromAttributes(opts.resource));
  const common = { headers, timeoutMillis: 10_000 };

  const traceExporter =
    opts.transport === 'proto'
      ? new ProtoTraceExporter({ ...common, url: `${opts.baseUrl}/v1/traces` })
      : new HttpTraceExporter({ ...common, url: `${opts.baseUrl}/v1/traces` });
  const metricExporter =
    opts.transport === 'proto'
      ? new ProtoMetricExporter({ ...common, url: `${opts.baseUrl}/v1/metrics` })
      : new HttpMetricExporter({ ...common, url: `${opts.baseUrl}/v1/metrics` });
  const logExporter =
    opts.transport === 'proto'
      ? new ProtoLogExporter({ ...common, url: `${opts.baseUrl}/v1/logs` })
      : new HttpLogExporter({ ...common, url: `${opts.baseUrl}/v1/logs` });

  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor({ exporter: recordOutcomes(traceExporter, 'traces', outcomes), scheduledDelayMillis: 60_000 })],
  });
  const meterProvider = new MeterProvider({
    resource,
    // Exports only when flushed: the tests decide when a collection happens.
    readers: [new PeriodicExportingMetricReader({ exporter: recordOutcomes(metricExporter, 'metrics', outcomes), exportIntervalMillis: 3_600_000 })],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: recordOutcomes(logExporter, 'logs', outcomes), scheduledDelayMillis: 60_000 })],
  });

  return {
    tracerProvider,
    meterProvider,
    loggerProvider,
    outcomes,
    assertAllExported() {
      const failed = outcomes.filter((o) => o.code !== 0);
      if (failed.length) throw new Error(`exports failed: ${JSON.stringify(failed)}`);
    },
    async flush() {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush(), loggerProvider.forceFlush()]);
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}

/** What `recordCheckout` produced, for the assertions. */
export interface RecordedCheckout {
  traceId: string;
  spans: Record<'root' | 'validate' | 'charge' | 'serialize', { spanId: string; parentSpanId?: string }>;
  healthTraceIds: string[];
}

/**
 * One failed checkout (a server span with an internal and a client child, the client
 * with a grandchild, an exception event and error status), two healthy requests, and
 * two logs correlated with the checkout's spans. Times are explicit so durations are known.
 */
export function recordCheckout(p: OtelPipeline, scopeName: string): RecordedCheckout {
  const tracer = p.tracerProvider.getTracer(scopeName, '1.0.0');
  const logger = p.loggerProvider.getLogger(scopeName, '1.0.0');
  const t0 = Date.now() - 5_000;
  const under = (parent: Span): Context => trace.setSpan(ROOT_CONTEXT, parent);

  const root = tracer.startSpan(
    'GET /checkout',
    {
      kind: SpanKind.SERVER,
      startTime: t0,
      attributes: { 'http.request.method': 'GET', 'http.route': '/checkout', 'http.response.status_code': 500, 'cart.items': 3, 'feature.flags': ['new-cart', 'fast-pay'] },
    },
    ROOT_CONTEXT,
  );
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'checkout started for cart c-42',
    attributes: { 'cart.id': 'c-42' },
    timestamp: t0 + 1,
    context: under(root),
  });
  const validate = tracer.startSpan('validate cart', { kind: SpanKind.INTERNAL, startTime: t0 + 2, attributes: { 'cart.id': 'c-42' } }, under(root));
  validate.addEvent('cart validated', { 'cart.items': 3 }, t0 + 10);
  validate.end(t0 + 12);
  const charge = tracer.startSpan(
    'POST /payments',
    { kind: SpanKind.CLIENT, startTime: t0 + 15, attributes: { 'server.address': 'payments.internal', 'http.request.method': 'POST' } },
    under(root),
  );
  const serialize = tracer.startSpan('serialize payment', { kind: SpanKind.INTERNAL, startTime: t0 + 16 }, under(charge));
  serialize.end(t0 + 18);
  charge.recordException(new Error('card declined'), t0 + 90);
  charge.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  charge.end(t0 + 95);
  logger.emit({
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'payment failed: card declined',
    attributes: { 'cart.id': 'c-42', 'error.type': 'CardDeclined' },
    timestamp: t0 + 96,
    context: under(charge),
  });
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'payment failed' });
  root.end(t0 + 120);

  const healthTraceIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    const h = tracer.startSpan('GET /health', { kind: SpanKind.SERVER, startTime: t0 + 200 + i * 100, attributes: { 'http.route': '/health' } }, ROOT_CONTEXT);
    h.setStatus({ code: SpanStatusCode.OK });
    h.end(t0 + 210 + i * 100);
    healthTraceIds.push(h.spanContext().traceId);
  }

  const id = (s: Span, parent?: Span) => ({ spanId: s.spanContext().spanId, ...(parent ? { parentSpanId: parent.spanContext().spanId } : {}) });
  return {
    traceId: root.spanContext().traceId,
    spans: { root: id(root), validate: id(validate, root), charge: id(charge, root), serialize: id(serialize, charge) },
    healthTraceIds,
  };
}
