import { Form, NavLink, useLocation, useNavigation, useSubmit } from '@remix-run/react';
import type { ReactNode } from 'react';
import { CsrfInput, cx } from './ui';
import { BuildingIcon, DatabaseIcon, HomeIcon, PulseIcon, KeyIcon, ListIcon, LogoutIcon, Logo, MoonIcon, PlusIcon, SettingsIcon, SunIcon, UsersIcon } from './icons';
import { LogsIcon, MetricsIcon, ServicesIcon, TracesIcon } from './explore/icons';

export interface ShellUser {
  email: string;
  name: string;
}

export interface ShellTenant {
  id: string;
  slug: string;
  name: string;
  role: string;
}

export interface NavItem {
  to: string;
  label: string;
  icon: (p: { className?: string }) => ReactNode;
  end?: boolean;
}

/** The sidebar. Later features add their sections here (Explore, Alerts, ...). */
export const NAV: Array<{ section: string; items: NavItem[] }> = [
  { section: '', items: [{ to: '/', label: 'Overview', icon: HomeIcon, end: true }] },
  {
    section: 'Explore',
    items: [
      { to: '/services', label: 'Services', icon: ServicesIcon },
      { to: '/traces', label: 'Traces', icon: TracesIcon },
      { to: '/logs', label: 'Logs', icon: LogsIcon },
      { to: '/metrics', label: 'Metrics', icon: MetricsIcon },
    ],
  },
  {
    section: 'Settings',
    items: [
      { to: '/settings', label: 'General', icon: SettingsIcon, end: true },
      { to: '/settings/members', label: 'Members', icon: UsersIcon },
      { to: '/settings/api-keys', label: 'API keys', icon: KeyIcon },
      { to: '/settings/data-sources', label: 'Data sources', icon: DatabaseIcon },
      { to: '/settings/ingest', label: 'Ingest', icon: PulseIcon },
      { to: '/settings/audit', label: 'Audit log', icon: ListIcon },
    ],
  },
];

export function AppShell({
  user,
  tenant,
  tenants,
  theme,
  children,
}: {
  user: ShellUser;
  tenant: ShellTenant;
  tenants: ShellTenant[];
  theme: string;
  children: ReactNode;
}) {
  const navigation = useNavigation();
  return (
    <div className="flex min-h-screen">
      <aside className="sticky top-0 flex h-screen w-60 shrink-0 flex-col border-r border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="flex h-14 items-center px-4">
          <Logo />
        </div>
        <TenantSwitcher tenant={tenant} tenants={tenants} />
        <nav className="flex-1 space-y-5 overflow-y-auto px-3 py-4" aria-label="Main">
          {NAV.map((group) => (
            <div key={group.section || 'main'}>
              {group.section ? (
                <p className="mb-1 px-2 text-xs font-semibold uppercase tracking-wider text-slate-400">{group.section}</p>
              ) : null}
              <ul className="space-y-0.5">
                {group.items.map((item) => (
                  <li key={item.to}>
                    <NavLink
                      to={item.to}
                      end={item.end ?? false}
                      prefetch="intent"
                      className={({ isActive }) =>
                        cx(
                          'flex items-center gap-2.5 rounded-md px-2 py-1.5 text-sm font-medium',
                          isActive
                            ? 'bg-brand-50 text-brand-700 dark:bg-brand-500/15 dark:text-brand-400'
                            : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-100',
                        )
                      }
                    >
                      <item.icon className="shrink-0" />
                      {item.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <UserMenu user={user} theme={theme} />
      </aside>
      <main className="min-w-0 flex-1">
        <div
          className={cx(
            'h-0.5 bg-brand-500 transition-all duration-500',
            navigation.state === 'idle' ? 'w-0 opacity-0' : 'w-2/3 opacity-100',
          )}
          aria-hidden="true"
        />
        <div className="mx-auto max-w-6xl px-8 py-8">{children}</div>
      </main>
    </div>
  );
}

function TenantSwitcher({ tenant, tenants }: { tenant: ShellTenant; tenants: ShellTenant[] }) {
  const submit = useSubmit();
  const location = useLocation();
  return (
    <div className="border-y border-slate-100 px-3 py-3 dark:border-slate-800">
      <Form method="post" action="/tenants/switch" className="flex items-center gap-2">
        <CsrfInput />
        <input type="hidden" name="redirectTo" value={location.pathname} />
        <BuildingIcon className="shrink-0 text-slate-400" />
        <label htmlFor="tenant-switch" className="sr-only">
          Tenant
        </label>
        <select
          id="tenant-switch"
          name="tenantId"
          defaultValue={tenant.id}
          onChange={(e) => submit(e.currentTarget.form)}
          className="min-w-0 flex-1 truncate rounded-md border-0 bg-transparent py-1 pl-1 pr-7 text-sm font-medium ring-0 focus:ring-2 focus:ring-brand-500 dark:bg-slate-900"
        >
          {tenants.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <noscript>
          <button type="submit" className="text-xs">
            Switch
          </button>
        </noscript>
      </Form>
      <NavLink
        to="/tenants/new"
        className="mt-1 flex items-center gap-1.5 px-1 text-xs text-slate-500 hover:text-brand-600 dark:text-slate-400"
      >
        <PlusIcon width={14} height={14} /> New tenant
      </NavLink>
    </div>
  );
}

function UserMenu({ user, theme }: { user: ShellUser; theme: string }) {
  const location = useLocation();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <div className="border-t border-slate-200 p-3 dark:border-slate-800">
      <div className="flex items-center gap-2.5 px-1">
        <span className="flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-brand-100 text-sm font-semibold text-brand-700 dark:bg-brand-500/20 dark:text-brand-400">
          {(user.name || user.email).slice(0, 1).toUpperCase()}
        </span>
        <div className="min-w-0 flex-1">
          {user.name ? <p className="truncate text-sm font-medium">{user.name}</p> : null}
          <p className="truncate text-xs text-slate-500 dark:text-slate-400">{user.email}</p>
        </div>
      </div>
      <div className="mt-2 flex gap-1">
        <Form method="post" action="/theme" className="flex-1">
          <CsrfInput />
          <input type="hidden" name="theme" value={next} />
          <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
          <button
            type="submit"
            className="flex w-full items-center justify-center gap-1.5 rounded-md px-2 py-1.5 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800"
            title={`Switch to ${next} mode`}
          >
            {theme === 'dark' ? <SunIcon width={15} height={15} /> : <MoonIcon width={15} height={15} />}
            {theme === 'dark' ? 'Light' : 'Dark'}
          </button>
        </Form>
        <Form method="post" action="/logout" className="flex-1">
          <CsrfInput />
          <button
            type="submit"
            className="flex w-full items-center justify-center gap-1.5 rounded-md px-2 py-1.5 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800"
          >
            <LogoutIcon width={15} height={15} /> Sign out
          </button>
        </Form>
      </div>
    </div>
  );
}

/** Centered card for signed-out pages: sign in, setup, register, invites. */
export function AuthLayout({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 px-4 py-12 dark:from-slate-950 dark:to-slate-900">
      <Logo className="mb-8 text-xl" />
      <div className="w-full max-w-md rounded-2xl bg-white p-8 shadow-xl shadow-slate-200/50 ring-1 ring-slate-200 dark:bg-slate-900 dark:shadow-none dark:ring-slate-800">
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        {subtitle ? <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">{subtitle}</p> : null}
        <div className="mt-6">{children}</div>
      </div>
    </div>
  );
}
