/**
 * Ingest decoders: pure functions (no I/O besides reading the body stream, no framework)
 * that turn OTLP/HTTP (protobuf and JSON), Prometheus remote_write 1.0 and Grafana Faro
 * payloads into the normalized model, with every limit in DecodeLimits enforced while
 * reading. Anything a client sends that we cannot take becomes an IngestError with a 4xx.
 * See README.md beside this file for the decisions behind the rules.
 */
import type { LogRecord, MetricPoint, Span } from '@obstack/plugin-api';
import { type DecodeOptions } from './limits';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from './otlp-json';
import { decodeLogsProtobuf, decodeMetricsProtobuf, decodeTracesProtobuf } from './otlp-proto';
import { type DecodeResult } from './report';
import { type OtlpFormat, type OtlpSignal } from './response';

export { IngestError, isIngestError, type IngestErrorCode } from './errors';
export { DEFAULT_DECODE_LIMITS, resolveLimits, TRUNCATION_MARKER, type DecodeLimits, type DecodeOptions } from './limits';
export { type DecodeResult } from './report';
export {
  readBody,
  parseContentEncoding,
  negotiateOtlpContentType,
  negotiateRemoteWriteContentType,
  negotiateJsonContentType,
  type BodySource,
  type ContentEncoding,
  type ReadBodyOptions,
} from './body';
export { decodeTracesProtobuf, decodeLogsProtobuf, decodeMetricsProtobuf } from './otlp-proto';
export { decodeTracesJson, decodeLogsJson, decodeMetricsJson } from './otlp-json';
export { decodeRemoteWrite, type RemoteWriteResult } from './remote-write';
export { snappyUncompress } from './snappy';
export { decodeFaro, type FaroDecodeOptions, type FaroResult } from './faro';
export {
  encodeOtlpResponse,
  encodeRemoteWriteResponse,
  encodeFaroResponse,
  encodeExportResponseProtobuf,
  encodeExportResponseJson,
  encodeStatusProtobuf,
  encodeStatusJson,
  grpcCodeOf,
  PROTOBUF_CONTENT_TYPE,
  JSON_CONTENT_TYPE,
  type EncodedResponse,
  type ExportOutcome,
  type OtlpFormat,
  type OtlpSignal,
} from './response';

/** The OTLP decoder for a signal and negotiated encoding, in one call. */
export function decodeOtlp(signal: 'traces', format: OtlpFormat, body: Uint8Array, opts?: DecodeOptions): DecodeResult<Span>;
export function decodeOtlp(signal: 'logs', format: OtlpFormat, body: Uint8Array, opts?: DecodeOptions): DecodeResult<LogRecord>;
export function decodeOtlp(signal: 'metrics', format: OtlpFormat, body: Uint8Array, opts?: DecodeOptions): DecodeResult<MetricPoint>;
export function decodeOtlp(signal: OtlpSignal, format: OtlpFormat, body: Uint8Array, opts?: DecodeOptions): DecodeResult<Span | LogRecord | MetricPoint>;
export function decodeOtlp(signal: OtlpSignal, format: OtlpFormat, body: Uint8Array, opts?: DecodeOptions): DecodeResult<Span | LogRecord | MetricPoint> {
  if (format === 'json') {
    return signal === 'traces' ? decodeTracesJson(body, opts) : signal === 'logs' ? decodeLogsJson(body, opts) : decodeMetricsJson(body, opts);
  }
  return signal === 'traces' ? decodeTracesProtobuf(body, opts) : signal === 'logs' ? decodeLogsProtobuf(body, opts) : decodeMetricsProtobuf(body, opts);
}
