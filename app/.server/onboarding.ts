import { eq, sql } from 'drizzle-orm';
import { type Database, type Tenant, type User, apiKeys, memberships, tenants, users } from '@obstack/db';
import {
  acceptInvite,
  countUsers,
  createTenant,
  emailSchema,
  findUserByEmail,
  openInvite,
  passwordSchema,
  personNameSchema,
  tenantNameSchema,
} from './accounts';
import { createApiKey, prefixOf } from './api-keys';
import { audit } from './audit';
import type { Config } from './config';
import { AppError, isAppError, conflict, isUniqueViolation } from './errors';
import type { Logger } from './log';
import { hashPassword } from './passwords';

// Serialises first-run setup so two simultaneous submissions can't both become "first".
const SETUP_LOCK_KEY = 7_291_004_118;

export interface FirstAdminInput {
  email: string;
  password: string;
  name?: string | undefined;
  tenantName: string;
  /** Register this key instead of generating one (unattended install). */
  apiKey?: string | undefined;
}

export interface FirstAdminResult {
  user: User;
  tenant: Tenant;
  /** The ingest key made with the tenant; shown once. */
  apiKey: string;
}

export async function needsSetup(db: Database): Promise<boolean> {
  return (await countUsers(db)) === 0;
}

/**
 * First run: the admin, the first tenant (owned by them) and an ingest+read key, all in
 * one transaction, or nothing at all.
 */
export async function setupFirstAdmin(db: Database, input: FirstAdminInput): Promise<FirstAdminResult> {
  const email = emailSchema.parse(input.email);
  const password = passwordSchema.parse(input.password);
  const name = personNameSchema.parse(input.name ?? '');
  const tenantName = tenantNameSchema.parse(input.tenantName);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK_KEY})`);
    const [existing] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
    if ((existing?.n ?? 0) > 0) throw conflict('already_set_up', 'Obstack is already set up. Sign in instead.');
    const [user] = await tx.insert(users).values({ email, name, passwordHash }).returning();
    if (!user) throw new Error('insert returned no user');
    const tenant = await createTenant(tx, { name: tenantName, ownerId: user.id });
    const { key } = await createApiKey(tx, {
      tenantId: tenant.id,
      name: 'Default ingest key',
      scopes: ['ingest', 'read'],
      createdBy: user.id,
      key: input.apiKey,
    });
    await audit(tx, { actor: `user:${user.id}`, tenantId: tenant.id, action: 'setup.completed', target: email });
    return { user, tenant, apiKey: key };
  });
}

/**
 * Open sign-up: a new user with a tenant of their own, atomically.
 */
export async function registerWithOwnTenant(
  db: Database,
  input: { email: string; password: string; name?: string | undefined; tenantName?: string | undefined },
): Promise<{ user: User; tenant: Tenant }> {
  const email = emailSchema.parse(input.email);
  const password = passwordSchema.parse(input.password);
  const name = personNameSchema.parse(input.name ?? '');
  const tenantName = tenantNameSchema.parse(input.tenantName || `${name || email.split('@')[0]}'s workspace`);
  const passwordHash = await hashPassword(password);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx.insert(users).values({ email, name, passwordHash }).returning();
      if (!user) throw new Error('insert returned no user');
      const tenant = await createTenant(tx, { name: tenantName, ownerId: user.id });
      await audit(tx, { actor: `user:${user.id}`, tenantId: tenant.id, action: 'user.registered', target: email });
      return { user, tenant };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('email_taken', 'An account with this e-mail already exists. Sign in instead.', 'email');
    throw e;
  }
}

/**
 * Invite sign-up: a new account joins the invite's tenant. The e-mail must be the one
 * invited, so a forwarded link can't be used to register someone else's address.
 */
export async function registerWithInvite(
  db: Database,
  input: { token: string; email: string; password: string; name?: string | undefined },
): Promise<{ user: User; tenant: Tenant }> {
  const email = emailSchema.parse(input.email);
  const password = passwordSchema.parse(input.password);
  const name = personNameSchema.parse(input.name ?? '');
  if (await findUserByEmail(db, email)) {
    throw conflict('email_taken', 'An account with this e-mail already exists. Sign in to accept the invite.', 'email');
  }
  const passwordHash = await hashPassword(password);
  try {
    return await db.transaction(async (tx) => {
      const { invite } = await openInvite(tx, input.token);
      if (invite.email !== email) {
        throw new AppError(400, 'invite_email_mismatch', `This invite is for ${invite.email}`, 'email');
      }
      const [user] = await tx.insert(users).values({ email, name, passwordHash }).returning();
      if (!user) throw new Error('insert returned no user');
      const tenant = await acceptInvite(tx, input.token, user.id);
      await audit(tx, { actor: `user:${user.id}`, tenantId: tenant.id, action: 'invite.accepted', target: email });
      return { user, tenant };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('email_taken', 'An account with this e-mail already exists.', 'email');
    throw e;
  }
}

/**
 * Unattended install from the environment, run at every start and idempotent: the admin
 * and tenant only when there are no users yet; the bootstrap key whenever its prefix is
 * unknown (a revoked bootstrap key stays revoked).
 */
export async function bootstrapFromEnv(db: Database, config: Config, log: Logger): Promise<void> {
  if (config.admin && (await needsSetup(db))) {
    try {
      const result = await setupFirstAdmin(db, {
        email: config.admin.email,
        password: config.admin.password,
        tenantName: config.admin.tenantName,
        apiKey: config.bootstrapApiKey,
      });
      log.info('bootstrapped first admin and tenant', {
        email: result.user.email,
        tenant: result.tenant.slug,
        apiKeyPrefix: prefixOf(result.apiKey),
      });
      return;
    } catch (e) {
      if (isAppError(e) && e.code === 'already_set_up') return;
      throw e;
    }
  }
  if (config.bootstrapApiKey) {
    const prefix = prefixOf(config.bootstrapApiKey);
    const [known] = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.prefix, prefix)).limit(1);
    if (known) return;
    const [first] = await db
      .select({ id: tenants.id, slug: tenants.slug })
      .from(tenants)
      .innerJoin(memberships, eq(memberships.tenantId, tenants.id))
      .orderBy(tenants.createdAt)
      .limit(1);
    if (!first) {
      log.warn('OBSTACK_BOOTSTRAP_API_KEY is set but there is no tenant yet; it will be registered after setup');
      return;
    }
    await createApiKey(db, { tenantId: first.id, name: 'Bootstrap key', scopes: ['ingest', 'read'], key: config.bootstrapApiKey });
    log.info('registered bootstrap API key', { tenant: first.slug, apiKeyPrefix: prefix });
  }
}
