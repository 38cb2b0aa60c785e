import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { getServices } from '~/.server/api/explore';
import { attempt } from '~/.server/api/explore-page';
import { listApiKeys } from '~/.server/api-keys';
import { requireRole } from '~/.server/auth';
import { formatCount, formatDuration, formatPercent, formatRate } from '~/components/explore/format';
import { Stat } from '~/components/explore/page';
import { Badge, Card, CodeBlock, PageHeader, cx } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Overview · Obstack' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = await requireRole(request, context, 'viewer');
  const { services } = context;
  // The last hour at a glance once data flows; a failing source only hides the summary.
  const [keys, health, lastHour] = await Promise.all([
    p.role === 'owner' || p.role === 'admin' ? listApiKeys(services.db, p.tenant.id) : [],
    services.health(),
    attempt(() => getServices(services.query, p.tenant.id, new URLSearchParams({ from: 'now-1h', to: 'now' }), request.signal)),
  ]);
  const rows = lastHour.ok ? lastHour.value.data : [];
  return {
    lastHour: [...rows].sort((a, b) => b.requests - a.requests || a.service.localeCompare(b.service)),
    tenant: p.tenant,
    endpoint: services.config.publicUrl,
    activeKeys: keys.filter((k) => !k.revokedAt).length,
    canManageKeys: p.role === 'owner' || p.role === 'admin',
    health,
  };
}

export default function Overview() {
  const { tenant, endpoint, activeKeys, canManageKeys, health, lastHour } = useLoaderData<typeof loader>();
  const hasData = lastHour.length > 0;
  return (
    <>
      <PageHeader title={tenant.name} description="Send telemetry from your services and sites, then explore it here." />
      <div className="grid gap-6 lg:grid-cols-3">
        {hasData ? <LastHour rows={lastHour} /> : null}
        <Card
          className={cx('lg:col-span-2', hasData ? 'lg:order-last' : '')}
          title={hasData ? 'Send more data' : 'Send your first data'}
          description="Any OpenTelemetry SDK or Collector can export to Obstack over OTLP/HTTP."
        >
          <ol className="space-y-4 text-sm">
            <li>
              <p className="font-medium">1. Get an API key with the ingest scope</p>
              <p className="mt-1 text-slate-500 dark:text-slate-400">
                {canManageKeys ? (
                  <>
                    {activeKeys > 0 ? `This tenant has ${activeKeys} active key${activeKeys === 1 ? '' : 's'}. ` : ''}
                    Create one in{' '}
                    <Link to="/settings/api-keys" className="font-medium text-brand-600 hover:underline">
                      Settings → API keys
                    </Link>
                    .
                  </>
                ) : (
                  'Ask an admin of this tenant for an ingest key.'
                )}
              </p>
            </li>
            <li>
              <p className="font-medium">2. Point your exporter at Obstack</p>
              <div className="mt-2">
                <CodeBlock copy>{`export OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint}\nexport OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <your key>"`}</CodeBlock>
              </div>
            </li>
          </ol>
        </Card>
        <Card title="System status" description={`Running in ${health.mode} mode`}>
          <ul className="space-y-2 text-sm">
            {Object.entries(health.components).map(([name, c]) => (
              <li key={name} className="flex items-start justify-between gap-3">
                {/* The detail wraps under the name: a long one must not push the status out of the card. */}
                <span className="min-w-0">
                  <span className="block capitalize">{name}</span>
                  {c.detail ? <span className="block break-words text-xs text-slate-500 dark:text-slate-400">{c.detail}</span> : null}
                </span>
                <span className="shrink-0">
                  <Badge tone={c.status === 'ok' ? 'green' : 'red'}>{c.status}</Badge>
                </span>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </>
  );
}

type ServiceRow = ReturnType<typeof useLoaderData<typeof loader>>['lastHour'][number];

/** The last hour: totals and the busiest services, each linking to its own views. */
function LastHour({ rows }: { rows: ServiceRow[] }) {
  const requests = rows.reduce((n, r) => n + r.requests, 0);
  const errors = rows.reduce((n, r) => n + r.errors, 0);
  const slowest = rows.reduce<ServiceRow | undefined>((a, r) => (r.p95Ms !== null && (a?.p95Ms ?? -1) < r.p95Ms ? r : a), undefined);
  const link = 'font-medium text-brand-600 hover:underline dark:text-brand-400';
  return (
    <div className="space-y-4 lg:col-span-2" data-testid="overview-last-hour">
      <div className="grid gap-4 sm:grid-cols-3">
        <Stat label="Requests, last hour" value={formatCount(requests)} hint={formatRate(requests / 3600)} />
        <Stat label="Error rate" value={formatPercent(requests ? errors / requests : 0)} hint={`${formatCount(errors)} failed requests`} tone={requests && errors / requests > 0.05 ? 'bad' : 'normal'} />
        <Stat label="Slowest p95" value={slowest ? formatDuration(slowest.p95Ms) : '–'} hint={slowest?.service} />
      </div>
      <Card title="Busiest services" description="The last hour, by requests." actions={<Link to="/services?from=now-1h" className={cx('text-sm', link)}>All services →</Link>}>
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
              <th className="pb-2 font-medium">Service</th>
              <th className="pb-2 text-right font-medium">Rate</th>
              <th className="pb-2 text-right font-medium">Errors</th>
              <th className="pb-2 text-right font-medium">p95</th>
              <th className="pb-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {rows.slice(0, 5).map((r) => (
              <tr key={r.service} data-testid="overview-service">
                <th scope="row" className="py-2 text-left font-medium">{r.service}</th>
                <td className="py-2 text-right tabular-nums">{formatRate(r.rate)}</td>
                <td className={cx('py-2 text-right tabular-nums', r.errorRate > 0.05 ? 'text-red-600 dark:text-red-400' : '')}>{formatPercent(r.errorRate)}</td>
                <td className="py-2 text-right tabular-nums">{formatDuration(r.p95Ms)}</td>
                <td className="py-2 pl-4 text-right text-xs">
                  <Link className={link} to={`/traces?from=now-1h&service=${encodeURIComponent(r.service)}`}>Traces</Link>
                  <span className="mx-1.5 text-slate-300 dark:text-slate-600">·</span>
                  <Link className={link} to={`/logs?from=now-1h&service=${encodeURIComponent(r.service)}`}>Logs</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
