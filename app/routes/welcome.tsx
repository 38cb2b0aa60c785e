import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { requireRole } from '~/.server/auth';
import { takeFlash } from '~/.server/flash';
import { AuthLayout } from '~/components/app-shell';
import { Alert, CodeBlock } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Welcome · Obstack' }];

/** Right after first-run setup: the ingest key, shown this once. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, context, 'viewer');
  const { value, clear } = await takeFlash(request, context.services.secret);
  if (!value?.apiKey) throw redirect('/');
  return data(
    { apiKey: value.apiKey, tenant: value.tenant ?? '', endpoint: context.services.config.publicUrl },
    { headers: { 'Set-Cookie': clear, 'Cache-Control': 'no-store' } },
  );
}

export default function Welcome() {
  const { apiKey, tenant, endpoint } = useLoaderData<typeof loader>();
  return (
    <AuthLayout title="You're all set" subtitle={`${tenant} is ready to receive telemetry.`}>
      <div className="space-y-4">
        <Alert tone="warning" title="Copy your ingest key now">
          This is the only time it is shown. You can create more keys in Settings → API keys.
        </Alert>
        <CodeBlock copy>{apiKey}</CodeBlock>
        <p className="text-sm text-slate-600 dark:text-slate-400">Point any OpenTelemetry exporter at Obstack:</p>
        <CodeBlock copy>{`OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint}\nOTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${apiKey}"`}</CodeBlock>
        <Link
          to="/"
          className="block w-full rounded-md bg-brand-600 px-3.5 py-2 text-center text-sm font-medium text-white hover:bg-brand-700"
        >
          Continue to Obstack
        </Link>
      </div>
    </AuthLayout>
  );
}
