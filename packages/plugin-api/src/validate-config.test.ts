import { describe, expect, it } from 'vitest';
import type { ConfigSchema } from './config-schema';
import { defaultConfig, formatConfigIssues, prepareConfig, validateConfig } from './validate-config';

const schema: ConfigSchema = {
  type: 'object',
  properties: {
    url: { type: 'string', title: 'URL', format: 'uri' },
    mode: { type: 'string', title: 'Mode', enum: ['fast', 'safe'], default: 'safe' },
    name: { type: 'string', title: 'Name', minLength: 3, maxLength: 5 },
    region: { type: 'string', title: 'Region', pattern: '^[a-z]+-[0-9]$' },
    token: { type: 'string', title: 'Token', format: 'password' },
    port: { type: 'integer', title: 'Port', minimum: 1, maximum: 65535, default: 3100 },
    ratio: { type: 'number', title: 'Ratio', minimum: 0, maximum: 1 },
    tls: { type: 'boolean', title: 'TLS', default: true },
    tags: { type: 'array', title: 'Tags', items: { type: 'string' }, maxItems: 2, default: ['a'] },
  },
  required: ['url'],
};

function issuesOf(value: unknown, s: ConfigSchema = schema) {
  const result = validateConfig(s, value);
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.issues;
}

describe('validateConfig', () => {
  it('applies defaults and keeps valid values', () => {
    const result = validateConfig(schema, { url: 'https://loki.example:3100/', ratio: 0.5, name: 'abc' });
    expect(result).toEqual({
      ok: true,
      config: { url: 'https://loki.example:3100/', mode: 'safe', name: 'abc', port: 3100, ratio: 0.5, tls: true, tags: ['a'] },
    });
  });

  it('does not share default arrays between configs', () => {
    const a = validateConfig(schema, { url: 'http://x' });
    if (!a.ok) throw new Error('unexpected');
    (a.config.tags as string[]).push('b');
    expect(defaultConfig(schema).tags).toEqual(['a']);
  });

  it.each([
    [{}, 'url', 'url: is required'],
    [{ url: '' }, 'url', 'url: is required'],
    [{ url: null }, 'url', 'url: is required'],
    [{ url: 'ftp://x' }, 'url', 'url: must be an http(s) URL (got "ftp://x")'],
    [{ url: 'not a url' }, 'url', 'url: must be an http(s) URL (got "not a url")'],
    [{ url: 5 }, 'url', 'url: must be a string (got 5)'],
    [{ url: 'http://x', mode: 'slow' }, 'mode', 'mode: must be one of "fast", "safe" (got "slow")'],
    [{ url: 'http://x', name: 'ab' }, 'name', 'name: must be at least 3 characters long (got 2)'],
    [{ url: 'http://x', name: 'abcdef' }, 'name', 'name: must be at most 5 characters long (got 6)'],
    [{ url: 'http://x', region: 'EU-1' }, 'region', 'region: must match /^[a-z]+-[0-9]$/ (got "EU-1")'],
    [{ url: 'http://x', port: 1.5 }, 'port', 'port: must be an integer (got 1.5)'],
    [{ url: 'http://x', port: '80' }, 'port', 'port: must be a number (got "80")'],
    [{ url: 'http://x', port: 0 }, 'port', 'port: must be at least 1 (got 0)'],
    [{ url: 'http://x', port: 70000 }, 'port', 'port: must be at most 65535 (got 70000)'],
    [{ url: 'http://x', ratio: Number.NaN }, 'ratio', 'ratio: must be a number (got NaN)'],
    [{ url: 'http://x', tls: 'yes' }, 'tls', 'tls: must be true or false (got "yes")'],
    [{ url: 'http://x', tags: 'a' }, 'tags', 'tags: must be a list of strings (got "a")'],
    [{ url: 'http://x', tags: ['a', 3] }, 'tags', 'tags: item 2 must be a string (got 3)'],
    [{ url: 'http://x', tags: ['a', 'b', 'c'] }, 'tags', 'tags: must have at most 2 items (got 3)'],
    [{ url: 'http://x', urll: 'http://y' }, 'urll', 'urll: is not a setting of this plugin'],
  ])('rejects %j naming %s', (value, field, message) => {
    expect(issuesOf(value)).toEqual([{ field, message }]);
  });

  it('reports every problem, not only the first', () => {
    expect(issuesOf({ port: -1, tls: 1 }).map((i) => i.field)).toEqual(['url', 'port', 'tls']);
  });

  it('never echoes a secret value', () => {
    const [issue] = issuesOf({ url: 'http://x', token: 12345 });
    expect(issue?.message).toBe('token: must be a string (got a number)');
    const secretSchema: ConfigSchema = { type: 'object', properties: { key: { type: 'string', title: 'Key', pattern: '^k' } } };
    const result = validateConfig(secretSchema, { key: 'hunter2' }, { secretFields: ['key'] });
    expect(result.ok ? '' : formatConfigIssues(result.issues)).toBe('key: must match /^k/ (got a string)');
  });

  it('rejects a config that is not an object', () => {
    expect(issuesOf([1])).toEqual([{ field: '', message: 'config must be an object (got [1])' }]);
    expect(issuesOf('x')[0]?.message).toBe('config must be an object (got "x")');
  });
});

describe('defaultConfig', () => {
  it('holds every default and nothing else', () => {
    expect(defaultConfig(schema)).toEqual({ mode: 'safe', port: 3100, tls: true, tags: ['a'] });
  });
});

describe('prepareConfig', () => {
  it('validates settings and secrets together and hands secrets over separately', () => {
    const def = { configSchema: schema, secretFields: ['token'] };
    const result = prepareConfig(def, { url: 'http://x' }, { token: 's3cret' });
    expect(result.ok && result.secrets).toEqual({ token: 's3cret' });
    expect(result.ok && 'token' in result.config).toBe(false);
    const emptySecret = prepareConfig(def, { url: 'http://x', token: '' }, {});
    expect(emptySecret.ok && emptySecret.secrets).toEqual({});
    const required = prepareConfig({ configSchema: { ...schema, required: ['url', 'token'] }, secretFields: ['token'] }, { url: 'http://x' });
    expect(required.ok ? [] : required.issues).toEqual([{ field: 'token', message: 'token: is required' }]);
  });
});
