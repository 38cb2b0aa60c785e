import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { audit } from '~/.server/audit';
import { readForm, requireRole } from '~/.server/auth';
import { formFailure } from '~/.server/forms';
import { Badge, Button, Card, CsrfInput, PageHeader, RelativeTime } from '~/components/ui';
import { HealthBadge, SignalBadges, TestResult } from '~/components/data-source-form';

export const meta: MetaFunction = () => [{ title: 'Data sources · Obstack' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = await requireRole(request, context, 'admin');
  const { dataSources, registry } = context.services;
  const sources = await dataSources.list(p.tenant.id);
  return {
    now: Date.now(),
    sources: sources.map((s) => ({
      id: s.id,
      name: s.name,
      pluginName: s.pluginName,
      builtin: s.builtin,
      query: s.query,
      write: s.write,
      breaker: s.state?.breaker ?? null,
      lastError: s.state?.lastError ?? null,
      updatedAt: s.updatedAt,
    })),
    plugins: registry
      .list()
      .filter((l) => l.origin === 'package' || l.definition.id !== dataSources.builtin?.pluginId)
      .map((l) => ({ id: l.definition.id, name: l.definition.name, description: l.definition.description ?? '', version: l.definition.version, origin: l.origin, packageName: l.packageName ?? null })),
    failures: registry.failures,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const p = await requireRole(request, context, 'admin');
  const { dataSources, db } = context.services;
  try {
    const form = await readForm(request, context);
    const id = z.string().min(1).parse(form.get('id'));
    if (form.get('intent') === 'delete') {
      const name = await dataSources.remove(p.tenant.id, id);
      await audit(db, { actor: `user:${p.user.id}`, tenantId: p.tenant.id, action: 'data_source.deleted', target: name });
      return { ok: true as const, deleted: name };
    }
    return { ok: true as const, tested: id, test: await dataSources.test(p.tenant.id, id) };
  } catch (e) {
    return formFailure(e);
  }
}

export default function DataSources() {
  const { sources, plugins, failures, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const busyId = nav.state === 'submitting' ? nav.formData?.get('id') : null;
  const tested = result?.ok && 'tested' in result && result.test ? { id: result.tested, test: { status: result.test.status, message: result.test.message } } : undefined;
  return (
    <>
      <PageHeader
        title="Data sources"
        description="Where this tenant's telemetry is stored and queried. The built-in store is always there; add Loki, Prometheus, Tempo and other backends through plugins."
      />
      <div className="space-y-6">
        {result?.ok && 'deleted' in result ? <p className="text-sm text-emerald-700 dark:text-emerald-400">Deleted {result.deleted}.</p> : null}
        <Card title="Connected">
          <table className="w-full text-left text-sm" data-testid="sources-table">
            <thead className="text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="py-2 pr-4 font-medium">Name</th>
                <th className="py-2 pr-4 font-medium">Answers</th>
                <th className="py-2 pr-4 font-medium">Stores</th>
                <th className="py-2 pr-4 font-medium">State</th>
                <th className="py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {sources.map((s) => (
                <tr key={s.id} data-source={s.name}>
                  <td className="py-2.5 pr-4">
                    <Link to={`/settings/data-sources/${s.id}`} className="font-medium hover:text-brand-600">
                      {s.name}
                    </Link>
                    <p className="text-xs text-slate-500">
                      {s.pluginName}
                      {s.builtin ? ' · default' : null}
                      {s.updatedAt ? (
                        <>
                          {' · changed '}
                          <RelativeTime value={s.updatedAt} now={now} />
                        </>
                      ) : null}
                    </p>
                  </td>
                  <td className="py-2.5 pr-4">
                    <SignalBadges signals={s.query} tone="brand" />
                  </td>
                  <td className="py-2.5 pr-4">
                    <SignalBadges signals={s.write} tone="neutral" />
                  </td>
                  <td className="py-2.5 pr-4">
                    {s.breaker ? <HealthBadge status={s.breaker === 'closed' ? 'ok' : s.breaker} /> : <Badge>idle</Badge>}
                    {s.lastError && s.breaker !== 'closed' ? <p className="mt-1 max-w-xs truncate text-xs text-red-600" title={s.lastError}>{s.lastError}</p> : null}
                  </td>
                  <td className="py-2.5 text-right">
                    <Form method="post" className="inline">
                      <CsrfInput />
                      <input type="hidden" name="id" value={s.id} />
                      <Button type="submit" name="intent" value="test" variant="secondary" size="sm" busy={busyId === s.id}>
                        Test
                      </Button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {tested ? (
            <div className="mt-4">
              <p className="mb-2 text-sm font-medium">{sources.find((s) => s.id === tested.id)?.name}</p>
              <TestResult test={tested.test} />
            </div>
          ) : null}
        </Card>

        <Card title="Add a data source" description="Installed plugins. Third-party plugins are npm packages named in OBSTACK_PLUGINS.">
          {plugins.length === 0 ? (
            <p className="text-sm text-slate-500">No plugins besides the built-in store are installed.</p>
          ) : (
            <ul className="grid gap-3 sm:grid-cols-2">
              {plugins.map((pl) => (
                <li key={pl.id}>
                  <Link
                    to={`/settings/data-sources/new?plugin=${encodeURIComponent(pl.id)}`}
                    className="block rounded-lg p-4 ring-1 ring-slate-200 hover:ring-brand-400 dark:ring-slate-700"
                  >
                    <p className="font-medium">{pl.name}</p>
                    <p className="mt-1 text-xs text-slate-500">{pl.description}</p>
                    <p className="mt-2 text-xs text-slate-400">
                      {pl.packageName ?? 'built in'} · v{pl.version}
                    </p>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {failures.length ? (
            <div className="mt-4 space-y-1 text-sm text-red-700 dark:text-red-400">
              {failures.map((f) => (
                <p key={f.packageName}>
                  {f.packageName}: {f.message}
                </p>
              ))}
            </div>
          ) : null}
        </Card>
      </div>
    </>
  );
}
