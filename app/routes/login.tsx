import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { getSignedIn, readForm } from '~/.server/auth';
import { formFailure, parseForm, safeRedirect } from '~/.server/forms';
import { needsSetup } from '~/.server/onboarding';
import { signIn } from '~/.server/sign-in';
import { AuthLayout } from '~/components/app-shell';
import { Alert, Button, CsrfInput, Field } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Sign in · Obstack' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await needsSetup(context.services.db)) throw redirect('/setup');
  const signedIn = await getSignedIn(request, context);
  const url = new URL(request.url);
  if (typeof signedIn === 'object') throw redirect(safeRedirect(url.searchParams.get('redirectTo')));
  return { signup: context.services.config.signup };
}

const schema = z.object({
  email: z.string().trim().min(1, { error: 'E-mail is required' }).max(254, { error: 'E-mail is too long' }).pipe(z.email({ error: 'Enter a valid e-mail address' })),
  password: z.string().min(1, { error: 'Password is required' }).max(256, { error: 'Password is too long' }),
  redirectTo: z.string().optional(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  try {
    const form = parseForm(await readForm(request, context), schema);
    const { setCookie } = await signIn(request, context, form.email);
    return redirect(safeRedirect(form.redirectTo), { headers: { 'Set-Cookie': setCookie } });
  } catch (e) {
    return formFailure(e);
  }
}

export default function Login() {
  const { signup } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === 'submitting';
  const errors = result?.fieldErrors ?? {};
  return (
    <AuthLayout title="Sign in" subtitle="Welcome back to Obstack.">
      <Form method="post" className="space-y-4" noValidate>
        <CsrfInput />
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? '/'} />
        {params.get('reason') === 'ended' && !result ? (
          <Alert tone="info">Your session has ended. Sign in again to continue.</Alert>
        ) : null}
        {result?.formError ? <Alert tone="error">{result.formError}</Alert> : null}
        <Field label="E-mail" name="email" type="email" autoComplete="email" required autoFocus error={errors.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={errors.password}
        />
        <Button type="submit" className="w-full" busy={busy}>
          Sign in
        </Button>
      </Form>
      <p className="mt-6 text-center text-sm text-slate-500 dark:text-slate-400">
        {signup === 'open' ? (
          <>
            New here?{' '}
            <Link to="/register" className="font-medium text-brand-600 hover:underline">
              Create an account
            </Link>
          </>
        ) : (
          'New users join through an invite link from an admin.'
        )}
      </p>
    </AuthLayout>
  );
}
