import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useActionData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { readForm } from '~/.server/auth';
import { formFailure, parseForm } from '~/.server/forms';
import { needsSetup, setupFirstAdmin } from '~/.server/onboarding';
import { setFlash } from '~/.server/flash';
import { startSession } from '~/.server/sessions';
import { AuthLayout } from '~/components/app-shell';
import { Alert, Button, CsrfInput, Field } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Set up Obstack' }];

export async function loader({ context }: LoaderFunctionArgs) {
  if (!(await needsSetup(context.services.db))) throw redirect('/login');
  return null;
}

const schema = z.object({
  name: z.string().optional(),
  email: z.string(),
  password: z.string(),
  tenantName: z.string(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const { services } = context;
  try {
    const form = parseForm(await readForm(request, context), schema);
    const result = await setupFirstAdmin(services.db, { ...form, apiKey: services.config.bootstrapApiKey });
    const setCookie = await startSession(services.db, services.secret, request, {
      userId: result.user.id,
      tenantId: result.tenant.id,
      ttlMs: services.config.sessionTtlMs,
      ip: context.clientIp,
    });
    const flash = await setFlash(request, services.secret, { apiKey: result.apiKey, tenant: result.tenant.name });
    const headers = new Headers();
    headers.append('Set-Cookie', setCookie);
    headers.append('Set-Cookie', flash);
    return redirect('/welcome', { headers });
  } catch (e) {
    return formFailure(e);
  }
}

export default function Setup() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = result?.fieldErrors ?? {};
  return (
    <AuthLayout title="Welcome to Obstack" subtitle="Create the first administrator and your organization. This page is shown only once.">
      <Form method="post" className="space-y-4" noValidate>
        <CsrfInput />
        {result?.formError ? <Alert tone="error">{result.formError}</Alert> : null}
        <Field label="Organization" name="tenantName" placeholder="Acme Inc" required autoFocus error={errors.tenantName} />
        <Field label="Your name" name="name" autoComplete="name" error={errors.name} />
        <Field label="E-mail" name="email" type="email" autoComplete="email" required error={errors.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 10 characters."
          error={errors.password}
        />
        <Button type="submit" className="w-full" busy={busy}>
          Create admin and organization
        </Button>
      </Form>
    </AuthLayout>
  );
}
