import { AppError } from '../../errors';

/**
 * The one error type of the ingest decode layer. It extends the service layer's
 * AppError so a route that only knows AppError still answers with the right status,
 * while ingest routes turn it into a protocol-shaped body (google.rpc.Status for OTLP,
 * text for remote_write) with `encodeOtlpResponse` / `encodeRemoteWriteResponse`.
 *
 * Everything a client can send us that we cannot take ends up as one of these with a
 * 4xx status: the decoders never let another exception type escape (see `guard`).
 */
export class IngestError extends AppError {
  constructor(status: number, code: IngestErrorCode, message: string) {
    super(status, code, message);
    this.name = 'IngestError';
  }

  declare readonly code: IngestErrorCode;
}

export type IngestErrorCode =
  | 'body_too_large'
  | 'decompressed_too_large'
  | 'too_many_items'
  | 'unsupported_media_type'
  | 'unsupported_encoding'
  | 'malformed_compression'
  | 'malformed_protobuf'
  | 'malformed_json'
  | 'invalid_utf8'
  | 'invalid_request';

export function isIngestError(e: unknown): e is IngestError {
  return e instanceof IngestError;
}

export const badBody = (code: IngestErrorCode, message: string) => new IngestError(400, code, message);
export const tooLarge = (code: IngestErrorCode, message: string) => new IngestError(413, code, message);
export const unsupported = (code: IngestErrorCode, message: string) => new IngestError(415, code, message);

/**
 * Runs a decoder and converts anything that is not an IngestError into a 400.
 * A RangeError from a DataView, a stack overflow on hostile nesting or a TypeError on
 * a shape we did not foresee are all caused by the request body, and the rule of the
 * house is that a client's bad data is never a 500.
 */
export function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asIngestError(e, what);
  }
}

export function asIngestError(e: unknown, what: string): IngestError {
  if (e instanceof IngestError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return badBody(what === 'json' ? 'malformed_json' : 'malformed_protobuf', `could not decode the ${what} body: ${detail}`);
}
