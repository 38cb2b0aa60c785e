import { and, asc, count, eq, isNull, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  type Database,
  type Invite,
  type Plan,
  type Role,
  type Tenant,
  type User,
  invites,
  memberships,
  tenants,
  users,
} from '@obstack/db';
import { randomToken, sha256Hex } from './crypto';
import { AppError, conflict, forbidden, isUniqueViolation, notFound } from './errors';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword } from './passwords';

export const ROLE_RANK: Record<Role, number> = { viewer: 1, member: 2, admin: 3, owner: 4 };

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[min];
}

// Field rules shared by forms, the CLI and the bootstrap, so every door says the same thing.
export const emailSchema = z
  .string({ error: 'E-mail is required' })
  .trim()
  .min(1, { error: 'E-mail is required' })
  .max(254, { error: 'E-mail is too long' })
  .pipe(z.email({ error: 'Enter a valid e-mail address' }))
  .transform((v) => v.toLowerCase());

export const passwordSchema = z
  .string({ error: 'Password is required' })
  .min(MIN_PASSWORD_LENGTH, { error: `Password must be at least ${MIN_PASSWORD_LENGTH} characters` })
  .max(MAX_PASSWORD_LENGTH, { error: `Password must be at most ${MAX_PASSWORD_LENGTH} characters` });

export const personNameSchema = z.string().trim().max(100, { error: 'Name is too long' }).default('');

export const tenantNameSchema = z
  .string({ error: 'Name is required' })
  .trim()
  .min(1, { error: 'Name is required' })
  .max(100, { error: 'Name must be at most 100 characters' });

export const slugSchema = z
  .string()
  .trim()
  .min(2, { error: 'Slug must be at least 2 characters' })
  .max(48, { error: 'Slug must be at most 48 characters' })
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'Slug may contain lowercase letters, digits and single dashes' });

export const roleSchema = z.enum(['owner', 'admin', 'member', 'viewer'], {
  error: 'Role must be owner, admin, member or viewer',
});

export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return base.length >= 2 ? base : `tenant-${base || 'x'}`;
}

async function freeSlug(db: Database, wanted: string): Promise<string> {
  for (let i = 1; i < 1000; i++) {
    const candidate = i === 1 ? wanted : `${wanted}-${i}`;
    const taken = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, candidate)).limit(1);
    if (taken.length === 0) return candidate;
  }
  throw conflict('slug_taken', `No free slug near "${wanted}"`);
}

export interface CreateTenantInput {
  name: string;
  slug?: string | undefined;
  plan?: Plan | undefined;
  ownerId?: string | undefined;
}

/** Creates a tenant; with `ownerId`, that user becomes its owner in the same transaction. */
export async function createTenant(db: Database, input: CreateTenantInput): Promise<Tenant> {
  const name = tenantNameSchema.parse(input.name);
  const slug = input.slug !== undefined ? slugSchema.parse(input.slug) : await freeSlug(db, slugify(name));
  try {
    return await db.transaction(async (tx) => {
      const [tenant] = await tx
        .insert(tenants)
        .values({ name, slug, plan: input.plan ?? 'community' })
        .returning();
      if (!tenant) throw new Error('insert returned no tenant');
      if (input.ownerId) {
        await tx.insert(memberships).values({ userId: input.ownerId, tenantId: tenant.id, role: 'owner' });
      }
      return tenant;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('slug_taken', `A tenant with slug "${slug}" already exists`, 'slug');
    throw e;
  }
}

export async function listTenants(db: Database): Promise<Tenant[]> {
  return db.select().from(tenants).orderBy(asc(tenants.createdAt));
}

export async function getTenantBySlug(db: Database, slug: string): Promise<Tenant> {
  const [tenant] = await db.select().from(tenants).where(eq(tenants.slug, slug)).limit(1);
  if (!tenant) throw notFound(`No tenant with slug "${slug}"`);
  return tenant;
}

export async function updateTenantName(db: Database, tenantId: string, name: string): Promise<Tenant> {
  const [tenant] = await db
    .update(tenants)
    .set({ name: tenantNameSchema.parse(name), updatedAt: new Date() })
    .where(eq(tenants.id, tenantId))
    .returning();
  if (!tenant) throw notFound('Tenant not found');
  return tenant;
}

export interface CreateUserInput {
  email: string;
  password: string;
  name?: string | undefined;
}

export async function createUser(db: Database, input: CreateUserInput): Promise<User> {
  const email = emailSchema.parse(input.email);
  const password = passwordSchema.parse(input.password);
  const name = personNameSchema.parse(input.name ?? '');
  const passwordHash = await hashPassword(password);
  try {
    const [user] = await db.insert(users).values({ email, name, passwordHash }).returning();
    if (!user) throw new Error('insert returned no user');
    return user;
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('email_taken', 'An account with this e-mail already exists', 'email');
    throw e;
  }
}

export async function findUserByEmail(db: Database, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  return user;
}

export async function getUser(db: Database, id: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user;
}

export async function listUsers(db: Database): Promise<Omit<User, 'passwordHash'>[]> {
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      isActive: users.isActive,
      createdAt: users.createdAt,
      updatedAt: users.updatedAt,
    })
    .from(users)
    .orderBy(asc(users.createdAt));
}

export async function countUsers(db: Database): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return Number(row?.n ?? 0);
}

export async function getMembership(db: Database, userId: string, tenantId: string): Promise<Role | undefined> {
  const [m] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.tenantId, tenantId)))
    .limit(1);
  return m?.role;
}

export async function addMember(db: Database, tenantId: string, userId: string, role: Role): Promise<void> {
  await db
    .insert(memberships)
    .values({ tenantId, userId, role })
    .onConflictDoUpdate({ target: [memberships.userId, memberships.tenantId], set: { role } });
}

export interface TenantOfUser {
  id: string;
  slug: string;
  name: string;
  role: Role;
}

export async function tenantsForUser(db: Database, userId: string): Promise<TenantOfUser[]> {
  return db
    .select({ id: tenants.id, slug: tenants.slug, name: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.userId, userId), eq(tenants.isActive, true)))
    .orderBy(asc(tenants.name));
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: Date;
}

export async function listMembers(db: Database, tenantId: string): Promise<Member[]> {
  return db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(memberships.createdAt));
}

async function ownerCount(db: Database, tenantId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, 'owner')));
  return Number(row?.n ?? 0);
}

/**
 * Role changes follow two rules: only an owner grants or takes away ownership, and a
 * tenant always keeps at least one owner.
 */
export async function changeRole(
  db: Database,
  tenantId: string,
  actorRole: Role,
  userId: string,
  role: Role,
): Promise<void> {
  const current = await getMembership(db, userId, tenantId);
  if (!current) throw notFound('That user is not a member of this tenant');
  if ((role === 'owner' || current === 'owner') && actorRole !== 'owner') {
    throw forbidden('Only an owner can grant or remove the owner role');
  }
  if (current === 'owner' && role !== 'owner' && (await ownerCount(db, tenantId)) <= 1) {
    throw conflict('last_owner', 'A tenant needs at least one owner; make someone else owner first');
  }
  await db
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
}

export async function removeMember(db: Database, tenantId: string, actorRole: Role, userId: string): Promise<void> {
  const current = await getMembership(db, userId, tenantId);
  if (!current) throw notFound('That user is not a member of this tenant');
  if (current === 'owner' && actorRole !== 'owner') throw forbidden('Only an owner can remove an owner');
  if (current === 'owner' && (await ownerCount(db, tenantId)) <= 1) {
    throw conflict('last_owner', 'A tenant needs at least one owner; make someone else owner first');
  }
  await db.delete(memberships).where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
}

const INVITE_TTL_MS = 7 * 24 * 3_600_000;

export async function createInvite(
  db: Database,
  input: { tenantId: string; email: string; role: Role; createdBy: string; actorRole: Role },
): Promise<{ invite: Invite; token: string }> {
  const email = emailSchema.parse(input.email);
  if (input.role === 'owner' && input.actorRole !== 'owner') throw forbidden('Only an owner can invite an owner');
  const existing = await findUserByEmail(db, email);
  if (existing && (await getMembership(db, existing.id, input.tenantId))) {
    throw conflict('already_member', `${email} is already a member of this tenant`, 'email');
  }
  const token = randomToken();
  const [invite] = await db
    .insert(invites)
    .values({
      tenantId: input.tenantId,
      email,
      role: input.role,
      tokenHash: sha256Hex(token),
      expiresAt: new Date(Date.now() + INVITE_TTL_MS),
      createdBy: input.createdBy,
    })
    .returning();
  if (!invite) throw new Error('insert returned no invite');
  return { invite, token };
}

export async function listPendingInvites(db: Database, tenantId: string): Promise<Invite[]> {
  return db
    .select()
    .from(invites)
    .where(
      and(
        eq(invites.tenantId, tenantId),
        isNull(invites.acceptedAt),
        isNull(invites.revokedAt),
        gt(invites.expiresAt, sql`now()`),
      ),
    )
    .orderBy(asc(invites.createdAt));
}

export async function revokeInvite(db: Database, tenantId: string, inviteId: string): Promise<void> {
  const rows = await db
    .update(invites)
    .set({ revokedAt: new Date() })
    .where(and(eq(invites.id, inviteId), eq(invites.tenantId, tenantId), isNull(invites.acceptedAt)))
    .returning({ id: invites.id });
  if (rows.length === 0) throw notFound('Invite not found');
}

export interface OpenInvite {
  invite: Invite;
  tenant: Tenant;
}

/** The invite behind a link, or an AppError saying why it can't be used. */
export async function openInvite(db: Database, token: string): Promise<OpenInvite> {
  const [row] = await db
    .select({ invite: invites, tenant: tenants })
    .from(invites)
    .innerJoin(tenants, eq(tenants.id, invites.tenantId))
    .where(eq(invites.tokenHash, sha256Hex(token)))
    .limit(1);
  if (!row) throw new AppError(404, 'invite_not_found', 'This invite link is not valid. Ask for a new one.');
  if (row.invite.acceptedAt) throw new AppError(410, 'invite_used', 'This invite has already been used.');
  if (row.invite.revokedAt) throw new AppError(410, 'invite_revoked', 'This invite was withdrawn. Ask for a new one.');
  if (row.invite.expiresAt.getTime() < Date.now()) {
    throw new AppError(410, 'invite_expired', 'This invite has expired. Ask for a new one.');
  }
  return row;
}

/** Joins `userId` to the invite's tenant with its role; the invite can't be used again. */
export async function acceptInvite(db: Database, token: string, userId: string): Promise<Tenant> {
  const { invite, tenant } = await openInvite(db, token);
  await db.transaction(async (tx) => {
    const used = await tx
      .update(invites)
      .set({ acceptedAt: new Date() })
      .where(and(eq(invites.id, invite.id), isNull(invites.acceptedAt)))
      .returning({ id: invites.id });
    if (used.length === 0) throw new AppError(410, 'invite_used', 'This invite has already been used.');
    await tx
      .insert(memberships)
      .values({ tenantId: invite.tenantId, userId, role: invite.role })
      .onConflictDoNothing();
  });
  return tenant;
}

