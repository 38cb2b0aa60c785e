import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDb } from '../../tests/support/db';
import type { Backend } from '../../tests/support/obstack';
import { hasPostgres } from '../../tests/support/pg';
import {
  acceptInvite,
  addMember,
  changeRole,
  countUsers,
  createInvite,
  createTenant,
  createUser,
  listMembers,
  listTenants,
  openInvite,
  removeMember,
  tenantsForUser,
} from './accounts';
import { ApiKeyVerifier, createApiKey, listApiKeys, revokeApiKey } from './api-keys';
import { isAppError } from './errors';
import { registerWithInvite, setupFirstAdmin } from './onboarding';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe.each<Backend>(['pglite', 'postgres'])('accounts and keys on %s', (backend) => {
  describe.skipIf(backend === 'postgres' && !hasPostgres)('', () => {
    let h: Awaited<ReturnType<typeof testDb>>;
    beforeAll(async () => {
      h = await testDb(backend);
    });
    afterAll(async () => h?.cleanup());

    it('keeps at least one owner and lets only owners touch ownership', async () => {
      const owner = await createUser(h.db, { email: 'owner@a.io', password: 'password-123' });
      const admin = await createUser(h.db, { email: 'admin@a.io', password: 'password-123' });
      const t = await createTenant(h.db, { name: 'Alpha', ownerId: owner.id });
      await addMember(h.db, t.id, admin.id, 'admin');
      expect(await code(changeRole(h.db, t.id, 'owner', owner.id, 'admin'))).toBe('last_owner');
      expect(await code(removeMember(h.db, t.id, 'owner', owner.id))).toBe('last_owner');
      expect(await code(changeRole(h.db, t.id, 'admin', admin.id, 'owner'))).toBe('forbidden');
      expect(await code(removeMember(h.db, t.id, 'admin', owner.id))).toBe('forbidden');
      await changeRole(h.db, t.id, 'owner', admin.id, 'owner');
      await changeRole(h.db, t.id, 'owner', owner.id, 'viewer');
      const roles = Object.fromEntries((await listMembers(h.db, t.id)).map((m) => [m.email, m.role]));
      expect(roles).toEqual({ 'owner@a.io': 'viewer', 'admin@a.io': 'owner' });
    });

    it('makes unique slugs and refuses a duplicate explicit slug', async () => {
      const a = await createTenant(h.db, { name: 'Beta Team' });
      const b = await createTenant(h.db, { name: 'Beta team!' });
      expect([a.slug, b.slug]).toEqual(['beta-team', 'beta-team-2']);
      expect(await code(createTenant(h.db, { name: 'X', slug: 'beta-team' }))).toBe('slug_taken');
    });

    it('refuses a duplicate e-mail regardless of case', async () => {
      await createUser(h.db, { email: 'Case@Example.io', password: 'password-123' });
      expect(await code(createUser(h.db, { email: 'case@example.IO', password: 'password-123' }))).toBe('email_taken');
    });

    it('uses an invite once, only for its e-mail, and not after revocation', async () => {
      const owner = await createUser(h.db, { email: 'inviter@c.io', password: 'password-123' });
      const t = await createTenant(h.db, { name: 'Gamma', ownerId: owner.id });
      const { token } = await createInvite(h.db, { tenantId: t.id, email: 'new@c.io', role: 'member', createdBy: owner.id, actorRole: 'owner' });
      expect(await code(registerWithInvite(h.db, { token, email: 'other@c.io', password: 'password-123' }))).toBe('invite_email_mismatch');
      const { user, tenant } = await registerWithInvite(h.db, { token, email: 'new@c.io', password: 'password-123' });
      expect(tenant.id).toBe(t.id);
      expect((await tenantsForUser(h.db, user.id)).map((x) => [x.slug, x.role])).toEqual([['gamma', 'member']]);
      expect(await code(openInvite(h.db, token))).toBe('invite_used');
      expect(await code(acceptInvite(h.db, token, owner.id))).toBe('invite_used');
      expect(await code(openInvite(h.db, 'not-a-token'))).toBe('invite_not_found');
      expect(await code(createInvite(h.db, { tenantId: t.id, email: 'boss@c.io', role: 'owner', createdBy: owner.id, actorRole: 'admin' }))).toBe('forbidden');
      expect(await code(createInvite(h.db, { tenantId: t.id, email: 'new@c.io', role: 'viewer', createdBy: owner.id, actorRole: 'owner' }))).toBe('already_member');
    });

    it('runs first-run setup atomically, and only once', async () => {
      const fresh = await testDb(backend);
      try {
        // The key is refused after the user and tenant rows were inserted: nothing may remain.
        expect(await code(setupFirstAdmin(fresh.db, { email: 'a@d.io', password: 'password-123', tenantName: 'D', apiKey: 'obs_bad' }))).toBe('invalid_key');
        expect(await countUsers(fresh.db)).toBe(0);
        expect(await listTenants(fresh.db)).toEqual([]);
        const done = await setupFirstAdmin(fresh.db, { email: 'a@d.io', password: 'password-123', tenantName: 'D' });
        expect(done.apiKey).toMatch(/^obs_[a-z0-9]{8}_/);
        expect(await code(setupFirstAdmin(fresh.db, { email: 'b@d.io', password: 'password-123', tenantName: 'E' }))).toBe('already_set_up');
        expect(await countUsers(fresh.db)).toBe(1);
      } finally {
        await fresh.cleanup();
      }
    });

    it('verifies keys: scope, revocation, expiry and tenant, with the reason', async () => {
      const t = await createTenant(h.db, { name: 'Keys' });
      const v = new ApiKeyVerifier(h.db, { cacheTtlMs: 60_000 });
      const ingest = await createApiKey(h.db, { tenantId: t.id, name: 'i', scopes: ['ingest'] });
      const ok = await v.verify(ingest.key, 'ingest');
      expect(ok).toMatchObject({ ok: true, principal: { tenantId: t.id, tenantSlug: 'keys', scopes: ['ingest'] } });
      expect(await v.verify(ingest.key, 'read')).toMatchObject({ ok: false, status: 403, code: 'insufficient_scope' });
      expect(await v.verify(`${ingest.key.slice(0, -1)}Z`, 'ingest')).toMatchObject({ ok: false, status: 401, code: 'invalid_api_key' });
      expect(await v.verify('Bearer nonsense', 'ingest')).toMatchObject({ ok: false, code: 'invalid_api_key' });
      expect(await v.verify(null, 'ingest')).toMatchObject({ ok: false, code: 'missing_api_key' });

      await revokeApiKey(h.db, t.id, ingest.apiKey.prefix);
      // Cached for a minute in this verifier, but a revocation in this process drops the entry.
      v.forget(ingest.apiKey.prefix);
      expect(await v.verify(ingest.key, 'ingest')).toMatchObject({ ok: false, status: 401, code: 'revoked_api_key' });

      const soon = await createApiKey(h.db, { tenantId: t.id, name: 'e', scopes: ['read'], expiresAt: new Date(Date.now() + 300) });
      await new Promise((r) => setTimeout(r, 400));
      expect(await v.verify(soon.key, 'read')).toMatchObject({ ok: false, status: 401, code: 'expired_api_key' });
      expect(await code(createApiKey(h.db, { tenantId: t.id, name: 'past', scopes: ['read'], expiresAt: new Date(Date.now() - 1) }))).toBe('invalid_expiry');
    });

    it("never revokes another tenant's key", async () => {
      const a = await createTenant(h.db, { name: 'Tenant A' });
      const b = await createTenant(h.db, { name: 'Tenant B' });
      const keyB = await createApiKey(h.db, { tenantId: b.id, name: 'b', scopes: ['ingest'] });
      expect(await code(revokeApiKey(h.db, a.id, keyB.apiKey.id))).toBe('not_found');
      expect(await code(revokeApiKey(h.db, a.id, keyB.apiKey.prefix))).toBe('not_found');
      expect((await listApiKeys(h.db, a.id)).map((k) => k.id)).not.toContain(keyB.apiKey.id);
      expect((await listApiKeys(h.db, b.id))[0]?.revokedAt).toBeNull();
    });

    it('writes last use in one batch per flush, not per request', async () => {
      const t = await createTenant(h.db, { name: 'Usage' });
      const k = await createApiKey(h.db, { tenantId: t.id, name: 'u', scopes: ['ingest'] });
      const v = new ApiKeyVerifier(h.db);
      for (let i = 0; i < 20; i++) await v.verify(k.key, 'ingest');
      expect((await listApiKeys(h.db, t.id))[0]?.lastUsedAt).toBeNull();
      await v.flush();
      expect((await listApiKeys(h.db, t.id))[0]?.lastUsedAt).toBeInstanceOf(Date);
    });
  });
});
