import { expect } from 'vitest';
import type { Signal } from '../../model';
import { check, contextFor, implemented, method, requireLoaded, type ConformanceCheck, type ConformanceState } from '../state';

const G = 'metadata';

function expectNames(got: string[], mustInclude: string[], what: string): void {
  expect(got, `${what}: sorted, without duplicates`).toEqual([...new Set(got)].sort());
  const missing = mustInclude.filter((n) => !got.includes(n));
  expect(missing, `${what}: names missing from ${JSON.stringify(got)}`).toEqual([]);
}

export function metadataChecks(state: ConformanceState): ConformanceCheck[] {
  const data = state.a.data;
  const ctx = () => contextFor(state, state.a.tenantId);
  const reads = (s: Signal) => state.reads.has(s);
  const spans = data.traces.flatMap((t) => t.spans);
  const checks: ConformanceCheck[] = [];

  if (implemented(state, 'services')) {
    checks.push(
      check(G, 'services lists the service of every log, span and metric point', async () => {
        requireLoaded(state);
        const want = new Set<string>();
        if (reads('logs')) for (const r of data.logs) want.add(r.serviceName);
        if (reads('traces')) for (const s of spans) want.add(s.serviceName);
        if (reads('metrics')) for (const p of data.metrics) want.add(p.serviceName);
        expectNames(await method(state, 'services')({ range: data.range }, ctx()), [...want], 'services');
      }),
    );
  }
  if (implemented(state, 'operations') && reads('traces')) {
    checks.push(
      check(G, 'operations lists span names, for one service when asked', async () => {
        requireLoaded(state);
        const operations = method(state, 'operations');
        expectNames(await operations({ range: data.range }, ctx()), [...new Set(spans.map((s) => s.name))], 'operations');
        const service = data.services.frontend;
        const mine = new Set(spans.filter((s) => s.serviceName === service).map((s) => s.name));
        const others = [...new Set(spans.map((s) => s.name))].filter((n) => !mine.has(n));
        const got = await operations({ range: data.range, service }, ctx());
        expectNames(got, [...mine], `operations of ${service}`);
        expect(
          got.filter((n) => others.includes(n)),
          `operations of ${service} must not list other services' span names`,
        ).toEqual([]);
      }),
    );
  }
  if (reads('metrics')) {
    if (implemented(state, 'metricNames')) {
      checks.push(
        check(G, 'metricNames lists every metric', async () => {
          requireLoaded(state);
          expectNames(await method(state, 'metricNames')({ range: data.range }, ctx()), Object.values(data.metricNames), 'metricNames');
        }),
      );
    }
    if (implemented(state, 'labelNames')) {
      checks.push(
        check(G, 'labelNames of metrics lists every label, without __name__', async () => {
          requireLoaded(state);
          const got = await method(state, 'labelNames')('metrics', { range: data.range }, ctx());
          expectNames(got, [...new Set(data.metrics.flatMap((p) => Object.keys(p.labels)))], 'labelNames(metrics)');
          expect(got, 'labelNames(metrics)').not.toContain('__name__');
        }),
      );
    }
    if (implemented(state, 'labelValues')) {
      checks.push(
        check(G, 'labelValues of metrics lists every value of a label', async () => {
          requireLoaded(state);
          const labelValues = method(state, 'labelValues');
          expectNames(await labelValues('metrics', 'method', { range: data.range }, ctx()), ['GET', 'POST'], 'labelValues(metrics, method)');
          expectNames(await labelValues('metrics', 'queue', { range: data.range }, ctx()), ['q1', 'q2', 'q3'], 'labelValues(metrics, queue)');
        }),
      );
    }
  }
  return checks;
}
