import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { createTenant } from '~/.server/accounts';
import { audit } from '~/.server/audit';
import { requireUser, readForm } from '~/.server/auth';
import { AppError } from '~/.server/errors';
import { formFailure, parseForm } from '~/.server/forms';
import { setSessionTenant } from '~/.server/sessions';
import type { ObstackContext } from '~/.server/context';
import { AuthLayout } from '~/components/app-shell';
import { Alert, Button, CsrfInput, Field } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'New tenant · Obstack' }];

/** Owners may create more tenants; with open sign-up anyone signed in may. */
async function mayCreate(request: Request, context: ObstackContext) {
  const signedIn = await requireUser(request, context);
  const allowed = context.services.config.signup === 'open' || signedIn.tenants.some((t) => t.role === 'owner');
  return { signedIn, allowed };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { signedIn, allowed } = await mayCreate(request, context);
  return { allowed, hasTenant: signedIn.tenants.length > 0 };
}

const schema = z.object({ name: z.string(), slug: z.string().optional() });

export async function action({ request, context }: ActionFunctionArgs) {
  const { db } = context.services;
  try {
    const { signedIn, allowed } = await mayCreate(request, context);
    const form = parseForm(await readForm(request, context), schema);
    if (!allowed) throw new AppError(403, 'forbidden', 'Only an owner of a tenant can create another one.');
    const tenant = await createTenant(db, { name: form.name, slug: form.slug || undefined, ownerId: signedIn.user.id });
    await setSessionTenant(db, signedIn.sessionIdHash, tenant.id);
    await audit(db, { actor: `user:${signedIn.user.id}`, tenantId: tenant.id, action: 'tenant.created', target: tenant.slug });
    return redirect('/settings');
  } catch (e) {
    return formFailure(e);
  }
}

export default function NewTenant() {
  const { allowed, hasTenant } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = result?.fieldErrors ?? {};
  return (
    <AuthLayout
      title="Create a tenant"
      subtitle="A tenant is a separate space: its own data, members and API keys. You will be its owner."
    >
      {!allowed ? (
        <Alert tone="info" title={hasTenant ? 'Only owners create tenants' : 'You are not a member of any tenant'}>
          {hasTenant
            ? 'Ask an owner of your organization to create it, or to make you an owner.'
            : 'Ask an administrator for an invite link to join their tenant.'}
        </Alert>
      ) : (
        <Form method="post" className="space-y-4" noValidate>
          <CsrfInput />
          {result?.formError ? <Alert tone="error">{result.formError}</Alert> : null}
          <Field label="Name" name="name" required autoFocus error={errors.name} />
          <Field
            label="Slug"
            name="slug"
            placeholder="derived from the name"
            hint="Lowercase letters, digits and dashes; used by the CLI and in URLs."
            error={errors.slug}
          />
          <Button type="submit" className="w-full" busy={busy}>
            Create tenant
          </Button>
        </Form>
      )}
      {hasTenant ? (
        <Link to="/" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:underline">
          Cancel
        </Link>
      ) : (
        <Form method="post" action="/logout" className="mt-6">
          <CsrfInput />
          <button type="submit" className="text-sm font-medium text-brand-600 hover:underline">
            Sign out
          </button>
        </Form>
      )}
    </AuthLayout>
  );
}
