import { describe, expect, it } from 'vitest';
import { definePlugin, describeIncompatibility, isCompatibleApiVersion, validatePluginDefinition } from './define';
import { PLUGIN_API_VERSION, type PluginDefinition } from './plugin';

function valid(overrides: Partial<Record<keyof PluginDefinition, unknown>> = {}): PluginDefinition {
  return {
    id: 'acme-logs',
    name: 'Acme logs',
    version: '1.2.3',
    apiVersion: '^1.0.0',
    capabilities: { logs: { read: true, write: true, stability: 'beta' } },
    configSchema: {
      type: 'object',
      properties: {
        url: { type: 'string', title: 'URL', format: 'uri' },
        token: { type: 'string', title: 'Token', format: 'password' },
      },
      required: ['url'],
    },
    secretFields: ['token'],
    create: () => ({ checkHealth: async () => ({ status: 'ok', message: 'fine' }) }),
    ...overrides,
  } as PluginDefinition;
}

describe('definePlugin', () => {
  it('returns the definition, frozen all the way down', () => {
    const def = definePlugin(valid());
    expect(def.id).toBe('acme-logs');
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.capabilities.logs)).toBe(true);
    expect(Object.isFrozen(def.configSchema.properties.url)).toBe(true);
  });

  it.each([
    ['id', { id: 'Acme' }, /id must be 2-63 characters.*got "Acme"/],
    ['id too short', { id: 'a' }, /id must be/],
    ['id with underscore', { id: 'acme_logs' }, /id must be/],
    ['version', { version: '1.2' }, /version must be a semver version.*got "1.2"/],
    ['version with v', { version: 'v1.2.3' }, /version must be a semver version/],
    ['apiVersion', { apiVersion: 'one' }, /apiVersion must be a semver range.*got "one"/],
    ['empty apiVersion', { apiVersion: '' }, /apiVersion must be a semver range/],
    ['stability', { capabilities: { logs: { read: true, stability: 'alpha' } } }, /capabilities.logs.stability must be one of experimental, beta, stable \(got "alpha"\)/],
    ['neither read nor write', { capabilities: { logs: { stability: 'stable' } } }, /capabilities.logs must set read or write/],
    ['unknown signal', { capabilities: { profiles: { read: true, stability: 'beta' } } }, /capabilities.profiles is not a signal/],
    ['no capability', { capabilities: {} }, /at least one signal/],
    ['native language', { capabilities: { native: ['kql'] } }, /capabilities.native must be an array/],
    ['secret not in schema', { secretFields: ['password'] }, /secretFields names "password", which is not a property/],
    ['create', { create: 'nope' }, /create must be a function/],
    ['required unknown', { configSchema: { type: 'object', properties: {}, required: ['url'] }, secretFields: [] }, /required names "url"/],
    ['bad pattern', { configSchema: { type: 'object', properties: { a: { type: 'string', title: 'A', pattern: '(' } } }, secretFields: [] }, /properties.a.pattern is not a valid regular expression/],
    ['default breaks its own rule', { configSchema: { type: 'object', properties: { port: { type: 'integer', title: 'Port', default: 0, minimum: 1 } } }, secretFields: [] }, /properties.port.default is invalid: port: must be at least 1 \(got 0\)/],
    ['untitled property', { configSchema: { type: 'object', properties: { a: { type: 'string' } } }, secretFields: [] }, /properties.a.title must be a non-empty string/],
  ])('rejects a bad %s with a message naming it', (_name, overrides, message) => {
    expect(() => definePlugin(valid(overrides))).toThrow(message);
  });

  it('rejects a secret field that is not a string', () => {
    const def = valid({
      configSchema: { type: 'object', properties: { n: { type: 'number', title: 'N' } } },
      secretFields: ['n'],
    });
    expect(() => definePlugin(def)).toThrow(/secret field n must be of type string \(it is number\)/);
  });

  it('lists every problem at once', () => {
    expect(validatePluginDefinition({ ...valid(), id: 'X', version: 'x' })).toHaveLength(2);
    expect(validatePluginDefinition(null)).toEqual(['the definition must be an object']);
  });

  it('accepts a native-only plugin', () => {
    expect(validatePluginDefinition(valid({ capabilities: { native: ['sql'] } }))).toEqual([]);
  });
});

describe('isCompatibleApiVersion', () => {
  it('matches semver ranges against the host version', () => {
    expect(isCompatibleApiVersion('^1.0.0')).toBe(true);
    expect(isCompatibleApiVersion('^1.0.0', '1.4.2')).toBe(true);
    expect(isCompatibleApiVersion('^1.0.0', '2.0.0')).toBe(false);
    expect(isCompatibleApiVersion('>=1.0.0 <3', '2.1.0')).toBe(true);
    expect(isCompatibleApiVersion('~1.2.0', '1.3.0')).toBe(false);
    expect(isCompatibleApiVersion('1.x || 2.x', '2.5.0')).toBe(true);
    expect(isCompatibleApiVersion('^2.0.0')).toBe(false);
  });

  it('is never compatible with a range it cannot read', () => {
    expect(isCompatibleApiVersion('latest')).toBe(false);
    expect(isCompatibleApiVersion('')).toBe(false);
  });

  it('describes an incompatibility naming both versions', () => {
    expect(describeIncompatibility({ id: 'acme', apiVersion: '^2.0.0' }, '1.0.0')).toBe(
      'plugin acme requires plugin API ^2.0.0; this Obstack provides 1.0.0',
    );
    expect(describeIncompatibility({ id: 'acme', apiVersion: `^${PLUGIN_API_VERSION}` })).toBeNull();
  });
});
