import type { Driver } from './driver';
import type { Extensions, TelemetryTable } from './schema';
import { containmentCandidates, filterCondition, type Params } from './sql';
import { attributeIndexExpr } from './partitions';
import type { AttributeFilter } from '@obstack/plugin-api';

/** What a read needs: the connection, where the tables are, and whose rows it may see. */
export interface ReadContext {
  driver: Driver;
  /** Quoted schema name, ready to prefix table names. */
  s: string;
  ext: Extensions;
  tenantKey: number;
  signal: AbortSignal;
}

/**
 * Text of attribute `key` as query.ts defines it: the record's attributes first, then its
 * resource; JSON null counts as missing. `->>` on json returns the value's text exactly
 * as it was written (numbers as JSON.stringify spells them, arrays and objects as JSON).
 */
export function attributeText(table: TelemetryTable, key: string, p: Params): string {
  const k = p.add(key, 'text');
  if (table === 'rum_events') return `(attributes ->> ${k})`;
  // A key present with a JSON null stops the search, as in the reference (plugin-api filters.ts).
  return `(case when attributes -> ${k} is not null then attributes ->> ${k} else resource ->> ${k} end)`;
}

/**
 * AND of the filters. For `=` a GIN-indexable containment test is ANDed in as well: it
 * is implied by the exact test (a superset), so it changes no answer, but lets cold
 * partitions use their attribute index instead of reading every row of the range.
 */
export function filterConditions(table: TelemetryTable, filters: AttributeFilter[] | undefined, p: Params): string[] {
  const out: string[] = [];
  for (const f of filters ?? []) {
    out.push(filterCondition(attributeText(table, f.key, p), f, p));
    const candidates = containmentCandidates(f);
    if (candidates.length > 0) {
      const alternatives = candidates.map((v) => `${attributeIndexExpr(table)} @> ${p.add(JSON.stringify({ [f.key]: v }), 'text::jsonb')}`);
      out.push(`(${alternatives.join(' or ')})`);
    }
  }
  return out;
}
