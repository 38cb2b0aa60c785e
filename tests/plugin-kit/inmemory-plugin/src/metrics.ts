import { matchesLabel, type MetricPoint, type MetricsQuery, type MetricsResult, type Series } from '@obstack/plugin-api';
import { nsOf, percentile, type TenantStore } from './store';

const QUANTILES: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** One series' reading of one slot: a value, and for histograms the observations per bucket. */
interface Slot {
  value: number | null;
  buckets: number[] | null;
}

export function queryMetrics(store: TenantStore | undefined, query: MetricsQuery): MetricsResult {
  const { stepMs } = query;
  const slots: number[] = [];
  for (let t = Math.floor(query.range.startMs / stepMs) * stepMs; t < query.range.endMs; t += stepMs) slots.push(t);
  const first = slots[0] ?? query.range.startMs;
  const last = (slots[slots.length - 1] ?? query.range.startMs) + stepMs;

  // Points of the metric in the slots, by series, in time order.
  const bySeries = new Map<string, MetricPoint[]>();
  for (const p of store?.points ?? []) {
    if (p.name !== query.metric || p.timeUnixNano < nsOf(first) || p.timeUnixNano >= nsOf(last)) continue;
    if (!(query.matchers ?? []).every((m) => matchesLabel(m, p.labels))) continue;
    const key = JSON.stringify(Object.entries(p.labels).sort(([a], [b]) => a.localeCompare(b)));
    const list = bySeries.get(key) ?? [];
    list.push(p);
    bySeries.set(key, list);
  }

  const series = [...bySeries.values()].map((points) => {
    points.sort((a, b) => (a.timeUnixNano < b.timeUnixNano ? -1 : a.timeUnixNano > b.timeUnixNano ? 1 : 0));
    const perSlot = slots.map((t) => readSlot(points.filter((p) => p.timeUnixNano >= nsOf(t) && p.timeUnixNano < nsOf(t + stepMs)), query, stepMs));
    return { labels: (points[0] as MetricPoint).labels, perSlot, bounds: points[0]?.histogram?.bounds };
  });

  let out: Series[];
  if (query.aggregation === 'none') {
    out = series.map((s) => ({ name: query.metric, labels: { ...s.labels }, timestamps: slots, values: s.perSlot.map((x) => x.value) }));
  } else {
    const groups = new Map<string, { labels: Record<string, string>; members: typeof series }>();
    for (const s of series) {
      const labels: Record<string, string> = {};
      for (const name of query.groupBy ?? []) if (s.labels[name] !== undefined) labels[name] = s.labels[name] as string;
      const key = JSON.stringify(labels);
      const group = groups.get(key) ?? { labels, members: [] };
      group.members.push(s);
      groups.set(key, group);
    }
    out = [...groups.values()].map(({ labels, members }) => ({
      name: query.metric,
      labels,
      timestamps: slots,
      values: slots.map((_, i) => combine(members.map((m) => m.perSlot[i] as Slot), query.aggregation, members[0]?.bounds)),
    }));
  }
  return { series: out.filter((s) => s.values.some((v) => v !== null)) };
}

function readSlot(points: MetricPoint[], query: MetricsQuery, stepMs: number): Slot {
  const last = points[points.length - 1];
  const firstPoint = points[0];
  if (last === undefined || firstPoint === undefined) return { value: null, buckets: null };
  const scalar = (p: MetricPoint) => p.histogram?.count ?? p.value ?? 0;
  const delta = last.temporality === 'delta';

  let buckets: number[] | null = null;
  if (last.histogram !== undefined) {
    if (delta) buckets = points.reduce<number[]>((acc, p) => (p.histogram?.counts ?? []).map((c, i) => c + (acc[i] ?? 0)), []);
    else if (points.length >= 2) buckets = last.histogram.counts.map((c, i) => c - (firstPoint.histogram?.counts[i] ?? 0));
  }

  if (!query.rate) return { value: scalar(last), buckets };
  if (delta) return { value: points.reduce((n, p) => n + scalar(p), 0) / (stepMs / 1000), buckets };
  if (points.length < 2) return { value: null, buckets };
  // Increase across the slot, counting a drop as a counter reset.
  let increase = 0;
  for (let i = 1; i < points.length; i++) {
    const prev = scalar(points[i - 1] as MetricPoint);
    const cur = scalar(points[i] as MetricPoint);
    increase += cur >= prev ? cur - prev : cur;
  }
  const seconds = Number(last.timeUnixNano - firstPoint.timeUnixNano) / 1e9;
  return { value: increase / seconds, buckets };
}

function combine(slots: Slot[], aggregation: MetricsQuery['aggregation'], bounds: number[] | undefined): number | null {
  const q = QUANTILES[aggregation];
  if (q !== undefined && bounds !== undefined) {
    const parts = slots.map((s) => s.buckets).filter((b): b is number[] => b !== null);
    if (parts.length === 0) return null;
    const summed = parts.reduce((acc, b) => acc.map((c, i) => c + (b[i] ?? 0)));
    return histogramQuantile(q, bounds, summed);
  }
  const values = slots.map((s) => s.value).filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  if (q !== undefined) return percentile(q, values);
  const sum = values.reduce((a, b) => a + b, 0);
  switch (aggregation) {
    case 'sum':
      return sum;
    case 'avg':
      return sum / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'count':
      return values.length;
    default:
      return null;
  }
}

/** As Prometheus' histogram_quantile: linear within the bucket; the +Inf bucket answers the highest finite bound. */
function histogramQuantile(q: number, bounds: number[], counts: number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] as number;
    if (n > 0 && below + n >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? null;
      const upper = bounds[i] as number;
      const lower = i === 0 ? Math.min(0, upper) : (bounds[i - 1] as number);
      return lower + (upper - lower) * ((rank - below) / n);
    }
    below += n;
  }
  return bounds[bounds.length - 1] ?? null;
}
