import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiSeries, INGEST_MODES, type IngestStack, createTenantWithKey, eventually, modeAvailable, read, startIngestStack, valuesOf } from '../support/ingest';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus';

/**
 * A real Prometheus (the Debian build the services script uses) scrapes itself every
 * second and remote-writes to Obstack's /api/v1/push: once with `authorization` (Bearer
 * key) for the first tenant, once with `basic_auth` (key as password) for a second. What
 * Prometheus scraped is then read back through Obstack's query API.
 */

const RANGE = { from: 'now-15m', to: 'now', step: '1d' };

describe.each(INGEST_MODES)('Prometheus remote_write into Obstack (%s)', (mode) => {
  describe.skipIf(!modeAvailable(mode))('', () => {
    let stack: IngestStack;
    let prom: RunningPrometheus;
    let basic: { tenantId: string; key: string };

    beforeAll(async () => {
      stack = await startIngestStack(mode);
      basic = await createTenantWithKey(stack, `prom-basic-${mode}`);
      const push = `${stack.url}/api/v1/push`;
      prom = await startPrometheus([
        { name: 'obstack-bearer', url: push, bearer: stack.key },
        { name: 'obstack-basic', url: push, basic: { username: 'prometheus', password: basic.key } },
      ]);
      // A few scrapes and sends: both tenants list the metrics and `up` has arrived.
      await eventually(async () => {
        for (const key of [stack.key, basic.key]) {
          const names = await read<string[]>(stack.url, key, '/api/v1/metrics/names', RANGE);
          expect(names.data).toEqual(expect.arrayContaining(['up', 'prometheus_build_info']));
          const up = await read<{ series: ApiSeries[] }>(stack.url, key, '/api/v1/metrics/query', { ...RANGE, metric: 'up', agg: 'none' });
          expect(up.data.series).toHaveLength(1);
        }
      }, 60_000);
    });
    afterAll(async () => {
      await prom?.stop();
      await stack?.stop();
    });

    it('stores `up` = 1 for the scraped target with its job and instance labels', async () => {
      const { data } = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', { ...RANGE, metric: 'up', agg: 'none' });
      const [up] = data.series;
      expect(up?.labels).toMatchObject({ job: 'prometheus', instance: new URL(prom.url).host });
      expect(up?.labels.__name__).toBeUndefined();
      expect(valuesOf(up).at(-1)).toBe(1);
    });

    it('keeps label values as Prometheus sent them (build info of this very binary)', async () => {
      const [own] = await prom.query('prometheus_build_info');
      expect(own?.metric.version).toMatch(/^2\./);
      const { data } = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', { ...RANGE, metric: 'prometheus_build_info', agg: 'none' });
      expect(data.series).toHaveLength(1);
      expect(data.series[0]?.labels).toMatchObject({ version: own?.metric.version, revision: own?.metric.revision, goversion: own?.metric.goversion });
      expect(valuesOf(data.series[0]).at(-1)).toBe(1);
    });

    it('takes counters as counters: a positive per-second rate', async () => {
      // Samples appended to the TSDB grow with every 1 s scrape.
      const metric = 'prometheus_tsdb_head_samples_appended_total';
      const rate = await eventually(async () => {
        const { data } = await read<{ series: ApiSeries[] }>(stack.url, stack.key, '/api/v1/metrics/query', { ...RANGE, metric, rate: 'true', agg: 'sum' });
        const v = valuesOf(data.series[0]);
        expect(v.length).toBeGreaterThan(0);
        return v.at(-1) as number;
      });
      expect(rate).toBeGreaterThan(0);
      // Prometheus' own per-second rate between its last two scrapes (one scrape appends
      // about as many samples as there are series, so the two agree closely).
      const [own] = await prom.query(`sum(irate(${metric}[1m]))`);
      expect(rate / (own?.value ?? Number.NaN)).toBeGreaterThan(0.5);
      expect(rate / (own?.value ?? Number.NaN)).toBeLessThan(2);
    });

    it('authenticates basic_auth with the key as password into that key\'s tenant', async () => {
      const { data } = await read<{ series: ApiSeries[] }>(stack.url, basic.key, '/api/v1/metrics/query', { ...RANGE, metric: 'up', agg: 'none' });
      expect(data.series[0]?.labels.job).toBe('prometheus');
      expect(valuesOf(data.series[0]).at(-1)).toBe(1);
    });

    it('Prometheus itself counts no failed or dropped samples for either endpoint', async () => {
      // Prometheus scraped its own remote-storage counters too: it saw every send succeed.
      await eventually(async () => {
        const sent = await prom.query('sum by (remote_name) (prometheus_remote_storage_samples_total)');
        expect(sent.map((s) => s.metric.remote_name).sort()).toEqual(['obstack-basic', 'obstack-bearer']);
        for (const s of sent) expect(s.value).toBeGreaterThan(0);
      });
      for (const expr of [
        'sum(prometheus_remote_storage_samples_failed_total)',
        'sum(prometheus_remote_storage_samples_dropped_total)',
        'sum(prometheus_remote_storage_metadata_failed_total)',
      ]) {
        const [r] = await prom.query(expr);
        expect(r?.value ?? 0, expr).toBe(0);
      }
      expect(prom.output()).not.toMatch(/non-recoverable error|server returned HTTP status 4\d\d/);
    });
  });
});
