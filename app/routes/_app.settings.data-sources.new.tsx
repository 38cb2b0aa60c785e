import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { audit } from '~/.server/audit';
import { readForm, requireRole } from '~/.server/auth';
import type { ObstackContext } from '~/.server/context';
import { formFailure } from '~/.server/forms';
import { dataSourceInputFromForm } from '~/.server/host/form';
import { DataSourceForm } from '~/components/data-source-form';
import { Card, PageHeader } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Add data source · Obstack' }];

function pluginFor(request: Request, context: ObstackContext) {
  const id = new URL(request.url).searchParams.get('plugin') ?? '';
  const { registry, host, dataSources } = context.services;
  const loaded = registry.get(id);
  if (!loaded || id === dataSources.builtin?.pluginId) throw new Response(`No installed plugin "${id}"`, { status: 404 });
  return {
    loaded,
    view: {
      id,
      name: loaded.definition.name,
      description: loaded.definition.description,
      readable: host.readable(id),
      writable: host.writable(id),
    },
  };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, context, 'admin');
  const { loaded, view } = pluginFor(request, context);
  return { plugin: view, schema: loaded.definition.configSchema, secretFields: loaded.definition.secretFields ?? [] };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const p = await requireRole(request, context, 'admin');
  const { dataSources, db } = context.services;
  try {
    const { loaded } = pluginFor(request, context);
    const form = await readForm(request, context);
    const input = dataSourceInputFromForm(form, loaded.definition.id, loaded.definition.configSchema, loaded.definition.secretFields ?? []);
    if (form.get('intent') === 'test') return { ok: true as const, test: await dataSources.testDraft(p.tenant.id, input) };
    const created = await dataSources.create(p.tenant.id, input, p.user.id);
    await audit(db, { actor: `user:${p.user.id}`, tenantId: p.tenant.id, action: 'data_source.created', target: created.name, details: { plugin: created.pluginId } });
    return redirect(`/settings/data-sources/${created.id}?created=1`);
  } catch (e) {
    return formFailure(e);
  }
}

export default function NewDataSource() {
  const { plugin, schema, secretFields } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const failure = result && !result.ok ? result : undefined;
  return (
    <>
      <PageHeader title={`Add ${plugin.name}`} description={plugin.description} actions={<Link to="/settings/data-sources" className="text-sm text-brand-600 hover:underline">Back to data sources</Link>} />
      <Card className="max-w-3xl">
        <DataSourceForm
          plugin={plugin}
          schema={schema}
          secretFields={secretFields}
          values={{ name: plugin.name, config: {}, query: plugin.readable, write: [], allowInternalAddresses: false, timeoutMs: 15_000 }}
          secretsSet={[]}
          fieldErrors={failure?.fieldErrors ?? {}}
          formError={failure?.formError}
          test={result?.ok ? result.test : undefined}
          busyIntent={nav.state === 'submitting' ? (nav.formData?.get('intent') as string | null) : null}
          submitLabel="Save data source"
        />
      </Card>
    </>
  );
}
