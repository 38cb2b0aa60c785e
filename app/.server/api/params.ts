import type { AttributeFilter, Direction, FilterOp, LabelMatcher, MetricAggregation, StatusCode, TimeRange } from '@obstack/plugin-api';
import { AppError } from '../errors';

/**
 * Query-string parsing shared by the JSON API and the explore pages, so a URL copied from
 * the UI works against the API and the other way round. Every failure is a 400 that names
 * the parameter.
 */
export function bad(param: string, message: string): AppError {
  return new AppError(400, 'invalid_parameter', `${param}: ${message}`, param);
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `now`, `now-15m`, epoch milliseconds, or an ISO date. */
export function parseTime(param: string, value: string, now: number): number {
  const v = value.trim();
  if (v === 'now') return now;
  const rel = /^now-(\d+)([smhdw])$/.exec(v);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2] as string]!;
  if (/^\d{10,16}$/.test(v)) return Number(v);
  const iso = Date.parse(v);
  if (!Number.isNaN(iso) && /^\d{4}-\d{2}-\d{2}/.test(v)) return iso;
  throw bad(param, `must be now, now-<n><s|m|h|d|w>, epoch milliseconds or an ISO date (got "${value}")`);
}

export const DEFAULT_FROM = 'now-1h';

export function parseRange(params: URLSearchParams, now = Date.now()): TimeRange & { from: string; to: string } {
  const from = params.get('from') || DEFAULT_FROM;
  const to = params.get('to') || 'now';
  const startMs = parseTime('from', from, now);
  const endMs = parseTime('to', to, now);
  if (endMs <= startMs) throw bad('to', 'must be after from');
  if (endMs - startMs > 400 * 86_400_000) throw bad('from', 'the range may span at most 400 days');
  return { startMs, endMs, from, to };
}

export function parseIntParam(params: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) throw bad(name, `must be a whole number (got "${raw}")`);
  const n = Number(raw);
  if (n < min || n > max) throw bad(name, `must be between ${min} and ${max}`);
  return n;
}

export function parseOptionalNumber(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw bad(name, `must be a non-negative number (got "${raw}")`);
  return n;
}

// Longest operators first so `!=` is not read as `!` + `=`.
const FILTER_OPS: Array<[string, FilterOp]> = [
  ['!~', '!~'],
  ['=~', '=~'],
  ['!=', '!='],
  ['>=', '>='],
  ['<=', '<='],
  ['~', 'contains'],
  ['=', '='],
  ['>', '>'],
  ['<', '<'],
];

/**
 * `key=value`, `key!=value`, `key=~regex`, `key!~regex`, `key~text` (contains), `key>n`,
 * `key>=n`, `key<n`, `key<=n`, `key` (exists) and `!key` (does not exist).
 */
export function parseFilter(param: string, raw: string): AttributeFilter {
  const s = raw.trim();
  if (!s) throw bad(param, 'is empty');
  let best: { at: number; token: string; op: FilterOp } | undefined;
  for (const [token, op] of FILTER_OPS) {
    const at = s.indexOf(token);
    if (at > 0 && (!best || at < best.at || (at === best.at && token.length > best.token.length))) best = { at, token, op };
  }
  if (!best) {
    if (s.startsWith('!')) return { key: s.slice(1), op: '!exists' };
    return { key: s, op: 'exists' };
  }
  const key = s.slice(0, best.at).trim();
  const value = s.slice(best.at + best.token.length);
  if (!key) throw bad(param, `has no attribute name (got "${raw}")`);
  if (['>', '>=', '<', '<='].includes(best.op)) {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw bad(param, `${best.token} needs a number (got "${raw}")`);
    return { key, op: best.op, value: n };
  }
  if (best.op === '=~' || best.op === '!~') {
    try {
      new RegExp(value);
    } catch {
      throw bad(param, `is not a valid regular expression (got "${value}")`);
    }
  }
  return { key, op: best.op, value };
}

export function parseFilters(params: URLSearchParams, name = 'filter'): AttributeFilter[] {
  return params.getAll(name).filter((f) => f.trim() !== '').map((f) => parseFilter(name, f));
}

/** `name=value`, `name!=value`, `name=~regex`, `name!~regex` (PromQL matcher syntax, quotes optional). */
export function parseMatcher(param: string, raw: string): LabelMatcher {
  const m = /^\s*([A-Za-z_.][\w.]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(raw);
  if (!m) throw bad(param, `must look like label=value, label!=value, label=~regex or label!~regex (got "${raw}")`);
  const op = m[2] as LabelMatcher['op'];
  if (op === '=~' || op === '!~') {
    try {
      new RegExp(m[3] ?? '');
    } catch {
      throw bad(param, `is not a valid regular expression (got "${m[3]}")`);
    }
  }
  return { name: m[1] as string, op, value: m[3] ?? '' };
}

const AGGREGATIONS: MetricAggregation[] = ['none', 'sum', 'avg', 'min', 'max', 'count', 'p50', 'p90', 'p95', 'p99'];

export function parseAggregation(raw: string | null): MetricAggregation {
  if (!raw) return 'sum';
  if (!(AGGREGATIONS as string[]).includes(raw)) throw bad('agg', `must be one of ${AGGREGATIONS.join(', ')} (got "${raw}")`);
  return raw as MetricAggregation;
}

export function parseDirection(raw: string | null): Direction {
  if (!raw || raw === 'backward') return 'backward';
  if (raw === 'forward') return 'forward';
  throw bad('direction', `must be backward or forward (got "${raw}")`);
}

export function parseStatus(raw: string | null): StatusCode | undefined {
  if (!raw) return undefined;
  if (raw === 'ok' || raw === 'error' || raw === 'unset') return raw;
  throw bad('status', `must be ok, error or unset (got "${raw}")`);
}

const SEVERITIES: Record<string, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };

/** Minimum severity by name (`warn` = WARN and above) or OTLP number. */
export function parseSeverity(raw: string | null): number | undefined {
  if (!raw) return undefined;
  const byName = SEVERITIES[raw.toLowerCase()];
  if (byName) return byName;
  if (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 24) return Number(raw);
  throw bad('severity', `must be trace, debug, info, warn, error, fatal or 1-24 (got "${raw}")`);
}

/** A step that gives about `points` slots over the range, rounded to a friendly size. */
export function autoStep(range: TimeRange, points = 120): number {
  const raw = (range.endMs - range.startMs) / points;
  const nice = [1_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000];
  return nice.find((n) => n >= raw) ?? 86_400_000;
}

export function parseStep(params: URLSearchParams, range: TimeRange): number {
  const raw = params.get('step');
  if (!raw) return autoStep(range);
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(raw);
  if (!m) throw bad('step', `must be milliseconds or a duration like 30s, 5m, 1h (got "${raw}")`);
  const n = Number(m[1]) * (m[2] === 'ms' || !m[2] ? 1 : UNIT_MS[m[2]]!);
  if (n < 1_000) throw bad('step', 'must be at least 1s');
  if ((range.endMs - range.startMs) / n > 11_000) throw bad('step', 'gives more than 11000 points over the range; use a larger step');
  return n;
}

export const TRACE_ID = /^[0-9a-f]{32}$/;
