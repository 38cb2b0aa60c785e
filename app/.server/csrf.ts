import { createCookie } from '@remix-run/node';
import { randomToken, safeEqual } from './crypto';
import { isHttps } from './sessions';

export const CSRF_COOKIE = 'obs_csrf';
export const CSRF_FIELD = 'csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

function csrfCookie(request: Request, secret: string) {
  return createCookie(CSRF_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: isHttps(request),
    secrets: [secret],
  });
}

/**
 * The token this browser's forms must carry (double-submit: a signed cookie plus the
 * same value in a hidden field). Returns a Set-Cookie header when a new one was made.
 */
export async function csrfTokenFor(request: Request, secret: string): Promise<{ token: string; setCookie?: string }> {
  const existing: unknown = await csrfCookie(request, secret).parse(request.headers.get('Cookie'));
  if (typeof existing === 'string' && existing.length >= 32) return { token: existing };
  const token = randomToken();
  return { token, setCookie: await csrfCookie(request, secret).serialize(token) };
}

export type CsrfFailure = 'cross_site' | 'missing' | 'mismatch';

/**
 * Checks a mutating request: it must come from our own origin (when the browser says
 * where it came from) and carry the token that matches its cookie.
 */
export async function checkCsrf(request: Request, secret: string, submitted: string | null): Promise<CsrfFailure | null> {
  const site = request.headers.get('Sec-Fetch-Site');
  if (site && site !== 'same-origin' && site !== 'none') return 'cross_site';
  const origin = request.headers.get('Origin');
  if (origin && origin !== 'null' && origin !== new URL(request.url).origin) return 'cross_site';
  const cookie: unknown = await csrfCookie(request, secret).parse(request.headers.get('Cookie'));
  if (typeof cookie !== 'string' || !submitted) return 'missing';
  return safeEqual(cookie, submitted) ? null : 'mismatch';
}
