import { describe, expect, it } from 'vitest';
import { batchSize, SIGNALS } from '../model';
import { serialize } from './state';
import { conformanceDataset, datasetBatches, histogramQuantile, METRIC_SHAPE, valueQuantile } from './dataset';

const nowMs = Date.UTC(2026, 0, 15, 12, 0);

describe('conformanceDataset', () => {
  it('is the same for the same anchor and marker', () => {
    expect(serialize(conformanceDataset({ nowMs }))).toBe(serialize(conformanceDataset({ nowMs })));
  });

  it('anchors at the current minute by default', () => {
    const d = conformanceDataset();
    expect(d.nowMs % 60_000).toBe(0);
    expect(Date.now() - d.nowMs).toBeLessThan(60_000 + 1000);
  });

  it('keeps every item inside the range and before now', () => {
    const d = conformanceDataset({ nowMs });
    const start = BigInt(d.range.startMs) * 1_000_000n;
    const end = BigInt(nowMs) * 1_000_000n;
    const times = [
      ...d.logs.map((r) => r.timeUnixNano),
      ...d.traces.flatMap((t) => t.spans.flatMap((s) => [s.startTimeUnixNano, s.endTimeUnixNano])),
      ...d.metrics.map((p) => p.timeUnixNano),
      ...d.rum.map((e) => e.timeUnixNano),
    ];
    expect(times.every((t) => t >= start && t < end)).toBe(true);
    expect(d.cost.every((a) => a.windowStartMs >= d.range.startMs && a.windowEndMs <= nowMs)).toBe(true);
  });

  it('gives logs unique times, every severity band and some trace links', () => {
    const d = conformanceDataset({ nowMs });
    expect(new Set(d.logs.map((r) => r.timeUnixNano)).size).toBe(d.logs.length);
    expect(new Set(d.logs.map((r) => r.severityNumber))).toEqual(new Set([0, 1, 5, 9, 10, 13, 17, 21]));
    expect(d.logs.filter((r) => r.traceId !== undefined).length).toBeGreaterThan(5);
  });

  it('marks everything a tenant could see, and two markers never share it', () => {
    const a = serialize(conformanceDataset({ nowMs, marker: 'alpha' }));
    const b = serialize(conformanceDataset({ nowMs, marker: 'bravo' }));
    expect(a).not.toContain('bravo');
    expect(b).not.toContain('alpha');
    const d = conformanceDataset({ nowMs });
    for (const r of d.logs) expect(serialize(r)).toContain('alpha');
    for (const p of d.metrics) expect(Object.keys(p.labels)).toContain(d.markerLabel);
    for (const e of d.rum) expect(serialize(e)).toContain('alpha');
    for (const c of d.cost) expect(c.name).toContain('alpha');
  });

  it('splits into batches that hold every item once, with ids shared across markers', () => {
    const a = conformanceDataset({ nowMs, marker: 'alpha' });
    const b = conformanceDataset({ nowMs, marker: 'bravo' });
    for (const signal of SIGNALS) {
      const batches = datasetBatches(a, signal);
      expect(batches.length).toBeGreaterThan(1);
      expect(new Set(batches.map((x) => x.id)).size).toBe(batches.length);
      expect(datasetBatches(b, signal).map((x) => x.id)).toEqual(batches.map((x) => x.id));
    }
    expect(datasetBatches(a, 'logs').reduce((n, x) => n + batchSize(x), 0)).toBe(a.logs.length);
    expect(datasetBatches(a, 'metrics').reduce((n, x) => n + batchSize(x), 0)).toBe(a.metrics.length);
  });

  it('samples metrics every 15 s, 7.5 s off the minute, for 30 minutes', () => {
    const d = conformanceDataset({ nowMs });
    const counter = d.metrics.filter((p) => p.name === d.metricNames.counter && p.labels.method === 'GET');
    expect(counter).toHaveLength(METRIC_SHAPE.samples);
    expect(Number(counter[0]?.timeUnixNano) / 1e6).toBe(nowMs - 35 * 60_000 + 7_500);
    expect(Number((counter[1]?.timeUnixNano ?? 0n) - (counter[0]?.timeUnixNano ?? 0n)) / 1e6).toBe(15_000);
  });
});

describe('histogramQuantile', () => {
  // Worked by hand: /cart adds [20, 40, 60, 40, 20, 19, 1] per interval, /checkout [5, 10, 20, 40, 60, 60, 5].
  const bounds = METRIC_SHAPE.histogramBounds;
  it('interpolates linearly inside the bucket', () => {
    expect(histogramQuantile(0.5, bounds, [20, 40, 60, 40, 20, 19, 1])).toBeCloseTo(0.2, 12);
    expect(histogramQuantile(0.95, bounds, [20, 40, 60, 40, 20, 19, 1])).toBeCloseTo(1 + (1.5 * 10) / 19, 12);
    expect(histogramQuantile(0.5, bounds, [25, 50, 80, 80, 80, 79, 6])).toBeCloseTo(0.390625, 12);
    expect(histogramQuantile(0.95, bounds, [25, 50, 80, 80, 80, 79, 6])).toBeCloseTo(1 + (1.5 * 65) / 79, 12);
  });

  it('answers the highest finite bound for the +Inf bucket, 0 as the first lower bound, null for nothing', () => {
    expect(histogramQuantile(0.99, bounds, [25, 50, 80, 80, 80, 79, 6])).toBe(2.5);
    expect(histogramQuantile(0.5, [1, 2], [10, 0, 0])).toBeCloseTo(0.5, 12);
    expect(histogramQuantile(0.5, bounds, [0, 0, 0, 0, 0, 0, 0])).toBeNull();
  });
});

describe('valueQuantile', () => {
  it('is PromQL quantile(): linear between ranks q * (n - 1)', () => {
    expect(valueQuantile(0.5, [30, 10, 20])).toBe(20);
    expect(valueQuantile(0.9, [10, 20, 30])).toBeCloseTo(28, 12);
    expect(valueQuantile(0.75, [120, 200])).toBeCloseTo(180, 12);
    expect(valueQuantile(0.5, [])).toBeNull();
  });
});
