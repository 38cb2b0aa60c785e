import { redirect } from '@remix-run/node';
import type { ApiKeyScope, Role } from '@obstack/db';
import { type TenantOfUser, getUser, roleAtLeast, tenantsForUser } from './accounts';
import type { KeyPrincipal } from './api-keys';
import type { ObstackContext } from './context';
import { CSRF_FIELD, CSRF_HEADER, checkCsrf } from './csrf';
import { jsonError } from './errors';
import { readSession, setSessionTenant } from './sessions';

export interface UserPrincipal {
  kind: 'user';
  user: { id: string; email: string; name: string };
  tenant: { id: string; slug: string; name: string };
  role: Role;
  tenants: TenantOfUser[];
  sessionIdHash: string;
}

export type Principal = UserPrincipal | KeyPrincipal;

export interface SignedIn {
  user: { id: string; email: string; name: string };
  tenants: TenantOfUser[];
  sessionIdHash: string;
  /** The tenant the session works in, if the user still belongs to it (or to any). */
  current: TenantOfUser | undefined;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function loginRedirect(request: Request, reason?: 'ended'): never {
  const url = new URL(request.url);
  const params = new URLSearchParams();
  const back = url.pathname + url.search;
  if (back !== '/' && !back.startsWith('/login')) params.set('redirectTo', back);
  if (reason) params.set('reason', reason);
  const qs = params.toString();
  throw redirect(`/login${qs ? `?${qs}` : ''}`);
}

/** The signed-in user of a browser request, or a redirect to the sign-in page. */
export async function requireUser(request: Request, context: ObstackContext): Promise<SignedIn> {
  const signedIn = await getSignedIn(request, context);
  if (signedIn === 'none') loginRedirect(request);
  if (signedIn === 'ended') loginRedirect(request, 'ended');
  return signedIn;
}

/** The signed-in user, or why there is none; never throws for anonymous requests. */
export async function getSignedIn(request: Request, context: ObstackContext): Promise<SignedIn | 'none' | 'ended'> {
  const { db, secret } = context.services;
  const lookup = await readSession(db, secret, request);
  if (lookup.state !== 'active') return lookup.state;
  const user = await getUser(db, lookup.session.userId);
  if (!user?.isActive) return 'ended';
  const tenants = await tenantsForUser(db, user.id);
  let current = tenants.find((t) => t.id === lookup.session.tenantId);
  if (!current && tenants[0]) {
    // The session's tenant is gone (removed from it, or it was disabled): fall back to another one.
    current = tenants[0];
    await setSessionTenant(db, lookup.idHash, current.id);
  }
  return {
    user: { id: user.id, email: user.email, name: user.name },
    tenants,
    sessionIdHash: lookup.idHash,
    current,
  };
}

export interface RequireRoleOptions {
  /**
   * Also accept a machine key with this scope (`any`: any valid key). Such routes are
   * APIs: failures answer JSON 401/403 instead of redirecting to the sign-in page.
   */
  apiKeyScope?: ApiKeyScope | 'any';
}

/**
 * The key of a machine request: `Authorization: Bearer <key>`, `X-API-Key: <key>`, or HTTP
 * Basic auth with the key as the password (what Prometheus' and many agents' basic_auth send).
 */
export function apiKeyFromRequest(request: { headers: Headers }): string | null {
  const auth = request.headers.get('Authorization');
  if (auth) {
    const bearer = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (bearer?.[1]) return bearer[1].trim();
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth.trim());
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      return decoded.slice(decoded.indexOf(':') + 1);
    }
    return auth.trim();
  }
  return request.headers.get('X-API-Key');
}

/**
 * The one guard every loader and action goes through. It establishes who is asking and
 * in which tenant, and that their role (or the key's scope) allows it. Session-authenticated
 * mutations must carry the CSRF token (as the `csrf` form field or the X-CSRF-Token header).
 */
export async function requireRole(
  request: Request,
  context: ObstackContext,
  role: Role,
  options: RequireRoleOptions & { apiKeyScope: ApiKeyScope | 'any' },
): Promise<Principal>;
export async function requireRole(request: Request, context: ObstackContext, role: Role): Promise<UserPrincipal>;
export async function requireRole(
  request: Request,
  context: ObstackContext,
  role: Role,
  options: RequireRoleOptions = {},
): Promise<Principal> {
  const isApi = options.apiKeyScope !== undefined;
  const rawKey = isApi ? apiKeyFromRequest(request) : null;
  if (isApi && rawKey !== null) {
    const check = await context.services.apiKeys.verify(rawKey, options.apiKeyScope ?? 'any');
    if (!check.ok) throw jsonError(check.status, check.code, check.message);
    return check.principal;
  }

  const signedIn = await getSignedIn(request, context);
  if (signedIn === 'none' || signedIn === 'ended') {
    if (isApi) {
      throw jsonError(
        401,
        signedIn === 'ended' ? 'session_ended' : 'unauthenticated',
        signedIn === 'ended'
          ? 'Your session has ended; sign in again'
          : 'Authentication required: send Authorization: Bearer <key> or X-API-Key: <key>',
      );
    }
    loginRedirect(request, signedIn === 'ended' ? 'ended' : undefined);
  }
  const current = signedIn.current;
  if (!current) {
    if (isApi) throw jsonError(403, 'no_tenant', 'You are not a member of any tenant');
    throw redirect('/tenants/new');
  }
  if (MUTATING.has(request.method)) await requireCsrf(request, context, isApi);
  if (!roleAtLeast(current.role, role)) {
    const message = `This needs the ${role} role; you are ${current.role} in ${current.name}`;
    if (isApi) throw jsonError(403, 'forbidden', message);
    throw new Response(message, { status: 403, statusText: 'Forbidden' });
  }
  return {
    kind: 'user',
    user: signedIn.user,
    tenant: { id: current.id, slug: current.slug, name: current.name },
    role: current.role,
    tenants: signedIn.tenants,
    sessionIdHash: signedIn.sessionIdHash,
  };
}

/** Limit on form bodies: ours are a few fields; anything bigger is not a form of ours. */
const MAX_FORM_BYTES = 64 * 1024;

/**
 * Reads a form body after checking its CSRF token, for every mutating form, signed in
 * or not (sign-in and registration included). Throws a 4xx Response with a message
 * the page can show.
 */
export async function readForm(request: Request, context: ObstackContext): Promise<FormData> {
  const length = Number(request.headers.get('Content-Length') ?? 0);
  if (length > MAX_FORM_BYTES) throw new Response('Form too large', { status: 413 });
  const type = request.headers.get('Content-Type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
    throw new Response('Expected a form submission', { status: 415 });
  }
  let form: FormData;
  try {
    form = await request.clone().formData();
  } catch {
    throw new Response('Malformed form data', { status: 400 });
  }
  const token = form.get(CSRF_FIELD);
  const failure = await checkCsrf(request, context.services.secret, typeof token === 'string' ? token : null);
  if (failure) throw csrfResponse(failure, false);
  return form;
}

async function requireCsrf(request: Request, context: ObstackContext, isApi: boolean): Promise<void> {
  let token = request.headers.get(CSRF_HEADER);
  const type = request.headers.get('Content-Type') ?? '';
  if (!token && (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data'))) {
    const value = await request
      .clone()
      .formData()
      .then((f) => f.get(CSRF_FIELD))
      .catch(() => null);
    token = typeof value === 'string' ? value : null;
  }
  const failure = await checkCsrf(request, context.services.secret, token);
  if (failure) throw csrfResponse(failure, isApi);
}

function csrfResponse(failure: string, isApi: boolean): Response {
  const message =
    failure === 'cross_site'
      ? 'This request came from another site and was refused'
      : 'Your form has expired or is missing its security token. Reload the page and try again.';
  if (isApi) return jsonError(403, 'csrf', message);
  return new Response(message, { status: 403, statusText: 'Forbidden' });
}
