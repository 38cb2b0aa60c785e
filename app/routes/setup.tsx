import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import type { ShouldRevalidateFunction } from '@remix-run/react';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { readForm } from '~/.server/auth';
import { formFailure, parseForm } from '~/.server/forms';
import { needsSetup, setupFirstAdmin } from '~/.server/onboarding';
import { startSession } from '~/.server/sessions';
import { AuthLayout } from '~/components/app-shell';
import { Alert, Button, CodeBlock, CsrfInput, Field } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Set up Obstack' }];

export async function loader({ context }: LoaderFunctionArgs) {
  if (!(await needsSetup(context.services.db))) throw redirect('/login');
  return null;
}

// After a successful setup the loader would redirect away (setup is done) and take the
// one-time key off the screen before the user copied it.
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) =>
  (actionResult as { ok?: boolean } | undefined)?.ok ? false : defaultShouldRevalidate;

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
    return data(
      { ok: true as const, apiKey: result.apiKey, tenant: result.tenant.name, endpoint: services.config.publicUrl },
      { headers: { 'Set-Cookie': setCookie } },
    );
  } catch (e) {
    return formFailure(e);
  }
}

export default function Setup() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  if (result?.ok) {
    return (
      <AuthLayout title="You're all set" subtitle={`${result.tenant} is ready to receive telemetry.`}>
        <div className="space-y-4">
          <Alert tone="warning" title="Copy your ingest key now">
            This is the only time it is shown. You can create more keys in Settings → API keys.
          </Alert>
          <CodeBlock copy>{result.apiKey}</CodeBlock>
          <p className="text-sm text-slate-600 dark:text-slate-400">Point any OpenTelemetry exporter at Obstack:</p>
          <CodeBlock copy>{`OTEL_EXPORTER_OTLP_ENDPOINT=${result.endpoint}\nOTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${result.apiKey}"`}</CodeBlock>
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
