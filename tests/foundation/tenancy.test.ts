import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, extractKey, visibleText } from '../support/client';
import { type Backend, type BackendEnv, type RunningObstack, freshBackend, runCli, startObstack } from '../support/obstack';
import { hasPostgres } from '../support/pg';

const PW = 'tenancy password 1';

/**
 * Two tenants side by side: nothing of one is reachable from a session or key of the
 * other; a viewer changes nothing; invites, open sign-up and tenant switching behave.
 */
describe.each<Backend>(['pglite', 'postgres'])('tenants on %s', (backend) => {
  describe.skipIf(backend === 'postgres' && !hasPostgres)('', () => {
    let store: BackendEnv;
    let app: RunningObstack;
    let alice: FormClient; // owner of "alpha"
    let bob: FormClient; // owner of "bravo"
    let keyA = '';
    let keyB = '';
    const ids: Record<string, string> = {};

    const cli = async (...args: string[]) => {
      const r = await runCli(args, app.env);
      if (r.code !== 0) throw new Error(`obstack ${args.join(' ')} failed: ${r.stderr}`);
      return r.json<Record<string, unknown> & { id: string }>();
    };

    beforeAll(async () => {
      store = await freshBackend(backend, { OBSTACK_SIGNUP: 'invite' });
      app = await startObstack(store.env);
      // The operator CLI sets up two organizations while the server runs.
      for (const [email, slug] of [
        ['alice@alpha.test', 'alpha'],
        ['bob@bravo.test', 'bravo'],
      ] as const) {
        const user = await cli('users', 'create', '--email', email, '--password', PW);
        ids[email] = user.id;
        ids[slug] = (await cli('tenants', 'create', '--name', slug.toUpperCase(), '--slug', slug, '--owner', email)).id;
      }
      keyA = String((await cli('keys', 'create', '--tenant', 'alpha', '--scopes', 'ingest,read', '--name', 'a')).key);
      keyB = String((await cli('keys', 'create', '--tenant', 'bravo', '--scopes', 'ingest,read', '--name', 'b')).key);
      alice = new FormClient(app.url);
      bob = new FormClient(app.url);
      expect((await alice.submit('/login', { email: 'alice@alpha.test', password: PW })).res.status).toBe(302);
      expect((await bob.submit('/login', { email: 'bob@bravo.test', password: PW })).res.status).toBe(302);
    });
    afterAll(async () => {
      await app?.stop();
      await store?.cleanup();
    });

    it("shows each owner only their own tenant's keys and members", async () => {
      const a = visibleText((await alice.get('/settings/api-keys')).html);
      expect(a).toContain(keyA.slice(0, 12));
      expect(a).not.toContain(keyB.slice(0, 12));
      const members = visibleText((await alice.get('/settings/members')).html);
      expect(members).toContain('alice@alpha.test');
      expect(members).not.toContain('bob@bravo.test');
      expect(visibleText((await bob.get('/settings')).html)).toContain('BRAVO');
    });

    it("cannot revoke, re-role or remove anything of the other tenant by id", async () => {
      const keysB = await runCli(['keys', 'list', '--tenant', 'bravo'], app.env);
      const keyBId = keysB.json<Array<{ id: string }>>()[0]?.id ?? '';
      const revoke = await alice.submit('/settings/api-keys', { intent: 'revoke', id: keyBId });
      expect(revoke.res.status).toBe(404);
      expect(visibleText(revoke.html)).toContain('API key not found');
      const role = await alice.submit('/settings/members', { intent: 'role', userId: ids['bob@bravo.test'] ?? '', role: 'viewer' });
      expect(role.res.status).toBe(404);
      const remove = await alice.submit('/settings/members', { intent: 'remove', userId: ids['bob@bravo.test'] ?? '' });
      expect(remove.res.status).toBe(404);
      // Still intact on Bob's side.
      expect((await fetch(`${app.url}/api/v1/health`, { headers: { Authorization: `Bearer ${keyB}` } })).status).toBe(200);
      expect(visibleText((await bob.get('/settings/members')).html)).toContain('owner');
    });

    it('refuses a switch into a tenant the user does not belong to', async () => {
      const r = await alice.submit('/tenants/switch', { tenantId: ids.bravo ?? '', redirectTo: '/settings' }, { page: '/' });
      expect(r.res.status).toBe(403);
      expect(visibleText((await alice.get('/settings')).html)).toContain('ALPHA');
    });

    it('lets a viewer read but not change anything', async () => {
      const invite = await alice.submit('/settings/members', { intent: 'invite', email: 'victor@alpha.test', role: 'viewer' });
      expect(invite.res.status).toBe(200);
      const link = /https?:\/\/[^\s"<]+\/invite\/[A-Za-z0-9_-]+/.exec(visibleText(invite.html))?.[0] ?? '';
      expect(link).toContain('/invite/');
      const victor = new FormClient(app.url);
      const path = new URL(link).pathname;
      expect(visibleText((await victor.get(path)).html)).toContain('Join ALPHA');
      const joined = await victor.submit(path, { name: 'Victor', password: PW });
      expect(joined.res.status).toBe(302);
      expect(visibleText((await victor.get('/settings/members')).html)).toContain('victor@alpha.test');

      const attempts: Array<[string, Record<string, string>]> = [
        ['/settings', { name: 'Viewer was here' }],
        ['/settings/members', { intent: 'invite', email: 'x@alpha.test', role: 'member' }],
        ['/settings/members', { intent: 'role', userId: ids['alice@alpha.test'] ?? '', role: 'viewer' }],
        ['/settings/members', { intent: 'remove', userId: ids['alice@alpha.test'] ?? '' }],
        ['/settings/api-keys', { intent: 'create', name: 'sneaky', scopes: 'admin' }],
      ];
      for (const [action, fields] of attempts) {
        const r = await victor.submit(action, fields, { page: '/settings/members' });
        expect(r.res.status, `${action} ${fields.intent ?? ''}`).toBe(403);
        expect(visibleText(r.html)).toContain('This needs the admin role; you are viewer in ALPHA');
      }
      expect((await victor.get('/settings/api-keys')).res.status).toBe(403);
      expect(visibleText((await alice.get('/settings')).html)).not.toContain('Viewer was here');
      // Audit entries are per tenant: Alpha's invite shows in Alpha's log only.
      expect(visibleText((await alice.get('/settings/audit')).html)).toContain('victor@alpha.test');
      expect(visibleText((await bob.get('/settings/audit')).html)).not.toContain('victor@alpha.test');
      // The invite link is spent.
      const again = await new FormClient(app.url).get(path);
      expect(visibleText(again.html)).toContain('This invite has already been used.');
    });

    it('lets a member of two tenants switch between them', async () => {
      const invite = await bob.submit('/settings/members', { intent: 'invite', email: 'alice@alpha.test', role: 'admin' });
      const path = new URL(/https?:\/\/[^\s"<]+\/invite\/[A-Za-z0-9_-]+/.exec(visibleText(invite.html))?.[0] ?? 'http://x/').pathname;
      const accept = await alice.submit(path, { intent: 'accept' });
      expect(accept.res.status).toBe(302);
      // Accepting switches her session to the new tenant.
      expect(visibleText((await alice.get('/settings')).html)).toContain('BRAVO');
      expect(visibleText((await alice.get('/settings/api-keys')).html)).toContain(keyB.slice(0, 12));
      await alice.submit('/tenants/switch', { tenantId: ids.alpha ?? '', redirectTo: '/settings' }, { page: '/' });
      const back = visibleText((await alice.get('/settings/api-keys')).html);
      expect(back).toContain(keyA.slice(0, 12));
      expect(back).not.toContain(keyB.slice(0, 12));
    });

    it('lets an owner create another tenant, which starts empty', async () => {
      const r = await bob.submit('/tenants/new', { name: 'Bravo Staging' });
      expect(r.res.status).toBe(302);
      const page = visibleText((await bob.get('/settings/api-keys')).html);
      expect(page).toContain('No API keys yet');
      expect(visibleText((await bob.get('/settings')).html)).toContain('bravo-staging');
    });

    it('keeps sign-up closed in invite mode', async () => {
      const c = new FormClient(app.url);
      expect(visibleText((await c.get('/register')).html)).toContain('Sign-up is by invitation');
      const r = await c.submit('/register', { email: 'eve@evil.test', password: PW }, { page: '/login' });
      expect(r.res.status).toBe(403);
      const users = await runCli(['users', 'list'], app.env);
      expect(users.stdout).not.toContain('eve@evil.test');
    });
  });
});

describe('open sign-up', () => {
  let store: BackendEnv;
  let app: RunningObstack;
  beforeAll(async () => {
    store = await freshBackend('pglite', {
      OBSTACK_SIGNUP: 'open',
      OBSTACK_ADMIN_EMAIL: 'admin@open.test',
      OBSTACK_ADMIN_PASSWORD: PW,
    });
    app = await startObstack(store.env);
  });
  afterAll(async () => {
    await app?.stop();
    await store?.cleanup();
  });

  it('gives each new user a tenant of their own, isolated from the first one', async () => {
    const eve = new FormClient(app.url);
    const r = await eve.submit('/register', { name: 'Eve', email: 'eve@open.test', password: PW, tenantName: 'Eve Labs' });
    expect(r.res.status).toBe(302);
    const settings = visibleText((await eve.get('/settings')).html);
    expect(settings).toContain('Eve Labs');
    expect(settings).toContain('owner');
    const created = await eve.submit('/settings/api-keys', { intent: 'create', name: 'eve', scopes: 'ingest' });
    const key = extractKey(created.html);
    const admin = new FormClient(app.url);
    await admin.submit('/login', { email: 'admin@open.test', password: PW });
    expect(visibleText((await admin.get('/settings/api-keys')).html)).not.toContain(key.slice(0, 12));
    expect(visibleText((await admin.get('/settings/members')).html)).not.toContain('eve@open.test');
    const dup = await new FormClient(app.url).submit('/register', { email: 'EVE@open.test', password: PW });
    expect(dup.res.status).toBe(409);
    expect(visibleText(dup.html)).toContain('An account with this e-mail already exists');
  });
});
