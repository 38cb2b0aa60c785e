import { checkValue, describe } from './config-rules';
import type { ConfigIssue, ConfigProperty, ConfigSchema } from './config-schema';
import type { PluginConfig, PluginDefinition, PluginSecrets } from './plugin';

export type ConfigValidation<C = PluginConfig> = { ok: true; config: C } | { ok: false; issues: ConfigIssue[] };

export interface ValidateConfigOptions {
  /** Properties whose values must never be echoed in messages (format `password` ones always are hidden). */
  secretFields?: string[];
}

/**
 * Checks a data-source config against a plugin's ConfigSchema and returns it with
 * defaults applied, or every problem found.
 *
 * Rules beyond the schema's own keywords, chosen for values that come from a form:
 * - `undefined`, `null` and, for strings, `""` mean "not set": the default applies,
 *   and a required property without a default is reported as missing.
 * - No coercion: `"8080"` is not a number.
 * - `pattern` is a JSON-Schema pattern: unanchored, Unicode; anchor it with ^...$.
 * - `format: "uri"` accepts absolute http: and https: URLs only.
 * - Properties the schema does not declare are rejected, so a typo is not silently ignored.
 */
export function validateConfig(schema: ConfigSchema, value: unknown, options: ValidateConfigOptions = {}): ConfigValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, issues: [{ field: '', message: `config must be an object (got ${describe(value, false)})` }] };
  }
  const input = value as Record<string, unknown>;
  const issues: ConfigIssue[] = [];
  const config: PluginConfig = {};
  const required = new Set(schema.required ?? []);
  const secrets = new Set(options.secretFields ?? []);

  for (const [name, property] of Object.entries(schema.properties)) {
    const raw = Object.hasOwn(input, name) ? input[name] : undefined;
    if (isUnset(raw, property)) {
      if (property.default !== undefined) config[name] = clone(property.default);
      else if (required.has(name)) issues.push({ field: name, message: `${name}: is required` });
      continue;
    }
    const message = checkValue(name, property, raw, secrets.has(name));
    if (message !== undefined) issues.push({ field: name, message });
    else config[name] = clone(raw);
  }
  for (const name of Object.keys(input)) {
    if (!Object.hasOwn(schema.properties, name)) {
      issues.push({ field: name, message: `${name}: is not a setting of this plugin` });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config };
}

/** The config a new data source starts from: every property's default. */
export function defaultConfig(schema: ConfigSchema): PluginConfig {
  const config: PluginConfig = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    if (property.default !== undefined) config[name] = clone(property.default);
  }
  return config;
}

/** One line for logs and error messages: "url: is required; port: must be an integer (got 1.5)". */
export function formatConfigIssues(issues: ConfigIssue[]): string {
  return issues.map((i) => i.message).join('; ');
}

export type PreparedConfig<C = PluginConfig> =
  | { ok: true; config: C; secrets: PluginSecrets }
  | { ok: false; issues: ConfigIssue[] };

/**
 * What the host does before `create`: validate the settings as one object (the form has
 * secrets and plain settings side by side), then hand secret fields over as `secrets`
 * only, so `config` can be logged and shown while secrets cannot.
 */
export function prepareConfig<C extends object = PluginConfig>(
  definition: Pick<PluginDefinition<C>, 'configSchema' | 'secretFields'>,
  config: Record<string, unknown>,
  secrets: Record<string, unknown> = {},
): PreparedConfig<C> {
  const secretFields = definition.secretFields ?? [];
  const result = validateConfig(definition.configSchema, { ...config, ...secrets }, { secretFields });
  if (!result.ok) return result;
  const plain: PluginConfig = {};
  const secretValues: PluginSecrets = {};
  for (const [name, value] of Object.entries(result.config)) {
    if (secretFields.includes(name)) secretValues[name] = String(value);
    else plain[name] = value;
  }
  return { ok: true, config: plain as C, secrets: secretValues };
}

function isUnset(value: unknown, property: ConfigProperty): boolean {
  return value === undefined || value === null || (property.type === 'string' && value === '');
}

function clone<T>(value: T): T {
  return Array.isArray(value) ? (value.slice() as T) : value;
}
