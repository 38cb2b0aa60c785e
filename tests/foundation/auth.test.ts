import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient, visibleText } from '../support/client';
import { type Backend, type BackendEnv, type RunningObstack, freshBackend, startObstack } from '../support/obstack';
import { hasPostgres, hasRedis } from '../support/pg';

const ADMIN = { email: 'root@example.test', password: 'an adequate password' };

/**
 * Sign-in and the protections around it: what bad input gets, rate limits, CSRF,
 * cookie attributes, session rotation and expiry.
 */
describe.each<Backend>(['pglite', 'postgres'])('sign-in and sessions on %s', (backend) => {
  describe.skipIf(backend === 'postgres' && !hasPostgres)('', () => {
    let store: BackendEnv;
    let app: RunningObstack;

    beforeAll(async () => {
      store = await freshBackend(backend, {
        OBSTACK_ADMIN_EMAIL: ADMIN.email,
        OBSTACK_ADMIN_PASSWORD: ADMIN.password,
        OBSTACK_TENANT_NAME: 'Example',
        OBSTACK_LOGIN_MAX_ATTEMPTS: '3',
        OBSTACK_TRUST_PROXY: 'true',
      });
      app = await startObstack(store.env);
    });
    afterAll(async () => {
      await app?.stop();
      if (process.env.DEBUG_OUT) console.log(app?.output());
      await store?.cleanup();
    });

    it('bootstraps the admin from the environment: no first-run page', async () => {
      const c = new FormClient(app.url);
      expect((await c.get('/')).url).toBe('/login');
      const r = await c.submit('/login', ADMIN);
      expect(r.res.status).toBe(302);
      expect(r.location).toBe('/');
    });

    it('says "Wrong e-mail or password." for a wrong password and for an unknown e-mail alike', async () => {
      const c = new FormClient(app.url, { 'X-Forwarded-For': '10.0.0.1' });
      const wrong = await c.submit('/login', { email: ADMIN.email, password: 'not the password' });
      expect(wrong.res.status).toBe(401);
      expect(visibleText(wrong.html)).toContain('Wrong e-mail or password.');
      const unknown = await c.submit('/login', { email: 'nobody@example.test', password: 'whatever it is' });
      expect(unknown.res.status).toBe(401);
      expect(visibleText(unknown.html)).toContain('Wrong e-mail or password.');
      expect(c.cookies.has('obs_session')).toBe(false);
    });

    it('answers malformed forms with a 4xx and a message, never a stack trace', async () => {
      const c = new FormClient(app.url, { 'X-Forwarded-For': '10.0.0.2' });
      const missing = await c.submit('/login', {});
      expect(missing.res.status).toBe(400);
      expect(visibleText(missing.html)).toContain('E-mail is required');
      const badEmail = await c.submit('/login', { email: 'x@', password: 'p' });
      expect(badEmail.res.status).toBe(400);
      expect(visibleText(badEmail.html)).toContain('Enter a valid e-mail address');

      const json = await c.request('/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: app.url },
        body: JSON.stringify(ADMIN),
      });
      expect(json.status).toBe(415);
      const huge = await c.request('/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: app.url },
        body: `email=${'a'.repeat(200_000)}`,
      });
      expect(huge.status).toBe(413);
      const garbage = await c.request('/login', {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data; boundary=nope', Origin: app.url },
        body: 'this is not multipart',
      });
      expect(garbage.status).toBeGreaterThanOrEqual(400);
      expect(garbage.status).toBeLessThan(500);
      for (const r of [json, huge, garbage]) {
        const text = await r.text();
        expect(text).not.toMatch(/at .*\.(js|ts):\d+/);
      }
    });

    it('limits failed sign-ins per e-mail with a clear message, also for the right password', async () => {
      const victim = 'limited@example.test';
      for (let i = 0; i < 3; i++) {
        const c = new FormClient(app.url, { 'X-Forwarded-For': `10.1.0.${i}` });
        const r = await c.submit('/login', { email: victim, password: `guess number ${i}` });
        expect(r.res.status).toBe(401);
      }
      const c = new FormClient(app.url, { 'X-Forwarded-For': '10.1.0.99' });
      const blocked = await c.submit('/login', { email: victim, password: 'guess again' });
      expect(blocked.res.status).toBe(429);
      expect(visibleText(blocked.html)).toMatch(/Too many sign-in attempts\. Try again in \d+ minutes?\./);
      // Other accounts are not affected by one address being attacked.
      const admin = await new FormClient(app.url, { 'X-Forwarded-For': '10.1.0.98' }).submit('/login', ADMIN);
      expect(admin.res.status).toBe(302);
    });

    it('limits failed sign-ins per client IP across e-mail addresses', async () => {
      const c = new FormClient(app.url, { 'X-Forwarded-For': '10.2.0.1' });
      let last = 0;
      for (let i = 0; i < 10; i++) {
        const r = await c.submit('/login', { email: `spray${i}@example.test`, password: 'password123' });
        last = r.res.status;
        if (last === 429) break;
      }
      expect(last).toBe(429);
    });

    it('refuses mutating forms without the CSRF token, with a wrong one, or from another site', async () => {
      const c = new FormClient(app.url, { 'X-Forwarded-For': '10.3.0.1' });
      expect((await c.submit('/login', ADMIN)).res.status).toBe(302);
      const none = await c.submit('/settings', { name: 'Hijacked' }, { csrf: null });
      expect(none.res.status).toBe(403);
      expect(none.html).toContain('security token');
      const wrong = await c.submit('/settings', { name: 'Hijacked' }, { csrf: 'A'.repeat(43) });
      expect(wrong.res.status).toBe(403);
      const token = await c.csrf('/settings');
      const cross = await c.submit('/settings', { name: 'Hijacked' }, { csrf: token, headers: { Origin: 'https://evil.example' } });
      expect(cross.res.status).toBe(403);
      const ok = await c.submit('/settings', { name: 'Renamed' }, { csrf: token });
      expect(ok.res.status).toBe(200);
      expect(visibleText((await c.get('/settings')).html)).toContain('Renamed');
      // Logout is a mutation too: a cross-site image tag can't sign anyone out.
      expect((await c.submit('/logout', {}, { csrf: null })).res.status).toBe(403);
    });

    it('sets HttpOnly SameSite=Lax session cookies, Secure over https, with a new id at each sign-in', async () => {
      const plain = new FormClient(app.url, { 'X-Forwarded-For': '10.4.0.1' });
      await plain.csrf();
      const r1 = await plain.submit('/login', ADMIN);
      const cookie = r1.res.headers.getSetCookie().find((c) => c.startsWith('obs_session='));
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(cookie).not.toMatch(/Secure/i);
      const first = plain.cookies.get('obs_session');
      const r2 = await plain.submit('/login', ADMIN);
      expect(r2.res.status).toBe(302);
      const second = plain.cookies.get('obs_session');
      expect(second).not.toBe(first);
      // The old id is dead: presenting it again gets the sign-in page.
      const stale = new FormClient(app.url);
      stale.cookies.set('obs_session', first ?? '');
      expect((await stale.get('/settings')).url).toMatch(/^\/login\?redirectTo=%2Fsettings&reason=ended/);

      const https = new FormClient(app.url, { 'X-Forwarded-For': '10.4.0.2', 'X-Forwarded-Proto': 'https' });
      const token = await https.csrf();
      const r3 = await https.request('/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: app.url.replace('http:', 'https:') },
        body: new URLSearchParams({ ...ADMIN, csrf: token }),
      });
      expect(r3.status).toBe(302);
      expect(r3.headers.getSetCookie().find((c) => c.startsWith('obs_session='))).toMatch(/Secure/);
    });

    it('signs out: the session no longer works', async () => {
      const c = new FormClient(app.url, { 'X-Forwarded-For': '10.5.0.1' });
      await c.submit('/login', ADMIN);
      const before = c.cookies.get('obs_session');
      const out = await c.submit('/logout', {}, { page: '/' });
      expect(out.res.status).toBe(302);
      expect(out.location).toBe('/login');
      const replay = new FormClient(app.url);
      replay.cookies.set('obs_session', before ?? '');
      expect((await replay.get('/')).url).toMatch(/^\/login/);
    });
  });
});

describe.each<Backend>(['pglite', 'postgres'])('session expiry on %s', (backend) => {
  describe.skipIf(backend === 'postgres' && !hasPostgres)('', () => {
    let store: BackendEnv;
    let app: RunningObstack;
    beforeAll(async () => {
      store = await freshBackend(backend, {
        OBSTACK_ADMIN_EMAIL: ADMIN.email,
        OBSTACK_ADMIN_PASSWORD: ADMIN.password,
        OBSTACK_SESSION_TTL: '2s',
      });
      app = await startObstack(store.env);
    });
    afterAll(async () => {
      await app?.stop();
      await store?.cleanup();
    });

    it('sends an expired session back to sign-in with a message, and refuses it on the API', async () => {
      const c = new FormClient(app.url);
      expect((await c.submit('/login', ADMIN)).res.status).toBe(302);
      expect((await c.get('/settings/api-keys')).url).toBe('/settings/api-keys');
      await new Promise((r) => setTimeout(r, 2_500));
      const { url, html } = await c.get('/settings/api-keys');
      expect(url).toBe('/login?redirectTo=%2Fsettings%2Fapi-keys&reason=ended');
      expect(visibleText(html)).toContain('Your session has ended. Sign in again to continue.');
      const c2 = new FormClient(app.url);
      await c2.submit('/login', ADMIN);
      await new Promise((r) => setTimeout(r, 2_500));
      const api = await c2.request('/api/v1/health');
      expect(api.status).toBe(401);
      expect(await api.json()).toMatchObject({ error: { code: 'session_ended' } });
    });
  });
});

describe.skipIf(!hasRedis || !hasPostgres)('sign-in limits shared through Redis', () => {
  let store: BackendEnv;
  let a: RunningObstack;
  let b: RunningObstack;
  beforeAll(async () => {
    store = await freshBackend('postgres', {
      OBSTACK_ADMIN_EMAIL: ADMIN.email,
      OBSTACK_ADMIN_PASSWORD: ADMIN.password,
      OBSTACK_LOGIN_MAX_ATTEMPTS: '2',
      OBSTACK_TRUST_PROXY: 'true',
      REDIS_URL: process.env.REDIS_URL ?? '',
    });
    a = await startObstack(store.env);
    b = await startObstack(store.env);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await store?.cleanup();
  });

  it('counts attempts made on one process against the other', async () => {
    const email = `shared-${Date.now()}@example.test`;
    // A distinct client address per attempt: only the per-e-mail counter can trip.
    const from = (i: number) => ({ 'X-Forwarded-For': `10.9.${Date.now() % 250}.${i}` });
    expect((await new FormClient(a.url, from(1)).submit('/login', { email, password: 'wrong one 1' })).res.status).toBe(401);
    expect((await new FormClient(b.url, from(2)).submit('/login', { email, password: 'wrong one 2' })).res.status).toBe(401);
    const third = await new FormClient(a.url, from(3)).submit('/login', { email, password: 'wrong one 3' });
    expect(third.res.status).toBe(429);
  });
});
