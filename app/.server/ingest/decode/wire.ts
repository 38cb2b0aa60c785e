import { decodeUtf8, decodeUtf8Capped, Utf8Error } from './bytes';

/**
 * A protobuf wire-format reader with the checks an edge decoder needs: every read is
 * bounds-checked against the end of the enclosing message (not just the buffer), varints
 * longer than 10 bytes or overflowing 64 bits fail, field number 0 and wire types 6/7
 * fail, strings must be valid UTF-8, message nesting is capped, and unknown fields of
 * every wire type (groups included) are skipped.
 *
 * Wire format reference: protobuf.dev/programming-guides/encoding (tags are
 * `field_number << 3 | wire_type`; LEN payloads are prefixed with a varint length).
 *
 * The decode functions drive this reader with a `switch` on the whole tag, so a case
 * matches only the expected wire type. Everything else falls through to `skip`, which
 * consults the message's field table (schema.ts): unknown fields are skipped, a known
 * field with an unexpected wire type fails with the field's name rather than silently
 * dropping data.
 */

export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const SGROUP = 3;
export const EGROUP = 4;
export const I32 = 5;

const WIRE_NAMES = ['VARINT', 'I64', 'LEN', 'SGROUP', 'EGROUP', 'I32', '6', '7'];

/** A message's known fields: number -> [name, wire type]. Used to name fields in errors and to check wire types. */
export interface MessageDesc {
  /** Fully qualified protobuf name, e.g. opentelemetry.proto.trace.v1.Span. */
  readonly name: string;
  readonly fields: Readonly<Record<number, readonly [name: string, wire: number, alsoPacked?: boolean]>>;
}

/** A wire-level failure: the body is not a valid encoding of the message. */
export class WireError extends Error {
  readonly path: string[] = [];
  constructor(
    readonly detail: string,
    readonly offset: number,
  ) {
    super(detail);
    this.name = 'WireError';
  }

  /** Prepends a path segment on the way up (only on the error path, so it costs nothing otherwise). */
  static within(e: unknown, segment: string): unknown {
    if (e instanceof WireError) e.path.unshift(segment);
    return e;
  }

  describe(): string {
    const where = this.path.length ? ` in ${this.path.join('.')}` : '';
    return `malformed protobuf at byte ${this.offset}${where}: ${this.detail}`;
  }
}

const TWO_32 = 4294967296;
/** Strings up to this many bytes are looked up in the reader's cache. */
const SHORT = 32;
const CACHE_SLOTS = 1024;

export class ProtoReader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos = 0;
  /** Current message nesting depth (see enter/leave). */
  depth = 0;
  /** Low and high 32 bits of the last varint read (unsigned). */
  lo = 0;
  hi = 0;
  /** Strings cut to their size limit so far; the decoders turn this into one warning. */
  truncated = 0;
  /** Recently decoded short ASCII strings, by hash; per reader, so per request. */
  private readonly cache: Array<string | undefined> = new Array<string | undefined>(CACHE_SLOTS);

  constructor(
    buf: Uint8Array,
    readonly maxDepth: number,
  ) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(detail: string, at = this.pos): never {
    throw new WireError(detail, at);
  }

  private truncatedAt(what: string): never {
    this.fail(`unexpected end of data while reading ${what}`);
  }

  /**
   * Reads a varint into lo/hi. Bytes 0-3 carry bits 0-27, byte 4 bits 28-34, bytes 5-8
   * bits 35-62 and byte 9 bit 63 only: anything else in byte 9 overflows 64 bits.
   */
  varint(end: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b: number;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) this.truncatedAt('a varint');
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = 0;
        this.pos = pos;
        return;
      }
    }
    if (pos >= end) this.truncatedAt('a varint');
    b = buf[pos++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      let done = false;
      for (let shift = 3; shift < 31; shift += 7) {
        if (pos >= end) this.truncatedAt('a varint');
        b = buf[pos++]!;
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) {
          done = true;
          break;
        }
      }
      if (!done) {
        if (pos >= end) this.truncatedAt('a varint');
        b = buf[pos++]!;
        if (b > 1) this.fail('varint is longer than 10 bytes or overflows 64 bits', pos - 1);
        hi |= b << 31;
      }
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    this.pos = pos;
  }

  /** Reads a field tag. Field number 0 and wire types 6 and 7 do not exist. */
  tag(end: number): number {
    const b = this.buf[this.pos];
    let tag: number;
    if (b !== undefined && b < 0x80 && this.pos < end) {
      this.pos++;
      tag = b;
    } else {
      const at = this.pos;
      this.varint(end);
      if (this.hi !== 0 || this.lo > 0xffffffff) this.fail('field tag does not fit 32 bits', at);
      tag = this.lo;
    }
    if (tag >>> 3 === 0) this.fail('field number 0 is invalid', this.pos - 1);
    if ((tag & 7) > 5) this.fail(`wire type ${tag & 7} does not exist`, this.pos - 1);
    return tag;
  }

  uint32(end: number): number {
    this.varint(end);
    return this.lo;
  }

  /** int32 and enums: negative values arrive as 10-byte sign-extended varints; the low 32 bits are the value. */
  int32(end: number): number {
    this.varint(end);
    return this.lo | 0;
  }

  bool(end: number): boolean {
    this.varint(end);
    return this.lo !== 0 || this.hi !== 0;
  }

  /** sint32 (zigzag): ExponentialHistogramDataPoint.scale and Buckets.offset use it. */
  sint32(end: number): number {
    this.varint(end);
    const n = this.lo;
    return (n >>> 1) ^ -(n & 1);
  }

  /** uint64 as a number (bucket counts: exact up to 2^53, which no real count reaches). */
  uint64(end: number): number {
    this.varint(end);
    return this.hi * TWO_32 + this.lo;
  }

  /** int64 as a number (remote_write millisecond timestamps); exact within ±2^53. */
  int64(end: number): number {
    this.varint(end);
    if (this.hi & 0x80000000) return (this.hi - TWO_32) * TWO_32 + this.lo;
    return this.hi * TWO_32 + this.lo;
  }

  /**
   * int64 for an attribute value: a number when it is a safe integer, else its decimal
   * string, so ids and counters past 2^53 keep every digit.
   */
  int64Value(end: number): number | string {
    this.varint(end);
    const hi = this.hi;
    if (hi <= 0x1fffff) return hi * TWO_32 + this.lo; // <= 2^53 - 1
    if (hi > 0xffe00000 || (hi === 0xffe00000 && this.lo !== 0)) return (hi - TWO_32) * TWO_32 + this.lo; // >= -(2^53 - 1)
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(this.lo)).toString();
  }

  private need(n: number, end: number, what: string): number {
    const at = this.pos;
    if (at + n > end) this.truncatedAt(what);
    this.pos = at + n;
    return at;
  }

  fixed64(end: number): bigint {
    return this.view.getBigUint64(this.need(8, end, 'a fixed64'), true);
  }

  /** fixed64 as a number (counts). */
  fixed64Number(end: number): number {
    const at = this.need(8, end, 'a fixed64');
    return this.view.getUint32(at + 4, true) * TWO_32 + this.view.getUint32(at, true);
  }

  /** sfixed64 as a number (NumberDataPoint.as_int; the model's value is a number). */
  sfixed64Number(end: number): number {
    const at = this.need(8, end, 'an sfixed64');
    return this.view.getInt32(at + 4, true) * TWO_32 + this.view.getUint32(at, true);
  }

  double(end: number): number {
    return this.view.getFloat64(this.need(8, end, 'a double'), true);
  }

  fixed32(end: number): number {
    return this.view.getUint32(this.need(4, end, 'a fixed32'), true);
  }

  /** Reads a LEN prefix and returns where its payload ends; the payload starts at `pos`. */
  len(end: number): number {
    const at = this.pos;
    this.varint(end);
    if (this.hi !== 0 || this.lo > end - this.pos) {
      this.fail(`length prefix ${this.hi ? 'over 2^32' : this.lo} runs past the end of the enclosing message (${end - this.pos} bytes left)`, at);
    }
    return this.pos + this.lo;
  }

  /** Reads a LEN string, validating UTF-8 and cutting it to maxBytes (with the marker). */
  string(end: number, maxBytes: number): string {
    const e = this.len(end);
    const s = this.pos;
    if (e - s <= SHORT && e - s <= maxBytes) return this.text(e);
    let out: string;
    try {
      out = decodeUtf8Capped(this.buf, s, e, maxBytes);
    } catch (err) {
      if (err instanceof Utf8Error) this.fail('string is not valid UTF-8 (protobuf strings must be)', s);
      throw err;
    }
    if (e - s > maxBytes) this.truncated++;
    this.pos = e;
    return out;
  }

  /**
   * Decodes [pos, e) as a whole UTF-8 string (the caller already checked its length) and
   * moves past it. Short ASCII strings go through a small direct-mapped cache: attribute
   * keys and many values ("http.request.method", "GET") repeat on every item of a request,
   * and handing back the same string instance spares both the allocation and V8's
   * re-internalising it when it becomes a property key.
   */
  text(e: number): string {
    const s = this.pos;
    const n = e - s;
    if (n <= SHORT) {
      const buf = this.buf;
      let h = n;
      let ascii = true;
      for (let i = s; i < e; i++) {
        const c = buf[i]!;
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        h = Math.imul(h ^ c, 0x01000193);
      }
      if (ascii) {
        const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
        const hit = this.cache[slot];
        this.pos = e;
        if (hit !== undefined && hit.length === n) {
          let same = true;
          for (let i = 0; i < n; i++) {
            if (hit.charCodeAt(i) !== buf[s + i]) {
              same = false;
              break;
            }
          }
          if (same) return hit;
        }
        let str = '';
        for (let i = s; i < e; i++) str += String.fromCharCode(buf[i]!);
        this.cache[slot] = str;
        return str;
      }
    }
    let out: string;
    try {
      out = decodeUtf8(this.buf, s, e);
    } catch (err) {
      if (err instanceof Utf8Error) this.fail('string is not valid UTF-8 (protobuf strings must be)', s);
      throw err;
    }
    this.pos = e;
    return out;
  }

  /** Enters a nested message; fails past the depth limit so hostile nesting cannot exhaust the stack. */
  enter(): void {
    if (++this.depth > this.maxDepth) this.fail(`messages nested deeper than ${this.maxDepth} levels`);
  }

  leave(): void {
    this.depth--;
  }

  /**
   * Skips the field whose tag was just read: unknown fields (newer schema versions) and
   * known ones the decoder has no use for (dropped_*_count, schema_url, exemplars…).
   * A known field with a wire type the schema does not allow is an error, named.
   */
  skip(tag: number, end: number, desc: MessageDesc): void {
    const known = desc.fields[tag >>> 3];
    const wire = tag & 7;
    if (known && wire !== known[1] && !(known[2] && wire === LEN)) {
      this.fail(
        `${desc.name}.${known[0]} (field ${tag >>> 3}) has wire type ${WIRE_NAMES[wire]}, expected ${WIRE_NAMES[known[1]]}` +
          (known[2] ? ' or packed LEN' : ''),
        this.pos - 1,
      );
    }
    this.skipUnknown(tag, end);
  }

  skipUnknown(tag: number, end: number): void {
    switch (tag & 7) {
      case VARINT:
        this.varint(end);
        return;
      case I64:
        this.need(8, end, 'a 64-bit field');
        return;
      case LEN:
        this.pos = this.len(end);
        return;
      case I32:
        this.need(4, end, 'a 32-bit field');
        return;
      case SGROUP: {
        // Proto2 groups: fields until the matching end-group tag. Nothing in OTLP or
        // remote_write uses them, but a reader that skips "every wire type" must.
        this.enter();
        const field = tag >>> 3;
        for (;;) {
          if (this.pos >= end) this.truncatedAt(`group ${field}`);
          const t = this.tag(end);
          if ((t & 7) === EGROUP) {
            if (t >>> 3 !== field) this.fail(`end-group tag ${t >>> 3} does not match start-group ${field}`);
            break;
          }
          this.skipUnknown(t, end);
        }
        this.leave();
        return;
      }
      case EGROUP:
        this.fail(`end-group tag for field ${tag >>> 3} without a start-group`, this.pos - 1);
    }
  }
}
