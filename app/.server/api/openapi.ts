/**
 * The OpenAPI 3.1 description of Obstack's HTTP API: the read API the UI uses, the ingest
 * endpoints and health. Served at /api/openapi.json and rendered at /api/docs. Parameter
 * rules live in params.ts; keep the two in step.
 */

type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const param = (name: string, description: string, schema: Schema = { type: 'string' }, required = false, inPath = false) => ({
  name,
  in: inPath ? 'path' : 'query',
  required: inPath || required,
  description,
  schema,
});

const range = [
  param('from', 'Start of the range: `now-15m`, `now-1h`, epoch milliseconds or an ISO date. Default `now-1h`.', { type: 'string', example: 'now-1h' }),
  param('to', 'End of the range (same forms). Default `now`.', { type: 'string', example: 'now' }),
];
const filter = param(
  'filter',
  'Attribute condition, repeatable: `key=value`, `key!=value`, `key=~regex`, `key!~regex`, `key~text` (contains), `key>n`, `key>=n`, `key<n`, `key<=n`, `key` (exists), `!key` (missing). Looked up in the record\'s attributes, then its resource.',
  { type: 'array', items: { type: 'string' } },
);

const answer = (data: Schema, description: string) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['data', 'errors', 'sources'],
        properties: {
          data,
          errors: { type: 'array', items: { $ref: '#/components/schemas/SourceError' } },
          sources: { type: 'array', items: { type: 'string' }, description: 'Data sources that answered.' },
        },
      },
    },
  },
});

const errors = {
  '400': { description: 'A parameter is invalid; the message names it.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '401': { description: 'No, unknown, revoked or expired key (or no session).', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '403': { description: 'The key lacks the read scope.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
};

const nanos = str('Nanoseconds since the epoch, as a decimal string.', { pattern: '^\\d+$' });

export const openapi = {
  openapi: '3.1.0',
  info: {
    title: 'Obstack API',
    version: '1.0.0',
    description:
      'Read telemetry (services, traces, logs, metrics, RUM) and send it (OTLP/HTTP, Prometheus remote_write, Faro). Authenticate with an API key (`Authorization: Bearer <key>` or `X-API-Key: <key>`): the read endpoints need the `read` scope, ingest the `ingest` scope. A signed-in browser session works for the read endpoints too. Every read answer carries `errors`: the data sources that failed, beside the data of those that answered.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }, { apiKey: [] }],
  tags: [
    { name: 'Query', description: 'Read telemetry. Scope: read.' },
    { name: 'Ingest', description: 'Send telemetry. Scope: ingest.' },
    { name: 'Operations', description: 'Health.' },
  ],
  paths: {
    '/api/v1/services': {
      get: {
        tags: ['Query'],
        summary: 'Services with request rate, error rate and latency percentiles',
        description: 'From spans of kind server/consumer (or root spans) in the range. Services that only log appear with zero requests.',
        parameters: range,
        responses: { '200': answer({ type: 'array', items: { $ref: '#/components/schemas/ServiceStats' } }, 'One entry per service, busiest first.'), ...errors },
      },
    },
    '/api/v1/traces': {
      get: {
        tags: ['Query'],
        summary: 'Search traces',
        parameters: [
          ...range,
          param('service', 'A span of this service.'),
          param('operation', 'A span with this name.'),
          param('minDuration', 'Trace duration at least this many milliseconds.', { type: 'number' }),
          param('maxDuration', 'Trace duration at most this many milliseconds.', { type: 'number' }),
          param('status', 'A span with this status.', { type: 'string', enum: ['ok', 'error', 'unset'] }),
          filter,
          param('limit', 'Most traces returned (1-1000, default 50).', { type: 'integer' }),
        ],
        responses: { '200': answer({ type: 'object', properties: { traces: { type: 'array', items: { $ref: '#/components/schemas/TraceSummary' } } } }, 'Trace summaries, newest first.'), ...errors },
      },
    },
    '/api/v1/traces/{traceId}': {
      get: {
        tags: ['Query'],
        summary: 'One trace with all its spans',
        parameters: [param('traceId', '32 hexadecimal characters.', { type: 'string', pattern: '^[0-9a-fA-F]{32}$' }, true, true)],
        responses: {
          '200': answer({ type: 'object', properties: { traceId: { type: 'string' }, spans: { type: 'array', items: { $ref: '#/components/schemas/Span' } } } }, 'The trace (spans ordered by start).'),
          '404': { description: 'No data source has this trace.' },
          ...errors,
        },
      },
    },
    '/api/v1/logs': {
      get: {
        tags: ['Query'],
        summary: 'Search logs',
        parameters: [
          ...range,
          param('q', 'Words that must all appear in the body (case-insensitive).'),
          param('service', 'Service name, repeatable.', { type: 'array', items: { type: 'string' } }),
          param('severity', 'Minimum severity: trace, debug, info, warn, error, fatal, or 1-24.'),
          param('traceId', 'Records of one trace.'),
          filter,
          param('limit', 'Most records (1-5000, default 100).', { type: 'integer' }),
          param('direction', 'backward (newest first, default) or forward.', { type: 'string', enum: ['backward', 'forward'] }),
          param('cursor', 'The `nextCursor` of the previous page.'),
          param('volumeStep', 'Also count records per bucket of this size (`30s`, `5m`, or `auto`).'),
        ],
        responses: {
          '200': answer(
            {
              type: 'object',
              properties: {
                records: { type: 'array', items: { $ref: '#/components/schemas/LogRecord' } },
                nextCursor: { type: 'string' },
                volume: { type: 'array', items: { type: 'object', properties: { t: { type: 'integer' }, count: { type: 'integer' }, bySeverity: { type: 'object' } } } },
              },
            },
            'Records and, with volumeStep, their counts over time.',
          ),
          ...errors,
        },
      },
    },
    '/api/v1/metrics/query': {
      get: {
        tags: ['Query'],
        summary: 'Query a metric as time series',
        parameters: [
          ...range,
          param('metric', 'Metric name.', { type: 'string' }, true),
          param('match', 'Label matcher, repeatable: `label=value`, `label!=value`, `label=~regex`, `label!~regex`.', { type: 'array', items: { type: 'string' } }),
          param('rate', 'Per-second rate of a counter before aggregating.', { type: 'boolean' }),
          param('agg', 'sum (default), avg, min, max, count, none, or p50/p90/p95/p99 (from histogram buckets).', { type: 'string' }),
          param('by', 'Comma-separated labels to group by.'),
          param('step', 'Resolution (`30s`, `1m`...); default about 120 points over the range.'),
        ],
        responses: { '200': answer({ type: 'object', properties: { series: { type: 'array', items: { $ref: '#/components/schemas/Series' } } } }, 'Series, one slot per step.'), ...errors },
      },
    },
    '/api/v1/metrics/names': { get: { tags: ['Query'], summary: 'Metric names with data in the range', parameters: range, responses: { '200': answer({ type: 'array', items: { type: 'string' } }, 'Names.'), ...errors } } },
    '/api/v1/operations': {
      get: { tags: ['Query'], summary: 'Span names', parameters: [...range, param('service', 'Of one service.')], responses: { '200': answer({ type: 'array', items: { type: 'string' } }, 'Names.'), ...errors } },
    },
    '/api/v1/labels': {
      get: {
        tags: ['Query'],
        summary: 'Label (attribute) names of a signal',
        parameters: [...range, param('signal', 'metrics (default), logs, traces or rum.')],
        responses: { '200': answer({ type: 'array', items: { type: 'string' } }, 'Names.'), ...errors },
      },
    },
    '/api/v1/labels/{name}/values': {
      get: {
        tags: ['Query'],
        summary: 'Values of one label',
        parameters: [param('name', 'Label name.', { type: 'string' }, true, true), ...range, param('signal', 'metrics (default), logs, traces or rum.')],
        responses: { '200': answer({ type: 'array', items: { type: 'string' } }, 'Values.'), ...errors },
      },
    },
    '/api/v1/rum': {
      get: {
        tags: ['Query'],
        summary: 'Browser events: page views, web vitals, errors, logs',
        parameters: [
          ...range,
          param('kind', 'page_view, web_vital, error, log, event, measurement or session; repeatable.', { type: 'array', items: { type: 'string' } }),
          param('sessionId', 'One session.'),
          param('page', 'Page path.'),
          filter,
          param('limit', 'Most events (1-5000, default 100).', { type: 'integer' }),
          param('groupBy', 'Comma-separated: kind, name, page, browser, os, device, app — answer counts per group.'),
        ],
        responses: { '200': answer({ type: 'object', properties: { events: { type: 'array', items: { type: 'object' } }, groups: { type: 'array', items: { type: 'object' } } } }, 'Events, newest first, or groups.'), ...errors },
      },
    },
    '/v1/traces': ingestOp('OTLP/HTTP traces', 'ExportTraceServiceRequest'),
    '/v1/metrics': ingestOp('OTLP/HTTP metrics', 'ExportMetricsServiceRequest'),
    '/v1/logs': ingestOp('OTLP/HTTP logs', 'ExportLogsServiceRequest'),
    '/api/v1/push': {
      post: {
        tags: ['Ingest'],
        summary: 'Prometheus remote_write 1.0',
        description: 'Snappy-compressed protobuf WriteRequest. The key may also be the basic-auth password. Valid series are stored even when others are rejected.',
        requestBody: { required: true, content: { 'application/x-protobuf': { schema: { type: 'string', format: 'binary' } } } },
        responses: {
          '204': { description: 'Stored.' },
          '400': { description: 'Undecodable, or some series invalid (named in the text body; the valid ones were stored).' },
          '401': { description: 'Bad key.' },
          '413': { description: 'Over the body limit.' },
          '415': { description: 'Not application/x-protobuf (remote_write 2.0 senders fall back to 1.0).' },
          '429': { description: 'Buffers full; retry after Retry-After seconds.' },
          '503': { description: 'Storage unavailable; retry after Retry-After seconds.' },
        },
      },
    },
    '/collect': {
      post: {
        tags: ['Ingest'],
        summary: 'Grafana Faro web SDK',
        description: 'The Faro transport body (meta, logs, exceptions, measurements, events, traces). Key in `x-api-key`. CORS: origins allowed per tenant.',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: {
          '202': { description: 'Accepted (counts of accepted and rejected items in the body).' },
          '400': { description: 'Not a Faro payload.' },
          '401': { description: 'Bad key.' },
          '403': { description: 'Origin not allowed for this tenant.' },
          '413': { description: 'Over 5 MiB.' },
          '429': { description: 'Tenant over its browser request rate; retry after Retry-After seconds.' },
        },
      },
    },
    '/health': { get: { tags: ['Operations'], summary: 'Liveness', security: [], responses: { '200': { description: '`{"status":"ok"}`' }, '503': { description: 'Shutting down.' } } } },
    '/api/v1/health': {
      get: {
        tags: ['Operations'],
        summary: 'Readiness per component',
        description: 'Database, queue, bus, Redis, Kafka, the built-in store and the caller tenant\'s data sources. Any key scope.',
        responses: { '200': { description: 'Ready (maybe degraded).' }, '503': { description: 'A required component is down.' }, '401': { description: 'Bad key.' } },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'An Obstack API key.' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    },
    schemas: {
      Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
      SourceError: {
        type: 'object',
        properties: {
          dataSourceId: { type: 'string' },
          dataSourceName: { type: 'string' },
          source: { type: 'string', enum: ['plugin', 'downstream', 'config'] },
          message: { type: 'string' },
          retryable: { type: 'boolean' },
        },
      },
      ServiceStats: {
        type: 'object',
        properties: {
          service: { type: 'string' },
          requests: { type: 'integer' },
          errors: { type: 'integer' },
          rate: { type: 'number', description: 'Requests per second.' },
          errorRate: { type: 'number', description: '0..1' },
          p50Ms: { type: ['number', 'null'] },
          p95Ms: { type: ['number', 'null'] },
          p99Ms: { type: ['number', 'null'] },
        },
      },
      TraceSummary: {
        type: 'object',
        properties: {
          traceId: { type: 'string' },
          rootService: { type: 'string' },
          rootName: { type: 'string' },
          startMs: { type: 'number' },
          durationMs: { type: 'number' },
          spanCount: { type: 'integer' },
          errorCount: { type: 'integer' },
          services: { type: 'array', items: { type: 'string' } },
        },
      },
      Span: {
        type: 'object',
        properties: {
          traceId: { type: 'string' },
          spanId: { type: 'string' },
          parentSpanId: { type: 'string' },
          name: { type: 'string' },
          kind: { type: 'string' },
          startTimeUnixNano: nanos,
          endTimeUnixNano: nanos,
          status: { type: 'object' },
          serviceName: { type: 'string' },
          attributes: { type: 'object' },
          resource: { type: 'object' },
          events: { type: 'array', items: { type: 'object' } },
          links: { type: 'array', items: { type: 'object' } },
        },
      },
      LogRecord: {
        type: 'object',
        properties: {
          timeUnixNano: nanos,
          severityNumber: { type: 'integer' },
          severityText: { type: 'string' },
          body: { type: 'string' },
          serviceName: { type: 'string' },
          traceId: { type: 'string' },
          spanId: { type: 'string' },
          attributes: { type: 'object' },
          resource: { type: 'object' },
        },
      },
      Series: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          timestamps: { type: 'array', items: { type: 'number' }, description: 'Milliseconds.' },
          values: { type: 'array', items: { type: ['number', 'null'] } },
        },
      },
    },
  },
} as const;

function ingestOp(summary: string, message: string) {
  return {
    post: {
      tags: ['Ingest'],
      summary,
      description: `An OTLP ${message}, as application/x-protobuf or application/json (optionally gzip). The answer is in the request's encoding.`,
      requestBody: {
        required: true,
        content: { 'application/x-protobuf': { schema: { type: 'string', format: 'binary' } }, 'application/json': { schema: { type: 'object' } } },
      },
      responses: {
        '200': { description: 'Stored; `partial_success` counts items that were rejected and why.' },
        '400': { description: 'Undecodable body (google.rpc.Status).' },
        '401': { description: 'Bad key.' },
        '403': { description: 'The key lacks the ingest scope.' },
        '413': { description: 'Over the body limit, or over the decompressed limit.' },
        '415': { description: 'Another content type.' },
        '429': { description: 'Buffers full; retry after Retry-After seconds.' },
        '503': { description: 'Storage unavailable; retry after Retry-After seconds.' },
      },
    },
  };
}
