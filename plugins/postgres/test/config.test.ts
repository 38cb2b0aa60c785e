import { describe, expect, it } from 'vitest';
import { isPluginError, prepareConfig } from '@obstack/plugin-api';
import { resolveConfig, splitDatabaseUrl } from '../src/config';
import { postgresPlugin } from '../src/index';
import { toPluginError } from '../src/errors';

describe('config', () => {
  it('applies defaults through the schema the host validates with', () => {
    const prepared = prepareConfig(postgresPlugin, { dataDir: '/var/lib/obstack/store' });
    expect(prepared).toEqual({ ok: true, config: { dataDir: '/var/lib/obstack/store', schema: 'obstack_store', retentionDays: 30, maxConnections: 10 }, secrets: {} });
  });

  it('hands the password over as a secret, never in config', () => {
    const prepared = prepareConfig(postgresPlugin, { url: 'postgres://obstack@db:5432/obstack', password: 'pw' });
    expect(prepared.ok && prepared.config).toEqual({ url: 'postgres://obstack@db:5432/obstack', schema: 'obstack_store', retentionDays: 30, maxConnections: 10 });
    expect(prepared.ok && prepared.secrets).toEqual({ password: 'pw' });
    expect(resolveConfig({ url: 'postgres://obstack@db:5432/obstack' }, { password: 'pw' }).target).toEqual({ kind: 'postgres', url: 'postgres://obstack@db:5432/obstack', password: 'pw' });
  });

  it.each([
    [{}, 'url'],
    [{ url: 'postgres://db/x', dataDir: '/d' }, 'url'],
    [{ url: 'postgres://u:p@db/x' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ dataDir: '/d', schema: 'x;drop' }, 'schema'],
    [{ dataDir: '/d', retentionDays: 0.5 }, 'retentionDays'],
    [{ dataDir: '/d', maxConnections: 1 }, 'maxConnections'],
  ])('refuses %j naming %s', (config, field) => {
    let error: unknown;
    try {
      resolveConfig(config);
    } catch (e) {
      error = e;
    }
    expect(isPluginError(error) && error.source === 'config' && error.field === field).toBe(true);
  });

  it('splits a DATABASE_URL into url and password secret', () => {
    expect(splitDatabaseUrl('postgres://obstack:p%40ss@127.0.0.1:55432/obstack')).toEqual({ url: 'postgres://obstack@127.0.0.1:55432/obstack', password: 'p@ss' });
    expect(splitDatabaseUrl('postgres://obstack@db/obstack')).toEqual({ url: 'postgres://obstack@db/obstack' });
  });
});

describe('driver errors', () => {
  it('marks connection trouble retryable and bad credentials as config', () => {
    expect(toPluginError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'x')).toMatchObject({ source: 'downstream', retryable: true });
    expect(toPluginError(Object.assign(new Error('terminating connection'), { code: '57P01' }), 'x')).toMatchObject({ source: 'downstream', retryable: true });
    expect(toPluginError(Object.assign(new Error('password authentication failed'), { code: '28P01' }), 'x')).toMatchObject({ source: 'config', retryable: false });
    expect(toPluginError(Object.assign(new Error('syntax error'), { code: '42601' }), 'x')).toMatchObject({ source: 'downstream', retryable: false });
  });

  it('lets aborts through as they are', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(toPluginError(abort, 'x')).toBe(abort);
  });
});
