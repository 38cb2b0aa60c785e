import { z } from 'zod';

/**
 * Every environment variable Obstack reads, parsed once at start. The README's
 * configuration table is generated from `CONFIG_VARS` so the two can't drift.
 */
export interface ConfigVar {
  name: string;
  default?: string;
  example: string;
  secret?: boolean;
  description: string;
}

export const CONFIG_VARS: ConfigVar[] = [
  { name: 'PORT', default: '3000', example: '3000', description: 'HTTP port of the web server (and of the health endpoint in the worker role).' },
  {
    name: 'HOST',
    default: '127.0.0.1',
    example: '0.0.0.0',
    description: 'Address to listen on. Loopback by default so a fresh install is not exposed before its admin exists; set 0.0.0.0 in containers.',
  },
  {
    name: 'OBSTACK_DATA_DIR',
    default: './.obstack/data',
    example: '/var/lib/obstack',
    description: 'Embedded mode: where PGlite keeps its files and where the generated secret lives.',
  },
  {
    name: 'DATABASE_URL',
    example: 'postgres://obstack:obstack@127.0.0.1:5432/obstack',
    secret: true,
    description: 'PostgreSQL for application data. Unset: embedded PGlite under OBSTACK_DATA_DIR.',
  },
  {
    name: 'DATABASE_POOL_SIZE',
    default: '10',
    example: '20',
    description: 'Connections per process to DATABASE_URL.',
  },
  {
    name: 'REDIS_URL',
    example: 'redis://127.0.0.1:6379',
    secret: true,
    description: 'Redis for BullMQ jobs and shared rate limits. Unset: in-process queue and scheduler.',
  },
  {
    name: 'KAFKA_BROKERS',
    example: '10.0.0.5:9092,10.0.0.6:9092',
    description: 'Kafka brokers (comma-separated) that buffer ingest. Unset: no Kafka.',
  },
  {
    name: 'OBSTACK_BUS_PREFIX',
    default: 'obstack',
    example: 'obstack-staging',
    description:
      'Names this deployment on a shared Kafka or Redis: Kafka topics <prefix>.<signal>, consumer group <prefix>-workers, BullMQ keys <prefix>:*. Deployments sharing a broker need different prefixes.',
  },
  {
    name: 'OBSTACK_KAFKA_TRACE_AFFINITY',
    default: 'false',
    example: 'true',
    description:
      'Kafka: split span batches so every span of a trace lands on one partition (for consumers that need whole traces). Off: a batch goes whole to a partition chosen by tenant and batch id, ~30% more spans/s published.',
  },
  {
    name: 'OBSTACK_STORE_URL',
    example: 'postgres://obstack:obstack@10.0.0.7:5432/telemetry',
    secret: true,
    description:
      'PostgreSQL for the built-in telemetry store. Default: DATABASE_URL (tables in schema obstack_store); embedded: PGlite under OBSTACK_DATA_DIR/store.',
  },
  {
    name: 'OBSTACK_STORE_RETENTION_DAYS',
    default: '30',
    example: '14',
    description: 'Days of telemetry the built-in store keeps; older days are dropped by the maintenance job (soon after start, then hourly). A tenant can keep fewer in Settings → Ingest.',
  },
  {
    name: 'OBSTACK_PLUGINS',
    example: '@acme/obstack-plugin-x,obstack-plugin-y',
    description: 'Third-party plugins to load: npm package names, comma-separated, installed next to Obstack.',
  },
  {
    name: 'OBSTACK_SECRET',
    example: 'output of `openssl rand -hex 32`',
    secret: true,
    description:
      'Signs cookies and encrypts data-source secrets (at least 32 characters). Embedded mode generates one under OBSTACK_DATA_DIR; required with DATABASE_URL so every process shares it.',
  },
  {
    name: 'OBSTACK_PUBLIC_URL',
    example: 'https://obstack.example.com',
    description: 'The URL users reach Obstack at; used in invite links and snippets. Default: http://localhost:PORT.',
  },
  {
    name: 'OBSTACK_SIGNUP',
    default: 'invite',
    example: 'open',
    description: 'invite: new users join through an invite link. open: anyone can register and gets a tenant of their own.',
  },
  {
    name: 'OBSTACK_ADMIN_EMAIL',
    example: 'admin@example.com',
    description: 'Unattended install: the first admin, created on first start together with the first tenant.',
  },
  {
    name: 'OBSTACK_ADMIN_PASSWORD',
    example: 'a long passphrase',
    secret: true,
    description: 'Unattended install: the first admin\'s password (at least 10 characters).',
  },
  {
    name: 'OBSTACK_TENANT_NAME',
    default: 'Default',
    example: 'Acme Inc',
    description: 'Unattended install: name of the first tenant.',
  },
  {
    name: 'OBSTACK_BOOTSTRAP_API_KEY',
    example: 'obs_3f9k2m7q_4yT0b2nW8cVx1rLs9ZpQe5HdJk6UaMf3',
    secret: true,
    description: 'Unattended install: a full API key (obs_<8 chars>_<32+ chars>) registered for the first tenant with scopes ingest and read.',
  },
  {
    name: 'OBSTACK_ROLE',
    default: 'all',
    example: 'worker',
    description: 'web, worker or all; `obstack start --role` overrides it. web and worker apart need REDIS_URL.',
  },
  {
    name: 'OBSTACK_SESSION_TTL',
    default: '7d',
    example: '12h',
    description: 'How long a sign-in lasts: a number with s, m, h or d.',
  },
  {
    name: 'OBSTACK_LOGIN_MAX_ATTEMPTS',
    default: '10',
    example: '5',
    description: 'Failed sign-ins allowed per e-mail address (and 3x that per IP) in 15 minutes before further attempts are refused.',
  },
  {
    name: 'OBSTACK_TRUST_PROXY',
    default: 'false',
    example: 'true',
    description: 'Trust X-Forwarded-For/-Proto from a reverse proxy (client IP for rate limits, https for Secure cookies).',
  },
  {
    name: 'OBSTACK_SHUTDOWN_TIMEOUT_MS',
    default: '15000',
    example: '30000',
    description: 'On SIGTERM/SIGINT, how long to wait for in-flight requests and jobs before closing anyway.',
  },
  { name: 'OBSTACK_LOG_LEVEL', default: 'info', example: 'debug', description: 'debug, info, warn or error.' },
  {
    name: 'OBSTACK_LOG_FORMAT',
    default: 'pretty',
    example: 'json',
    description: 'pretty (one readable line per event) or json (one JSON object per line).',
  },
];

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const duration = z
  .string()
  .regex(/^\d+[smhd]$/, { error: 'must be a number followed by s, m, h or d' })
  .transform((v) => Number(v.slice(0, -1)) * UNIT_MS[v.slice(-1) as keyof typeof UNIT_MS])
  .pipe(z.number().min(1_000, { error: 'must be at least 1s' }).max(366 * 86_400_000, { error: 'must be at most 366d' }));

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

export const API_KEY_PATTERN = /^obs_[a-z0-9]{8}_[A-Za-z0-9]{32,128}$/;

const schema = z.object({
  PORT: intIn(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  OBSTACK_DATA_DIR: z.string().min(1).default('./.obstack/data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: intIn(2, 500).default(10),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  KAFKA_BROKERS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, { error: 'each broker must be host:port' }))
        .min(1, { error: 'must name at least one broker' }),
    )
    .optional(),
  OBSTACK_BUS_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,40}$/, { error: 'must be lowercase letters, digits, - or _ (at most 41)' })
    .default('obstack'),
  OBSTACK_KAFKA_TRACE_AFFINITY: bool.default(false),
  OBSTACK_STORE_URL: url(['postgres:', 'postgresql:']).optional(),
  OBSTACK_STORE_RETENTION_DAYS: intIn(1, 3650).default(30),
  OBSTACK_PLUGINS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/, { error: 'each entry must be an npm package name' })))
    .default([]),
  OBSTACK_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  OBSTACK_PUBLIC_URL: url(['http:', 'https:']).optional(),
  OBSTACK_SIGNUP: z.enum(['invite', 'open'], { error: 'must be invite or open' }).default('invite'),
  OBSTACK_ADMIN_EMAIL: z.email({ error: 'must be an e-mail address' }).optional(),
  OBSTACK_ADMIN_PASSWORD: z.string().min(10, { error: 'must be at least 10 characters' }).optional(),
  OBSTACK_TENANT_NAME: z.string().min(1).max(100).default('Default'),
  OBSTACK_BOOTSTRAP_API_KEY: z
    .string()
    .regex(API_KEY_PATTERN, { error: 'must look like obs_<8 lowercase letters/digits>_<32+ letters/digits>' })
    .optional(),
  OBSTACK_ROLE: z.enum(['web', 'worker', 'all'], { error: 'must be web, worker or all' }).default('all'),
  OBSTACK_SESSION_TTL: duration.default(7 * 86_400_000),
  OBSTACK_LOGIN_MAX_ATTEMPTS: intIn(1, 10_000).default(10),
  OBSTACK_TRUST_PROXY: bool.default(false),
  OBSTACK_SHUTDOWN_TIMEOUT_MS: intIn(0, 600_000).default(15_000),
  OBSTACK_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be debug, info, warn or error' }).default('info'),
  OBSTACK_LOG_FORMAT: z.enum(['pretty', 'json'], { error: 'must be pretty or json' }).default('pretty'),
});

export type Role = 'web' | 'worker' | 'all';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  redisUrl: string | undefined;
  kafkaBrokers: string[] | undefined;
  secret: string | undefined;
  busPrefix: string;
  /** Kafka: every span of a trace on one partition (span batches split per partition). */
  kafkaTraceAffinity: boolean;
  storeUrl: string | undefined;
  storeRetentionDays: number;
  plugins: string[];
  publicUrl: string;
  signup: 'invite' | 'open';
  admin: { email: string; password: string; tenantName: string } | undefined;
  bootstrapApiKey: string | undefined;
  role: Role;
  sessionTtlMs: number;
  loginMaxAttempts: number;
  trustProxy: boolean;
  shutdownTimeoutMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  logFormat: 'pretty' | 'json';
  /** True when nothing external is configured: PGlite, in-process queue and bus. */
  embedded: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment. Throws ConfigError naming each bad variable, what is wrong, and an example. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset": shells and compose files often export KEY= .
  const input = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => v !== undefined && v !== '' && k in schema.shape),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '?');
        const spec = CONFIG_VARS.find((v) => v.name === name);
        const shown = spec?.secret ? '(hidden)' : JSON.stringify(input[name]);
        return `${name}=${shown} ${issue.message}${spec ? ` (example: ${name}=${spec.example})` : ''}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const adminParts = [e.OBSTACK_ADMIN_EMAIL, e.OBSTACK_ADMIN_PASSWORD].filter(Boolean).length;
  if (adminParts === 1) {
    problems.push(
      'OBSTACK_ADMIN_EMAIL and OBSTACK_ADMIN_PASSWORD go together: set both for an unattended install, or neither to use the first-run page',
    );
  }
  if (e.DATABASE_URL && !e.OBSTACK_SECRET) {
    problems.push(
      'OBSTACK_SECRET is required with DATABASE_URL, so that every process signs cookies and encrypts secrets with the same key (example: OBSTACK_SECRET=$(openssl rand -hex 32))',
    );
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.OBSTACK_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    kafkaBrokers: e.KAFKA_BROKERS,
    secret: e.OBSTACK_SECRET,
    busPrefix: e.OBSTACK_BUS_PREFIX,
    kafkaTraceAffinity: e.OBSTACK_KAFKA_TRACE_AFFINITY,
    storeUrl: e.OBSTACK_STORE_URL ?? e.DATABASE_URL,
    storeRetentionDays: e.OBSTACK_STORE_RETENTION_DAYS,
    plugins: e.OBSTACK_PLUGINS,
    publicUrl: (e.OBSTACK_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    signup: e.OBSTACK_SIGNUP,
    admin:
      e.OBSTACK_ADMIN_EMAIL && e.OBSTACK_ADMIN_PASSWORD
        ? { email: e.OBSTACK_ADMIN_EMAIL.toLowerCase(), password: e.OBSTACK_ADMIN_PASSWORD, tenantName: e.OBSTACK_TENANT_NAME }
        : undefined,
    bootstrapApiKey: e.OBSTACK_BOOTSTRAP_API_KEY,
    role: e.OBSTACK_ROLE,
    sessionTtlMs: e.OBSTACK_SESSION_TTL,
    loginMaxAttempts: e.OBSTACK_LOGIN_MAX_ATTEMPTS,
    trustProxy: e.OBSTACK_TRUST_PROXY,
    shutdownTimeoutMs: e.OBSTACK_SHUTDOWN_TIMEOUT_MS,
    logLevel: e.OBSTACK_LOG_LEVEL,
    logFormat: e.OBSTACK_LOG_FORMAT,
    embedded: !e.DATABASE_URL && !e.REDIS_URL && !e.KAFKA_BROKERS,
  };
}

const SECRET_KEYS = new Set(CONFIG_VARS.filter((v) => v.secret).map((v) => v.name));

/** The effective configuration as `obstack config` prints it: every variable, secrets masked. */
export function describeConfig(env: Record<string, string | undefined> = process.env): Record<string, string | null> {
  const config = loadConfig(env);
  const effective: Record<string, string | undefined> = {
    PORT: String(config.port),
    HOST: config.host,
    OBSTACK_DATA_DIR: config.dataDir,
    DATABASE_URL: config.databaseUrl,
    DATABASE_POOL_SIZE: String(config.databasePoolSize),
    REDIS_URL: config.redisUrl,
    KAFKA_BROKERS: config.kafkaBrokers?.join(','),
    OBSTACK_BUS_PREFIX: config.busPrefix,
    OBSTACK_KAFKA_TRACE_AFFINITY: String(config.kafkaTraceAffinity),
    OBSTACK_STORE_URL: config.storeUrl,
    OBSTACK_STORE_RETENTION_DAYS: String(config.storeRetentionDays),
    OBSTACK_PLUGINS: config.plugins.join(',') || undefined,
    OBSTACK_SECRET: config.secret,
    OBSTACK_PUBLIC_URL: config.publicUrl,
    OBSTACK_SIGNUP: config.signup,
    OBSTACK_ADMIN_EMAIL: config.admin?.email,
    OBSTACK_ADMIN_PASSWORD: config.admin?.password,
    OBSTACK_TENANT_NAME: config.admin?.tenantName ?? env.OBSTACK_TENANT_NAME ?? 'Default',
    OBSTACK_BOOTSTRAP_API_KEY: config.bootstrapApiKey,
    OBSTACK_ROLE: config.role,
    OBSTACK_SESSION_TTL: formatDuration(config.sessionTtlMs),
    OBSTACK_LOGIN_MAX_ATTEMPTS: String(config.loginMaxAttempts),
    OBSTACK_TRUST_PROXY: String(config.trustProxy),
    OBSTACK_SHUTDOWN_TIMEOUT_MS: String(config.shutdownTimeoutMs),
    OBSTACK_LOG_LEVEL: config.logLevel,
    OBSTACK_LOG_FORMAT: config.logFormat,
  };
  const out: Record<string, string | null> = {};
  for (const { name } of CONFIG_VARS) {
    const value = effective[name];
    out[name] = value === undefined ? null : SECRET_KEYS.has(name) ? maskSecret(name, value) : value;
  }
  out.mode = config.embedded ? 'embedded' : 'scaled';
  return out;
}

function maskSecret(name: string, value: string): string {
  if (name.endsWith('_URL')) {
    // Keep the shape of a URL useful for debugging; hide only its credentials.
    try {
      const u = new URL(value);
      if (u.password) u.password = '****';
      return u.toString();
    } catch {
      return '****';
    }
  }
  return '****';
}
