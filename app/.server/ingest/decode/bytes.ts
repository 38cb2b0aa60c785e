import { Buffer } from 'node:buffer';
import { TRUNCATION_MARKER } from './limits';

/**
 * Byte-level helpers shared by the protobuf, JSON and Faro decoders: strict UTF-8,
 * hex ids, base64, and truncation to a byte budget without splitting a character.
 */

// `ignoreBOM: true` keeps a leading U+FEFF: in a protobuf string field it is content,
// not a byte-order mark. `fatal: true` makes invalid UTF-8 throw instead of becoming U+FFFD.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class Utf8Error extends Error {}

/**
 * Decodes buf[start, end) as strict UTF-8. Short ASCII strings (most attribute keys and
 * values) are built in JS, which beats the TextDecoder call overhead below ~16 bytes.
 */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 16) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return decodeSlow(buf, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeSlow(buf, start, end);
}

function decodeSlow(buf: Uint8Array, start: number, end: number): string {
  try {
    return strictUtf8.decode(buf.subarray(start, end));
  } catch {
    throw new Utf8Error('string is not valid UTF-8');
  }
}

/**
 * Decodes at most `maxBytes` of buf[start, end) and appends the marker when it had to
 * cut (the caller knows it did when end - start > maxBytes). The whole range is still validated: a protobuf string must be valid UTF-8 in
 * full, and validation is cheap next to what the rest of the string would cost to keep.
 */
export function decodeUtf8Capped(buf: Uint8Array, start: number, end: number, maxBytes: number): string {
  if (end - start <= maxBytes) return decodeUtf8(buf, start, end);
  decodeSlow(buf, start, end); // validate in full, keep nothing
  let cut = start + maxBytes;
  // Back off to a character boundary: continuation bytes are 0b10xxxxxx.
  while (cut > start && (buf[cut]! & 0xc0) === 0x80) cut--;
  return decodeUtf8(buf, start, cut) + TRUNCATION_MARKER;
}

const encoder = new TextEncoder();

/**
 * Truncates a JS string to `maxBytes` of UTF-8 (appending the marker) without splitting
 * a character; returns the same string when it fits (so `capString(s) !== s` means it cut). Strings of at most maxBytes/3 UTF-16
 * units always fit (3 bytes per unit at most), so the common case never encodes.
 */
export function capString(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const scratch = new Uint8Array(maxBytes);
  const { read } = encoder.encodeInto(s, scratch);
  return s.slice(0, read) + TRUNCATION_MARKER;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of buf[start, end): trace and span ids in the model. */
export function toHex(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[buf[i]!];
  return s;
}

/** True when buf[start, end) is all zero bytes (an invalid trace/span id per the OTLP protos). */
export function allZero(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

export function toBase64(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

/** Parses standard or URL-safe base64 (the proto3 JSON mapping accepts both). Undefined when malformed. */
export function parseBase64(s: string): Buffer | undefined {
  if (!BASE64.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}

const HEX_ID = /^[0-9a-fA-F]*$/;

/** True when s is hex digits only (any case: the OTLP spec says case-insensitive). */
export function isHex(s: string): boolean {
  return HEX_ID.test(s);
}

export function isZeroHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 48) return false;
  return true;
}
