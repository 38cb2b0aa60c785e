import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, type ShouldRevalidateFunction, useLoaderData, useLocation, useSearchParams } from '@remix-run/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { logsQueryFrom, metadata, searchLogs } from '~/.server/api/explore';
import { attempt, explorePrincipal, hasTelemetry, pageRange, serviceNames } from '~/.server/api/explore-page';
import { ChipsInput, FilterField, MultiSelect, SelectInput, TextInput, onCleanSubmit, useCleanGetSubmit, validateFilter } from '~/components/explore/filters';
import { nanosToMs } from '~/components/explore/format';
import { PauseIcon, PlayIcon, SearchIcon, XIcon } from '~/components/explore/icons';
import { type TailState, useLiveTail } from '~/components/explore/live-tail';
import { LogList, logKey } from '~/components/explore/log-list';
import { LogVolume } from '~/components/explore/log-volume';
import { ExploreHeader, NoResults, NoTelemetry, ParamError, Reloading, SourceErrors, Warnings } from '~/components/explore/page';
import type { JsonLogRecord } from '~/components/explore/types';
import { hrefWith, revalidateUnlessOnly, useSetParams } from '~/components/explore/url';
import { Alert, Button, Card, Spinner, cx } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Logs · Obstack' }];

const SEVERITIES = [
  ['', 'Any severity'],
  ['trace', 'Trace and above'],
  ['debug', 'Debug and above'],
  ['info', 'Info and above'],
  ['warn', 'Warn and above'],
  ['error', 'Error and above'],
  ['fatal', 'Fatal'],
] as const;

/**
 * GET /logs?from&to&q&service (repeated)&severity=trace|debug|info|warn|error|fatal&filter=key=value (repeated)&traceId&limit&live=1
 * — the parameters of GET /api/v1/logs, plus `live` for live tail.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const who = await explorePrincipal(request, context);
  const params = new URL(request.url).searchParams;
  const range = pageRange(params);
  const q = context.services.query;
  // The range is resolved once, here: the first page, the volume, "Load more" and live
  // tail then all continue the same query even when the URL's range is relative.
  const query = new URLSearchParams(params);
  query.set('from', String(range.startMs));
  query.set('to', String(range.endMs));
  for (const k of ['live', 'cursor', 'direction']) query.delete(k);
  if (!query.get('volumeStep')) query.set('volumeStep', 'auto');
  const step = await attempt(() => logsQueryFrom(query).volumeStepMs ?? 60_000);
  const [result, services, keys] = await Promise.all([
    attempt(() => searchLogs(q, who.tenantId, query, request.signal)),
    attempt(() => serviceNames(q, who.tenantId, range, request.signal)),
    attempt(() => metadata(q, who.tenantId, 'label-names', new URLSearchParams({ from: range.from, to: range.to, signal: 'logs' }), request.signal)),
  ]);
  const filtered = ['q', 'service', 'severity', 'filter', 'traceId'].some((k) => params.get(k));
  const records = result.ok ? result.value.data.records : [];
  const noTelemetry = result.ok && records.length === 0 && result.value.errors.length === 0 && !filtered ? !(await hasTelemetry(q, who.tenantId, request.signal)) : false;
  query.delete('volumeStep');
  return {
    range,
    query: query.toString(),
    form: {
      q: params.get('q') ?? '',
      services: params.getAll('service').filter(Boolean),
      severity: params.get('severity') ?? '',
      filters: params.getAll('filter').filter(Boolean),
      traceId: params.get('traceId') ?? '',
    },
    records,
    nextCursor: result.ok ? (result.value.data.nextCursor ?? null) : null,
    volume: result.ok ? (result.value.data.volume ?? []) : [],
    stepMs: step.ok ? step.value : 60_000,
    warnings: result.ok ? result.value.data.warnings : undefined,
    errors: result.ok ? result.value.errors : [],
    paramError: result.ok ? range.error : result.message,
    queryFailed: !result.ok,
    services: services.ok ? services.value.data : [],
    attributeKeys: keys.ok ? keys.value.data : [],
    filtered,
    noTelemetry,
    endpoint: who.endpoint,
    canManageKeys: who.canManageKeys,
  };
}

// Turning live tail on or off keeps the records on screen.
export const shouldRevalidate: ShouldRevalidateFunction = revalidateUnlessOnly(['live']);

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

export default function Logs() {
  const data = useLoaderData<typeof loader>();
  const location = useLocation();
  const [params] = useSearchParams();
  const setParams = useSetParams();
  const submit = useCleanGetSubmit();
  const live = params.get('live') === '1';
  const f = data.form;

  return (
    <>
      <ExploreHeader
        title="Logs"
        description="Search, filter and tail log records; jump from a record to its trace."
        range={data.range}
        extra={
          data.noTelemetry ? null : (
            <Button type="button" variant={live ? 'primary' : 'secondary'} onClick={() => setParams({ live: live ? null : '1' }, { replace: true })} aria-pressed={live} data-testid="live-toggle">
              {live ? <PauseIcon width={16} height={16} /> : <PlayIcon width={16} height={16} />}
              {live ? 'Stop live tail' : 'Live tail'}
            </Button>
          )
        }
      />
      {data.paramError ? <ParamError message={data.paramError} /> : null}
      <SourceErrors errors={data.errors} />
      {data.noTelemetry ? (
        <NoTelemetry signal="logs" endpoint={data.endpoint} canManageKeys={data.canManageKeys} />
      ) : (
        <>
          <Card className="mb-6">
            <Form key={location.search.replace(/&?live=1/, '')} method="get" onSubmit={onCleanSubmit(submit)} className="space-y-3" aria-label="Log search">
              <input type="hidden" name="from" value={data.range.from} />
              <input type="hidden" name="to" value={data.range.to} />
              {live ? <input type="hidden" name="live" value="1" /> : null}
              <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-12">
                <FilterField label="Search text" htmlFor="l-q" className="sm:col-span-2 lg:col-span-5">
                  <div className="relative">
                    <SearchIcon width={16} height={16} className="pointer-events-none absolute left-2.5 top-1/2 -translate-y-1/2 text-slate-400" />
                    <TextInput id="l-q" name="q" type="search" defaultValue={f.q} placeholder="Words in the message, e.g. payment declined" className="pl-8" />
                  </div>
                </FilterField>
                <div className="lg:col-span-3">
                  <MultiSelect name="service" label="Services" options={data.services} selected={f.services} allLabel="All services" submitOnApply />
                </div>
                <FilterField label="Severity" htmlFor="l-sev" className="lg:col-span-2">
                  <SelectInput id="l-sev" name="severity" defaultValue={f.severity} onChange={(e) => e.currentTarget.form && submit(e.currentTarget.form)}>
                    {SEVERITIES.map(([v, label]) => (
                      <option key={v} value={v}>
                        {label}
                      </option>
                    ))}
                  </SelectInput>
                </FilterField>
                <div className="flex items-end gap-2 lg:col-span-2">
                  <Button type="submit" className="flex-1">
                    <SearchIcon width={16} height={16} /> Search
                  </Button>
                </div>
              </div>
              <div className="flex flex-wrap items-start gap-3">
                {f.traceId ? (
                  <div className="space-y-1">
                    <span className="block text-xs font-medium text-slate-600 dark:text-slate-400">Trace</span>
                    <span className="inline-flex h-[34px] items-center gap-1.5 rounded-md bg-brand-50 pl-2.5 pr-1 font-mono text-xs text-brand-700 ring-1 ring-inset ring-brand-100 dark:bg-brand-500/15 dark:text-brand-400 dark:ring-brand-500/30" data-testid="trace-chip">
                      <Link to={`/traces/${f.traceId}`} className="hover:underline" title="Open the trace">
                        {f.traceId}
                      </Link>
                      <input type="hidden" name="traceId" value={f.traceId} />
                      <Link to={hrefWith(location.pathname, location.search, { traceId: null })} aria-label="Remove the trace filter" className="rounded p-1 hover:bg-brand-100 dark:hover:bg-brand-500/25">
                        <XIcon width={12} height={12} />
                      </Link>
                    </span>
                  </div>
                ) : null}
                <div className="min-w-[18rem] flex-1">
                  <ChipsInput
                    name="filter"
                    label="Attributes"
                    values={f.filters}
                    suggestions={data.attributeKeys}
                    placeholder="order.id=o-123456, then Enter"
                    help="key=value, key!=value, key=~regex, key~text, key>n; attributes and resource attributes."
                    validate={validateFilter}
                  />
                </div>
                {data.filtered ? (
                  <Link
                    to={`/logs?${new URLSearchParams({ from: data.range.from, to: data.range.to })}`}
                    className="mt-5 inline-flex items-center rounded-md px-3 py-2 text-sm font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
                  >
                    Clear filters
                  </Link>
                ) : null}
              </div>
            </Form>
          </Card>
          <Warnings warnings={data.warnings} />
          <Reloading>
            {data.queryFailed ? null : <LogResults key={data.query} data={data} live={live} />}
          </Reloading>
        </>
      )}
    </>
  );
}

interface LogsPage {
  data?: { records: JsonLogRecord[]; nextCursor?: string };
  error?: { message: string };
}

/** Records of one query: the loader's first page, pages added by "Load more", and records live tail brings in. */
function LogResults({ data, live }: { data: Data; live: boolean }) {
  const location = useLocation();
  const setParams = useSetParams();
  const [more, setMore] = useState<JsonLogRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(data.nextCursor);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [tailed, setTailed] = useState<JsonLogRecord[]>([]);
  const [fresh, setFresh] = useState<Set<string>>(() => new Set());
  const seen = useRef(new Set(data.records.map(logKey)));
  const freshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(freshTimer.current), []);

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const res = await fetch(`/api/v1/logs?${data.query}&${new URLSearchParams({ cursor })}`, { headers: { Accept: 'application/json' } });
      const body = (await res.json()) as LogsPage;
      if (!res.ok || !body.data) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
      const page = body.data.records.filter((r) => !seen.current.has(logKey(r)));
      for (const r of page) seen.current.add(logKey(r));
      setMore((m) => [...m, ...page]);
      setCursor(body.data.nextCursor ?? null);
    } catch (e) {
      setMoreError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const onTail = useCallback((records: JsonLogRecord[]) => {
    const added = records.filter((r) => !seen.current.has(logKey(r)));
    if (added.length === 0) return;
    for (const r of added) seen.current.add(logKey(r));
    // The tail arrives oldest first; the list is newest first.
    setTailed((t) => [...added.reverse(), ...t].slice(0, 2000));
    setFresh(new Set(added.map(logKey)));
    clearTimeout(freshTimer.current);
    freshTimer.current = setTimeout(() => setFresh(new Set()), 3_000);
  }, []);

  const newest = data.records[0] ? Math.floor(nanosToMs(data.records[0].timeUnixNano)) : null;
  // A relative range ends now: tail from its newest record. For a range in the past, tail from now.
  const sinceMs = data.range.to === 'now' ? (newest ?? data.range.endMs) : Date.now() - 60_000;
  const tail = useLiveTail({ enabled: live, filters: data.query, sinceMs, onRecords: onTail });

  const records = useMemo(() => [...tailed, ...data.records, ...more], [tailed, data.records, more]);
  const filterHref = useCallback(
    (k: string, v: string) => {
      const current = new URLSearchParams(location.search).getAll('filter');
      const f = `${k}=${v}`;
      return hrefWith(location.pathname, location.search, { filter: current.includes(f) ? current : [...current, f], live: null });
    },
    [location.pathname, location.search],
  );

  return (
    <div className="space-y-6">
      <Card>
        <LogVolume buckets={data.volume} stepMs={data.stepMs} startMs={data.range.startMs} endMs={data.range.endMs} onZoom={(a, b) => setParams({ from: String(a), to: String(b), live: null })} />
      </Card>
      {live ? <TailStatus state={tail.state} error={tail.error} count={tailed.length} /> : null}
      {records.length === 0 ? (
        live ? null : (
          <NoResults title="No log records match">
            Nothing between these times matches the search.{' '}
            <Link className="font-medium text-brand-600 hover:underline dark:text-brand-400" to={hrefWith(location.pathname, location.search, { from: 'now-24h', to: 'now' })}>
              Search the last 24 hours
            </Link>
            {data.filtered ? (
              <>
                {' or '}
                <Link className="font-medium text-brand-600 hover:underline dark:text-brand-400" to={`/logs?${new URLSearchParams({ from: data.range.from, to: data.range.to })}`}>
                  clear the filters
                </Link>
              </>
            ) : null}
            .
          </NoResults>
        )
      ) : (
        <Card className="overflow-hidden [&>div]:p-0" title={`${records.length}${cursor ? '+' : ''} record${records.length === 1 ? '' : 's'}`} description="Newest first. Click a record to see all its fields.">
          <LogList records={records} search={data.form.q} fresh={fresh} filterHref={filterHref} />
          <div className="flex items-center justify-center gap-3 border-t border-slate-100 px-4 py-3 dark:border-slate-800">
            {moreError ? <span className="text-sm text-red-600 dark:text-red-400">Could not load more: {moreError}</span> : null}
            {cursor ? (
              <Button type="button" variant="secondary" onClick={() => void loadMore()} busy={loadingMore} data-testid="load-more">
                {loadingMore ? 'Loading…' : 'Load more'}
              </Button>
            ) : (
              <span className="text-xs text-slate-500 dark:text-slate-400">That is every matching record in the range.</span>
            )}
          </div>
        </Card>
      )}
    </div>
  );
}

function TailStatus({ state, error, count }: { state: TailState; error: string | null; count: number }) {
  if (state === 'error') {
    return (
      <Alert tone="warning" title="Live tail is retrying">
        {error}
      </Alert>
    );
  }
  return (
    <div
      role="status"
      data-testid="tail-status"
      className="flex items-center gap-2.5 rounded-lg bg-white px-4 py-2.5 text-sm shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      {state === 'connecting' ? (
        <Spinner className="text-brand-500" />
      ) : (
        <span className="relative flex h-2.5 w-2.5">
          {state === 'live' ? <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-emerald-400 opacity-75" /> : null}
          <span className={cx('relative inline-flex h-2.5 w-2.5 rounded-full', state === 'live' ? 'bg-emerald-500' : 'bg-slate-400')} />
        </span>
      )}
      <span className="font-medium">{state === 'paused' ? 'Live tail paused while the page is hidden' : state === 'connecting' ? 'Connecting…' : 'Live: new records appear at the top'}</span>
      <span className="text-slate-500 dark:text-slate-400">
        {count} new record{count === 1 ? '' : 's'} since you started
      </span>
    </div>
  );
}
