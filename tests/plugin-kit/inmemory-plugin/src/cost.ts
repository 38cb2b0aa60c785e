import { matchesFilters, type CostAllocation, type CostQuery, type CostResult } from '@obstack/plugin-api';
import type { TenantStore } from './store';

const COSTS = ['cpuCost', 'ramCost', 'gpuCost', 'pvCost', 'networkCost', 'totalCost'] as const;

export function queryCost(store: TenantStore | undefined, query: CostQuery): CostResult {
  const merged = new Map<string, CostAllocation>();
  for (const a of store?.cost ?? []) {
    if (a.aggregate !== query.aggregate || a.windowStartMs < query.range.startMs || a.windowStartMs >= query.range.endMs) continue;
    if (!matchesFilters(query.filters, a.properties)) continue;
    // Whole allocations land in the window their start falls in; nothing is prorated.
    const windowStartMs = query.stepMs === undefined ? query.range.startMs : Math.floor(a.windowStartMs / query.stepMs) * query.stepMs;
    const windowEndMs = query.stepMs === undefined ? query.range.endMs : windowStartMs + query.stepMs;
    const key = `${windowStartMs}\u0000${a.name}`;
    const into = merged.get(key);
    if (into === undefined) {
      merged.set(key, { ...structuredClone(a), windowStartMs, windowEndMs });
      continue;
    }
    for (const c of COSTS) into[c] += a[c];
    // Keep only the properties every merged allocation agrees on.
    for (const [k, v] of Object.entries(into.properties)) if (a.properties[k] !== v) delete into.properties[k];
  }
  return { allocations: [...merged.values()] };
}
