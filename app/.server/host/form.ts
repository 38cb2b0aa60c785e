import { type ConfigSchema, SIGNALS, type Signal } from '@obstack/plugin-api';
import { AppError } from '../errors';
import type { DataSourceInput } from './data-sources';

/**
 * Reads the data-source form generated from a plugin's ConfigSchema: `config.<name>` for
 * settings (typed by the schema), `secret.<name>` for secret fields (blank = unchanged),
 * `query`/`write` checkboxes per signal.
 */
export function dataSourceInputFromForm(
  form: FormData,
  pluginId: string,
  schema: ConfigSchema,
  secretFields: string[],
): DataSourceInput {
  const config: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema.properties)) {
    if (secretFields.includes(name)) continue;
    const raw = form.get(`config.${name}`);
    const text = typeof raw === 'string' ? raw.trim() : '';
    switch (prop.type) {
      case 'boolean':
        config[name] = raw === 'on' || raw === 'true';
        break;
      case 'number':
      case 'integer':
        if (text === '') break;
        if (!/^-?\d+(\.\d+)?$/.test(text)) throw new AppError(400, 'invalid_config', `${prop.title} must be a number`, `config.${name}`);
        config[name] = Number(text);
        break;
      case 'array':
        if (text) config[name] = text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
        break;
      default:
        if (text !== '') config[name] = text;
    }
  }
  const secrets: Record<string, string> = {};
  for (const name of secretFields) {
    const v = form.get(`secret.${name}`);
    if (typeof v === 'string' && v !== '') secrets[name] = v;
  }
  const signals = (key: string): Signal[] => SIGNALS.filter((s) => form.getAll(key).includes(s));
  const timeout = String(form.get('timeoutMs') ?? '').trim();
  return {
    name: String(form.get('name') ?? ''),
    pluginId,
    config,
    secrets,
    query: signals('query'),
    write: signals('write'),
    allowInternalAddresses: form.get('allowInternalAddresses') === 'on',
    timeoutMs: timeout ? Number(timeout) : 15_000,
  };
}
