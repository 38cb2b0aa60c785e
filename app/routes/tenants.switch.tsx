import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { requireUser, readForm } from '~/.server/auth';
import { safeRedirect } from '~/.server/forms';
import { setSessionTenant } from '~/.server/sessions';

export async function loader() {
  return redirect('/');
}

export async function action({ request, context }: ActionFunctionArgs) {
  const signedIn = await requireUser(request, context);
  const form = await readForm(request, context);
  const tenantId = form.get('tenantId');
  // Only tenants the user belongs to: anything else is refused, not silently ignored.
  const target = signedIn.tenants.find((t) => t.id === tenantId);
  if (!target) throw new Response('You are not a member of that tenant', { status: 403 });
  await setSessionTenant(context.services.db, signedIn.sessionIdHash, target.id);
  return redirect(safeRedirect(form.get('redirectTo')));
}
