import { PluginError, type ConfigSchema, type PluginSecrets } from '@obstack/plugin-api';

export interface PostgresStoreConfig {
  /** postgres:// URL without a password (that goes in the `password` secret). */
  url?: string;
  /** Where embedded PGlite keeps its files; `memory://` for a throwaway store. */
  dataDir?: string;
  /** Postgres schema holding the store's tables. */
  schema?: string;
  /** Days of telemetry to keep. */
  retentionDays?: number;
  /** Pool size on PostgreSQL. */
  maxConnections?: number;
}

export interface ResolvedConfig {
  target: { kind: 'postgres'; url: string; password?: string } | { kind: 'pglite'; dataDir: string };
  schema: string;
  retentionDays: number;
  maxConnections: number;
}

export const DEFAULT_SCHEMA = 'obstack_store';
export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_MAX_CONNECTIONS = 10;

const SCHEMA_PATTERN = '^[a-z_][a-z0-9_]{0,47}$';

export const configSchema: ConfigSchema = {
  type: 'object',
  properties: {
    url: {
      type: 'string',
      title: 'PostgreSQL URL',
      description:
        'postgres://user@host:5432/database of a PostgreSQL 15+ server. Put the password in the Password field, not in the URL. Set this or Data directory, not both.',
      pattern: '^postgres(ql)?://',
      placeholder: 'postgres://obstack@db.internal:5432/obstack',
    },
    password: {
      type: 'string',
      title: 'Password',
      description: 'Password of the PostgreSQL user. Stored encrypted.',
      format: 'password',
    },
    dataDir: {
      type: 'string',
      title: 'Data directory',
      description:
        'Directory for the embedded database (PGlite) when there is no PostgreSQL server. Must not be shared with another database. Set this or PostgreSQL URL, not both.',
      placeholder: '/var/lib/obstack/store',
    },
    schema: {
      type: 'string',
      title: 'Schema',
      description: 'PostgreSQL schema that holds the store tables; created if missing.',
      default: DEFAULT_SCHEMA,
      pattern: SCHEMA_PATTERN,
    },
    retentionDays: {
      type: 'integer',
      title: 'Retention (days)',
      description: 'Telemetry older than this is deleted by the retention job, a whole day at a time.',
      default: DEFAULT_RETENTION_DAYS,
      minimum: 1,
      maximum: 3650,
    },
    maxConnections: {
      type: 'integer',
      title: 'Max connections',
      description: 'Connections the store may open to PostgreSQL (ignored for the embedded database).',
      default: DEFAULT_MAX_CONNECTIONS,
      minimum: 2,
      maximum: 100,
    },
  },
};

export const secretFields = ['password'];

function configError(message: string, field: string): PluginError {
  return new PluginError(message, { source: 'config', field });
}

/**
 * The checks the schema cannot express (exactly one of url and dataDir; no password in
 * the URL), plus defaults, for configs that did not go through the host's validation.
 */
export function resolveConfig(config: PostgresStoreConfig, secrets: PluginSecrets = {}): ResolvedConfig {
  const url = nonEmpty(config.url);
  const dataDir = nonEmpty(config.dataDir);
  if (url !== undefined && dataDir !== undefined) throw configError('Set either PostgreSQL URL or Data directory, not both.', 'url');
  if (url === undefined && dataDir === undefined) throw configError('Set PostgreSQL URL (for a server) or Data directory (for the embedded database).', 'url');
  const schema = nonEmpty(config.schema) ?? DEFAULT_SCHEMA;
  if (!new RegExp(SCHEMA_PATTERN).test(schema)) {
    throw configError('Schema must be lowercase letters, digits and underscores, starting with a letter or underscore.', 'schema');
  }
  const retentionDays = config.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) throw configError('Retention must be a whole number of days, at least 1.', 'retentionDays');
  const maxConnections = config.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!Number.isInteger(maxConnections) || maxConnections < 2) throw configError('Max connections must be an integer of at least 2.', 'maxConnections');
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw configError('PostgreSQL URL is not a valid URL.', 'url');
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw configError('PostgreSQL URL must start with postgres://.', 'url');
    if (parsed.password !== '') {
      // Config is shown and logged; only secrets are stored encrypted.
      throw configError('Remove the password from the PostgreSQL URL and put it in the Password field.', 'url');
    }
    const password = nonEmpty(secrets.password);
    return { target: password === undefined ? { kind: 'postgres', url } : { kind: 'postgres', url, password }, schema, retentionDays, maxConnections };
  }
  return { target: { kind: 'pglite', dataDir: dataDir as string }, schema, retentionDays, maxConnections };
}

/**
 * Splits a URL such as DATABASE_URL into the config's `url` and the `password` secret,
 * for a host that builds the built-in data source from its own settings.
 */
export function splitDatabaseUrl(url: string): { url: string; password?: string } {
  const parsed = new URL(url);
  if (parsed.password === '') return { url };
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.toString(), password };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
