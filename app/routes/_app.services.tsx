import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, type ShouldRevalidateFunction, useLoaderData, useLocation } from '@remix-run/react';
import { getServices } from '~/.server/api/explore';
import { attempt, explorePrincipal, hasTelemetry, pageRange } from '~/.server/api/explore-page';
import { formatCount, formatDuration, formatPercent, formatRate } from '~/components/explore/format';
import { ArrowUpDownIcon, ChevronDownIcon } from '~/components/explore/icons';
import { ExploreHeader, NoResults, NoTelemetry, ParamError, Reloading, SourceErrors, Stat } from '~/components/explore/page';
import { relativeLabel } from '~/components/explore/time';
import { hrefWith, revalidateUnlessOnly } from '~/components/explore/url';
import { Card, cx } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Services · Obstack' }];

const SORTS = ['service', 'requests', 'errorRate', 'p50', 'p95', 'p99'] as const;
type SortKey = (typeof SORTS)[number];

/** GET /services?from&to&sort=service|requests|errorRate|p50|p95|p99&dir=asc|desc */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const who = await explorePrincipal(request, context);
  const params = new URL(request.url).searchParams;
  const range = pageRange(params);
  const result = await attempt(() => getServices(context.services.query, who.tenantId, params, request.signal));
  const noTelemetry = result.ok && result.value.data.length === 0 && result.value.errors.length === 0 ? !(await hasTelemetry(context.services.query, who.tenantId, request.signal)) : false;
  return {
    range,
    services: result.ok ? result.value.data : [],
    errors: result.ok ? result.value.errors : [],
    paramError: result.ok ? range.error : result.message,
    queryFailed: !result.ok,
    noTelemetry,
    endpoint: who.endpoint,
    canManageKeys: who.canManageKeys,
  };
}

// Sorting happens in the browser: changing it needs no new data.
export const shouldRevalidate: ShouldRevalidateFunction = revalidateUnlessOnly(['sort', 'dir']);

type Row = Awaited<ReturnType<typeof loader>>['services'][number];

function sortValue(r: Row, key: SortKey): number | string {
  switch (key) {
    case 'service':
      return r.service;
    case 'requests':
      return r.requests;
    case 'errorRate':
      return r.errorRate;
    case 'p50':
      return r.p50Ms ?? -1;
    case 'p95':
      return r.p95Ms ?? -1;
    case 'p99':
      return r.p99Ms ?? -1;
  }
}

export default function Services() {
  const data = useLoaderData<typeof loader>();
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const sort: SortKey = (SORTS as readonly string[]).includes(params.get('sort') ?? '') ? (params.get('sort') as SortKey) : 'requests';
  const dir = params.get('dir') === 'asc' ? 'asc' : params.get('dir') === 'desc' ? 'desc' : sort === 'service' ? 'asc' : 'desc';
  const rows = [...data.services].sort((a, b) => {
    const x = sortValue(a, sort);
    const y = sortValue(b, sort);
    const c = typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number);
    return (dir === 'asc' ? c : -c) || a.service.localeCompare(b.service);
  });
  const total = data.services.reduce((s, r) => s + r.requests, 0);
  const errors = data.services.reduce((s, r) => s + r.errors, 0);
  const rate = data.services.reduce((s, r) => s + r.rate, 0);
  const slowest = [...data.services].filter((r) => r.p95Ms !== null).sort((a, b) => (b.p95Ms ?? 0) - (a.p95Ms ?? 0))[0];
  const maxP95 = Math.max(1, ...data.services.map((r) => r.p95Ms ?? 0));
  const rangeParams = { from: data.range.from, to: data.range.to };

  return (
    <>
      <ExploreHeader title="Services" description="Request rate, errors and latency of each service, from its spans." range={data.range} />
      {data.paramError ? <ParamError message={data.paramError} /> : null}
      <SourceErrors errors={data.errors} />
      {data.noTelemetry ? (
        <NoTelemetry signal="services" endpoint={data.endpoint} canManageKeys={data.canManageKeys} />
      ) : data.queryFailed ? null : data.services.length === 0 ? (
        <NoResults title="No requests in this time range">
          No service handled a request between these times.{' '}
          <Link className="font-medium text-brand-600 hover:underline dark:text-brand-400" to={hrefWith(location.pathname, location.search, { from: 'now-24h', to: 'now' })}>
            Look at the last 24 hours
          </Link>
          .
        </NoResults>
      ) : (
        <Reloading>
          <div className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Stat label="Services" value={String(data.services.length)} />
            <Stat label="Requests" value={formatCount(total)} hint={`${formatRate(rate)} ${relativeLabel(data.range.from, data.range.to)?.toLowerCase() ?? 'in range'}`} />
            <Stat label="Error rate" value={formatPercent(total ? errors / total : 0)} hint={`${formatCount(errors)} failed requests`} tone={total && errors / total > 0.05 ? 'bad' : 'normal'} />
            <Stat label="Slowest p95" value={slowest ? formatDuration(slowest.p95Ms) : '–'} hint={slowest?.service} />
          </div>
          <Card className="overflow-hidden [&>div]:p-0">
            <table className="w-full text-left text-sm" data-testid="services-table">
              <caption className="sr-only">Services, sortable by each column</caption>
              <thead className="border-b border-slate-100 bg-slate-50/60 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:bg-slate-800/40 dark:text-slate-400">
                <tr>
                  <SortHeader k="service" label="Service" sort={sort} dir={dir} align="left" />
                  <SortHeader k="requests" label="Requests" sort={sort} dir={dir} />
                  <SortHeader k="errorRate" label="Error rate" sort={sort} dir={dir} />
                  <SortHeader k="p50" label="P50" sort={sort} dir={dir} />
                  <SortHeader k="p95" label="P95" sort={sort} dir={dir} />
                  <SortHeader k="p99" label="P99" sort={sort} dir={dir} />
                  <th scope="col" className="px-4 py-2.5 text-right font-medium">
                    <span className="sr-only">Links</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {rows.map((r) => (
                  <tr key={r.service} className="hover:bg-slate-50 dark:hover:bg-slate-800/40" data-testid="service-row">
                    <th scope="row" className="px-4 py-3 font-medium">
                      <Link to={`/traces?${new URLSearchParams({ service: r.service, ...rangeParams })}`} className="text-slate-900 hover:text-brand-600 hover:underline dark:text-slate-100 dark:hover:text-brand-400">
                        {r.service}
                      </Link>
                    </th>
                    <td className="px-4 py-3 text-right tabular-nums">
                      <span className="font-medium">{formatRate(r.rate)}</span>
                      <span className="block text-xs text-slate-500 dark:text-slate-400">{formatCount(r.requests)} total</span>
                    </td>
                    <td className="px-4 py-3 text-right tabular-nums">
                      <ErrorRate ratio={r.errorRate} errors={r.errors} />
                    </td>
                    <td className="px-4 py-3 text-right tabular-nums">{formatDuration(r.p50Ms)}</td>
                    <td className="px-4 py-3 text-right tabular-nums">
                      <span>{formatDuration(r.p95Ms)}</span>
                      <span className="ml-auto mt-1 block h-1 w-20 rounded-full bg-slate-100 dark:bg-slate-800" aria-hidden="true">
                        <span className="block h-1 rounded-full bg-brand-500" style={{ width: `${Math.max(2, ((r.p95Ms ?? 0) / maxP95) * 100)}%` }} />
                      </span>
                    </td>
                    <td className="px-4 py-3 text-right tabular-nums">{formatDuration(r.p99Ms)}</td>
                    <td className="whitespace-nowrap px-4 py-3 text-right text-xs">
                      <Link to={`/traces?${new URLSearchParams({ service: r.service, ...rangeParams })}`} className="rounded px-1.5 py-1 font-medium text-brand-600 hover:bg-brand-50 dark:text-brand-400 dark:hover:bg-brand-500/10" aria-label={`Traces of ${r.service}`}>
                        Traces
                      </Link>
                      {r.errors > 0 ? (
                        <Link to={`/traces?${new URLSearchParams({ service: r.service, status: 'error', ...rangeParams })}`} className="rounded px-1.5 py-1 font-medium text-red-600 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-500/10" aria-label={`Failed traces of ${r.service}`}>
                          Errors
                        </Link>
                      ) : null}
                      <Link to={`/logs?${new URLSearchParams({ service: r.service, ...rangeParams })}`} className="rounded px-1.5 py-1 font-medium text-brand-600 hover:bg-brand-50 dark:text-brand-400 dark:hover:bg-brand-500/10" aria-label={`Logs of ${r.service}`}>
                        Logs
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
            Requests are server and consumer spans (or root spans). Services that only log appear with no requests.
          </p>
        </Reloading>
      )}
    </>
  );
}

function ErrorRate({ ratio, errors }: { ratio: number; errors: number }) {
  const tone = ratio > 0.05 ? 'bg-red-500' : ratio > 0.01 ? 'bg-amber-500' : 'bg-emerald-500';
  return (
    <span className="inline-flex flex-col items-end">
      <span className={cx('font-medium', ratio > 0.05 ? 'text-red-600 dark:text-red-400' : '')}>{formatPercent(ratio)}</span>
      <span className="mt-1 block h-1 w-20 rounded-full bg-slate-100 dark:bg-slate-800" aria-hidden="true">
        <span className={cx('block h-1 rounded-full', tone)} style={{ width: `${Math.min(100, Math.max(ratio > 0 ? 3 : 0, ratio * 100 * 2))}%` }} />
      </span>
      <span className="sr-only">{errors} errors</span>
    </span>
  );
}

function SortHeader({ k, label, sort, dir, align = 'right' }: { k: SortKey; label: string; sort: SortKey; dir: 'asc' | 'desc'; align?: 'left' | 'right' }) {
  const location = useLocation();
  const active = sort === k;
  const nextDir = active ? (dir === 'asc' ? 'desc' : 'asc') : k === 'service' ? 'asc' : 'desc';
  return (
    <th scope="col" aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={cx('px-4 py-2.5 font-medium', align === 'right' ? 'text-right' : 'text-left')}>
      <Link
        to={hrefWith(location.pathname, location.search, { sort: k, dir: nextDir })}
        preventScrollReset
        replace
        className={cx('inline-flex items-center gap-1 hover:text-slate-900 dark:hover:text-slate-100', active ? 'text-slate-900 dark:text-slate-100' : '')}
      >
        {label}
        {active ? <ChevronDownIcon width={14} height={14} className={dir === 'asc' ? 'rotate-180' : ''} /> : <ArrowUpDownIcon width={13} height={13} className="opacity-40" />}
      </Link>
    </th>
  );
}
