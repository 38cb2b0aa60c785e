import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { tenants } from '@obstack/db';
import { roleAtLeast, updateTenantName } from '~/.server/accounts';
import { audit } from '~/.server/audit';
import { readForm, requireRole } from '~/.server/auth';
import { formFailure, parseForm } from '~/.server/forms';
import { Alert, Badge, Button, Card, CsrfInput, Field, PageHeader } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Settings · Obstack' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = await requireRole(request, context, 'viewer');
  const [tenant] = await context.services.db.select().from(tenants).where(eq(tenants.id, p.tenant.id)).limit(1);
  if (!tenant) throw new Response('Tenant not found', { status: 404 });
  return {
    tenant: { id: tenant.id, name: tenant.name, slug: tenant.slug, plan: tenant.plan, createdAt: tenant.createdAt.toISOString() },
    canEdit: roleAtLeast(p.role, 'admin'),
    role: p.role,
  };
}

const schema = z.object({ name: z.string() });

export async function action({ request, context }: ActionFunctionArgs) {
  const p = await requireRole(request, context, 'admin');
  try {
    const form = parseForm(await readForm(request, context), schema);
    const tenant = await updateTenantName(context.services.db, p.tenant.id, form.name);
    await audit(context.services.db, { actor: `user:${p.user.id}`, tenantId: p.tenant.id, action: 'tenant.renamed', target: tenant.name });
    return { ok: true as const, fieldErrors: {} as Record<string, string>, formError: undefined };
  } catch (e) {
    return formFailure(e);
  }
}

export default function GeneralSettings() {
  const { tenant, canEdit, role } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <PageHeader title="General" description="This tenant's profile." />
      <div className="max-w-2xl space-y-6">
        <Card title="Profile">
          <Form method="post" className="space-y-4">
            <CsrfInput />
            {result?.ok ? <Alert tone="success">Saved.</Alert> : null}
            {result && !result.ok && result.formError ? <Alert tone="error">{result.formError}</Alert> : null}
            <Field
              label="Name"
              name="name"
              defaultValue={tenant.name}
              disabled={!canEdit}
              error={result && !result.ok ? result.fieldErrors.name : undefined}
            />
            {canEdit ? (
              <Button type="submit" busy={busy}>
                Save
              </Button>
            ) : (
              <p className="text-sm text-slate-500">Only admins and owners can change the profile.</p>
            )}
          </Form>
        </Card>
        <Card title="Details">
          <dl className="grid grid-cols-3 gap-y-3 text-sm">
            <dt className="text-slate-500">Slug</dt>
            <dd className="col-span-2 font-mono">{tenant.slug}</dd>
            <dt className="text-slate-500">Tenant ID</dt>
            <dd className="col-span-2 font-mono text-xs">{tenant.id}</dd>
            <dt className="text-slate-500">Plan</dt>
            <dd className="col-span-2">
              <Badge tone="brand">{tenant.plan}</Badge>
            </dd>
            <dt className="text-slate-500">Your role</dt>
            <dd className="col-span-2">
              <Badge>{role}</Badge>
            </dd>
            <dt className="text-slate-500">Created</dt>
            <dd className="col-span-2">{tenant.createdAt.slice(0, 10)}</dd>
          </dl>
        </Card>
      </div>
    </>
  );
}
