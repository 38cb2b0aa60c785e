import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, extractKey, visibleText } from '../support/client';
import { type Backend, type BackendEnv, type RunningObstack, freshBackend, runCli, startObstack } from '../support/obstack';
import { hasPostgres } from '../support/pg';

/**
 * The first-run flow a user goes through, on both databases: setup page, sign-in,
 * API keys created, listed, used and revoked, and everything still there after a restart.
 */
describe.each<Backend>(['pglite', 'postgres'])('first run and API keys on %s', (backend) => {
  describe.skipIf(backend === 'postgres' && !hasPostgres)('', () => {
    let store: BackendEnv;
    let app: RunningObstack;
    const browser = () => new FormClient(app.url);
    let admin: FormClient;
    let setupKey = '';

    beforeAll(async () => {
      store = await freshBackend(backend);
      app = await startObstack(store.env);
    });
    afterAll(async () => {
      await app?.stop();
      await store?.cleanup();
    });

    it('sends a fresh install to the first-run page', async () => {
      const { url, html } = await browser().get('/');
      expect(url).toBe('/setup');
      expect(visibleText(html)).toContain('Welcome to Obstack');
    });

    it('refuses bad setup input with a message and creates nothing', async () => {
      const c = browser();
      const short = await c.submit('/setup', { tenantName: 'Acme', email: 'ada@acme.test', password: 'short' });
      expect(short.res.status).toBe(400);
      expect(visibleText(short.html)).toContain('Password must be at least 10 characters');
      const badEmail = await c.submit('/setup', { tenantName: 'Acme', email: 'not-an-email', password: 'long enough pass' });
      expect(badEmail.res.status).toBe(400);
      expect(visibleText(badEmail.html)).toContain('Enter a valid e-mail address');
      const noTenant = await c.submit('/setup', { tenantName: '', email: 'ada@acme.test', password: 'long enough pass' });
      expect(noTenant.res.status).toBe(400);
      expect(visibleText(noTenant.html)).toContain('Name is required');
      // Still nobody: the first-run page is still what a visitor gets.
      expect((await browser().get('/')).url).toBe('/setup');
      const users = await runCli(['users', 'list'], app.env);
      expect(users.json()).toEqual([]);
    });

    it('creates the admin, tenant and an ingest key, shown once', async () => {
      admin = browser();
      const r = await admin.submit('/setup', {
        tenantName: 'Acme Inc',
        name: 'Ada',
        email: 'Ada@Acme.test',
        password: 'correct horse battery',
      });
      expect(r.res.status).toBe(302);
      expect(r.location).toBe('/welcome');
      expect(admin.cookies.has('obs_session')).toBe(true);
      const welcome = await admin.get('/welcome');
      expect(welcome.url).toBe('/welcome');
      setupKey = extractKey(welcome.html);
      // Shown once: a second visit has nothing to show and goes home.
      expect((await admin.get('/welcome')).url).toBe('/');
      const home = await admin.get('/');
      expect(home.url).toBe('/');
      expect(visibleText(home.html)).toContain('Acme Inc');
      // The setup page is gone for good.
      expect((await browser().get('/setup')).url).toBe('/login');
    });

    it('answers /api/v1/health for the key, by Bearer or X-API-Key', async () => {
      const bearer = await fetch(`${app.url}/api/v1/health`, { headers: { Authorization: `Bearer ${setupKey}` } });
      expect(bearer.status).toBe(200);
      const body = (await bearer.json()) as { status: string; components: Record<string, { status: string }> };
      expect(body.status).toBe('ok');
      expect(body.components.database?.status).toBe('ok');
      expect(body.components.queue?.status).toBe('ok');
      const header = await fetch(`${app.url}/api/v1/health`, { headers: { 'X-API-Key': setupKey } });
      expect(header.status).toBe(200);
      const none = await fetch(`${app.url}/api/v1/health`);
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ error: { code: 'unauthenticated' } });
      const wrong = await fetch(`${app.url}/api/v1/health`, { headers: { Authorization: `Bearer ${setupKey.slice(0, -4)}zzzz` } });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    });

    let createdKey = '';
    it('creates a key in Settings, shows the secret once and lists only its prefix', async () => {
      const r = await admin.submit('/settings/api-keys', { intent: 'create', name: 'checkout prod', scopes: ['ingest', 'read'], expiresInDays: '90' });
      expect(r.res.status).toBe(200);
      createdKey = extractKey(r.html);
      const list = await admin.get('/settings/api-keys');
      const text = visibleText(list.html);
      expect(text).toContain('checkout prod');
      expect(text).toContain(createdKey.slice(0, 12));
      expect(list.html).not.toContain(createdKey);
      expect(list.html).not.toContain(setupKey);
      const ok = await fetch(`${app.url}/api/v1/health`, { headers: { Authorization: `Bearer ${createdKey}` } });
      expect(ok.status).toBe(200);
    });

    it('refuses a key without scopes, naming the problem', async () => {
      const r = await admin.submit('/settings/api-keys', { intent: 'create', name: 'no scopes' });
      expect(r.res.status).toBe(400);
      expect(visibleText(r.html)).toContain('Pick at least one scope');
    });

    it('revokes a key: it gets 401 at once', async () => {
      const list = await admin.get('/settings/api-keys');
      const prefix = createdKey.slice(0, 12);
      const row = new RegExp(`${prefix}[\\s\\S]*?name="id" value="([0-9a-f-]{36})"`).exec(list.html);
      expect(row?.[1]).toBeTruthy();
      const r = await admin.submit('/settings/api-keys', { intent: 'revoke', id: row?.[1] ?? '' });
      expect(r.res.status).toBe(200);
      expect(visibleText(r.html)).toContain(`Key ${prefix} revoked`);
      const res = await fetch(`${app.url}/api/v1/health`, { headers: { Authorization: `Bearer ${createdKey}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'revoked_api_key', message: 'This API key has been revoked' } });
    });

    it('keeps users, keys and revocations across a restart, and records last use', async () => {
      expect(await app.stop()).toBe(0);
      app = await startObstack(store.env);
      const again = new FormClient(app.url);
      const login = await again.submit('/login', { email: 'ada@acme.test', password: 'correct horse battery' });
      expect(login.res.status).toBe(302);
      expect((await again.get('/')).url).toBe('/');
      expect((await fetch(`${app.url}/api/v1/health`, { headers: { Authorization: `Bearer ${setupKey}` } })).status).toBe(200);
      expect((await fetch(`${app.url}/api/v1/health`, { headers: { Authorization: `Bearer ${createdKey}` } })).status).toBe(401);
      // last_used_at is batched in memory and written at shutdown at the latest.
      const keys = await runCli(['keys', 'list', '--tenant', 'acme-inc'], app.env);
      const listed = keys.json<Array<{ prefix: string; lastUsedAt: string | null; revokedAt: string | null }>>();
      expect(listed.find((k) => k.prefix === setupKey.slice(0, 12))?.lastUsedAt).not.toBeNull();
      expect(listed.find((k) => k.prefix === createdKey.slice(0, 12))?.revokedAt).not.toBeNull();
    });
  });
});
