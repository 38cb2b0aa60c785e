import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('defaults to embedded mode on 127.0.0.1:3000', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', embedded: true, role: 'all', signup: 'invite' });
    expect(c.sessionTtlMs).toBe(7 * 86_400_000);
    expect(c.publicUrl).toBe('http://localhost:3000');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).embedded).toBe(true);
  });

  it('names the variable, the problem and an example for each bad value', () => {
    const p = problems({ PORT: 'eighty', DATABASE_URL: 'mysql://x', OBSTACK_SIGNUP: 'everyone', KAFKA_BROKERS: 'localhost' });
    expect(p).toHaveLength(4);
    expect(p).toContain('PORT="eighty" must be a whole number (example: PORT=3000)');
    expect(p.find((x) => x.startsWith('DATABASE_URL='))).toBe(
      'DATABASE_URL=(hidden) must be a URL starting with postgres:// or postgresql:// (example: DATABASE_URL=postgres://obstack:obstack@127.0.0.1:5432/obstack)',
    );
    expect(p.find((x) => x.startsWith('OBSTACK_SIGNUP'))).toContain('must be invite or open');
    expect(p.find((x) => x.startsWith('KAFKA_BROKERS'))).toContain('each broker must be host:port');
  });

  it('never echoes a secret in an error', () => {
    const p = problems({ OBSTACK_SECRET: 'short-secret-value' });
    expect(p[0]).toContain('OBSTACK_SECRET=(hidden) must be at least 32 characters');
    expect(p.join()).not.toContain('short-secret-value');
  });

  it('requires OBSTACK_SECRET with DATABASE_URL, and admin e-mail and password together', () => {
    expect(problems({ DATABASE_URL: 'postgres://a@b/c' })[0]).toContain('OBSTACK_SECRET is required with DATABASE_URL');
    expect(problems({ OBSTACK_ADMIN_EMAIL: 'a@b.io' })[0]).toContain('OBSTACK_ADMIN_EMAIL and OBSTACK_ADMIN_PASSWORD go together');
  });

  it('keeps Kafka trace affinity off unless asked, and names a bad value', () => {
    expect(loadConfig({}).kafkaTraceAffinity).toBe(false);
    expect(loadConfig({ OBSTACK_KAFKA_TRACE_AFFINITY: 'true' }).kafkaTraceAffinity).toBe(true);
    expect(problems({ OBSTACK_KAFKA_TRACE_AFFINITY: 'sometimes' })[0]).toContain('OBSTACK_KAFKA_TRACE_AFFINITY="sometimes" must be true or false');
  });

  it('parses durations and rejects malformed ones', () => {
    expect(loadConfig({ OBSTACK_SESSION_TTL: '12h' }).sessionTtlMs).toBe(12 * 3_600_000);
    expect(loadConfig({ OBSTACK_SESSION_TTL: '90s' }).sessionTtlMs).toBe(90_000);
    expect(problems({ OBSTACK_SESSION_TTL: '12 hours' })[0]).toContain('must be a number followed by s, m, h or d');
  });

  it('validates the bootstrap key format', () => {
    expect(problems({ OBSTACK_BOOTSTRAP_API_KEY: 'abc' })[0]).toContain('must look like obs_');
    const key = `obs_abcd1234_${'x'.repeat(40)}`;
    expect(loadConfig({ OBSTACK_BOOTSTRAP_API_KEY: key }).bootstrapApiKey).toBe(key);
  });
});

describe('describeConfig', () => {
  it('lists every variable with secrets masked and URL passwords hidden', () => {
    const out = describeConfig({
      DATABASE_URL: 'postgres://obstack:hunter2@db:5432/obstack',
      OBSTACK_SECRET: 'x'.repeat(40),
      OBSTACK_ADMIN_EMAIL: 'a@b.io',
      OBSTACK_ADMIN_PASSWORD: 'a long password',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(out.DATABASE_URL).toBe('postgres://obstack:****@db:5432/obstack');
    expect(out.OBSTACK_SECRET).toBe('****');
    expect(out.OBSTACK_ADMIN_PASSWORD).toBe('****');
    expect(out.OBSTACK_ADMIN_EMAIL).toBe('a@b.io');
    expect(out.KAFKA_BROKERS).toBeNull();
    expect(out.mode).toBe('scaled');
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });
});
