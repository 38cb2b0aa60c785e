import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/client';
import { type Backend, type BackendEnv, type RunningObstack, freePort, freshBackend, runCli, startObstack } from '../support/obstack';
import { hasKafka, hasPostgres, hasRedis } from '../support/pg';

interface KeyOut {
  id: string;
  prefix: string;
  key?: string;
  scopes: string[];
  revokedAt: string | null;
}

describe.each<Backend>(['pglite', 'postgres'])('operator CLI on %s', (backend) => {
  describe.skipIf(backend === 'postgres' && !hasPostgres)('', () => {
    let store: BackendEnv;
    beforeAll(async () => {
      store = await freshBackend(backend);
    });
    afterAll(async () => store?.cleanup());

    it('manages tenants, users and keys with the server stopped, printing JSON', async () => {
      const t = await runCli(['tenants', 'create', '--name', 'Acme Corp', '--plan', 'saas'], store.env);
      expect(t.code).toBe(0);
      expect(t.json()).toMatchObject({ name: 'Acme Corp', slug: 'acme-corp', plan: 'saas', isActive: true });
      const u = await runCli(['users', 'create', '--email', 'Ops@Acme.io', '--password-stdin', '--tenant', 'acme-corp', '--role', 'admin'], store.env, 'from stdin pw\n');
      expect(u.code).toBe(0);
      const user = u.json<Record<string, unknown>>();
      expect(user).toMatchObject({ email: 'ops@acme.io', tenant: 'acme-corp', role: 'admin' });
      expect(user).not.toHaveProperty('passwordHash');
      const k = await runCli(['keys', 'create', '--tenant', 'acme-corp', '--scopes', 'ingest,read', '--name', 'collector'], store.env);
      const key = k.json<KeyOut>();
      expect(key.key).toMatch(/^obs_[a-z0-9]{8}_[A-Za-z0-9]{40}$/);
      expect(key.scopes).toEqual(['ingest', 'read']);
      const list = (await runCli(['keys', 'list', '--tenant', 'acme-corp'], store.env)).json<KeyOut[]>();
      expect(list).toHaveLength(1);
      expect(JSON.stringify(list)).not.toContain(key.key);
      const revoked = await runCli(['keys', 'revoke', '--tenant', 'acme-corp', key.prefix], store.env);
      expect(revoked.json<KeyOut>().revokedAt).not.toBeNull();
      expect((await runCli(['tenants', 'list'], store.env)).json<unknown[]>()).toHaveLength(1);
      expect((await runCli(['users', 'list'], store.env)).json<Array<{ email: string }>>().map((x) => x.email)).toEqual(['ops@acme.io']);
    });

    it('explains bad usage and bad input without a stack trace', async () => {
      const unknown = await runCli(['frobnicate'], store.env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('unknown command "frobnicate"');
      expect(unknown.stderr).toContain('obstack <command>');
      const missing = await runCli(['keys', 'create', '--scopes', 'ingest'], store.env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--tenant is required');
      const scope = await runCli(['keys', 'create', '--tenant', 'acme-corp', '--scopes', 'write'], store.env);
      expect(scope.code).toBe(1);
      expect(JSON.parse(scope.stderr)).toEqual({ error: { code: 'invalid_input', message: 'Scopes must be among ingest, read, admin' } });
      const noTenant = await runCli(['keys', 'list', '--tenant', 'nope'], store.env);
      expect(JSON.parse(noTenant.stderr)).toEqual({ error: { code: 'not_found', message: 'No tenant with slug "nope"' } });
      const weak = await runCli(['users', 'create', '--email', 'x@acme.io', '--password', 'short'], store.env);
      expect(JSON.parse(weak.stderr).error.message).toBe('Password must be at least 10 characters');
      const flag = await runCli(['tenants', 'list', '--bogus'], store.env);
      expect(flag.code).toBe(2);
      for (const r of [unknown, missing, scope, noTenant, weak, flag]) expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it('runs inside the running server, and a key revoked from the CLI stops working at once', async () => {
      const app = await startObstack(store.env);
      try {
        const k = (await runCli(['keys', 'create', '--tenant', 'acme-corp', '--scopes', 'read'], store.env)).json<KeyOut>();
        const auth = { headers: { Authorization: `Bearer ${k.key}` } };
        expect((await fetch(`${app.url}/api/v1/health`, auth)).status).toBe(200);
        const r = await runCli(['keys', 'revoke', '--tenant', 'acme-corp', k.id], store.env);
        expect(r.code).toBe(0);
        const after = await fetch(`${app.url}/api/v1/health`, auth);
        if (backend === 'pglite') {
          // Embedded: the command ran in the server, which dropped its cache entry.
          expect(after.status).toBe(401);
        } else {
          // Another process revoked it: honoured once the server's short key cache expires.
          await new Promise((res) => setTimeout(res, 5_200));
          expect((await fetch(`${app.url}/api/v1/health`, auth)).status).toBe(401);
        }
      } finally {
        expect(await app.stop()).toBe(0);
      }
    });
  });
});

describe('configuration errors', () => {
  it('stops with the variable, the problem and an example; prints config with secrets masked', async () => {
    const bad = await runCli(['start'], { PORT: 'abc', DATABASE_URL: 'mysql://root:pw@db/x' });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('PORT="abc" must be a whole number (example: PORT=3000)');
    expect(bad.stderr).toContain('DATABASE_URL=(hidden) must be a URL starting with postgres://');
    expect(bad.stderr).not.toContain('pw@db');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const cfg = await runCli(['config'], { DATABASE_URL: 'postgres://u:sekret@db/x', OBSTACK_SECRET: 's'.repeat(40), OBSTACK_SIGNUP: 'open' });
    expect(cfg.code).toBe(0);
    const shown = cfg.json<Record<string, string | null>>();
    expect(shown).toMatchObject({ DATABASE_URL: 'postgres://u:****@db/x', OBSTACK_SECRET: '****', OBSTACK_SIGNUP: 'open', mode: 'scaled' });
    expect(cfg.stdout).not.toContain('sekret');
  });
});

describe('process lifecycle (embedded)', () => {
  let store: BackendEnv;
  let app: RunningObstack;
  beforeAll(async () => {
    store = await freshBackend('pglite', { OBSTACK_ADMIN_EMAIL: 'ops@example.test', OBSTACK_ADMIN_PASSWORD: 'lifecycle password' });
    app = await startObstack(store.env);
  });
  afterAll(async () => {
    await app?.stop();
    await store?.cleanup();
  });

  it('refuses a second server on the same data directory', async () => {
    await expect(startObstack(store.env)).rejects.toThrow(/already running with this data directory/);
  });

  it('finishes a request that is in flight at SIGTERM, then exits 0', async () => {
    const c = new FormClient(app.url);
    const token = await c.csrf();
    const body = new URLSearchParams({ csrf: token, email: 'ops@example.test', password: 'lifecycle password' }).toString();
    // Send the headers and half the body, signal, then send the rest: the sign-in must still complete.
    const answer = new Promise<{ status: number; location: string | undefined }>((ok, fail) => {
      const req = request(`${app.url}/login`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          Cookie: c.cookieHeader(),
          Origin: app.url,
        },
      });
      req.on('response', (res) => {
        res.resume();
        ok({ status: res.statusCode ?? 0, location: res.headers.location });
      });
      req.on('error', fail);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        app.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 500);
      }, 200);
    });
    const res = await answer;
    expect(res).toEqual({ status: 302, location: '/' });
    const code = await new Promise<number | null>((ok) => (app.proc.exitCode !== null ? ok(app.proc.exitCode) : app.proc.once('exit', ok)));
    expect(code).toBe(0);
    expect(app.output()).not.toMatch(/Error/);
  });
});

describe.skipIf(!hasPostgres)('several processes on one PostgreSQL', () => {
  let store: BackendEnv;
  afterAll(async () => store?.cleanup());

  it('migrates once when processes start together on an empty database', async () => {
    store = await freshBackend('postgres');
    const apps = await Promise.all([startObstack(store.env), startObstack(store.env), startObstack(store.env)]);
    for (const a of apps) expect((await fetch(`${a.url}/health`)).status).toBe(200);
    const sql = postgres(store.env.DATABASE_URL ?? '', { max: 1, onnotice: () => {} });
    const [row] = await sql<[{ n: number }]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    await sql.end();
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(new URL('../../db/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql'));
    expect(row?.n).toBe(files.length);
    for (const a of apps) expect(await a.stop()).toBe(0);
  });
});

describe('roles', () => {
  it('refuses --role web without PostgreSQL and Redis, saying why', async () => {
    const store = await freshBackend('pglite');
    const r = await runCli(['start', '--role', 'web'], { ...store.env, PORT: String(await freePort()) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('needs DATABASE_URL and REDIS_URL');
    await store.cleanup();
  });

  describe.skipIf(!hasPostgres || !hasRedis)('web and worker apart', () => {
    let store: BackendEnv;
    let web: RunningObstack;
    let worker: RunningObstack;
    beforeAll(async () => {
      store = await freshBackend('postgres', {
        REDIS_URL: process.env.REDIS_URL ?? '',
        OBSTACK_ADMIN_EMAIL: 'ops@example.test',
        OBSTACK_ADMIN_PASSWORD: 'roles password 1',
      });
      worker = await startObstack(store.env, ['--role', 'worker']);
      web = await startObstack(store.env, ['--role', 'web']);
    });
    afterAll(async () => {
      await web?.stop();
      await worker?.stop();
      await store?.cleanup();
    });

    it('serves the UI from web and only health from worker; both report BullMQ', async () => {
      const c = new FormClient(web.url);
      expect((await c.submit('/login', { email: 'ops@example.test', password: 'roles password 1' })).res.status).toBe(302);
      const health = await c.request('/api/v1/health');
      const report = (await health.json()) as { components: Record<string, { status: string; detail?: string }> };
      expect(report.components.queue?.detail).toMatch(/^bullmq/);
      expect(report.components.redis?.status).toBe('ok');
      expect((await fetch(`${worker.url}/health`)).status).toBe(200);
      expect((await fetch(`${worker.url}/login`)).status).toBe(404);
    });
  });
});

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

describe.skipIf(!hasPostgres || !hasRedis || !hasKafka)('health of the scaled components', () => {
  let store: BackendEnv;
  let app: RunningObstack;
  let redis: ChildProcess;
  let key = '';
  beforeAll(async () => {
    // A Redis of our own, so that stopping it hurts nobody else.
    const port = await freePort();
    redis = startRedis(port);
    await new Promise((r) => setTimeout(r, 500));
    store = await freshBackend('postgres', {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      OBSTACK_ADMIN_EMAIL: 'ops@example.test',
      OBSTACK_ADMIN_PASSWORD: 'health password 1',
      OBSTACK_BOOTSTRAP_API_KEY: `obs_hea1th00_${'H'.repeat(40)}`,
    });
    key = store.env.OBSTACK_BOOTSTRAP_API_KEY ?? '';
    app = await startObstack(store.env);
  });
  afterAll(async () => {
    await app?.stop();
    redis?.kill();
    await store?.cleanup();
  });

  it('reports database, queue, Redis and Kafka, and answers 503 when a required one goes down', async () => {
    const auth = { headers: { Authorization: `Bearer ${key}` } };
    const ok = await fetch(`${app.url}/api/v1/health`, auth);
    const report = (await ok.json()) as { status: string; mode: string; components: Record<string, { status: string; detail?: string }> };
    expect(ok.status).toBe(200);
    expect(report.mode).toBe('scaled');
    expect(Object.keys(report.components).sort()).toEqual(['bus', 'database', 'kafka', 'queue', 'redis', 'store']);
    expect(report.components.bus?.detail).toMatch(/^kafka/);
    expect(report.components.kafka).toMatchObject({ status: 'ok', detail: '1 broker(s)' });
    redis.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const down = await fetch(`${app.url}/api/v1/health`, auth);
    expect(down.status).toBe(503);
    const body = (await down.json()) as typeof report;
    expect(body.status).toBe('down');
    expect(body.components.redis?.status).toBe('down');
    expect(body.components.database?.status).toBe('ok');
    // Liveness is not readiness: the process still serves.
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });
});
