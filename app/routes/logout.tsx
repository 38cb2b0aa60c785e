import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { getSignedIn, readForm } from '~/.server/auth';
import { audit } from '~/.server/audit';
import { endSession } from '~/.server/sessions';

export async function loader() {
  return redirect('/');
}

export async function action({ request, context }: ActionFunctionArgs) {
  await readForm(request, context);
  const { db, secret } = context.services;
  const signedIn = await getSignedIn(request, context);
  if (typeof signedIn === 'object') {
    await audit(db, { actor: `user:${signedIn.user.id}`, tenantId: signedIn.current?.id, action: 'user.signed_out' });
  }
  return redirect('/login', { headers: { 'Set-Cookie': await endSession(db, secret, request) } });
}
