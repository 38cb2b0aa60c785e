import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ProtoReader, WireError } from './wire';

/** protobufjs writes the reference bytes; our reader must read back the same values. */
function written(fn: (w: protobuf.Writer) => void): ProtoReader {
  const w = protobuf.Writer.create();
  fn(w);
  return new ProtoReader(w.finish(), 32);
}

describe('ProtoReader against protobufjs-written values', () => {
  it('varints of every length, as uint32, int32 (sign-extended), uint64 and int64', () => {
    for (const n of [0, 1, 127, 128, 300, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 32 - 1]) {
      const r = written((w) => w.uint32(n));
      expect(r.uint32(r.buf.length)).toBe(n);
    }
    for (const n of [-1, -2, -128, -(2 ** 31), 2 ** 31 - 1]) {
      const r = written((w) => w.int32(n));
      expect(r.buf.length).toBe(n < 0 ? 10 : r.buf.length);
      expect(r.int32(r.buf.length)).toBe(n);
    }
    for (const n of ['0', '9007199254740991', '9007199254740992', '18446744073709551615', '-1', '-9007199254740991', '-9007199254740992', '-9223372036854775808']) {
      const r = written((w) => w.int64(n));
      const v = r.int64Value(r.buf.length);
      // Safe integers come back as numbers, everything else as exact decimal strings.
      const exact = BigInt.asIntN(64, BigInt(n));
      expect(v).toEqual(Number.isSafeInteger(Number(exact)) ? Number(exact) : exact.toString());
    }
    const r = written((w) => w.int64('-1700000000000'));
    expect(r.int64(r.buf.length)).toBe(-1_700_000_000_000);
  });

  it('zigzag sint32, fixed32/64, sfixed64 and doubles', () => {
    for (const n of [0, -1, 1, -64, 64, -(2 ** 31), 2 ** 31 - 1]) {
      const r = written((w) => w.sint32(n));
      expect(r.sint32(r.buf.length)).toBe(n);
    }
    let r = written((w) => w.fixed64('18446744073709551615'));
    expect(r.fixed64(r.buf.length)).toBe(18446744073709551615n);
    r = written((w) => w.fixed64('1700000000123456789'));
    expect(r.fixed64(r.buf.length)).toBe(1700000000123456789n);
    r = written((w) => w.sfixed64('-42'));
    expect(r.sfixed64Number(r.buf.length)).toBe(-42);
    r = written((w) => w.fixed32(0xdeadbeef));
    expect(r.fixed32(r.buf.length)).toBe(0xdeadbeef);
    for (const d of [0, -0, 1.5, -1e308, Number.MIN_VALUE, Infinity, NaN]) {
      r = written((w) => w.double(d));
      expect(r.double(r.buf.length)).toBe(d);
    }
  });

  it('reads never pass the end they are given, even when the buffer goes on', () => {
    const r = written((w) => w.fixed64(1).fixed64(2));
    expect(() => r.fixed64(4)).toThrow(WireError);
    const s = written((w) => w.string('hello'));
    expect(() => s.string(3, 100)).toThrow(/runs past the end/);
  });
});
