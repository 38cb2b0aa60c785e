import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data as withStatus } from '@remix-run/node';
import { Link, type ShouldRevalidateFunction, useLoaderData, useLocation, useSearchParams } from '@remix-run/react';
import { useMemo } from 'react';
import { getTrace } from '~/.server/api/explore';
import { attempt, explorePrincipal } from '~/.server/api/explore-page';
import { colorFor } from '~/components/explore/colors';
import { formatDuration } from '~/components/explore/format';
import { LogsIcon } from '~/components/explore/icons';
import { NoResults, ParamError, SourceErrors } from '~/components/explore/page';
import { Time } from '~/components/explore/time';
import { revalidateUnlessOnly } from '~/components/explore/url';
import { Waterfall, buildTree } from '~/components/explore/waterfall';
import { Badge, CopyButton } from '~/components/ui';

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const root = data?.trace?.spans.find((s) => !s.parentSpanId) ?? data?.trace?.spans[0];
  return [{ title: root ? `${root.serviceName}: ${root.name} · Trace · Obstack` : 'Trace · Obstack' }];
};

/** GET /traces/:traceId?span=<spanId> — one trace as a waterfall; `span` opens that span's details. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const who = await explorePrincipal(request, context);
  const traceId = (params.traceId ?? '').toLowerCase();
  const result = await attempt(() => getTrace(context.services.query, who.tenantId, traceId, request.signal));
  const body = {
    traceId,
    trace: result.ok ? result.value.data : null,
    errors: result.ok ? result.value.errors : [],
    paramError: result.ok ? undefined : result.message,
  };
  if (!result.ok) return withStatus(body, { status: 400 });
  if (!body.trace) return withStatus(body, { status: 404 });
  return body;
}

// Selecting a span is view state: the trace is already here.
export const shouldRevalidate: ShouldRevalidateFunction = revalidateUnlessOnly(['span']);

export default function TraceView() {
  const data = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const back = (location.state as { back?: string } | null)?.back ?? '/traces';
  const tree = useMemo(() => (data.trace ? buildTree(data.trace.spans) : null), [data.trace]);
  const selected = params.get('span');

  const backLink = (
    <Link to={back} className="text-sm font-medium text-brand-600 hover:underline dark:text-brand-400">
      ← Back to traces
    </Link>
  );

  if (!data.trace || !tree) {
    return (
      <>
        <div className="mb-4">{backLink}</div>
        <h1 className="mb-6 text-2xl font-semibold tracking-tight">Trace</h1>
        {data.paramError ? <ParamError message={data.paramError} /> : null}
        <SourceErrors errors={data.errors} />
        {data.paramError ? null : (
          <NoResults title="Trace not found">
            No span of trace <span className="font-mono">{data.traceId}</span> is stored for this tenant. It may be older than the retention period, still on its way, or belong to another
            tenant.
          </NoResults>
        )}
      </>
    );
  }

  const spans = data.trace.spans;
  const root = tree.roots[0]?.span ?? spans[0]!;
  const services = [...new Set(spans.map((s) => s.serviceName))].sort();
  const errorCount = spans.filter((s) => s.status.code === 'error').length;
  // Logs of a trace can arrive a little before and after its spans.
  const logsHref = `/logs?${new URLSearchParams({ traceId: data.traceId, from: String(Math.floor(tree.startMs - 60_000)), to: String(Math.ceil(tree.endMs + 60_000)) })}`;

  return (
    <>
      <div className="mb-4">{backLink}</div>
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="flex items-center gap-2 text-2xl font-semibold tracking-tight">
            <span className="h-3 w-3 shrink-0 rounded-full" style={{ backgroundColor: colorFor(root.serviceName) }} aria-hidden="true" />
            <span className="truncate">
              {root.serviceName}: <span className="font-normal">{root.name}</span>
            </span>
          </h1>
          <p className="mt-1.5 flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-slate-500 dark:text-slate-400">
            <span className="inline-flex items-center gap-1.5 font-mono text-xs">
              {data.traceId}
              <CopyButton value={data.traceId} label="Copy ID" />
            </span>
            <span>
              <Time ms={tree.startMs} format="datetime-ms" />
            </span>
          </p>
        </div>
        <Link
          to={logsHref}
          className="inline-flex items-center gap-2 rounded-md bg-white px-3.5 py-2 text-sm font-medium text-slate-700 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600 dark:hover:bg-slate-700"
        >
          <LogsIcon width={16} height={16} /> Logs for this trace
        </Link>
      </div>
      <SourceErrors errors={data.errors} />
      <dl className="mb-6 grid gap-4 sm:grid-cols-4">
        <Fact label="Duration" value={formatDuration(tree.durationMs)} />
        <Fact label="Spans" value={String(spans.length)} />
        <Fact label="Services" value={String(services.length)} />
        <Fact label="Errors" value={String(errorCount)} tone={errorCount ? 'bad' : 'normal'} />
      </dl>
      <div className="mb-3 flex flex-wrap items-center gap-3 text-xs text-slate-600 dark:text-slate-300" aria-label="Services in this trace">
        {services.map((s) => (
          <span key={s} className="inline-flex items-center gap-1.5">
            <span className="h-2.5 w-2.5 rounded-sm" style={{ backgroundColor: colorFor(s) }} aria-hidden="true" />
            {s}
          </span>
        ))}
        {errorCount ? (
          <span className="inline-flex items-center gap-1.5">
            <Badge tone="red">red bars are errors</Badge>
          </span>
        ) : null}
      </div>
      <Waterfall
        tree={tree}
        selected={selected}
        onSelect={(id) =>
          setParams(
            (p) => {
              const next = new URLSearchParams(p);
              if (id) next.set('span', id);
              else next.delete('span');
              return next;
            },
            { replace: true, preventScrollReset: true, state: location.state },
          )
        }
      />
    </>
  );
}

function Fact({ label, value, tone = 'normal' }: { label: string; value: string; tone?: 'normal' | 'bad' }) {
  return (
    <div className="rounded-xl bg-white px-5 py-3 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className={tone === 'bad' ? 'mt-0.5 text-xl font-semibold tabular-nums text-red-600 dark:text-red-400' : 'mt-0.5 text-xl font-semibold tabular-nums'}>{value}</dd>
    </div>
  );
}
