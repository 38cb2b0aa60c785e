import { tenantsForUser } from './accounts';
import { audit } from './audit';
import type { AuthUser } from './authenticator';
import { FORM_STRATEGY } from './authenticator';
import type { ObstackContext } from './context';
import { AppError, isAppError } from './errors';
import { startSession } from './sessions';

const WINDOW_MS = 15 * 60_000;

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/**
 * Checks credentials through remix-auth, with failed attempts limited per e-mail and
 * per client IP; on success starts a fresh session (new id) in the user's first tenant.
 * Throws AppError with a message for the sign-in form.
 */
export async function signIn(request: Request, context: ObstackContext, email: string): Promise<{ user: AuthUser; setCookie: string }> {
  const { services, clientIp } = context;
  const { limiter, config, db } = services;
  const emailKey = `login:email:${email.trim().toLowerCase()}`;
  const ipKey = `login:ip:${clientIp}`;
  const maxEmail = config.loginMaxAttempts;
  const maxIp = config.loginMaxAttempts * 3;

  const [byEmail, byIp] = await Promise.all([limiter.peek(emailKey, WINDOW_MS), limiter.peek(ipKey, WINDOW_MS)]);
  if (byEmail.count >= maxEmail || byIp.count >= maxIp) {
    const wait = Math.max(byEmail.count >= maxEmail ? byEmail.resetInMs : 0, byIp.count >= maxIp ? byIp.resetInMs : 0);
    throw new AppError(429, 'too_many_attempts', `Too many sign-in attempts. Try again in ${minutes(wait)}.`);
  }

  let user: AuthUser;
  try {
    user = await services.auth.authenticate(FORM_STRATEGY, request);
  } catch (e) {
    if (isAppError(e) && e.code === 'invalid_credentials') {
      await Promise.all([limiter.hit(emailKey, WINDOW_MS), limiter.hit(ipKey, WINDOW_MS)]);
    }
    throw e;
  }
  await limiter.reset(emailKey);
  const tenants = await tenantsForUser(db, user.id);
  const setCookie = await startSession(db, services.secret, request, {
    userId: user.id,
    tenantId: tenants[0]?.id ?? null,
    ttlMs: config.sessionTtlMs,
    ip: clientIp,
  });
  await audit(db, { actor: `user:${user.id}`, tenantId: tenants[0]?.id, action: 'user.signed_in', target: user.email, details: { ip: clientIp } });
  return { user, setCookie };
}
