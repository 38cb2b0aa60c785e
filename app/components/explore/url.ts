import { useLocation, useNavigate } from '@remix-run/react';
import { useCallback } from 'react';

export type ParamChanges = Record<string, string | string[] | null | undefined>;

/** A copy of `search` with `changes` applied: null/undefined/'' removes a parameter, an array repeats it. */
export function withParams(search: string | URLSearchParams, changes: ParamChanges): URLSearchParams {
  const next = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    next.delete(k);
    if (v === null || v === undefined || v === '') continue;
    for (const one of Array.isArray(v) ? v : [v]) if (one !== '') next.append(k, one);
  }
  return next;
}

/** `path?query` for links that keep the current view's other parameters. */
export function hrefWith(pathname: string, search: string | URLSearchParams, changes: ParamChanges): string {
  const q = withParams(search, changes).toString();
  return q ? `${pathname}?${q}` : pathname;
}

/**
 * Navigates to the current page with some parameters changed. Every explore control goes
 * through the URL this way, so reloads and shared links reproduce the view.
 */
export function useSetParams() {
  const navigate = useNavigate();
  const location = useLocation();
  return useCallback(
    (changes: ParamChanges, options: { replace?: boolean } = {}) => {
      // A cursor belongs to the query it came from; any change starts from the first page.
      const next = withParams(location.search, { cursor: null, ...changes });
      const q = next.toString();
      navigate(`${location.pathname}${q ? `?${q}` : ''}`, { replace: options.replace ?? false, preventScrollReset: true });
    },
    [navigate, location.pathname, location.search],
  );
}

/**
 * A `shouldRevalidate` that skips the loader when only these view-only parameters changed
 * (sorting, a selected row, live tail...). Refresh and form submissions still revalidate.
 */
export function revalidateUnlessOnly(viewOnly: string[]) {
  return ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }: { currentUrl: URL; nextUrl: URL; formMethod?: string | undefined; defaultShouldRevalidate: boolean }) => {
    if (formMethod && formMethod.toUpperCase() !== 'GET') return defaultShouldRevalidate;
    if (currentUrl.pathname !== nextUrl.pathname || currentUrl.href === nextUrl.href) return defaultShouldRevalidate;
    const strip = (u: URL) => {
      const p = new URLSearchParams(u.search);
      for (const k of viewOnly) p.delete(k);
      p.sort();
      return p.toString();
    };
    return strip(currentUrl) === strip(nextUrl) ? false : defaultShouldRevalidate;
  };
}
