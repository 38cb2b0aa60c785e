import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { acceptInvite, openInvite } from '~/.server/accounts';
import { audit } from '~/.server/audit';
import { getSignedIn, readForm } from '~/.server/auth';
import { AppError, isAppError } from '~/.server/errors';
import { formFailure, parseForm } from '~/.server/forms';
import { registerWithInvite } from '~/.server/onboarding';
import { setSessionTenant, startSession } from '~/.server/sessions';
import { AuthLayout } from '~/components/app-shell';
import { Alert, Badge, Button, CsrfInput, Field } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Invitation · Obstack' }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db } = context.services;
  const signedIn = await getSignedIn(request, context);
  try {
    const { invite, tenant } = await openInvite(db, params.token ?? '');
    return {
      ok: true as const,
      tenant: tenant.name,
      email: invite.email,
      role: invite.role,
      signedInAs: typeof signedIn === 'object' ? signedIn.user.email : null,
    };
  } catch (e) {
    if (isAppError(e)) return { ok: false as const, message: e.message };
    throw e;
  }
}

const registerSchema = z.object({ name: z.string().optional(), password: z.string() });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { services } = context;
  const token = params.token ?? '';
  try {
    const form = await readForm(request, context);
    if (form.get('intent') === 'accept') {
      const signedIn = await getSignedIn(request, context);
      if (typeof signedIn !== 'object') throw new AppError(401, 'sign_in', 'Sign in first to accept this invite.');
      const { invite } = await openInvite(services.db, token);
      if (invite.email !== signedIn.user.email) {
        throw new AppError(403, 'invite_email_mismatch', `This invite is for ${invite.email}; you are signed in as ${signedIn.user.email}.`);
      }
      const tenant = await acceptInvite(services.db, token, signedIn.user.id);
      await setSessionTenant(services.db, signedIn.sessionIdHash, tenant.id);
      await audit(services.db, { actor: `user:${signedIn.user.id}`, tenantId: tenant.id, action: 'invite.accepted', target: invite.email });
      return redirect('/');
    }
    const fields = parseForm(form, registerSchema);
    const { invite } = await openInvite(services.db, token);
    const { user, tenant } = await registerWithInvite(services.db, { token, email: invite.email, ...fields });
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

export default function InvitePage() {
  const invite = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const location = useLocation();
  if (!invite.ok) {
    return (
      <AuthLayout title="Invite unavailable">
        <Alert tone="error">{invite.message}</Alert>
        <Link to="/login" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:underline">
          Go to sign in
        </Link>
      </AuthLayout>
    );
  }
  const errors = result?.fieldErrors ?? {};
  return (
    <AuthLayout
      title={`Join ${invite.tenant}`}
      subtitle={
        <>
          You were invited as <Badge tone="brand">{invite.role}</Badge> with {invite.email}.
        </>
      }
    >
      {result?.formError ? (
        <div className="mb-4">
          <Alert tone="error">{result.formError}</Alert>
        </div>
      ) : null}
      {invite.signedInAs ? (
        <Form method="post" className="space-y-4">
          <CsrfInput />
          <input type="hidden" name="intent" value="accept" />
          <p className="text-sm text-slate-600 dark:text-slate-400">Signed in as {invite.signedInAs}.</p>
          <Button type="submit" className="w-full" busy={busy}>
            Accept invite
          </Button>
        </Form>
      ) : (
        <Form method="post" className="space-y-4" noValidate>
          <CsrfInput />
          <Field label="E-mail" name="email" value={invite.email} readOnly disabled />
          <Field label="Your name" name="name" autoComplete="name" autoFocus error={errors.name} />
          <Field label="Choose a password" name="password" type="password" autoComplete="new-password" hint="At least 10 characters." error={errors.password} />
          <Button type="submit" className="w-full" busy={busy}>
            Create account and join
          </Button>
          <p className="text-center text-sm text-slate-500 dark:text-slate-400">
            Already have an account?{' '}
            <Link to={`/login?redirectTo=${encodeURIComponent(location.pathname)}`} className="font-medium text-brand-600 hover:underline">
              Sign in first
            </Link>
          </p>
        </Form>
      )}
    </AuthLayout>
  );
}
