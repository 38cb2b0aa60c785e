import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { type Database, createDb } from '@obstack/db';
import { ZodError } from 'zod';
import {
  addMember,
  createTenant,
  createUser,
  findUserByEmail,
  getTenantBySlug,
  listTenants,
  listUsers,
  roleSchema,
} from './accounts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys';
import { audit } from './audit';
import { ConfigError, type Config, describeConfig, loadConfig } from './config';
import { type CliResult, LockedError, acquireLock, listenControlSocket, readLock, sendToServer, socketPath } from './control';
import { AppError, isAppError } from './errors';
import { createLogger } from './log';
import { startObstack } from './server';

const USAGE = `obstack <command>

  start [--role web|worker|all] [--dev]   run Obstack (default role: all)
  config                                  print the effective configuration (secrets masked)
  migrate                                 apply database migrations and exit
  tenants create --name <name> [--slug <slug>] [--plan community|saas|enterprise] [--owner <email>]
  tenants list
  users create --email <email> (--password <pw> | --password-stdin) [--name <name>] [--tenant <slug> --role <role>]
  users list
  keys create --tenant <slug> --scopes ingest,read,admin [--name <name>] [--expires-in-days <n>]
  keys list --tenant <slug>
  keys revoke --tenant <slug> <prefix-or-id>

Every command but start prints JSON. It works against the configured database with the
server running or not (in embedded mode it runs inside the running server).`;

class UsageError extends Error {}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  stdin: () => Promise<string>;
}

/** Commands that only touch the database: the same code runs here or inside the server. */
export async function runDataCommand(
  argv: string[],
  db: Database,
  io: Io,
  hooks: { onKeyRevoked?: (prefix: string) => void } = {},
): Promise<number> {
  const [noun, verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      slug: { type: 'string' },
      plan: { type: 'string' },
      owner: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      tenant: { type: 'string' },
      role: { type: 'string' },
      scopes: { type: 'string' },
      'expires-in-days': { type: 'string' },
    },
  });
  const print = (v: unknown) => io.out(`${JSON.stringify(v, null, 2)}\n`);
  const need = (key: keyof typeof values): string => {
    const v = values[key];
    if (typeof v !== 'string' || !v) throw new UsageError(`--${key} is required for "${noun} ${verb}"`);
    return v;
  };

  switch (`${noun} ${verb}`) {
    case 'tenants create': {
      const owner = values.owner ? await findUserByEmail(db, values.owner) : undefined;
      if (values.owner && !owner) throw new AppError(404, 'not_found', `No user with e-mail ${values.owner}`);
      const plan = values.plan;
      if (plan && plan !== 'community' && plan !== 'saas' && plan !== 'enterprise') {
        throw new UsageError('--plan must be community, saas or enterprise');
      }
      const tenant = await createTenant(db, { name: need('name'), slug: values.slug, plan, ownerId: owner?.id });
      await audit(db, { actor: 'cli', tenantId: tenant.id, action: 'tenant.created', target: tenant.slug });
      print(tenant);
      return 0;
    }
    case 'tenants list':
      print(await listTenants(db));
      return 0;
    case 'users create': {
      const password = values['password-stdin'] ? (await io.stdin()).replace(/\r?\n$/, '') : need('password');
      if (values.role && !values.tenant) throw new UsageError('--role needs --tenant');
      const role = values.tenant ? roleSchema.parse(values.role ?? 'member') : undefined;
      const tenant = values.tenant ? await getTenantBySlug(db, values.tenant) : undefined;
      const user = await createUser(db, { email: need('email'), password, name: values.name });
      if (tenant && role) await addMember(db, tenant.id, user.id, role);
      await audit(db, { actor: 'cli', tenantId: tenant?.id, action: 'user.created', target: user.email });
      const { passwordHash: _hidden, ...shown } = user;
      print({ ...shown, ...(tenant ? { tenant: tenant.slug, role } : {}) });
      return 0;
    }
    case 'users list':
      print(await listUsers(db));
      return 0;
    case 'keys create': {
      const tenant = await getTenantBySlug(db, need('tenant'));
      const days = values['expires-in-days'];
      if (days !== undefined && !/^\d+$/.test(days)) throw new UsageError('--expires-in-days must be a whole number');
      const { key, apiKey } = await createApiKey(db, {
        tenantId: tenant.id,
        name: values.name ?? 'CLI key',
        scopes: need('scopes').split(',').map((s) => s.trim()).filter(Boolean),
        expiresAt: days ? new Date(Date.now() + Number(days) * 86_400_000) : null,
      });
      await audit(db, { actor: 'cli', tenantId: tenant.id, action: 'api_key.created', target: apiKey.prefix });
      // The only time the secret is ever shown.
      print({ ...apiKey, key });
      return 0;
    }
    case 'keys list': {
      const tenant = await getTenantBySlug(db, need('tenant'));
      print(await listApiKeys(db, tenant.id));
      return 0;
    }
    case 'keys revoke': {
      const tenant = await getTenantBySlug(db, need('tenant'));
      const which = positionals[0];
      if (!which) throw new UsageError('keys revoke needs the key prefix (obs_xxxxxxxx) or id');
      const revoked = await revokeApiKey(db, tenant.id, which);
      hooks.onKeyRevoked?.(revoked.prefix);
      await audit(db, { actor: 'cli', tenantId: tenant.id, action: 'api_key.revoked', target: revoked.prefix });
      print(revoked);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${argv.join(' ')}"`);
  }
}

/** Turns any error into the JSON (or usage) text the CLI prints, and its exit code. */
export function describeCliError(e: unknown): { code: number; text: string } {
  if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
    // Usage mistakes are for the person at the terminal: plain text and the usage.
    return { code: 2, text: `obstack: ${e.message}\n\n${USAGE}\n` };
  }
  if (e instanceof ZodError) {
    return { code: 1, text: `${JSON.stringify({ error: { code: 'invalid_input', message: e.issues.map((i) => i.message).join('; ') } })}\n` };
  }
  if (isAppError(e)) return { code: 1, text: `${JSON.stringify({ error: { code: e.code, message: e.message } })}\n` };
  if (e instanceof ConfigError) return { code: 78, text: `${e.message}\n` };
  if (e instanceof LockedError) return { code: 1, text: `${JSON.stringify({ error: { code: 'locked', message: e.message } })}\n` };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 1, text: `${JSON.stringify({ error: { code: 'error', message } })}\n` };
}

async function captured(fn: (io: Io) => Promise<number>, stdin: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = { out: (s) => void (stdout += s), err: (s) => void (stderr += s), stdin: async () => stdin };
  try {
    return { code: await fn(io), stdout, stderr };
  } catch (e) {
    const { code, text } = describeCliError(e);
    return { code, stdout, stderr: stderr + text };
  }
}

function readStdin(): Promise<string> {
  return new Promise((ok) => {
    if (process.stdin.isTTY) return ok('');
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (c: string) => (data += c));
    process.stdin.on('end', () => ok(data));
  });
}

/** Runs a data command against the configured database, or inside the running embedded server. */
async function runData(argv: string[], config: Config): Promise<CliResult> {
  const stdin = argv.includes('--password-stdin') ? await readStdin() : '';
  if (!config.databaseUrl) {
    const holder = readLock(config.dataDir);
    if (holder?.socket) return sendToServer(holder.socket, argv, stdin);
    if (holder) throw new LockedError(holder);
    const release = acquireLock(config.dataDir);
    try {
      const handle = createDb({ dataDir: config.dataDir });
      try {
        await handle.migrate();
        return await captured((io) => runDataCommand(argv, handle.db, io), stdin);
      } finally {
        await handle.close();
      }
    } finally {
      release();
    }
  }
  const handle = createDb({ url: config.databaseUrl, dataDir: config.dataDir, maxConnections: 2 });
  try {
    await handle.migrate();
    return await captured((io) => runDataCommand(argv, handle.db, io), stdin);
  } finally {
    await handle.close();
  }
}

export async function main(argv: string[], root: string): Promise<number> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  try {
    if (command === 'config') {
      process.stdout.write(`${JSON.stringify(describeConfig(), null, 2)}\n`);
      return 0;
    }
    const config = loadConfig();
    if (command === 'start') return await start(argv.slice(1), config, root);
    if (command === 'migrate') {
      const release = config.databaseUrl ? () => {} : acquireLock(config.dataDir);
      const handle = createDb({ url: config.databaseUrl, dataDir: config.dataDir, maxConnections: 2 });
      try {
        await handle.migrate();
        process.stdout.write(`${JSON.stringify({ migrated: true, driver: handle.driver })}\n`);
      } finally {
        await handle.close();
        release();
      }
      return 0;
    }
    if (['tenants', 'users', 'keys'].includes(command)) {
      const result = await runData(argv, config);
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      return result.code;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (e) {
    const { code, text } = describeCliError(e);
    process.stderr.write(text);
    return code;
  }
}

async function start(args: string[], config: Config, root: string): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { role: { type: 'string' }, dev: { type: 'boolean' } },
  });
  const role = values.role ?? config.role;
  if (role !== 'web' && role !== 'worker' && role !== 'all') throw new UsageError('--role must be web, worker or all');
  const log = createLogger({ level: config.logLevel, format: config.logFormat });

  // Embedded: this process owns the database; CLI commands reach it through a socket.
  const sock = config.databaseUrl ? undefined : socketPath(config.dataDir);
  const release = config.databaseUrl ? () => {} : acquireLock(config.dataDir, sock);
  let control: Server | undefined;
  try {
    const running = await startObstack({
      config,
      log,
      role,
      dev: values.dev ?? false,
      root,
      onServices: async (services) => {
        if (!sock) return;
        control = await listenControlSocket(sock, (argv, stdin) =>
          captured(
            (io) => runDataCommand(argv, services.db, io, { onKeyRevoked: (p) => services.apiKeys.forget(p) }),
            stdin,
          ),
        );
      },
    });
    await new Promise<void>((done) => {
      const onSignal = (signal: NodeJS.Signals) => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        control?.close();
        void running.stop(signal).finally(done);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    return 0;
  } finally {
    control?.close();
    release();
  }
}

export { USAGE };
