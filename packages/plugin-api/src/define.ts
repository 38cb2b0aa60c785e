import satisfies from 'semver/functions/satisfies.js';
import validVersion from 'semver/functions/valid.js';
import validRange from 'semver/ranges/valid.js';
import type { ConfigProperty, ConfigSchema } from './config-schema';
import { SIGNALS } from './model';
import { PLUGIN_API_VERSION, type PluginConfig, type PluginDefinition } from './plugin';
// Defaults are judged by the same rules as the values users enter.
import { checkValue } from './config-rules';

const ID_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;
const STABILITIES = ['experimental', 'beta', 'stable'];
const NATIVE_LANGUAGES = ['promql', 'logql', 'traceql', 'sql'];
const PROPERTY_TYPES = ['string', 'number', 'integer', 'boolean', 'array'];

/**
 * Declares a plugin. The definition is checked here, when the plugin module is
 * imported, so a malformed plugin fails in its author's tests and at host start-up
 * with a message naming the problem, rather than on the first query.
 *
 * The result is also a plain `PluginDefinition`, so hosts and registries can hold plugins
 * whatever their config type (an interface config would not fit `PluginConfig` otherwise):
 * the host only ever calls `create` with a config validated against `configSchema`.
 *
 * @throws Error listing every problem found.
 */
export function definePlugin<C extends object = PluginConfig>(definition: PluginDefinition<C>): Readonly<PluginDefinition<C>> & PluginDefinition {
  const problems = validatePluginDefinition(definition);
  if (problems.length > 0) {
    const label = typeof (definition as { id?: unknown } | null)?.id === 'string' ? `plugin ${definition.id}` : 'plugin';
    throw new Error(`Invalid ${label}: ${problems.join('; ')}`);
  }
  return deepFreeze(definition) as Readonly<PluginDefinition<C>> & PluginDefinition;
}

/**
 * Every problem with a plugin definition, as sentences; empty when it is valid.
 * The host runs this on definitions that did not go through `definePlugin`.
 */
export function validatePluginDefinition(definition: unknown): string[] {
  if (!isRecord(definition)) return ['the definition must be an object'];
  const d = definition;
  const problems: string[] = [];

  if (typeof d.id !== 'string' || !ID_PATTERN.test(d.id)) {
    problems.push(`id must be 2-63 characters of lowercase letters, digits and dashes, starting with a letter (got ${show(d.id)})`);
  }
  if (typeof d.name !== 'string' || d.name.trim() === '') problems.push('name must be a non-empty string');
  if (d.description !== undefined && typeof d.description !== 'string') problems.push('description must be a string');
  if (typeof d.version !== 'string' || validVersion(d.version) !== d.version) {
    problems.push(`version must be a semver version such as 1.2.3 (got ${show(d.version)})`);
  }
  if (typeof d.apiVersion !== 'string' || d.apiVersion.trim() === '' || validRange(d.apiVersion) === null) {
    problems.push(`apiVersion must be a semver range such as ^${PLUGIN_API_VERSION} (got ${show(d.apiVersion)})`);
  }
  problems.push(...capabilityProblems(d.capabilities));
  const schemaProblems = configSchemaProblems(d.configSchema);
  problems.push(...schemaProblems);
  if (d.secretFields !== undefined) {
    if (!Array.isArray(d.secretFields)) {
      problems.push('secretFields must be an array of config property names');
    } else if (schemaProblems.length === 0) {
      const properties = (d.configSchema as ConfigSchema).properties;
      for (const field of d.secretFields) {
        const property = typeof field === 'string' && Object.hasOwn(properties, field) ? properties[field] : undefined;
        if (property === undefined) {
          problems.push(`secretFields names ${show(field)}, which is not a property of configSchema`);
        } else if (property.type !== 'string') {
          // Secrets reach the plugin as PluginSecrets, a map of strings.
          problems.push(`secret field ${field} must be of type string (it is ${property.type})`);
        }
      }
    }
  }
  if (typeof d.create !== 'function') problems.push('create must be a function (config, secrets, ctx) => instance');
  return problems;
}

function capabilityProblems(capabilities: unknown): string[] {
  if (!isRecord(capabilities)) return ['capabilities must be an object such as { logs: { read: true, stability: "beta" } }'];
  const problems: string[] = [];
  let declared = 0;
  for (const [key, value] of Object.entries(capabilities)) {
    if (key === 'native') {
      if (!Array.isArray(value) || value.some((l) => !NATIVE_LANGUAGES.includes(l as string))) {
        problems.push(`capabilities.native must be an array of ${NATIVE_LANGUAGES.join(', ')}`);
      } else {
        declared += value.length;
      }
      continue;
    }
    if (!(SIGNALS as readonly string[]).includes(key)) {
      problems.push(`capabilities.${key} is not a signal (expected ${SIGNALS.join(', ')} or native)`);
      continue;
    }
    if (value === undefined) continue;
    if (!isRecord(value)) {
      problems.push(`capabilities.${key} must be an object { read?, write?, stability }`);
      continue;
    }
    if (!STABILITIES.includes(value.stability as string)) {
      problems.push(`capabilities.${key}.stability must be one of ${STABILITIES.join(', ')} (got ${show(value.stability)})`);
    }
    for (const flag of ['read', 'write'] as const) {
      if (value[flag] !== undefined && typeof value[flag] !== 'boolean') problems.push(`capabilities.${key}.${flag} must be a boolean`);
    }
    if (value.read !== true && value.write !== true) {
      problems.push(`capabilities.${key} must set read or write to true (or leave the signal out)`);
    }
    declared++;
  }
  if (problems.length === 0 && declared === 0) problems.push('capabilities must declare at least one signal or native language');
  return problems;
}

function configSchemaProblems(schema: unknown): string[] {
  if (!isRecord(schema) || schema.type !== 'object' || !isRecord(schema.properties)) {
    return ['configSchema must be { type: "object", properties: { ... } }'];
  }
  const problems: string[] = [];
  const properties = schema.properties;
  for (const [name, property] of Object.entries(properties)) {
    problems.push(...propertyProblems(name, property));
  }
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required)) {
      problems.push('configSchema.required must be an array of property names');
    } else {
      for (const name of schema.required) {
        if (typeof name !== 'string' || !Object.hasOwn(properties, name)) {
          problems.push(`configSchema.required names ${show(name)}, which is not a property`);
        }
      }
    }
  }
  return problems;
}

function propertyProblems(name: string, property: unknown): string[] {
  const at = `configSchema.properties.${name}`;
  if (!isRecord(property)) return [`${at} must be an object`];
  if (!PROPERTY_TYPES.includes(property.type as string)) {
    return [`${at}.type must be one of ${PROPERTY_TYPES.join(', ')} (got ${show(property.type)})`];
  }
  const problems: string[] = [];
  // The settings form uses the title as the field label.
  if (typeof property.title !== 'string' || property.title.trim() === '') problems.push(`${at}.title must be a non-empty string`);
  const p = property as ConfigProperty;
  if (p.type === 'string') {
    if (p.pattern !== undefined) {
      try {
        new RegExp(p.pattern, 'u');
      } catch {
        problems.push(`${at}.pattern is not a valid regular expression`);
      }
    }
    if (p.enum !== undefined && (!Array.isArray(p.enum) || p.enum.length === 0 || p.enum.some((v) => typeof v !== 'string'))) {
      problems.push(`${at}.enum must be a non-empty array of strings`);
    }
  }
  if (p.type === 'array' && (!isRecord(p.items) || p.items.type !== 'string')) {
    problems.push(`${at}.items must be { type: "string" }`);
  }
  if (problems.length === 0 && p.default !== undefined) {
    // A default that its own constraints reject would make every new data source invalid.
    const issue = checkValue(name, p, p.default);
    if (issue !== undefined) problems.push(`${at}.default is invalid: ${issue}`);
  }
  return problems;
}

/**
 * True when a plugin declaring `range` works with the host's plugin API version.
 * An invalid range is never compatible.
 */
export function isCompatibleApiVersion(range: string, hostVersion: string = PLUGIN_API_VERSION): boolean {
  if (typeof range !== 'string' || range.trim() === '' || validRange(range) === null) return false;
  return satisfies(hostVersion, range);
}

/**
 * Why the host will not load a plugin, in words for the operator; null when it is compatible.
 */
export function describeIncompatibility(
  plugin: Pick<PluginDefinition, 'id' | 'apiVersion'>,
  hostVersion: string = PLUGIN_API_VERSION,
): string | null {
  if (isCompatibleApiVersion(plugin.apiVersion, hostVersion)) return null;
  return `plugin ${plugin.id} requires plugin API ${plugin.apiVersion}; this Obstack provides ${hostVersion}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
