import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useLocation } from '@remix-run/react';
import { metadata, searchTraces } from '~/.server/api/explore';
import { attempt, explorePrincipal, hasTelemetry, pageRange, serviceNames } from '~/.server/api/explore-page';
import { ERROR_COLOR, colorFor } from '~/components/explore/colors';
import { ChipsInput, FilterField, SelectInput, TextInput, onCleanSubmit, useCleanGetSubmit, validateFilter } from '~/components/explore/filters';
import { formatDuration } from '~/components/explore/format';
import { SearchIcon } from '~/components/explore/icons';
import { ExploreHeader, NoResults, NoTelemetry, ParamError, Reloading, SourceErrors, Warnings } from '~/components/explore/page';
import { Time } from '~/components/explore/time';
import { TraceScatter } from '~/components/explore/trace-scatter';
import { hrefWith } from '~/components/explore/url';
import { Badge, Button, Card } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Traces · Obstack' }];

/**
 * GET /traces?from&to&service&operation&minDuration&maxDuration&status=ok|error|unset&filter=key=value (repeated)&limit
 * — the parameters of GET /api/v1/traces, so a page URL works against the API and back.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const who = await explorePrincipal(request, context);
  const params = new URL(request.url).searchParams;
  const range = pageRange(params);
  const q = context.services.query;
  const rangeOnly = new URLSearchParams({ from: range.from, to: range.to });
  const service = params.get('service') ?? '';
  const opParams = new URLSearchParams(rangeOnly);
  if (service) opParams.set('service', service);
  const [result, services, operations, keys] = await Promise.all([
    attempt(() => searchTraces(q, who.tenantId, params, request.signal)),
    attempt(() => serviceNames(q, who.tenantId, range, request.signal)),
    attempt(() => metadata(q, who.tenantId, 'operations', opParams, request.signal)),
    attempt(() => metadata(q, who.tenantId, 'label-names', new URLSearchParams({ from: range.from, to: range.to, signal: 'traces' }), request.signal)),
  ]);
  const filtered = ['service', 'operation', 'minDuration', 'maxDuration', 'status', 'filter'].some((k) => params.get(k));
  const traces = result.ok ? result.value.data.traces : [];
  const noTelemetry = result.ok && traces.length === 0 && result.value.errors.length === 0 && !filtered ? !(await hasTelemetry(q, who.tenantId, request.signal)) : false;
  return {
    range,
    form: {
      service,
      operation: params.get('operation') ?? '',
      minDuration: params.get('minDuration') ?? '',
      maxDuration: params.get('maxDuration') ?? '',
      status: params.get('status') ?? '',
      filters: params.getAll('filter').filter(Boolean),
      limit: params.get('limit') ?? '',
    },
    traces,
    warnings: result.ok ? result.value.data.warnings : undefined,
    errors: result.ok ? result.value.errors : [],
    paramError: result.ok ? range.error : result.message,
    queryFailed: !result.ok,
    services: services.ok ? services.value.data : [],
    operations: operations.ok ? operations.value.data : [],
    attributeKeys: keys.ok ? keys.value.data : [],
    filtered,
    noTelemetry,
    endpoint: who.endpoint,
    canManageKeys: who.canManageKeys,
  };
}

export default function Traces() {
  const data = useLoaderData<typeof loader>();
  const location = useLocation();
  const submit = useCleanGetSubmit();
  const f = data.form;
  const maxDuration = Math.max(1, ...data.traces.map((t) => t.durationMs));

  return (
    <>
      <ExploreHeader title="Traces" description="Find requests by service, operation, duration, status and attributes." range={data.range} />
      {data.paramError ? <ParamError message={data.paramError} /> : null}
      <SourceErrors errors={data.errors} />
      {data.noTelemetry ? (
        <NoTelemetry signal="traces" endpoint={data.endpoint} canManageKeys={data.canManageKeys} />
      ) : (
        <>
          <Card className="mb-6">
            {/* Remount on URL change so back/forward and shared links show their own filters. */}
            <Form key={location.search} method="get" onSubmit={onCleanSubmit(submit)} className="space-y-3" aria-label="Trace search">
              <input type="hidden" name="from" value={data.range.from} />
              <input type="hidden" name="to" value={data.range.to} />
              <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6">
                <FilterField label="Service" htmlFor="t-service" className="lg:col-span-1">
                  <SelectInput
                    id="t-service"
                    name="service"
                    defaultValue={f.service}
                    onChange={(e) => {
                      // Operations belong to a service: pick again from the new service's list.
                      const form = e.currentTarget.form;
                      const op = form?.elements.namedItem('operation');
                      if (op instanceof HTMLSelectElement) op.value = '';
                      if (form) submit(form);
                    }}
                  >
                    <option value="">All services</option>
                    {[...new Set([...data.services, ...(f.service ? [f.service] : [])])].map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </SelectInput>
                </FilterField>
                <FilterField label="Operation" htmlFor="t-operation" className="lg:col-span-2">
                  <SelectInput id="t-operation" name="operation" defaultValue={f.operation} onChange={(e) => e.currentTarget.form && submit(e.currentTarget.form)}>
                    <option value="">All operations</option>
                    {[...new Set([...data.operations, ...(f.operation ? [f.operation] : [])])].map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </SelectInput>
                </FilterField>
                <FilterField label="Min duration (ms)" htmlFor="t-min">
                  <TextInput id="t-min" name="minDuration" type="number" min={0} step="any" inputMode="decimal" placeholder="0" defaultValue={f.minDuration} />
                </FilterField>
                <FilterField label="Max duration (ms)" htmlFor="t-max">
                  <TextInput id="t-max" name="maxDuration" type="number" min={0} step="any" inputMode="decimal" placeholder="∞" defaultValue={f.maxDuration} />
                </FilterField>
                <FilterField label="Status" htmlFor="t-status">
                  <SelectInput id="t-status" name="status" defaultValue={f.status} onChange={(e) => e.currentTarget.form && submit(e.currentTarget.form)}>
                    <option value="">Any status</option>
                    <option value="error">Error</option>
                    <option value="ok">OK</option>
                    <option value="unset">Unset</option>
                  </SelectInput>
                </FilterField>
              </div>
              <div className="flex flex-wrap items-end gap-3">
                <div className="min-w-[18rem] flex-1">
                  <ChipsInput
                    name="filter"
                    label="Attributes"
                    values={f.filters}
                    suggestions={data.attributeKeys}
                    placeholder="http.response.status_code=500, then Enter"
                    help="key=value, key!=value, key=~regex, key~text, key>n; a trace matches when one span satisfies all of them."
                    validate={validateFilter}
                  />
                </div>
                <FilterField label="Limit" htmlFor="t-limit">
                  <SelectInput id="t-limit" name="limit" defaultValue={f.limit === '50' ? '' : f.limit}>
                    {['20', '50', '100', '200', '500'].map((l) => (
                      <option key={l} value={l === '50' ? '' : l}>
                        {l}
                      </option>
                    ))}
                  </SelectInput>
                </FilterField>
                <div className="flex gap-2 pb-[18px]">
                  {data.filtered ? (
                    <Link to={`/traces?${new URLSearchParams({ from: data.range.from, to: data.range.to })}`} className="inline-flex items-center rounded-md px-3 py-2 text-sm font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">
                      Clear
                    </Link>
                  ) : null}
                  <Button type="submit">
                    <SearchIcon width={16} height={16} /> Search
                  </Button>
                </div>
              </div>
            </Form>
          </Card>

          <Warnings warnings={data.warnings} />
          <Reloading>
            {data.queryFailed ? null : data.traces.length === 0 ? (
              <NoResults title="No traces match">
                Nothing between these times matches the filters.{' '}
                <Link className="font-medium text-brand-600 hover:underline dark:text-brand-400" to={hrefWith(location.pathname, location.search, { from: 'now-24h', to: 'now' })}>
                  Search the last 24 hours
                </Link>
                {data.filtered ? (
                  <>
                    {' or '}
                    <Link className="font-medium text-brand-600 hover:underline dark:text-brand-400" to={`/traces?${new URLSearchParams({ from: data.range.from, to: data.range.to })}`}>
                      clear the filters
                    </Link>
                  </>
                ) : null}
                .
              </NoResults>
            ) : (
              <div className="space-y-6">
                <Card title="Duration over time" description={`The ${data.traces.length} most recent matching traces; red ones have errors. Click one to open it.`}>
                  <TraceScatter traces={data.traces} />
                </Card>
                <Card className="overflow-hidden [&>div]:p-0" title={`${data.traces.length} trace${data.traces.length === 1 ? '' : 's'}`} description="Most recent first">
                  <table className="w-full text-left text-sm" data-testid="traces-table">
                    <thead className="border-b border-slate-100 bg-slate-50/60 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:bg-slate-800/40 dark:text-slate-400">
                      <tr>
                        <th scope="col" className="px-4 py-2.5 font-medium">
                          Started
                        </th>
                        <th scope="col" className="px-4 py-2.5 font-medium">
                          Trace
                        </th>
                        <th scope="col" className="px-4 py-2.5 text-right font-medium">
                          Spans
                        </th>
                        <th scope="col" className="w-64 px-4 py-2.5 font-medium">
                          Duration
                        </th>
                        <th scope="col" className="px-4 py-2.5 font-medium">
                          Status
                        </th>
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                      {data.traces.map((t) => (
                        <tr key={t.traceId} className="group hover:bg-slate-50 dark:hover:bg-slate-800/40" data-testid="trace-row">
                          <td className="whitespace-nowrap px-4 py-2.5 text-xs tabular-nums text-slate-500 dark:text-slate-400">
                            <Time ms={t.startMs} format="datetime-ms" />
                          </td>
                          <td className="px-4 py-2.5">
                            <Link to={`/traces/${t.traceId}`} state={{ back: location.pathname + location.search }} className="block font-medium text-slate-900 group-hover:text-brand-600 dark:text-slate-100 dark:group-hover:text-brand-400">
                              <span className="mr-1.5 inline-block h-2 w-2 rounded-full" style={{ backgroundColor: colorFor(t.rootService) }} aria-hidden="true" />
                              {t.rootService}: <span className="font-normal">{t.rootName}</span>
                            </Link>
                            <span className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-slate-500 dark:text-slate-400">
                              <span className="font-mono">{t.traceId.slice(0, 16)}</span>
                              {t.services.length > 1 ? <span>· {t.services.length} services</span> : null}
                            </span>
                          </td>
                          <td className="px-4 py-2.5 text-right tabular-nums">{t.spanCount}</td>
                          <td className="px-4 py-2.5">
                            <div className="flex items-center gap-2">
                              <span className="h-2 flex-1 rounded-full bg-slate-100 dark:bg-slate-800" aria-hidden="true">
                                <span className="block h-2 rounded-full" style={{ width: `${Math.max(1.5, (t.durationMs / maxDuration) * 100)}%`, backgroundColor: t.errorCount ? ERROR_COLOR : colorFor(t.rootService) }} />
                              </span>
                              <span className="w-16 text-right text-xs tabular-nums">{formatDuration(t.durationMs)}</span>
                            </div>
                          </td>
                          <td className="px-4 py-2.5">{t.errorCount > 0 ? <Badge tone="red">{t.errorCount === 1 ? '1 error' : `${t.errorCount} errors`}</Badge> : <Badge tone="green">OK</Badge>}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </Card>
              </div>
            )}
          </Reloading>
        </>
      )}
    </>
  );
}
