import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useLocation } from '@remix-run/react';
import { useMemo, useState } from 'react';
import { metadata, queryMetrics } from '~/.server/api/explore';
import { attempt, explorePrincipal, hasTelemetry, pageRange } from '~/.server/api/explore-page';
import { PALETTE } from '~/components/explore/colors';
import { ChipsInput, FilterField, MultiSelect, SelectInput, onCleanSubmit, useCleanGetSubmit, validateMatcher } from '~/components/explore/filters';
import { formatDuration, formatNumber } from '~/components/explore/format';
import { MetricsIcon, PlayIcon } from '~/components/explore/icons';
import { MetricPicker } from '~/components/explore/metric-picker';
import { ExploreHeader, NoResults, NoTelemetry, ParamError, Reloading, SourceErrors, Warnings } from '~/components/explore/page';
import { Time } from '~/components/explore/time';
import { type ChartSeries, TimeSeriesChart } from '~/components/explore/time-series-chart';
import { hrefWith, useSetParams } from '~/components/explore/url';
import { Button, Card, EmptyState, cx } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Metrics · Obstack' }];

const AGGREGATIONS = [
  ['sum', 'Sum'],
  ['avg', 'Average'],
  ['min', 'Min'],
  ['max', 'Max'],
  ['count', 'Count of series'],
  ['p50', 'p50 (median)'],
  ['p90', 'p90'],
  ['p95', 'p95'],
  ['p99', 'p99'],
  ['none', 'None: every series'],
] as const;

const STEPS = ['', '15s', '30s', '1m', '5m', '15m', '1h', '6h', '1d'];

/**
 * GET /metrics?from&to&metric&match=label=value (repeated)&rate=true&agg=sum|avg|min|max|count|p50|p90|p95|p99|none&by=a,b&step=30s
 * — the parameters of GET /api/v1/metrics/query.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const who = await explorePrincipal(request, context);
  const params = new URL(request.url).searchParams;
  const range = pageRange(params);
  const q = context.services.query;
  const metric = params.get('metric') ?? '';
  const rangeOnly = new URLSearchParams({ from: range.from, to: range.to });
  const [names, labels, result] = await Promise.all([
    attempt(() => metadata(q, who.tenantId, 'metric-names', rangeOnly, request.signal)),
    attempt(() => metadata(q, who.tenantId, 'label-names', new URLSearchParams({ from: range.from, to: range.to, signal: 'metrics' }), request.signal)),
    metric ? attempt(() => queryMetrics(q, who.tenantId, params, request.signal)) : Promise.resolve(null),
  ]);
  const metricNames = names.ok ? names.value.data : [];
  const noTelemetry = metricNames.length === 0 && names.ok && names.value.errors.length === 0 && !metric ? !(await hasTelemetry(q, who.tenantId, request.signal)) : false;
  return {
    range,
    form: {
      metric,
      matchers: params.getAll('match').filter(Boolean),
      rate: params.get('rate') === 'true',
      agg: params.get('agg') ?? 'sum',
      by: (params.get('by') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      step: params.get('step') ?? '',
    },
    metricNames,
    labelNames: labels.ok ? labels.value.data : [],
    series: result?.ok ? result.value.data.series : [],
    stepMs: result?.ok ? result.value.stepMs : null,
    warnings: result?.ok ? result.value.data.warnings : undefined,
    errors: [...(names.ok ? names.value.errors : []), ...(result?.ok ? result.value.errors : [])],
    paramError: result && !result.ok ? result.message : range.error,
    queryFailed: result ? !result.ok : false,
    noTelemetry,
    endpoint: who.endpoint,
    canManageKeys: who.canManageKeys,
  };
}

function seriesLabel(name: string, labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return name;
  return `{${entries.map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

/**
 * A unit guessed from the metric's name (series carry none): OTel latency histograms are
 * in seconds, so their percentiles read as durations; without a percentile a histogram
 * answers counts.
 */
function unitFormatter(metric: string, agg: string, rate: boolean): { fmt: (v: number) => string; unit: string } {
  if (rate) return { fmt: (v) => `${formatNumber(v)}/s`, unit: 'per second' };
  if (agg.startsWith('p') && /(duration|latency|seconds|time)/i.test(metric)) return { fmt: (v) => formatDuration(v * 1000), unit: 'seconds' };
  if (agg !== 'count' && /(bytes|memory)/i.test(metric)) return { fmt: formatBytes, unit: 'bytes' };
  return { fmt: formatNumber, unit: '' };
}

function formatBytes(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1024 ** 3) return `${formatNumber(v / 1024 ** 3)} GiB`;
  if (abs >= 1024 ** 2) return `${formatNumber(v / 1024 ** 2)} MiB`;
  if (abs >= 1024) return `${formatNumber(v / 1024)} KiB`;
  return `${formatNumber(v)} B`;
}

export default function Metrics() {
  const data = useLoaderData<typeof loader>();
  const location = useLocation();
  const submit = useCleanGetSubmit();
  const setParams = useSetParams();
  const f = data.form;
  const percentile = f.agg.startsWith('p');

  return (
    <>
      <ExploreHeader title="Metrics" description="Chart a metric, filter and group it by labels, aggregate or take percentiles." range={data.range} />
      {data.paramError ? <ParamError message={data.paramError} /> : null}
      <SourceErrors errors={data.errors} />
      {data.noTelemetry ? (
        <NoTelemetry signal="metrics" endpoint={data.endpoint} canManageKeys={data.canManageKeys} />
      ) : (
        <>
          <Card className="mb-6">
            <Form key={location.search} method="get" onSubmit={onCleanSubmit(submit)} className="space-y-3" aria-label="Metric query">
              <input type="hidden" name="from" value={data.range.from} />
              <input type="hidden" name="to" value={data.range.to} />
              {f.metric ? <input type="hidden" name="metric" value={f.metric} /> : null}
              <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-12">
                <div className="sm:col-span-2 lg:col-span-4">
                  <MetricPicker names={data.metricNames} value={f.metric} onPick={(metric) => setParams({ metric })} />
                </div>
                <FilterField label="Aggregation" htmlFor="m-agg" className="lg:col-span-2">
                  <SelectInput id="m-agg" name="agg" defaultValue={f.agg} onChange={(e) => e.currentTarget.form && submit(e.currentTarget.form)}>
                    {AGGREGATIONS.map(([v, label]) => (
                      <option key={v} value={v}>
                        {label}
                      </option>
                    ))}
                  </SelectInput>
                </FilterField>
                <div className="lg:col-span-3">
                  <MultiSelect name="by" label="Group by" options={data.labelNames} selected={f.by} allLabel="Nothing (one series)" join="," submitOnApply />
                </div>
                <FilterField label="Step" htmlFor="m-step" className="lg:col-span-2">
                  <SelectInput id="m-step" name="step" defaultValue={f.step} onChange={(e) => e.currentTarget.form && submit(e.currentTarget.form)}>
                    {STEPS.map((s) => (
                      <option key={s} value={s}>
                        {s || `auto${data.stepMs && !f.step ? ` (${formatDuration(data.stepMs)})` : ''}`}
                      </option>
                    ))}
                  </SelectInput>
                </FilterField>
              </div>
              <div className="flex flex-wrap items-end gap-3">
                <div className="min-w-[18rem] flex-1">
                  <ChipsInput
                    name="match"
                    label="Label filters"
                    values={f.matchers}
                    suggestions={data.labelNames}
                    placeholder='service.name=checkout, then Enter'
                    help="label=value, label!=value, label=~regex, label!~regex"
                    validate={validateMatcher}
                  />
                </div>
                <div className="flex items-center gap-4 pb-[18px]">
                  <label className="flex h-[34px] cursor-pointer items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      name="rate"
                      value="true"
                      defaultChecked={f.rate}
                      onChange={(e) => e.currentTarget.form && submit(e.currentTarget.form)}
                      className="h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500"
                    />
                    <span>
                      Rate <span className="text-xs text-slate-500 dark:text-slate-400">(per second)</span>
                    </span>
                  </label>
                  <Button type="submit" disabled={!f.metric}>
                    <PlayIcon width={16} height={16} /> Run query
                  </Button>
                </div>
              </div>
              {percentile ? (
                <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="percentile-note">
                  {f.agg} of a histogram metric is estimated from its histogram buckets (interpolated within the bucket, as Prometheus' histogram_quantile does); for plain values it is taken across the series.
                </p>
              ) : null}
            </Form>
          </Card>
          <Warnings warnings={data.warnings} />
          <Reloading>
            {!f.metric ? (
              <EmptyState title="Choose a metric" icon={<MetricsIcon width={28} height={28} />}>
                {data.metricNames.length ? (
                  <>
                    <span>Pick one from the list above, or start with one of these:</span>
                    <span className="mt-3 flex flex-wrap justify-center gap-2">
                      {data.metricNames.slice(0, 12).map((n) => (
                        <Link key={n} to={hrefWith(location.pathname, location.search, { metric: n })} className="rounded-md bg-white px-2 py-1 font-mono text-xs text-brand-700 ring-1 ring-slate-200 hover:bg-brand-50 dark:bg-slate-900 dark:text-brand-400 dark:ring-slate-700 dark:hover:bg-slate-800">
                          {n}
                        </Link>
                      ))}
                    </span>
                  </>
                ) : (
                  'No metric has samples in this time range. Try a longer range.'
                )}
              </EmptyState>
            ) : data.queryFailed ? null : data.series.length === 0 ? (
              <NoResults title="No data for this query">
                <span className="font-mono">{f.metric}</span> has no samples matching these filters between these times.{' '}
                <Link className="font-medium text-brand-600 hover:underline dark:text-brand-400" to={hrefWith(location.pathname, location.search, { from: 'now-24h', to: 'now' })}>
                  Look at the last 24 hours
                </Link>
                .
              </NoResults>
            ) : (
              <MetricResult key={`${location.search}`} data={data} onZoom={(a, b) => setParams({ from: String(a), to: String(b) })} />
            )}
          </Reloading>
        </>
      )}
    </>
  );
}

function MetricResult({ data, onZoom }: { data: ReturnType<typeof useLoaderData<typeof loader>>; onZoom: (a: number, b: number) => void }) {
  const f = data.form;
  const [hidden, setHidden] = useState<Set<string>>(() => new Set());
  const [cursor, setCursor] = useState<number | null>(null);
  const toggle = (key: string) =>
    setHidden((h) => {
      const next = new Set(h);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const { fmt, unit } = unitFormatter(f.metric, f.agg, f.rate);
  const timestamps = data.series[0]?.timestamps ?? [];
  const chartSeries = useMemo<ChartSeries[]>(
    () =>
      data.series
        .map((s) => ({ s, label: seriesLabel(s.name, s.labels) }))
        .sort((a, b) => a.label.localeCompare(b.label))
        .map(({ s, label }, i) => ({ key: label, label, color: PALETTE[i % PALETTE.length] as string, values: s.values })),
    [data.series],
  );
  const stats = chartSeries.map((s) => {
    const vals = s.values.filter((v): v is number => v !== null);
    const last = [...s.values].reverse().find((v) => v !== null) ?? null;
    return {
      ...s,
      last,
      min: vals.length ? Math.min(...vals) : null,
      max: vals.length ? Math.max(...vals) : null,
      avg: vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null,
      atCursor: cursor !== null ? (s.values[cursor] ?? null) : null,
    };
  });
  const core = f.rate ? `rate(${f.metric})` : f.metric;
  const title = f.agg === 'none' ? core : `${f.agg}(${core})${f.by.length ? ` by (${f.by.join(', ')})` : ''}`;
  const cell = (v: number | null) => (v === null ? '–' : fmt(v));
  return (
    <div className="space-y-6">
      <Card
        title={<span className="font-mono text-sm">{title}</span>}
        description={`${chartSeries.length} series · step ${formatDuration(data.stepMs ?? 0)}${unit ? ` · ${unit}` : ''} · drag across the chart to zoom`}
      >
        <TimeSeriesChart timestamps={timestamps} series={chartSeries} hidden={hidden} yFormat={fmt} onZoom={onZoom} onCursor={setCursor} label={`Chart of ${title}`} />
        <ul className="mt-3 flex flex-wrap gap-x-4 gap-y-1.5" aria-label="Legend">
          {chartSeries.map((s) => {
            const off = hidden.has(s.key);
            return (
              <li key={s.key}>
                <button type="button" aria-pressed={!off} onClick={() => toggle(s.key)} className={cx('flex items-center gap-1.5 font-mono text-[11px] text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white', off ? 'opacity-40' : '')}>
                  <span className="h-2 w-3 rounded-sm" style={{ backgroundColor: s.color }} aria-hidden="true" />
                  {s.label}
                </button>
              </li>
            );
          })}
        </ul>
      </Card>
      <Card className="overflow-hidden [&>div]:p-0">
        <table className="w-full text-left text-sm" data-testid="series-table">
          <caption className="sr-only">Series of {title}; click a row to show or hide it in the chart</caption>
          <thead className="border-b border-slate-100 bg-slate-50/60 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:bg-slate-800/40 dark:text-slate-400">
            <tr>
              <th scope="col" className="px-4 py-2.5 font-medium">
                Series
              </th>
              <th scope="col" className="px-4 py-2.5 text-right font-medium">
                {cursor !== null && timestamps[cursor] !== undefined ? <Time ms={timestamps[cursor]} format="time" /> : 'Last'}
              </th>
              <th scope="col" className="px-4 py-2.5 text-right font-medium">
                Min
              </th>
              <th scope="col" className="px-4 py-2.5 text-right font-medium">
                Avg
              </th>
              <th scope="col" className="px-4 py-2.5 text-right font-medium">
                Max
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {stats.map((s) => {
              const off = hidden.has(s.key);
              return (
                <tr key={s.key} className={cx('hover:bg-slate-50 dark:hover:bg-slate-800/40', off ? 'opacity-40' : '')} data-testid="series-row">
                  <th scope="row" className="px-4 py-2 font-normal">
                    <button
                      type="button"
                      aria-pressed={!off}
                      title={off ? 'Show in chart' : 'Hide from chart'}
                      onClick={() => toggle(s.key)}
                      className="flex items-center gap-2 text-left font-mono text-xs"
                    >
                      <span className="h-2.5 w-2.5 shrink-0 rounded-sm" style={{ backgroundColor: s.color }} aria-hidden="true" />
                      <span className="[overflow-wrap:anywhere]">{s.label}</span>
                    </button>
                  </th>
                  <td className="px-4 py-2 text-right font-medium tabular-nums">{cell(cursor !== null ? s.atCursor : s.last)}</td>
                  <td className="px-4 py-2 text-right tabular-nums text-slate-600 dark:text-slate-300">{cell(s.min)}</td>
                  <td className="px-4 py-2 text-right tabular-nums text-slate-600 dark:text-slate-300">{cell(s.avg)}</td>
                  <td className="px-4 py-2 text-right tabular-nums text-slate-600 dark:text-slate-300">{cell(s.max)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
