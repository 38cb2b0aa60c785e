import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { z } from 'zod';
import { readForm } from '~/.server/auth';
import { parseForm, safeRedirect } from '~/.server/forms';
import { isHttps } from '~/.server/sessions';
import { themeCookie } from '~/.server/theme';

const schema = z.object({ theme: z.enum(['light', 'dark', 'system']), redirectTo: z.string().optional() });

export async function loader() {
  return redirect('/');
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const parsed = schema.safeParse(Object.fromEntries(form));
  if (!parsed.success) throw new Response('theme must be light, dark or system', { status: 400 });
  return redirect(safeRedirect(parseForm(form, schema).redirectTo), {
    headers: { 'Set-Cookie': themeCookie(parsed.data.theme, isHttps(request)) },
  });
}
