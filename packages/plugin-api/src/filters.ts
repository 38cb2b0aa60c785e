import type { Attributes, AttributeValue, SeverityName } from './model';
import type { AttributeFilter, LabelMatcher } from './query';

/**
 * The reference reading of AttributeFilter and LabelMatcher (see query.ts), for plugins
 * that filter in memory or post-filter what a backend cannot.
 */

/** An attribute as filters see it: strings as they are, numbers and booleans via String(), the rest as JSON, missing as "". */
export function attributeText(value: AttributeValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const regexCache = new Map<string, RegExp>();

/** A whole-value match, as PromQL and the unified query model anchor their regular expressions. */
export function fullMatch(pattern: string, value: string): boolean {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`);
    // Queries repeat; an unbounded cache would grow with every distinct user pattern.
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re.test(value);
}

/**
 * Whether one filter holds. `sources` are searched in order for the key: pass a record's
 * attributes, then its resource attributes.
 */
export function matchesFilter(filter: AttributeFilter, ...sources: Attributes[]): boolean {
  let value: AttributeValue | undefined;
  for (const source of sources) {
    if (Object.hasOwn(source, filter.key)) {
      value = source[filter.key];
      break;
    }
  }
  const text = attributeText(value);
  const wanted = filter.value === undefined ? '' : String(filter.value);
  switch (filter.op) {
    case '=':
      return text === wanted;
    case '!=':
      return text !== wanted;
    case '=~':
      return fullMatch(wanted, text);
    case '!~':
      return !fullMatch(wanted, text);
    case 'contains':
      return value !== undefined && value !== null && text.toLowerCase().includes(wanted.toLowerCase());
    case 'exists':
      return value !== undefined && value !== null;
    case '!exists':
      return value === undefined || value === null;
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      const limit = Number(filter.value);
      if (!Number.isFinite(n) || !Number.isFinite(limit)) return false;
      if (filter.op === '>') return n > limit;
      if (filter.op === '>=') return n >= limit;
      if (filter.op === '<') return n < limit;
      return n <= limit;
    }
  }
}

/** All filters hold (an empty or missing list always holds). */
export function matchesFilters(filters: AttributeFilter[] | undefined, ...sources: Attributes[]): boolean {
  return (filters ?? []).every((f) => matchesFilter(f, ...sources));
}

/** A PromQL-style label matcher; a missing label is "". */
export function matchesLabel(matcher: LabelMatcher, labels: Record<string, string>): boolean {
  const value = labels[matcher.name] ?? '';
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return fullMatch(matcher.value, value);
    case '!~':
      return !fullMatch(matcher.value, value);
  }
}

/** OTLP severity number to its name: 1-4 trace ... 21-24 fatal, 0 (or less) unset. */
export function severityName(severityNumber: number): SeverityName {
  if (severityNumber <= 0) return 'unset';
  const names: SeverityName[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  return names[Math.min(5, Math.floor((severityNumber - 1) / 4))] as SeverityName;
}
