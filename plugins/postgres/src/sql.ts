import { PluginError, type AttributeFilter, type LabelMatcher } from '@obstack/plugin-api';

/** Collects positional parameters while a statement is assembled. */
export class Params {
  readonly values: unknown[] = [];

  /** `$n` with an explicit cast, so both drivers send the value as text and Postgres converts it. */
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

export function nsParam(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms - Math.floor(ms)) * 1e6))).toString();
}

export function escapeLike(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A decimal number, blanks around allowed (as JS Number() reads it, and float8 input too). */
export const NUMERIC_TEXT = '^\\s*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?\\s*$';

/** RE2 and Postgres' ARE agree on the everyday syntax; JS rejects most of what either would. */
export function checkRegex(pattern: string, what: string): void {
  try {
    new RegExp(pattern, 'u');
  } catch {
    throw new PluginError(`${what}: ${JSON.stringify(pattern)} is not a valid regular expression`, { source: 'plugin' });
  }
}

/**
 * SQL for one attribute filter over `valueExpr`, an expression giving the attribute as
 * text (SQL NULL when missing or JSON null), as query.ts defines the operators.
 */
export function filterCondition(valueExpr: string, f: AttributeFilter, p: Params): string {
  const v = f.value;
  const str = v === undefined || v === null ? '' : String(v);
  switch (f.op) {
    case 'exists':
      return `(${valueExpr}) is not null`;
    case '!exists':
      return `(${valueExpr}) is null`;
    case '=':
      return `coalesce(${valueExpr}, '') = ${p.add(str, 'text')}`;
    case '!=':
      return `coalesce(${valueExpr}, '') <> ${p.add(str, 'text')}`;
    case '=~':
      checkRegex(str, `filter on ${f.key}`);
      return `coalesce(${valueExpr}, '') ~ ${p.add(`^(?:${str})$`, 'text')}`;
    case '!~':
      checkRegex(str, `filter on ${f.key}`);
      return `coalesce(${valueExpr}, '') !~ ${p.add(`^(?:${str})$`, 'text')}`;
    case 'contains':
      return `strpos(lower(${valueExpr}), lower(${p.add(str, 'text')})) > 0`;
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const n = typeof v === 'number' ? v : Number(str);
      if (str.trim() === '' || !Number.isFinite(n)) {
        throw new PluginError(`filter on ${f.key}: ${f.op} needs a number (got ${JSON.stringify(v)})`, { source: 'plugin' });
      }
      // The CASE keeps the cast from seeing text that is not a number.
      return `(case when (${valueExpr}) ~ '${NUMERIC_TEXT}' then (${valueExpr})::float8 end) ${f.op} ${p.add(n, 'float8')}`;
    }
    default:
      throw new PluginError(`filter on ${f.key}: unknown operator ${JSON.stringify((f as { op: unknown }).op)}`, { source: 'plugin' });
  }
}

/**
 * JSON values an `=` filter can match, for a GIN containment pre-check: the value as a
 * string, and as a number or boolean when it reads as one. Empty when `=` could match a
 * missing key (value "") or a structured value, where containment proves nothing.
 */
export function containmentCandidates(f: AttributeFilter): unknown[] {
  if (f.op !== '=' || f.value === undefined || f.value === null) return [];
  const str = String(f.value);
  // "" matches a missing key; "[..." or "{..." may be the JSON text of an array or object.
  if (str === '' || str.startsWith('[') || str.startsWith('{')) return [];
  const out: unknown[] = [str];
  if (new RegExp(NUMERIC_TEXT).test(str)) {
    const n = Number(str);
    // jsonb compares numbers by value, so 500 also finds 500.0: still a superset.
    if (Number.isFinite(n)) out.push(n);
  }
  if (str === 'true') out.push(true);
  if (str === 'false') out.push(false);
  if (str === 'null') return [];
  return out;
}

export function labelMatcherCondition(valueExpr: string, m: LabelMatcher, p: Params): string {
  return filterCondition(valueExpr, { key: m.name, op: m.op, value: m.value }, p);
}
