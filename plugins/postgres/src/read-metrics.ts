import { PluginError, type ExponentialHistogramValue, type MetricsQuery, type MetricsResult, type Series } from '@obstack/plugin-api';
import { METRIC_TYPE, TEMPORALITY } from './encode';
import { dayOfMs } from './partitions';
import type { ReadContext } from './read-context';
import { Params, labelMatcherCondition, nsParam } from './sql';

/** Prometheus refuses more than 11,000 points per series; so do we. */
const MAX_SLOTS = 11_000;
const QUANTILES: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

interface SeriesInfo {
  id: string;
  labels: Record<string, string>;
  type: number;
  temporality: number | null;
}

interface Sample {
  /** ns as float8: 256 ns resolution, plenty for rates */
  t: number;
  value: number | null;
  bounds?: number[] | null;
  counts?: number[] | null;
  exp?: ExponentialHistogramValue | null;
}

interface Buckets {
  bounds: number[];
  counts: number[];
}

/** Prometheus' histogram_quantile over per-bucket counts (the last is +Inf). */
export function histogramQuantile(q: number, bounds: readonly number[], counts: readonly number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i] ?? 0;
    if (below + inBucket >= rank && inBucket > 0) {
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? null;
      const upper = bounds[i] as number;
      const lower = i === 0 ? (upper > 0 ? 0 : upper) : (bounds[i - 1] as number);
      return lower + (upper - lower) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1] ?? null;
}

/** PromQL quantile(): linear between the closest ranks, rank = q * (n - 1). */
export function valueQuantile(q: number, values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

/**
 * An exponential histogram as explicit buckets: the zero bucket, an empty gap up to the
 * first positive bucket's lower bound, then the positive buckets. Negative buckets are
 * left out (latencies and sizes are never negative).
 */
export function exponentialToExplicit(h: ExponentialHistogramValue): Buckets {
  const base = 2 ** (2 ** -h.scale);
  const offset = h.positive?.offset ?? 0;
  const pos = h.positive?.counts ?? [];
  const bounds = [0, base ** offset];
  const counts = [h.zeroCount ?? 0, 0];
  pos.forEach((c, j) => {
    bounds.push(base ** (offset + j + 1));
    counts.push(c);
  });
  counts.push(0);
  return { bounds, counts };
}

function explicit(s: Sample): Buckets | null {
  if (s.bounds && s.counts) return { bounds: s.bounds, counts: s.counts };
  if (s.exp) return exponentialToExplicit(s.exp);
  return null;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Increase of a cumulative counter over the samples, a drop taken as a reset to zero. */
function increase(values: number[]): number {
  let inc = 0;
  for (let i = 1; i < values.length; i++) {
    const prev = values[i - 1] as number;
    const cur = values[i] as number;
    inc += cur >= prev ? cur - prev : cur;
  }
  return inc;
}

function slotValue(samples: Sample[], info: SeriesInfo, rate: boolean, stepMs: number): number | null {
  const values = samples.map((s) => s.value).filter((v): v is number => v !== null && v !== undefined);
  if (values.length === 0) return null;
  if (!rate) return values[values.length - 1] as number;
  if (info.temporality === TEMPORALITY.delta) return values.reduce((a, b) => a + b, 0) / (stepMs / 1000);
  // Cumulative: the samples inside the slot, first to last (query.ts allows either way).
  if (samples.length < 2) return null;
  const seconds = ((samples[samples.length - 1] as Sample).t - (samples[0] as Sample).t) / 1e9;
  if (!(seconds > 0)) return null;
  return increase(values) / seconds;
}

/** Observations made within the slot, per bucket. */
function slotBuckets(samples: Sample[], info: SeriesInfo): Buckets | null {
  const hs = samples.map(explicit).filter((b): b is Buckets => b !== null);
  if (hs.length === 0) return null;
  const first = hs[0] as Buckets;
  const counts = new Array<number>(first.counts.length).fill(0);
  if (info.temporality === TEMPORALITY.delta) {
    for (const h of hs) if (sameBounds(h.bounds, first.bounds)) h.counts.forEach((c, i) => (counts[i] = (counts[i] ?? 0) + c));
    return { bounds: first.bounds, counts };
  }
  if (hs.length < 2) return null;
  let bounds = first.bounds;
  for (let i = 1; i < hs.length; i++) {
    const prev = hs[i - 1] as Buckets;
    const cur = hs[i] as Buckets;
    const reset = !sameBounds(prev.bounds, cur.bounds) || cur.counts.some((c, j) => c < (prev.counts[j] ?? 0));
    if (!sameBounds(cur.bounds, bounds)) {
      // The layout changed: keep only what was observed under the newest one.
      bounds = cur.bounds;
      counts.length = 0;
      for (let j = 0; j < cur.counts.length; j++) counts.push(0);
    }
    cur.counts.forEach((c, j) => (counts[j] = (counts[j] ?? 0) + (reset ? c : c - (prev.counts[j] ?? 0))));
  }
  return { bounds, counts };
}

export async function queryMetrics(rc: ReadContext, q: MetricsQuery): Promise<MetricsResult> {
  const step = Math.floor(q.stepMs);
  if (!(step > 0)) throw new PluginError('stepMs must be a positive number of milliseconds', { source: 'plugin' });
  const firstSlot = Math.floor(q.range.startMs / step) * step;
  const slots: number[] = [];
  for (let t = firstSlot; t < q.range.endMs; t += step) {
    slots.push(t);
    if (slots.length > MAX_SLOTS) {
      throw new PluginError(`The range has more than ${MAX_SLOTS} steps of ${step} ms; use a larger step.`, { source: 'plugin' });
    }
  }
  if (slots.length === 0) return { series: [] };
  const windowEnd = firstSlot + slots.length * step;

  const p = new Params();
  const where = [
    `tenant_key = ${p.add(rc.tenantKey, 'int4')}`,
    `name = ${p.add(q.metric, 'text')}`,
    `day between ${p.add(dayOfMs(firstSlot), 'int4')} and ${p.add(dayOfMs(windowEnd - 1), 'int4')}`,
  ];
  for (const m of q.matchers ?? []) where.push(labelMatcherCondition(`(labels ->> ${p.add(m.name, 'text')})`, m, p));
  const infoRows = await rc.driver.query<{ id: string; labels: Record<string, string>; type: number; temporality: number | null }>(
    `select distinct on (series_id) series_id::text as id, labels, type, temporality from ${rc.s}.metric_series where ${where.join(' and ')} order by series_id, day desc`,
    p.values,
    rc.signal,
  );
  if (infoRows.length === 0) return { series: [] };
  const infos = new Map<string, SeriesInfo>(infoRows.map((r) => [r.id, { id: r.id, labels: r.labels, type: Number(r.type), temporality: r.temporality === null ? null : Number(r.temporality) }]));

  const quantile = QUANTILES[q.aggregation];
  const histograms = quantile !== undefined && infoRows.some((r) => r.type === METRIC_TYPE.histogram || r.type === METRIC_TYPE.exponential_histogram);
  const pp = new Params();
  const stepNs = pp.add((BigInt(step) * 1_000_000n).toString(), 'int8');
  const from = pp.add(nsParam(firstSlot), 'int8');
  const points = await rc.driver.query<{ id: string; slot: number; t: number; value: number | null; bounds?: number[] | null; counts?: number[] | null; exp?: ExponentialHistogramValue | null }>(
    `select series_id::text as id, ((time_ns - ${from}) / ${stepNs})::int4 as slot, time_ns::float8 as t, value
            ${histograms ? ', to_json(bounds) as bounds, to_json(counts) as counts, exp_histogram as exp' : ''}
       from ${rc.s}.metric_points
      where tenant_key = ${pp.add(rc.tenantKey, 'int4')}
        and series_id in (select (jsonb_array_elements_text(${pp.add(JSON.stringify([...infos.keys()]), 'text::jsonb')}))::int8)
        and time_ns >= ${from} and time_ns < ${pp.add(nsParam(windowEnd), 'int8')}
      order by series_id, time_ns`,
    pp.values,
    rc.signal,
  );

  // samples[series][slot]
  const bySeries = new Map<string, Sample[][]>();
  for (const r of points) {
    let perSlot = bySeries.get(r.id);
    if (!perSlot) {
      perSlot = Array.from({ length: slots.length }, () => []);
      bySeries.set(r.id, perSlot);
    }
    const sample: Sample = { t: Number(r.t), value: r.value === null ? null : Number(r.value) };
    if (histograms) {
      sample.bounds = r.bounds ?? null;
      sample.counts = r.counts ?? null;
      sample.exp = r.exp ?? null;
    }
    perSlot[Number(r.slot)]?.push(sample);
  }

  const rate = q.rate === true;
  const series: Series[] = [];
  const emit = (labels: Record<string, string>, values: Array<number | null>) => {
    if (values.some((v) => v !== null)) series.push({ name: q.metric, labels, timestamps: [...slots], values });
  };

  if (q.aggregation === 'none') {
    for (const [id, perSlot] of bySeries) {
      const info = infos.get(id) as SeriesInfo;
      emit({ ...info.labels }, perSlot.map((samples) => slotValue(samples, info, rate, step)));
    }
    return { series };
  }

  const groups = new Map<string, { labels: Record<string, string>; members: string[] }>();
  for (const id of bySeries.keys()) {
    const info = infos.get(id) as SeriesInfo;
    const labels: Record<string, string> = {};
    for (const name of q.groupBy ?? []) {
      const v = info.labels[name];
      if (v !== undefined) labels[name] = v;
    }
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    const g = groups.get(key) ?? { labels, members: [] };
    g.members.push(id);
    groups.set(key, g);
  }

  const warnings = new Set<string>();
  for (const g of groups.values()) {
    const values = slots.map((_, k) => {
      if (histograms && quantile !== undefined) {
        let merged: Buckets | null = null;
        for (const id of g.members) {
          const b = slotBuckets((bySeries.get(id) as Sample[][])[k] as Sample[], infos.get(id) as SeriesInfo);
          if (!b) continue;
          if (!merged) merged = { bounds: b.bounds, counts: [...b.counts] };
          else if (sameBounds(merged.bounds, b.bounds)) b.counts.forEach((c, i) => ((merged as Buckets).counts[i] = ((merged as Buckets).counts[i] ?? 0) + c));
          else warnings.add('Series with different histogram buckets were left out of a percentile.');
        }
        return merged ? histogramQuantile(quantile, merged.bounds, merged.counts) : null;
      }
      const vs: number[] = [];
      for (const id of g.members) {
        const v = slotValue((bySeries.get(id) as Sample[][])[k] as Sample[], infos.get(id) as SeriesInfo, rate, step);
        if (v !== null) vs.push(v);
      }
      if (vs.length === 0) return null;
      switch (q.aggregation) {
        case 'sum':
          return vs.reduce((a, b) => a + b, 0);
        case 'avg':
          return vs.reduce((a, b) => a + b, 0) / vs.length;
        case 'min':
          return Math.min(...vs);
        case 'max':
          return Math.max(...vs);
        case 'count':
          return vs.length;
        default:
          return valueQuantile(quantile ?? 0.5, vs);
      }
    });
    emit(g.labels, values);
  }
  const result: MetricsResult = { series };
  if (warnings.size > 0) result.warnings = [...warnings];
  return result;
}
