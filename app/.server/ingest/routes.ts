import type { IngestRequest, IngestService } from './service';

/**
 * The ingest endpoints, mounted on the HTTP server itself rather than as Remix routes:
 * they are the hottest path (hundreds of requests a second, each a whole batch), and
 * going through the framework — a web Request built from the Node request, route
 * matching, a streamed web Response written back — cost about a tenth of the web
 * process's CPU at full load for nothing these machine endpoints use.
 */
export function ingestEndpoints(ingest: IngestService): Record<string, (r: IngestRequest) => Promise<Response> | Response> {
  return {
    '/v1/traces': (r) => ingest.otlp(r, 'traces'),
    '/v1/metrics': (r) => ingest.otlp(r, 'metrics'),
    '/v1/logs': (r) => ingest.otlp(r, 'logs'),
    '/api/v1/push': (r) => ingest.remoteWrite(r),
    '/collect': (r) => ingest.faro(r),
  };
}
