import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { listApiKeys } from '~/.server/api-keys';
import { requireRole } from '~/.server/auth';
import { Badge, Card, CodeBlock, PageHeader } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Overview · Obstack' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = await requireRole(request, context, 'viewer');
  const { services } = context;
  const keys = p.role === 'owner' || p.role === 'admin' ? await listApiKeys(services.db, p.tenant.id) : [];
  const health = await services.health();
  return {
    tenant: p.tenant,
    endpoint: services.config.publicUrl,
    activeKeys: keys.filter((k) => !k.revokedAt).length,
    canManageKeys: p.role === 'owner' || p.role === 'admin',
    health,
  };
}

export default function Overview() {
  const { tenant, endpoint, activeKeys, canManageKeys, health } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={tenant.name} description="Send telemetry from your services and sites, then explore it here." />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card
          className="lg:col-span-2"
          title="Send your first data"
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
              <li key={name} className="flex items-center justify-between gap-2">
                <span className="capitalize">{name}</span>
                <span className="flex items-center gap-2">
                  {c.detail ? <span className="truncate text-xs text-slate-400">{c.detail}</span> : null}
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
