import type { AttributeValue, Attributes } from '@obstack/plugin-api';
import type { IngestSettings } from './settings';

export const REDACTED = '[redacted]';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// 13-19 digits, optionally grouped by spaces or dashes; confirmed with the Luhn check.
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function hasDigitRun(s: string, n: number): boolean {
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= n) return true;
    } else if (c !== 32 && c !== 45) run = 0;
  }
  return false;
}

/**
 * Per-tenant PII scrubbing, applied in the worker before anything is stored. The cheap
 * pre-checks (an "@", a run of 13 digits) keep the regular expressions off the hot path
 * for the strings that can't match.
 */
export class PiiScrubber {
  private readonly keys: Set<string>;
  // Attribute keys repeat on every item: decide each one once.
  private readonly keyVerdicts = new Map<string, boolean>();
  readonly active: boolean;

  constructor(private readonly rules: IngestSettings['pii']) {
    this.keys = new Set(rules.keys.map((k) => k.toLowerCase()));
    this.active = rules.emails || rules.cardNumbers || this.keys.size > 0;
  }

  text(s: string): string {
    let out = s;
    if (this.rules.emails && out.includes('@')) out = out.replace(EMAIL, REDACTED);
    if (this.rules.cardNumbers && hasDigitRun(out, 13)) {
      out = out.replace(CARD, (m) => (luhn(m.replace(/[ -]/g, '')) ? REDACTED : m));
    }
    return out;
  }

  private sensitiveKey(key: string): boolean {
    if (this.keys.size === 0) return false;
    let verdict = this.keyVerdicts.get(key);
    if (verdict === undefined) {
      const k = key.toLowerCase();
      verdict = this.keys.has(k) || this.keys.has(k.slice(k.lastIndexOf('.') + 1));
      if (this.keyVerdicts.size < 10_000) this.keyVerdicts.set(key, verdict);
    }
    return verdict;
  }

  value(v: AttributeValue): AttributeValue {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v && typeof v === 'object') return this.attributes(v);
    return v;
  }

  /** Scrubs in place (the batch is the worker's own copy) and returns it. */
  attributes(attrs: Attributes): Attributes {
    for (const key of Object.keys(attrs)) {
      const v = attrs[key]!;
      attrs[key] = this.sensitiveKey(key) && v !== null ? REDACTED : this.value(v);
    }
    return attrs;
  }

  labels(labels: Record<string, string>): Record<string, string> {
    for (const key of Object.keys(labels)) labels[key] = this.sensitiveKey(key) ? REDACTED : this.text(labels[key]!);
    return labels;
  }
}
