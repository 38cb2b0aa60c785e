import type { LoaderFunctionArgs } from '@remix-run/node';
import { Outlet, useLoaderData, useRouteLoaderData } from '@remix-run/react';
import { requireRole } from '~/.server/auth';
import { readTheme } from '~/.server/theme';
import { AppShell } from '~/components/app-shell';

/** The signed-in app: every page below needs at least the viewer role in the current tenant. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = await requireRole(request, context, 'viewer');
  return {
    user: { email: p.user.email, name: p.user.name },
    tenant: { ...p.tenant, role: p.role },
    tenants: p.tenants,
    theme: readTheme(request),
  };
}

export type AppLoaderData = Awaited<ReturnType<typeof loader>>;

/** The current user's role and tenant, for pages that adapt to them. */
export function useAppData(): AppLoaderData {
  const data = useRouteLoaderData<typeof loader>('routes/_app');
  if (!data) throw new Error('useAppData used outside the signed-in app');
  return data;
}

export default function AppLayout() {
  const { user, tenant, tenants, theme } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user} tenant={tenant} tenants={tenants} theme={theme}>
      <Outlet />
    </AppShell>
  );
}
