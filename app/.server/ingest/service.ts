import { randomUUID } from 'node:crypto';
import type { LogRecord, MetricPoint, RumEvent, Span, WriteBatch } from '@obstack/plugin-api';
import type { ApiKeyVerifier, KeyPrincipal } from '../api-keys';
import { apiKeyFromRequest } from '../auth';
import type { Bus } from '../bus';
import type { Logger } from '../log';
import type { RateLimiter } from '../rate-limit';
import {
  type DecodeLimits,
  type EncodedResponse,
  IngestError,
  type IngestErrorCode,
  type OtlpFormat,
  type OtlpSignal,
  decodeFaro,
  decodeOtlp,
  decodeRemoteWrite,
  encodeFaroResponse,
  encodeOtlpResponse,
  encodeRemoteWriteResponse,
  negotiateJsonContentType,
  negotiateOtlpContentType,
  negotiateRemoteWriteContentType,
  type BodySource,
  readBody,
} from './decode';
import { type IngestSettingsCache, originAllowed } from './settings';

/**
 * What an ingest endpoint needs of a request. A web Request fits; the HTTP server also
 * builds one straight from a Node request (its body an async iterable), skipping the
 * framework on the hottest path.
 */
export interface IngestRequest {
  method: string;
  headers: Headers;
  body: BodySource | null;
}

/** Our own refusals travel as IngestError too, so every protocol renders them its way. */
function refusal(status: number, code: string, message: string): IngestError {
  return new IngestError(status, code as IngestErrorCode, message);
}

function bodyHeaders(request: IngestRequest): { encoding: string | null; declaredLength: number } {
  const length = request.headers.get('content-length');
  return { encoding: request.headers.get('content-encoding'), declaredLength: length === null ? NaN : Number(length) };
}

function respond(r: EncodedResponse, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set('Content-Type', r.contentType);
  return new Response(r.status === 204 ? null : (r.body as BodyInit), { status: r.status, headers: h });
}

interface Refused {
  status: 429 | 503;
  retryAfterSeconds: number;
  message: string;
}

/** The bus's refusals, recognised by shape: they may come from another bundle's copy of the class. */
function asRefused(e: unknown): Refused | undefined {
  const x = e as Partial<Refused> | null;
  if (x && typeof x === 'object' && (x.status === 429 || x.status === 503) && typeof x.retryAfterSeconds === 'number') {
    return { status: x.status, retryAfterSeconds: x.retryAfterSeconds, message: String(x.message ?? 'busy') };
  }
  return undefined;
}

function batchOf(signal: 'traces', items: Span[], id?: string): WriteBatch;
function batchOf(signal: 'logs', items: LogRecord[], id?: string): WriteBatch;
function batchOf(signal: 'metrics', items: MetricPoint[], id?: string): WriteBatch;
function batchOf(signal: 'rum', items: RumEvent[], id?: string): WriteBatch;
function batchOf(signal: 'traces' | 'logs' | 'metrics' | 'rum', items: unknown[], id: string = randomUUID()): WriteBatch {
  switch (signal) {
    case 'traces':
      return { id, signal, spans: items as Span[] };
    case 'logs':
      return { id, signal, records: items as LogRecord[] };
    case 'metrics':
      return { id, signal, points: items as MetricPoint[] };
    case 'rum':
      return { id, signal, events: items as RumEvent[] };
  }
}

function otlpBatch(signal: OtlpSignal, items: Array<Span | LogRecord | MetricPoint>): WriteBatch {
  if (signal === 'traces') return batchOf('traces', items as Span[]);
  if (signal === 'logs') return batchOf('logs', items as LogRecord[]);
  return batchOf('metrics', items as MetricPoint[]);
}

export interface IngestOptions {
  limits: DecodeLimits;
  /** Faro bodies are small; their own wire limit (5 MiB by default). */
  faroMaxBytes: number;
}

/** What we take as an Idempotency-Key (the Faro SDK sends 20 alphanumerics); anything else is ignored. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,128}$/;

// Every header the Faro web SDK's fetch transport may send: 2.x adds Idempotency-Key to each
// request, and Content-Encoding when compression is on; a preflight that leaves one out
// makes the browser drop everything the SDK sends.
const FARO_CORS = {
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'content-type, content-encoding, x-api-key, x-faro-session-id, idempotency-key',
  'Access-Control-Max-Age': '86400',
};

/**
 * The ingest endpoints' work: authenticate the key (ingest scope; the tenant comes only
 * from it), read and decode the body under the limits, publish one batch per signal to
 * the bus, and answer only once the bus says the batch is durable. Everything a client
 * did wrong is a 4xx in the protocol's own shape; a full or unavailable bus is 429/503
 * with Retry-After.
 */
export class IngestService {
  constructor(
    private readonly deps: {
      apiKeys: ApiKeyVerifier;
      bus: Bus;
      settings: IngestSettingsCache;
      limiter: RateLimiter;
      log: Logger;
      options: IngestOptions;
    },
  ) {}

  private async principal(request: IngestRequest): Promise<KeyPrincipal> {
    const check = await this.deps.apiKeys.verify(apiKeyFromRequest(request), 'ingest');
    if (!check.ok) throw refusal(check.status, check.code, check.message);
    return check.principal;
  }

  private async publish(tenantId: string, batch: WriteBatch): Promise<void> {
    try {
      await this.deps.bus.publish({ tenantId, batch });
    } catch (e) {
      const r = asRefused(e);
      if (r) throw Object.assign(refusal(r.status, r.status === 429 ? 'rate_limited' : 'unavailable', r.message), { retryAfterSeconds: r.retryAfterSeconds });
      const status = (e as { status?: unknown } | null)?.status;
      if (status === 413) throw refusal(413, 'too_many_items', e instanceof Error ? e.message : 'batch too large');
      this.deps.log.error('publish failed', { err: e instanceof Error ? e.message : String(e) });
      throw Object.assign(refusal(503, 'unavailable', 'Telemetry could not be stored right now; retry shortly'), { retryAfterSeconds: 5 });
    }
  }

  private retryHeaders(e: unknown): HeadersInit | undefined {
    const s = (e as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
    return typeof s === 'number' ? { 'Retry-After': String(Math.max(1, Math.ceil(s))) } : undefined;
  }

  /** POST /v1/traces, /v1/metrics, /v1/logs. */
  async otlp(request: IngestRequest, signal: OtlpSignal): Promise<Response> {
    let format: OtlpFormat | string | null = request.headers.get('content-type');
    try {
      if (request.method !== 'POST') throw refusal(405, 'method_not_allowed', `Use POST to send ${signal}`);
      const negotiated = negotiateOtlpContentType(request.headers.get('content-type'));
      format = negotiated;
      const principal = await this.principal(request);
      const body = await readBody(request.body ?? new Uint8Array(0), {
        ...bodyHeaders(request),
        maxBytes: this.deps.options.limits.maxBodyBytes,
        maxDecompressedBytes: this.deps.options.limits.maxDecompressedBytes,
      });
      const decoded = decodeOtlp(signal, negotiated, body, { limits: this.deps.options.limits });
      if (decoded.items.length > 0) await this.publish(principal.tenantId, otlpBatch(signal, decoded.items));
      return respond(encodeOtlpResponse(signal, format, { rejected: decoded.rejected, message: decoded.message }));
    } catch (e) {
      const err = e instanceof IngestError ? e : this.unexpected(e);
      return respond(encodeOtlpResponse(signal, format, err), this.retryHeaders(e));
    }
  }

  /** POST /api/v1/push: Prometheus remote_write 1.0. */
  async remoteWrite(request: IngestRequest): Promise<Response> {
    try {
      if (request.method !== 'POST') throw refusal(405, 'method_not_allowed', 'Use POST for remote_write');
      negotiateRemoteWriteContentType(request.headers.get('content-type'));
      const principal = await this.principal(request);
      const body = await readBody(request.body ?? new Uint8Array(0), {
        ...bodyHeaders(request),
        maxBytes: this.deps.options.limits.maxBodyBytes,
        maxDecompressedBytes: this.deps.options.limits.maxDecompressedBytes,
        // remote_write 1.0 always snappy-compresses; a missing header still means snappy.
        encoding: request.headers.get('content-encoding') ?? 'snappy',
        allowedEncodings: ['snappy'],
      });
      const decoded = decodeRemoteWrite(body, { limits: this.deps.options.limits });
      // Valid series are stored even when others are rejected (the 400 names the bad ones).
      if (decoded.items.length > 0) await this.publish(principal.tenantId, batchOf('metrics', decoded.items));
      return respond(encodeRemoteWriteResponse({ rejectedSeries: decoded.rejectedSeries, message: decoded.message }));
    } catch (e) {
      const err = e instanceof IngestError ? e : this.unexpected(e);
      return respond(encodeRemoteWriteResponse(err), this.retryHeaders(e));
    }
  }

  /** OPTIONS /collect: the preflight carries no key, so it can't be per tenant; POST enforces the tenant's origins. */
  faroPreflight(request: IngestRequest): Response {
    const origin = request.headers.get('origin');
    return new Response(null, {
      status: 204,
      headers: { ...FARO_CORS, 'Access-Control-Allow-Origin': origin ?? '*', Vary: 'Origin' },
    });
  }

  /** POST /collect: the Faro web SDK's transport body. */
  async faro(request: IngestRequest): Promise<Response> {
    const origin = request.headers.get('origin');
    const cors: Record<string, string> = { Vary: 'Origin' };
    try {
      if (request.method === 'OPTIONS') return this.faroPreflight(request);
      if (request.method !== 'POST') throw refusal(405, 'method_not_allowed', 'Use POST to send browser data');
      const principal = await this.principal(request);
      const settings = await this.deps.settings.get(principal.tenantId);
      if (!originAllowed(settings, origin)) {
        // No CORS header: the browser withholds the answer, and the site owner sees why in the console.
        throw refusal(403, 'origin_not_allowed', `Origin ${origin ?? '(none)'} is not allowed to send data to this tenant; add it in Settings → Ingest`);
      }
      if (origin) cors['Access-Control-Allow-Origin'] = origin;
      const rate = await this.deps.limiter.hit(`faro:${principal.tenantId}`, 1_000);
      if (rate.count > settings.rumRequestsPerSecond) {
        throw Object.assign(refusal(429, 'rate_limited', `More than ${settings.rumRequestsPerSecond} browser requests per second for this tenant`), {
          retryAfterSeconds: 1,
        });
      }
      negotiateJsonContentType(request.headers.get('content-type'));
      const body = await readBody(request.body ?? new Uint8Array(0), {
        ...bodyHeaders(request),
        maxBytes: this.deps.options.faroMaxBytes,
        maxDecompressedBytes: this.deps.options.faroMaxBytes,
      });
      const sessionId = request.headers.get('x-faro-session-id') ?? undefined;
      const decoded = decodeFaro(body, { limits: this.deps.options.limits, ...(sessionId ? { sessionId } : {}) });
      const ua = request.headers.get('user-agent');
      if (ua) for (const e of decoded.events) e.browser = { ...e.browser, userAgent: e.browser?.userAgent ?? ua };
      // The SDK sends the same Idempotency-Key again when it retries a delivery (a timeout,
      // a keepalive fetch that failed on navigation): as the batch id, sinks store it once.
      const idem = request.headers.get('idempotency-key');
      const key = idem && IDEMPOTENCY_KEY.test(idem) ? `faro:${idem}` : undefined;
      await Promise.all([
        decoded.events.length ? this.publish(principal.tenantId, batchOf('rum', decoded.events, key && `${key}:rum`)) : undefined,
        decoded.spans.length ? this.publish(principal.tenantId, batchOf('traces', decoded.spans, key && `${key}:traces`)) : undefined,
      ]);
      return respond(encodeFaroResponse({ accepted: decoded.accepted, rejected: decoded.rejected, message: decoded.message }), cors);
    } catch (e) {
      const err = e instanceof IngestError ? e : this.unexpected(e);
      return respond(encodeFaroResponse(err), { ...cors, ...this.retryHeaders(e) });
    }
  }

  /** Not the client's fault: logged, answered 503 so the client retries instead of dropping data. */
  private unexpected(e: unknown): IngestError {
    this.deps.log.error('ingest failed', { err: e instanceof Error ? e.message : String(e) });
    return Object.assign(refusal(503, 'unavailable', 'Ingest failed on our side; retry shortly'), { retryAfterSeconds: 5 });
  }
}
