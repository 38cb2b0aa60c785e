import { createCookie } from '@remix-run/node';
import { isHttps } from './sessions';

/**
 * A one-time message carried across a redirect (post/redirect/get): signed, HttpOnly,
 * five minutes, cleared by the page that shows it. Used to show a new secret once on
 * the page after a form, so a reload or a no-JS form post never loses or repeats it.
 */
function flashCookie(request: Request, secret: string) {
  return createCookie('obs_flash', {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: isHttps(request),
    secrets: [secret],
    maxAge: 300,
  });
}

export function setFlash(request: Request, secret: string, value: Record<string, string>): Promise<string> {
  return flashCookie(request, secret).serialize(value);
}

export async function takeFlash(request: Request, secret: string): Promise<{ value: Record<string, string> | null; clear: string }> {
  const cookie = flashCookie(request, secret);
  const value: unknown = await cookie.parse(request.headers.get('Cookie'));
  const clear = await cookie.serialize('', { maxAge: 0, expires: new Date(0) });
  return { value: value && typeof value === 'object' ? (value as Record<string, string>) : null, clear };
}
