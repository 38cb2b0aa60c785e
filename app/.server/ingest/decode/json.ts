import { badBody } from './errors';

/**
 * JSON body parsing and typed field readers shared by the OTLP/JSON and Faro decoders.
 *
 * Three levels of strictness, by where the bad value sits:
 *  - the request envelope (top-level object, resource/scope containers, arrays of items)
 *    malformed: the body is undecodable, 400 naming the path (IngestError);
 *  - a field of one item malformed: that item is rejected (ItemError, caught per item,
 *    counted in partial success);
 *  - one attribute malformed: that attribute is dropped with a warning.
 */

/** Thrown inside one item's decoding; the item loop turns it into a rejection. */
export class ItemError extends Error {}

export type JsonObject = Record<string, unknown>;

// The default `ignoreBOM: false` strips a UTF-8 BOM, which is what a JSON body wants.
const utf8Json = new TextDecoder('utf-8', { fatal: true });

/** Parses a request body as JSON: strict UTF-8 (RFC 8259 requires it), then JSON.parse; the top level must be an object. */
export function parseJsonBody(body: Uint8Array | string): JsonObject {
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    try {
      text = utf8Json.decode(body);
    } catch {
      throw badBody('invalid_utf8', 'the JSON body is not valid UTF-8');
    }
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw badBody('malformed_json', `the body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObj(v)) throw badBody('malformed_json', 'the JSON body must be an object');
  return v;
}

export function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a field by its lowerCamelCase name, falling back to the proto field name.
 * The OTLP spec says senders MUST use lowerCamelCase; the OpenTelemetry Collector still
 * accepts the original names, and so do we (strict in what we send, lenient here).
 */
export function get(o: JsonObject, camel: string, snake?: string): unknown {
  const v = o[camel];
  return v !== undefined || snake === undefined ? v : o[snake];
}

/** An envelope-level array: missing/null is empty; anything else is a 400 naming `path`. */
export function envelopeArray(o: JsonObject, camel: string, snake: string | undefined, path: string): unknown[] {
  const v = get(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badBody('invalid_request', `${path} must be an array`);
  return v;
}

export function envelopeObject(v: unknown, path: string): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw badBody('invalid_request', `${path} must be an object`);
  return v;
}

/** An item-level array: missing/null is empty; anything else rejects the item. */
export function itemArray(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ItemError(`${what} must be an array`);
  return v;
}

export function itemString(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new ItemError(`${what} must be a string`);
  return v;
}

const UINT = /^\d{1,20}$/;
const INT = /^-?\d{1,20}$/;
const TWO_64 = 1n << 64n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * fixed64/uint64 timestamps: the proto3 JSON mapping sends them as decimal strings and
 * accepts numbers when decoding. Numbers past 2^53 have already lost digits in
 * JSON.parse; we take the value they parsed to, since nothing better is left.
 */
export function uint64Big(v: unknown, what: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string' && UINT.test(v)) {
    const n = BigInt(v);
    if (n < TWO_64) return n;
  } else if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 64) return BigInt(v);
  throw new ItemError(`${what} must be an unsigned 64-bit integer (a decimal string or a number)`);
}

/** uint64/fixed64 counts as numbers. */
export function uint64Num(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && UINT.test(v)) return Number(v);
  throw new ItemError(`${what} must be an unsigned integer (a decimal string or a number)`);
}

/** int64 as an attribute value: a number when a safe integer, else the decimal string (same rule as the protobuf path). */
export function int64Value(v: unknown): number | string | undefined {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return undefined;
    return Number.isSafeInteger(v) ? v : BigInt(v).toString();
  }
  if (typeof v === 'string' && INT.test(v)) {
    const n = BigInt(v);
    if (n >= -(1n << 63n) && n < 1n << 63n) {
      return n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : n.toString();
    }
  }
  return undefined;
}

/** int64 as a number (NumberDataPoint.asInt; the model's value is a number). */
export function int64Num(v: unknown, what: string): number {
  const n = int64Value(v);
  if (n === undefined) throw new ItemError(`${what} must be a signed 64-bit integer (a decimal string or a number)`);
  return typeof n === 'number' ? n : Number(n);
}

/** int32 and sint32 fields. */
export function int32(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) return v;
  if (typeof v === 'string' && /^-?\d{1,10}$/.test(v)) {
    const n = Number(v);
    if (n >= -(2 ** 31) && n < 2 ** 31) return n;
  }
  throw new ItemError(`${what} must be a 32-bit integer`);
}

/**
 * Enum fields. The OTLP spec says integers only; the Collector also takes the names, and
 * a name is unambiguous, so we accept both (unknown names reject the item).
 */
export function enumValue(v: unknown, what: string, names: Readonly<Record<string, number>>): number {
  if (typeof v === 'string' && Object.hasOwn(names, v)) return names[v]!;
  if (typeof v === 'string' && !/^-?\d+$/.test(v)) throw new ItemError(`${what} ${JSON.stringify(v.slice(0, 64))} is not a known enum value`);
  return int32(v, what);
}

/** doubles: numbers, or the proto3 JSON strings "NaN", "Infinity", "-Infinity" (and numeric strings). */
export function double(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new ItemError(`${what} must be a number`);
}

export function optDouble(v: unknown, what: string): number | undefined {
  return v === undefined || v === null ? undefined : double(v, what);
}

export function bool(v: unknown, what: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  throw new ItemError(`${what} must be a boolean`);
}
