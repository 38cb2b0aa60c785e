import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node';
import { data } from '@remix-run/node';
import {
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react';
import { csrfTokenFor } from './.server/csrf';
import { readTheme } from './.server/theme';
import stylesheet from './tailwind.css?url';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { token, setCookie } = await csrfTokenFor(request, context.services.secret);
  const theme = readTheme(request);
  return data({ csrf: token, theme }, setCookie ? { headers: { 'Set-Cookie': setCookie } } : undefined);
}

// Applies the OS preference before first paint when the theme is "system" (no flash).
const themeScript = `(function(){try{var d=document.documentElement;if(d.dataset.theme==='system'&&window.matchMedia('(prefers-color-scheme: dark)').matches)d.classList.add('dark')}catch(e){}})()`;

export function Layout({ children }: { children: React.ReactNode }) {
  const root = useRouteLoaderData<typeof loader>('root');
  const theme = root?.theme ?? 'system';
  return (
    <html lang="en" data-theme={theme} className={theme === 'dark' ? 'dark' : ''} suppressHydrationWarning>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen">
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error)
    ? typeof error.data === 'string' && error.data
      ? error.data
      : error.statusText
    : 'Something went wrong on our side. The error has been logged.';
  return <ErrorPage status={status} message={message} />;
}

export function ErrorPage({ status, message }: { status: number; message: string }) {
  const title =
    status === 404 ? 'Page not found' : status === 403 ? 'Not allowed' : status >= 500 ? 'Server error' : 'Request failed';
  return (
    <div className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md text-center">
        <p className="text-sm font-semibold text-brand-600">{status}</p>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">{title}</h1>
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">{message}</p>
        <a href="/" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:underline">
          Back to Obstack
        </a>
      </div>
    </div>
  );
}
