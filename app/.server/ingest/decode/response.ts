/**
 * Response bodies for the ingest protocols, so routes only pick a signal and an outcome.
 *
 * OTLP/HTTP (opentelemetry-proto docs/specification.md, "OTLP/HTTP Response"): answer in
 * the request's encoding; 200 with an Export<signal>ServiceResponse whose partial_success
 * is unset on full success, and set (rejected count + message) when items were rejected
 * or there is a warning to give; 4xx with a google.rpc.Status. The messages come from
 * collector/<signal>/v1/<signal>_service.proto:
 *   Export<Signal>ServiceResponse { Export<Signal>PartialSuccess partial_success = 1; }
 *   Export<Signal>PartialSuccess { int64 rejected_<items> = 1; string error_message = 2; }
 * and google/rpc/status.proto: Status { int32 code = 1; string message = 2; repeated Any details = 3; }
 */
import { IngestError } from './errors';

export type OtlpSignal = 'traces' | 'metrics' | 'logs';
export type OtlpFormat = 'protobuf' | 'json';

export interface EncodedResponse {
  status: number;
  contentType: string;
  /** Bytes for protobuf, text for JSON and plain text; empty for 204. */
  body: Uint8Array | string;
}

/** What a decode produced (a DecodeResult fits) or why it failed. */
export type ExportOutcome = { rejected: number; message?: string | undefined } | IngestError;

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';
export const JSON_CONTENT_TYPE = 'application/json';

const REJECTED_FIELD: Record<OtlpSignal, string> = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
};

/**
 * The complete OTLP/HTTP answer for a signal, the request's content type and an outcome.
 * `contentType` is the negotiated format ('protobuf' | 'json') or the raw Content-Type
 * header; when it is neither (the 415 case) the Status goes out as JSON, the encoding a
 * person with curl can read.
 */
export function encodeOtlpResponse(signal: OtlpSignal, contentType: OtlpFormat | string | null | undefined, outcome: ExportOutcome): EncodedResponse {
  const fmt = formatOf(contentType);
  if (outcome instanceof IngestError) {
    return {
      status: outcome.status,
      contentType: contentTypeOf(fmt),
      body: fmt === 'json' ? encodeStatusJson(grpcCodeOf(outcome.status), outcome.message) : encodeStatusProtobuf(grpcCodeOf(outcome.status), outcome.message),
    };
  }
  const rejected = outcome.rejected;
  const message = outcome.message ?? '';
  return {
    status: 200,
    contentType: contentTypeOf(fmt),
    body: fmt === 'json' ? encodeExportResponseJson(signal, rejected, message) : encodeExportResponseProtobuf(rejected, message),
  };
}

function formatOf(ct: string | null | undefined): OtlpFormat {
  if (ct === 'protobuf' || ct === 'json') return ct;
  const type = (ct ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/x-protobuf' || type === 'application/protobuf' ? 'protobuf' : 'json';
}

function contentTypeOf(f: OtlpFormat): string {
  return f === 'json' ? JSON_CONTENT_TYPE : PROTOBUF_CONTENT_TYPE;
}

/**
 * google.rpc.Code for an HTTP status (the mapping of google/rpc/code.proto read
 * backwards). The OTLP spec says clients do not act on it; it is there for logs.
 */
export function grpcCodeOf(status: number): number {
  switch (status) {
    case 400:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 5; // NOT_FOUND
    case 413:
    case 429:
      return 8; // RESOURCE_EXHAUSTED (gRPC's own answer to an oversized message)
    case 503:
      return 14; // UNAVAILABLE
    default:
      return status >= 500 ? 13 : 2; // INTERNAL : UNKNOWN
  }
}

/** Export<Signal>ServiceResponse in binary protobuf. Empty (zero bytes) when there is nothing to report. */
export function encodeExportResponseProtobuf(rejected: number, message: string): Uint8Array {
  if (rejected === 0 && message === '') return new Uint8Array(0);
  const w = new Writer();
  const inner = new Writer();
  if (rejected !== 0) inner.tag(1, 0).varint(rejected); // rejected_<items> = 1 (int64)
  if (message !== '') inner.tag(2, 2).bytes(utf8(message)); // error_message = 2
  w.tag(1, 2).bytes(inner.finish()); // partial_success = 1
  return w.finish();
}

/** The same in OTLP/JSON: lowerCamelCase keys, int64 as a decimal string. `{}` when there is nothing to report. */
export function encodeExportResponseJson(signal: OtlpSignal, rejected: number, message: string): string {
  if (rejected === 0 && message === '') return '{}';
  const partial: Record<string, string> = { [REJECTED_FIELD[signal]]: String(rejected) };
  if (message !== '') partial.errorMessage = message;
  return JSON.stringify({ partialSuccess: partial });
}

export function encodeStatusProtobuf(code: number, message: string): Uint8Array {
  const w = new Writer();
  if (code !== 0) w.tag(1, 0).varint(code); // code = 1 (int32)
  if (message !== '') w.tag(2, 2).bytes(utf8(message)); // message = 2
  return w.finish();
}

export function encodeStatusJson(code: number, message: string): string {
  return JSON.stringify({ code, message });
}

/**
 * remote_write: 204 when every series was taken; 400 with a text message naming the
 * invalid series otherwise (the valid ones were still ingested; the spec says the sender
 * must not retry a 4xx); the error's status and message when the request failed whole.
 */
export function encodeRemoteWriteResponse(outcome: { rejectedSeries: number; message?: string | undefined } | IngestError): EncodedResponse {
  if (outcome instanceof IngestError) return { status: outcome.status, contentType: 'text/plain; charset=utf-8', body: outcome.message };
  if (outcome.rejectedSeries > 0) return { status: 400, contentType: 'text/plain; charset=utf-8', body: outcome.message ?? 'invalid series' };
  return { status: 204, contentType: 'text/plain; charset=utf-8', body: '' };
}

/**
 * Faro: the web SDK's fetch transport treats any 2xx as delivered and retries 429/5xx,
 * so a body it could decode gets 202 (the collector convention) even when some items
 * were dropped — retrying would not fix them — with the counts for whoever debugs it.
 * Errors use the JSON error shape of the app's other APIs.
 */
export function encodeFaroResponse(outcome: { accepted: number; rejected: number; message?: string | undefined } | IngestError): EncodedResponse {
  if (outcome instanceof IngestError) {
    return { status: outcome.status, contentType: JSON_CONTENT_TYPE, body: JSON.stringify({ error: { code: outcome.code, message: outcome.message } }) };
  }
  const body: Record<string, unknown> = { accepted: outcome.accepted, rejected: outcome.rejected };
  if (outcome.message) body.message = outcome.message;
  return { status: 202, contentType: JSON_CONTENT_TYPE, body: JSON.stringify(body) };
}

const encoder = new TextEncoder();
function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Just enough of a protobuf writer for two small response messages. */
class Writer {
  private readonly parts: number[] = [];
  private readonly chunks: Uint8Array[] = [];

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  varint(n: number): this {
    // Non-negative and below 2^53 for everything written here (counts, codes, lengths).
    let v = n;
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.parts.push(v);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.varint(b.length);
    this.flush();
    this.chunks.push(b);
    return this;
  }

  private flush(): void {
    if (this.parts.length) {
      this.chunks.push(Uint8Array.from(this.parts));
      this.parts.length = 0;
    }
  }

  finish(): Uint8Array {
    this.flush();
    let n = 0;
    for (const c of this.chunks) n += c.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}
