import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { readForm } from '~/.server/auth';
import { AppError } from '~/.server/errors';
import { formFailure, parseForm } from '~/.server/forms';
import { needsSetup, registerWithOwnTenant } from '~/.server/onboarding';
import { startSession } from '~/.server/sessions';
import { AuthLayout } from '~/components/app-shell';
import { Alert, Button, CsrfInput, Field } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Create an account · Obstack' }];

export async function loader({ context }: LoaderFunctionArgs) {
  if (await needsSetup(context.services.db)) throw redirect('/setup');
  return { open: context.services.config.signup === 'open' };
}

const schema = z.object({ name: z.string().optional(), email: z.string(), password: z.string(), tenantName: z.string().optional() });

export async function action({ request, context }: ActionFunctionArgs) {
  const { services } = context;
  try {
    const form = parseForm(await readForm(request, context), schema);
    if (services.config.signup !== 'open') {
      throw new AppError(403, 'signup_closed', 'Sign-up is by invitation. Ask an admin for an invite link.');
    }
    const { user, tenant } = await registerWithOwnTenant(services.db, form);
    const setCookie = await startSession(services.db, services.secret, request, {
      userId: user.id,
      tenantId: tenant.id,
      ttlMs: services.config.sessionTtlMs,
      ip: context.clientIp,
    });
    return redirect('/', { headers: { 'Set-Cookie': setCookie } });
  } catch (e) {
    return formFailure(e);
  }
}

export default function Register() {
  const { open } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = result?.fieldErrors ?? {};
  if (!open) {
    return (
      <AuthLayout title="Sign-up is by invitation" subtitle="This Obstack accepts new users through invite links.">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Ask an administrator of your organization to invite you from Settings → Members.
        </p>
        <Link to="/login" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:underline">
          Back to sign in
        </Link>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Create your account" subtitle="You get a workspace of your own; invite your team later.">
      <Form method="post" className="space-y-4" noValidate>
        <CsrfInput />
        {result?.formError ? <Alert tone="error">{result.formError}</Alert> : null}
        <Field label="Your name" name="name" autoComplete="name" autoFocus error={errors.name} />
        <Field label="E-mail" name="email" type="email" autoComplete="email" required error={errors.email} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" required hint="At least 10 characters." error={errors.password} />
        <Field label="Workspace name" name="tenantName" placeholder="Optional" error={errors.tenantName} />
        <Button type="submit" className="w-full" busy={busy}>
          Create account
        </Button>
      </Form>
      <p className="mt-6 text-center text-sm text-slate-500 dark:text-slate-400">
        Already have an account?{' '}
        <Link to="/login" className="font-medium text-brand-600 hover:underline">
          Sign in
        </Link>
      </p>
    </AuthLayout>
  );
}
