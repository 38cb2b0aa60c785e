import { badBody, tooLarge } from './errors';

/**
 * Snappy *block* format decompression (google/snappy format_description.txt), the
 * encoding remote_write 1.0 mandates ("Content-Encoding: snappy", block format, not the
 * framing format). Written here rather than taken from a package because the output
 * cap must be checked against the preamble before anything is allocated, and every
 * copy must be bounds-checked: the body is attacker-controlled.
 *
 * Format: a varint with the uncompressed length, then elements whose tag byte's low two
 * bits say what follows:
 *   00 literal: length-1 in the upper 6 bits, or (60..63) in the next 1..4 bytes LE;
 *   01 copy, 1-byte offset: length 4..11 in bits 2-4, offset bits 8-10 in bits 5-7 + 1 byte;
 *   10 copy, 2-byte offset: length-1 in the upper 6 bits, offset in the next 2 bytes LE;
 *   11 copy, 4-byte offset: length-1 in the upper 6 bits, offset in the next 4 bytes LE.
 */

/**
 * The best an element can do is a 3-byte copy of 64 bytes (ratio 21.3), so a preamble
 * claiming more than 22× the input lies: fail before allocating what it claims.
 */
const MAX_RATIO = 22;

export function snappyUncompress(src: Uint8Array, maxBytes: number): Uint8Array {
  let pos = 0;
  let len = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= src.length || shift > 28) throw malformed('bad length preamble');
    const b = src[pos++]!;
    len += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (len > maxBytes) throw tooLarge('decompressed_too_large', `the body inflates to ${len} bytes, over the ${maxBytes} byte limit`);
  if (len > (src.length - pos) * MAX_RATIO) throw malformed(`claims ${len} bytes from ${src.length - pos} compressed bytes`);
  const out = new Uint8Array(len);
  let op = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        if (pos + extra > src.length) throw malformed('literal length runs past the input');
        n = 0;
        for (let i = 0; i < extra; i++) n += src[pos + i]! * 2 ** (8 * i);
        pos += extra;
      }
      n += 1;
      if (pos + n > src.length) throw malformed('literal runs past the input');
      if (op + n > len) throw malformed('literal runs past the declared length');
      out.set(src.subarray(pos, pos + n), op);
      pos += n;
      op += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      if (pos + 1 > src.length) throw malformed('copy runs past the input');
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | src[pos++]!;
    } else if (kind === 2) {
      if (pos + 2 > src.length) throw malformed('copy runs past the input');
      n = 1 + (tag >>> 2);
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > src.length) throw malformed('copy runs past the input');
      n = 1 + (tag >>> 2);
      offset = (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > op) throw malformed(`copy offset ${offset} points before the start of the output`);
    if (op + n > len) throw malformed('copy runs past the declared length');
    if (offset >= n) out.copyWithin(op, op - offset, op - offset + n);
    else for (let i = 0; i < n; i++) out[op + i] = out[op - offset + i]!; // overlapping copy repeats a pattern
    op += n;
  }
  if (op !== len) throw malformed(`output is ${op} bytes, the preamble said ${len}`);
  return out;
}

function malformed(detail: string) {
  return badBody('malformed_compression', `the body is not valid snappy (block format): ${detail}`);
}
