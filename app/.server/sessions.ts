import { createCookie } from '@remix-run/node';
import { and, eq, lt } from 'drizzle-orm';
import { type Database, type Session, sessions } from '@obstack/db';
import { randomToken, sha256Hex } from './crypto';

export const SESSION_COOKIE = 'obs_session';

/** Secure is decided per request: a cookie set over https must never travel over http. */
export function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === 'https:';
}

function sessionCookie(request: Request, secret: string, maxAgeSeconds?: number) {
  return createCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: isHttps(request),
    secrets: [secret],
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  });
}

export type SessionLookup =
  | { state: 'none' }
  | { state: 'ended' }
  | { state: 'active'; session: Session; idHash: string };

/** Reads the cookie and its row. "ended" means a cookie whose session expired or was removed. */
export async function readSession(db: Database, secret: string, request: Request): Promise<SessionLookup> {
  const header = request.headers.get('Cookie');
  if (!header?.includes(SESSION_COOKIE)) return { state: 'none' };
  const token: unknown = await sessionCookie(request, secret).parse(header);
  if (typeof token !== 'string' || token.length < 20) return { state: 'ended' };
  const idHash = sha256Hex(token);
  const [session] = await db.select().from(sessions).where(eq(sessions.idHash, idHash)).limit(1);
  if (!session) return { state: 'ended' };
  if (session.expiresAt.getTime() <= Date.now()) {
    await db.delete(sessions).where(eq(sessions.idHash, idHash));
    return { state: 'ended' };
  }
  return { state: 'active', session, idHash };
}

export interface NewSession {
  userId: string;
  tenantId: string | null;
  ttlMs: number;
  ip?: string | undefined;
}

/**
 * Starts a session and returns its Set-Cookie header. Any session the request already
 * carried is deleted first, so the id always changes at sign-in (no fixation).
 */
export async function startSession(db: Database, secret: string, request: Request, input: NewSession): Promise<string> {
  const previous = await readSession(db, secret, request);
  if (previous.state === 'active') await db.delete(sessions).where(eq(sessions.idHash, previous.idHash));
  const token = randomToken();
  await db.insert(sessions).values({
    idHash: sha256Hex(token),
    userId: input.userId,
    tenantId: input.tenantId,
    expiresAt: new Date(Date.now() + input.ttlMs),
    ip: input.ip ?? null,
    userAgent: request.headers.get('User-Agent')?.slice(0, 400) ?? null,
  });
  return sessionCookie(request, secret, Math.floor(input.ttlMs / 1000)).serialize(token);
}

/** Ends the session (row and cookie); returns the Set-Cookie header that clears it. */
export async function endSession(db: Database, secret: string, request: Request): Promise<string> {
  const current = await readSession(db, secret, request);
  if (current.state === 'active') await db.delete(sessions).where(eq(sessions.idHash, current.idHash));
  return clearSessionCookie(request, secret);
}

export function clearSessionCookie(request: Request, secret: string): Promise<string> {
  return sessionCookie(request, secret).serialize('', { maxAge: 0, expires: new Date(0) });
}

export async function setSessionTenant(db: Database, idHash: string, tenantId: string): Promise<void> {
  await db.update(sessions).set({ tenantId }).where(eq(sessions.idHash, idHash));
}

export async function purgeExpiredSessions(db: Database): Promise<number> {
  const gone = await db
    .delete(sessions)
    .where(and(lt(sessions.expiresAt, new Date())))
    .returning({ idHash: sessions.idHash });
  return gone.length;
}
