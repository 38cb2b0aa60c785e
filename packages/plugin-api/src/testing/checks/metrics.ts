import { expect } from 'vitest';
import type { MetricPoint } from '../../model';
import type { LabelMatcher, MetricAggregation, MetricsQuery, MetricsResult, Series } from '../../query';
import { histogramQuantile, valueQuantile } from '../dataset';
import { check, contextFor, method, MINUTE, nanosToMs, requireLoaded, slotTimestamps, type ConformanceCheck, type ConformanceState } from '../state';

const G = 'metrics';
const QUANTILES: Partial<Record<MetricAggregation, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

interface SlotValue {
  value: number | null;
  /** True for the first slot with data, where a rate may need the sample before it. */
  edge: boolean;
}

interface ExpectedSeries {
  labels: Record<string, string>;
  values: SlotValue[];
}

/**
 * The kit's reading of the MetricsQuery semantics, computed from the dataset. Rates and
 * bucket increases use the samples inside each slot; every sample interval in the
 * dataset has the same increase, so any windowing that query.ts allows gives the same
 * values away from the first slot, which checks accept as null.
 */
export function expectedMetrics(points: MetricPoint[], q: Pick<MetricsQuery, 'range' | 'metric' | 'matchers' | 'rate' | 'aggregation' | 'groupBy' | 'stepMs'>) {
  const slots = slotTimestamps(q.range.startMs, q.range.endMs, q.stepMs);
  const bySeries = new Map<string, MetricPoint[]>();
  for (const p of points) {
    if (p.name !== q.metric || !(q.matchers ?? []).every((m) => matches(m, p.labels[m.name] ?? ''))) continue;
    const key = JSON.stringify(Object.entries(p.labels).sort());
    bySeries.set(key, [...(bySeries.get(key) ?? []), p]);
  }
  const ns = (ms: number) => BigInt(ms) * 1_000_000n;
  const inSlot = (series: MetricPoint[], t: number) => series.filter((p) => p.timeUnixNano >= ns(t) && p.timeUnixNano < ns(t + q.stepMs));
  const quantile = QUANTILES[q.aggregation];

  type PerSeries = { labels: Record<string, string>; values: SlotValue[]; buckets: Array<number[] | null> };
  const perSeries: PerSeries[] = [...bySeries.values()].map((series) => {
    let seenData = false;
    const values: SlotValue[] = [];
    const buckets: Array<number[] | null> = [];
    for (const t of slots) {
      const ps = inSlot(series, t);
      const edge = ps.length > 0 && !seenData;
      if (ps.length > 0) seenData = true;
      const first = ps[0];
      const last = ps[ps.length - 1];
      const scalar = (p: MetricPoint) => p.histogram?.count ?? p.value ?? 0;
      let value: number | null = null;
      if (first !== undefined && last !== undefined) {
        if (!q.rate) value = scalar(last);
        else if (ps.length >= 2) value = (scalar(last) - scalar(first)) / ((nanosToMs(last.timeUnixNano) - nanosToMs(first.timeUnixNano)) / 1000);
      }
      values.push({ value, edge });
      buckets.push(first?.histogram && last?.histogram && ps.length >= 2 ? last.histogram.counts.map((c, i) => c - (first.histogram?.counts[i] ?? 0)) : null);
    }
    return { labels: series[0]?.labels ?? {}, values, buckets };
  });

  if (q.aggregation === 'none') return { slots, series: perSeries.map(({ labels, values }) => ({ labels, values })) };

  const groups = new Map<string, { labels: Record<string, string>; members: PerSeries[] }>();
  for (const s of perSeries) {
    const labels: Record<string, string> = {};
    for (const name of q.groupBy ?? []) if (s.labels[name] !== undefined) labels[name] = s.labels[name] as string;
    const key = JSON.stringify(labels);
    const group = groups.get(key) ?? { labels, members: [] };
    group.members.push(s);
    groups.set(key, group);
  }
  const bounds = points.find((p) => p.name === q.metric)?.histogram?.bounds ?? [];
  const series: ExpectedSeries[] = [...groups.values()].map(({ labels, members }) => ({
    labels,
    values: slots.map((_, i) => {
      const edge = members.some((m) => m.values[i]?.edge === true);
      if (quantile !== undefined && bounds.length > 0) {
        const parts = members.map((m) => m.buckets[i]).filter((b): b is number[] => b !== null && b !== undefined);
        const summed = parts.length === 0 ? null : parts.reduce((acc, b) => acc.map((c, j) => c + (b[j] ?? 0)));
        return { value: summed === null ? null : histogramQuantile(quantile, bounds, summed), edge };
      }
      const vs = members.map((m) => m.values[i]?.value).filter((v): v is number => v !== null && v !== undefined);
      if (vs.length === 0) return { value: null, edge };
      const sum = vs.reduce((a, b) => a + b, 0);
      const value =
        quantile !== undefined
          ? valueQuantile(quantile, vs)
          : { sum, avg: sum / vs.length, min: Math.min(...vs), max: Math.max(...vs), count: vs.length }[q.aggregation as 'sum'];
      return { value, edge };
    }),
  }));
  return { slots, series };
}

function matches(m: LabelMatcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(value);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(value);
  }
}

function close(actual: number | null | undefined, want: number): boolean {
  if (actual === null || actual === undefined) return false;
  return Math.abs(actual - want) <= 1e-6 * Math.max(1, Math.abs(want));
}

/** Compares answered series with expected ones, matched by labels; a series with no value anywhere may be left out. */
export function expectSeries(result: MetricsResult, want: ReturnType<typeof expectedMetrics>, what: string, metric: string): void {
  const present = want.series.filter((s) => s.values.some((v) => v.value !== null));
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
  expect(result.series.map((s) => key(s.labels)).sort(), `${what}: the label sets of the series`).toEqual(present.map((s) => key(s.labels)).sort());
  for (const expected of present) {
    const actual = result.series.find((s) => key(s.labels) === key(expected.labels)) as Series;
    const at = `${what}: series ${key(expected.labels)}`;
    expect(actual.name, `${at}: name`).toBe(metric);
    expect(actual.timestamps, `${at}: timestamps (multiples of the step, one per slot)`).toEqual(want.slots);
    expect(actual.values.length, `${at}: one value per timestamp`).toBe(want.slots.length);
    want.slots.forEach((t, i) => {
      const w = expected.values[i] as SlotValue;
      const got = actual.values[i];
      const where = `${at} at ${new Date(t).toISOString()}`;
      if (w.value === null) expect(got, `${where}: no data there, so null`).toBeNull();
      else if (!(w.edge && got === null) && !close(got, w.value)) expect(got, `${where}`).toBe(w.value);
    });
  }
}

export function metricsChecks(state: ConformanceState): ConformanceCheck[] {
  const data = state.a.data;
  const names = data.metricNames;
  const range = data.range;
  const run = async (q: Partial<MetricsQuery> & { metric: string }) => {
    requireLoaded(state);
    const queryMetrics = method(state, 'queryMetrics', 'a plugin that reads metrics must implement');
    const full: MetricsQuery = { range, aggregation: 'none', stepMs: MINUTE, ...q };
    const result = await queryMetrics(full, contextFor(state, state.a.tenantId));
    return { full, result };
  };
  const same = (title: string, q: Partial<MetricsQuery> & { metric: string }) =>
    check(G, title, async () => {
      const { full, result } = await run(q);
      expectSeries(result, expectedMetrics(data.metrics, full), title, q.metric);
    });

  return [
    same('raw series: every label set, the last value in each step', { metric: names.counter }),
    same('gauge: last value per step with a two-minute step', { metric: names.gauge, stepMs: 2 * MINUTE }),
    check(G, 'steps are aligned to multiples of stepMs whatever the range', async () => {
      const odd = { startMs: range.startMs + 20_000, endMs: range.endMs - 30_000 };
      const { full, result } = await run({ metric: names.gauge, range: odd, stepMs: 2 * MINUTE, aggregation: 'max' });
      const want = expectedMetrics(data.metrics, full);
      expect(want.slots[0], 'the first slot starts at or before the range').toBeLessThanOrEqual(odd.startMs);
      expectSeries(result, want, 'max of the gauge over an unaligned range', names.gauge);
    }),
    same('matcher =', { metric: names.counter, matchers: [{ name: 'method', op: '=', value: 'GET' }] }),
    same('matcher !=', { metric: names.counter, matchers: [{ name: 'status_code', op: '!=', value: '200' }] }),
    same('matcher =~ (whole value)', { metric: names.counter, matchers: [{ name: 'route', op: '=~', value: '/check.*' }] }),
    same('matcher !~ (whole value)', { metric: names.counter, matchers: [{ name: 'method', op: '!~', value: 'G.*' }] }),
    same('matchers combine with AND', {
      metric: names.counter,
      matchers: [
        { name: 'method', op: '=', value: 'POST' },
        { name: 'status_code', op: '=~', value: '5..' },
      ],
    }),
    check(G, 'rate of a cumulative counter is its per-second increase', async () => {
      const { full, result } = await run({ metric: names.counter, rate: true });
      const want = expectedMetrics(data.metrics, full);
      // The dataset's increments per 15 s: 30, 15 and 3.
      const rates = want.series.map((s) => s.values.find((v) => v.value !== null)?.value).sort();
      expect(rates, 'the kit computes the rates it should').toEqual([0.2, 1, 2]);
      expectSeries(result, want, 'rate of the counter', names.counter);
    }),
    ...(['sum', 'avg', 'min', 'max', 'count'] as const).map((aggregation) => same(`${aggregation} of counter rates across series`, { metric: names.counter, rate: true, aggregation })),
    same('sum of raw values across series', { metric: names.gauge, aggregation: 'sum' }),
    same('groupBy keeps only the listed labels', { metric: names.counter, rate: true, aggregation: 'sum', groupBy: ['method'] }),
    same('groupBy with two labels', { metric: names.counter, rate: true, aggregation: 'max', groupBy: ['route', 'status_code'] }),
    same('p50 of plain values across series, as PromQL quantile()', { metric: names.gauge, aggregation: 'p50' }),
    same('p90 of plain values across series', { metric: names.gauge, aggregation: 'p90' }),
    ...(['p50', 'p95', 'p99'] as const).map((aggregation) =>
      check(G, `histogram ${aggregation} as histogram_quantile over the summed buckets`, async () => {
        const { full, result } = await run({ metric: names.histogram, aggregation });
        const want = expectedMetrics(data.metrics, full);
        const value = want.series[0]?.values.find((v) => v.value !== null)?.value;
        // Worked out by hand from METRIC_SHAPE so a bug in the kit cannot hide one in the plugin.
        expect(value, 'the kit computes the quantile it should').toBeCloseTo({ p50: 0.390625, p95: 2.2341772151898733, p99: 2.5 }[aggregation], 9);
        expectSeries(result, want, `histogram ${aggregation}`, names.histogram);
      }),
    ),
    same('histogram p95 grouped by route', { metric: names.histogram, aggregation: 'p95', groupBy: ['route'] }),
    same('rate of a histogram counts observations per second', { metric: names.histogram, rate: true, aggregation: 'sum' }),
    check(G, 'an unknown metric has no series', async () => {
      const { result } = await run({ metric: `${names.counter}_unknown` });
      expect(result.series).toEqual([]);
    }),
    check(G, 'a range without samples has no series', async () => {
      const { result } = await run({ metric: names.counter, range: { startMs: range.endMs - 4 * MINUTE, endMs: range.endMs } });
      expect(result.series).toEqual([]);
    }),
  ];
}
