import { expect } from 'vitest';
import { matchesFilters } from '../../filters';
import type { CostAllocation } from '../../model';
import type { CostQuery, CostResult } from '../../query';
import { check, contextFor, method, MINUTE, requireLoaded, type ConformanceCheck, type ConformanceState } from '../state';

const G = 'cost';
const COSTS = ['cpuCost', 'ramCost', 'gpuCost', 'pvCost', 'networkCost', 'totalCost'] as const;

/** The kit's reading of CostQuery: whole allocations merged per name and window. */
export function expectedCost(allocations: CostAllocation[], q: CostQuery): CostAllocation[] {
  const inRange = allocations.filter(
    (a) => a.aggregate === q.aggregate && a.windowStartMs >= q.range.startMs && a.windowStartMs < q.range.endMs && matchesFilters(q.filters, a.properties),
  );
  const merged = new Map<string, CostAllocation>();
  for (const a of inRange) {
    const windowStartMs = q.stepMs === undefined ? q.range.startMs : Math.floor(a.windowStartMs / q.stepMs) * q.stepMs;
    const windowEndMs = q.stepMs === undefined ? q.range.endMs : windowStartMs + q.stepMs;
    const key = `${windowStartMs}/${a.name}`;
    const prev = merged.get(key);
    if (prev === undefined) {
      merged.set(key, { ...a, properties: { ...a.properties }, windowStartMs, windowEndMs });
      continue;
    }
    for (const c of COSTS) prev[c] += a[c];
    for (const [k, v] of Object.entries(prev.properties)) if (a.properties[k] !== v) delete prev.properties[k];
  }
  return sortCost([...merged.values()]);
}

function sortCost(allocations: CostAllocation[]): CostAllocation[] {
  return [...allocations].sort((a, b) => a.windowStartMs - b.windowStartMs || a.name.localeCompare(b.name));
}

function expectCost(result: CostResult, want: CostAllocation[], what: string): void {
  const got = sortCost(result.allocations);
  expect(
    got.map((a) => `${new Date(a.windowStartMs).toISOString()} ${a.name}`),
    `${what}: windows and names`,
  ).toEqual(want.map((a) => `${new Date(a.windowStartMs).toISOString()} ${a.name}`));
  got.forEach((a, i) => {
    const w = want[i] as CostAllocation;
    const at = `${what}: ${a.name} at ${new Date(a.windowStartMs).toISOString()}`;
    const pick = ({ windowStartMs, windowEndMs, aggregate, name, properties, currency }: CostAllocation) => ({ windowStartMs, windowEndMs, aggregate, name, properties, currency });
    expect(pick(a), at).toEqual(pick(w));
    for (const c of COSTS) expect(a[c], `${at}: ${c}`).toBeCloseTo(w[c], 9);
  });
}

export function costChecks(state: ConformanceState): ConformanceCheck[] {
  const data = state.a.data;
  const run = (title: string, q: Partial<CostQuery>) =>
    check(G, title, async () => {
      requireLoaded(state);
      const queryCost = method(state, 'queryCost', 'a plugin that reads cost must implement');
      const full: CostQuery = { range: data.range, aggregate: 'namespace', ...q };
      const result = await queryCost(full, contextFor(state, state.a.tenantId));
      expectCost(result, expectedCost(data.cost, full), title);
    });
  const lastWindow = Math.max(...data.cost.map((a) => a.windowStartMs));
  return [
    run('allocations round-trip at their own window size', { stepMs: 10 * MINUTE }),
    run('without stepMs: one allocation per name over exactly the range', {}),
    run('aggregate selects what the costs are grouped by', { aggregate: 'cluster', stepMs: 10 * MINUTE }),
    run('range keeps allocations whose window starts in it', { range: { startMs: lastWindow, endMs: data.range.endMs }, stepMs: 10 * MINUTE }),
    run('filters apply to properties', { filters: [{ key: 'team', op: '=', value: 'data' }] }),
    run('a larger stepMs merges windows aligned to it', { stepMs: 20 * MINUTE }),
  ];
}
