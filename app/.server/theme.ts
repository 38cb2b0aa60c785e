export type Theme = 'light' | 'dark' | 'system';

export const THEME_COOKIE = 'obs_theme';

/** The UI theme is a plain preference cookie: nothing secret, read on every page. */
export function readTheme(request: Request): Theme {
  const m = /(?:^|;\s*)obs_theme=(light|dark|system)/.exec(request.headers.get('Cookie') ?? '');
  return (m?.[1] as Theme | undefined) ?? 'system';
}

export function themeCookie(theme: Theme, secure: boolean): string {
  return `${THEME_COOKIE}=${theme}; Path=/; Max-Age=31536000; SameSite=Lax${secure ? '; Secure' : ''}`;
}
