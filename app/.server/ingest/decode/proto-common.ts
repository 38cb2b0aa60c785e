import type { AttributeValue, Attributes, InstrumentationScope } from '@obstack/plugin-api';
import { toBase64 } from './bytes';
import { setAttr, warnings } from './build';
import { badBody, type IngestError, asIngestError } from './errors';
import { type DecodeLimits, TRUNCATION_MARKER } from './limits';
import { type Report } from './report';
import { ANY_VALUE, ARRAY_VALUE, KEY_VALUE, KEY_VALUE_LIST, RESOURCE, SCOPE } from './schema';
import { type ProtoReader, WireError } from './wire';

/**
 * Decoders for the messages every OTLP signal shares (opentelemetry/proto/common/v1
 * and resource/v1). They write straight into model values: an AnyValue becomes an
 * AttributeValue, a repeated KeyValue becomes properties of the item's Attributes.
 *
 * Tags in the switches are `field << 3 | wire type` (schema.ts has the tables):
 * 10 = field 1 LEN, 16 = field 2 VARINT, 24 = field 3 VARINT, 33 = field 4 I64,
 * 42 = field 5 LEN, 50 = field 6 LEN, 58 = field 7 LEN, 18 = field 2 LEN.
 */

export interface Ctx {
  readonly r: ProtoReader;
  readonly limits: DecodeLimits;
  readonly report: Report;
}

/** Returned for a container nested past maxAnyValueDepth: the caller leaves it out. */
export const DROPPED = Symbol('dropped');

/**
 * Decodes an AnyValue payload. `depth` counts the array/kvlist containers around it;
 * a container that would sit deeper than the limit is skipped (its bytes are jumped
 * over, not parsed, so hostile nesting costs no stack). An empty AnyValue is null.
 */
export function anyValue(c: Ctx, end: number, depth: number, maxString: number): AttributeValue | typeof DROPPED {
  const r = c.r;
  r.enter();
  let v: AttributeValue | typeof DROPPED = null;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case 10: // string_value = 1
        v = r.string(end, maxString);
        break;
      case 16: // bool_value = 2
        v = r.bool(end);
        break;
      case 24: // int_value = 3 (int64)
        v = r.int64Value(end);
        break;
      case 33: // double_value = 4
        v = r.double(end);
        break;
      case 42: {
        // array_value = 5
        const e = r.len(end);
        if (depth >= c.limits.maxAnyValueDepth) {
          r.pos = e;
          c.report.warn(warnings.depth(c.limits));
          v = DROPPED;
        } else v = arrayValue(c, e, depth + 1);
        break;
      }
      case 50: {
        // kvlist_value = 6
        const e = r.len(end);
        if (depth >= c.limits.maxAnyValueDepth) {
          r.pos = e;
          c.report.warn(warnings.depth(c.limits));
          v = DROPPED;
        } else v = keyValueList(c, e, depth + 1);
        break;
      }
      case 58: {
        // bytes_value = 7: base64 in the model, cut to the value limit before encoding
        const e = r.len(end);
        const max = c.limits.maxAttributeValueBytes;
        if (e - r.pos > max) {
          v = toBase64(r.buf, r.pos, r.pos + max) + TRUNCATION_MARKER;
          r.truncated++;
        } else v = toBase64(r.buf, r.pos, e);
        r.pos = e;
        break;
      }
      default:
        r.skip(tag, end, ANY_VALUE);
    }
  }
  r.leave();
  return v;
}

function arrayValue(c: Ctx, end: number, depth: number): AttributeValue[] {
  const r = c.r;
  r.enter();
  const out: AttributeValue[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10) {
      // values = 1
      const e = r.len(end);
      if (out.length >= c.limits.maxArrayValues) {
        r.pos = e;
        c.report.warn(warnings.array(c.limits));
        continue;
      }
      const v = anyValue(c, e, depth, c.limits.maxAttributeValueBytes);
      if (v !== DROPPED) out.push(v);
    } else r.skip(tag, end, ARRAY_VALUE);
  }
  r.leave();
  return out;
}

function keyValueList(c: Ctx, end: number, depth: number): Attributes {
  const r = c.r;
  r.enter();
  const out: Attributes = {};
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10) {
      // values = 1
      const e = r.len(end);
      if (n >= c.limits.maxAttributes) {
        r.pos = e;
        c.report.warn(warnings.attributes(c.limits));
        continue;
      }
      if (keyValue(c, e, out, depth)) n++;
    } else r.skip(tag, end, KEY_VALUE_LIST);
  }
  r.leave();
  return out;
}

/**
 * Decodes one KeyValue into `target`. Returns false when the attribute was dropped
 * (empty or over-long key, or a value nested too deep).
 */
export function keyValue(c: Ctx, end: number, target: Attributes, depth: number): boolean {
  const r = c.r;
  r.enter();
  let key: string | undefined;
  let badKey = false;
  let v: AttributeValue | typeof DROPPED = null;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10) {
      // key = 1
      const e = r.len(end);
      if (e === r.pos || e - r.pos > c.limits.maxAttributeKeyBytes) {
        badKey = true;
        r.pos = e;
      } else {
        key = r.text(e);
        badKey = false;
      }
    } else if (tag === 18) {
      // value = 2
      v = anyValue(c, r.len(end), depth, c.limits.maxAttributeValueBytes);
    } else r.skip(tag, end, KEY_VALUE);
  }
  r.leave();
  if (badKey || key === undefined) {
    c.report.warn(warnings.key(c.limits));
    return false;
  }
  if (v === DROPPED) return false;
  setAttr(target, key, v);
  return true;
}

/**
 * Reads one `repeated KeyValue attributes` occurrence into `target` unless the item
 * already holds `count` >= maxAttributes, in which case the bytes are skipped (the OTel
 * SDKs drop attributes over their count limit the same way). Returns the new count.
 */
export function attribute(c: Ctx, end: number, target: Attributes, count: number): number {
  const e = c.r.len(end);
  if (count >= c.limits.maxAttributes) {
    c.r.pos = e;
    c.report.warn(warnings.attributes(c.limits));
    return count;
  }
  return keyValue(c, e, target, 0) ? count + 1 : count;
}

export function resource(c: Ctx, end: number): Attributes {
  const r = c.r;
  r.enter();
  const attrs: Attributes = {};
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10) n = attribute(c, end, attrs, n); // attributes = 1
    else r.skip(tag, end, RESOURCE);
  }
  r.leave();
  return attrs;
}

/** InstrumentationScope -> the model's scope; undefined when it names nothing. Scope attributes have no place in the model. */
export function scope(c: Ctx, end: number): InstrumentationScope | undefined {
  const r = c.r;
  r.enter();
  let name = '';
  let version: string | undefined;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10) name = r.string(end, c.limits.maxNameBytes); // name = 1
    else if (tag === 18) version = r.string(end, c.limits.maxNameBytes) || undefined; // version = 2
    else r.skip(tag, end, SCOPE);
  }
  r.leave();
  return name === '' && version === undefined ? undefined : { name, version };
}

/** The top-level catch: wire errors become a 400 naming byte offset and path; IngestErrors pass through. */
export function toIngestError(e: unknown): IngestError {
  if (e instanceof WireError) return badBody('malformed_protobuf', e.describe());
  return asIngestError(e, 'protobuf');
}
