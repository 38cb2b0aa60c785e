import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { SIGNALS, type Signal } from '@obstack/plugin-api';
import { audit } from '~/.server/audit';
import { readForm, requireRole } from '~/.server/auth';
import type { ObstackContext } from '~/.server/context';
import { AppError } from '~/.server/errors';
import { formFailure } from '~/.server/forms';
import { BUILTIN_ID } from '~/.server/host/data-sources';
import { dataSourceInputFromForm } from '~/.server/host/form';
import { DataSourceForm, SignalRouting, TestResult } from '~/components/data-source-form';
import { Alert, Button, Card, CsrfInput, PageHeader } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Data source · Obstack' }];

async function load(request: Request, context: ObstackContext, id: string) {
  const p = await requireRole(request, context, 'admin');
  const { dataSources, host } = context.services;
  const source = (await dataSources.list(p.tenant.id)).find((s) => s.id === id);
  if (!source) throw new Response('Data source not found', { status: 404 });
  const schema = dataSources.pluginSchema(source.pluginId);
  return { p, source, schema, readable: host.readable(source.pluginId), writable: host.writable(source.pluginId) };
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { source, schema, readable, writable } = await load(request, context, params.id ?? '');
  return { source, schema: schema?.schema ?? null, secretFields: schema?.secretFields ?? [], readable, writable };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const id = params.id ?? '';
  const { p, source, schema } = await load(request, context, id);
  const { dataSources, db } = context.services;
  const actor = `user:${p.user.id}`;
  try {
    const form = await readForm(request, context);
    const intent = form.get('intent');
    if (source.builtin) {
      if (intent === 'test') return { ok: true as const, test: await dataSources.test(p.tenant.id, BUILTIN_ID) };
      const pick = (k: string) => SIGNALS.filter((s) => form.getAll(k).includes(s)) as Signal[];
      await dataSources.setBuiltinRouting(p.tenant.id, { query: pick('query'), write: pick('write') });
      await audit(db, { actor, tenantId: p.tenant.id, action: 'data_source.routing_changed', target: source.name });
      return { ok: true as const, saved: true };
    }
    if (intent === 'delete') {
      await dataSources.remove(p.tenant.id, id);
      await audit(db, { actor, tenantId: p.tenant.id, action: 'data_source.deleted', target: source.name });
      return redirect('/settings/data-sources');
    }
    if (!schema) throw new AppError(409, 'plugin_missing', `The plugin "${source.pluginId}" is not installed; this data source can only be deleted`);
    const input = dataSourceInputFromForm(form, source.pluginId, schema.schema, schema.secretFields);
    if (intent === 'test') return { ok: true as const, test: await dataSources.testDraft(p.tenant.id, input, id) };
    await dataSources.update(p.tenant.id, id, input);
    await audit(db, { actor, tenantId: p.tenant.id, action: 'data_source.updated', target: input.name });
    return { ok: true as const, saved: true };
  } catch (e) {
    return formFailure(e);
  }
}

export default function EditDataSource() {
  const { source, schema, secretFields, readable, writable } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const [params] = useSearchParams();
  const busyIntent = nav.state === 'submitting' ? (nav.formData?.get('intent') as string | null) : null;
  const failure = result && !result.ok ? result : undefined;
  const test = result?.ok && 'test' in result ? result.test : undefined;
  const saved = result?.ok && 'saved' in result;
  const back = (
    <Link to="/settings/data-sources" className="text-sm text-brand-600 hover:underline">
      Back to data sources
    </Link>
  );
  return (
    <>
      <PageHeader title={source.name} description={source.pluginName} actions={back} />
      <div className="max-w-3xl space-y-6">
        {params.get('created') && !result ? <Alert tone="success">Data source added.</Alert> : null}
        {saved ? <Alert tone="success">Saved.</Alert> : null}
        {source.builtin ? (
          <Card title="Routing" description="The built-in store is set up by the operator; choose which signals it answers and stores for this tenant.">
            <Form method="post" className="space-y-4">
              <CsrfInput />
              <SignalRouting readable={readable} writable={writable} query={source.query} write={source.write} />
              {test ? <TestResult test={test} /> : null}
              <div className="flex gap-3">
                <Button type="submit" name="intent" value="save" busy={busyIntent === 'save'}>
                  Save
                </Button>
                <Button type="submit" name="intent" value="test" variant="secondary" busy={busyIntent === 'test'}>
                  Test
                </Button>
              </div>
            </Form>
          </Card>
        ) : schema ? (
          <Card>
            <DataSourceForm
              plugin={{ id: source.pluginId, name: source.pluginName, readable, writable }}
              schema={schema}
              secretFields={secretFields}
              values={{
                name: source.name,
                config: source.config,
                query: source.query,
                write: source.write,
                allowInternalAddresses: source.allowInternalAddresses,
                timeoutMs: source.timeoutMs,
              }}
              secretsSet={source.secretsSet}
              fieldErrors={failure?.fieldErrors ?? {}}
              formError={failure?.formError}
              test={test}
              busyIntent={busyIntent}
              submitLabel="Save changes"
            />
          </Card>
        ) : (
          <Alert tone="error" title="Plugin not installed">
            The plugin "{source.pluginId}" is not installed (or was refused at start), so this data source can't be used. Install it
            and restart, or delete the data source.
          </Alert>
        )}
        {!source.builtin ? (
          <Card title="Delete" description="Queries stop using it at once; data stored in the backend is left alone.">
            <Form
              method="post"
              onSubmit={(e) => {
                if (!confirm(`Delete ${source.name}?`)) e.preventDefault();
              }}
            >
              <CsrfInput />
              <Button type="submit" name="intent" value="delete" variant="danger" busy={busyIntent === 'delete'}>
                Delete data source
              </Button>
            </Form>
          </Card>
        ) : null}
      </div>
    </>
  );
}
