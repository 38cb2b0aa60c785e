import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel as kafkaLogLevel } from 'kafkajs';
import { type Database, type DbHandle, createDb } from '@obstack/db';
import { ApiKeyVerifier } from './api-keys';
import { type AuthUser, createAuthenticator } from './authenticator';
import type { Authenticator } from 'remix-auth';
import type { Config } from './config';
import { randomToken } from './crypto';
import { type JobQueue, createBullQueue, createInlineQueue } from './jobs/queue';
import type { Logger } from './log';
import { type RateLimiter, createMemoryRateLimiter, createRedisRateLimiter } from './rate-limit';
import { purgeExpiredSessions } from './sessions';
import postgresStore, { maintenance as storeMaintenance, splitDatabaseUrl } from '@obstack/plugin-postgres';
import { BUILTIN_ID, DataSourceService } from './host/data-sources';
import { type InstanceSpec, PluginHost } from './host/host';
import { PluginRegistry } from './host/registry';
import { SecretBox } from './host/secrets';
import { QueryService } from './query';
import { type Bus, createBus } from './bus';
import { DEFAULT_DECODE_LIMITS } from './ingest/decode';
import { createPipelineHandler } from './ingest/pipeline';
import { IngestService } from './ingest/service';
import { IngestSettingsCache, shorterRetentions } from './ingest/settings';

export interface ComponentHealth {
  status: 'ok' | 'down';
  required: boolean;
  detail?: string;
  latencyMs?: number;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  mode: 'embedded' | 'scaled';
  components: Record<string, ComponentHealth>;
}

/** Everything stateful the app uses, made once per process and handed to every request. */
export interface Services {
  config: Config;
  log: Logger;
  dbHandle: DbHandle;
  db: Database;
  /** Signs cookies; later also the key that encrypts data-source secrets. */
  secret: string;
  redis: Redis | undefined;
  limiter: RateLimiter;
  apiKeys: ApiKeyVerifier;
  /** remix-auth strategies (the e-mail/password form today; OIDC can join). */
  auth: Authenticator<AuthUser>;
  queue: JobQueue;
  registry: PluginRegistry;
  host: PluginHost;
  dataSources: DataSourceService;
  query: QueryService;
  bus: Bus;
  ingest: IngestService;
  ingestSettings: IngestSettingsCache;
  /** Worker role: consume the bus into the data sources. */
  startPipeline(): Promise<void>;
  /** Per-component health of this process: database, queue, bus, Redis, Kafka, the built-in store, plugins. */
  health(): Promise<HealthReport>;
  close(): Promise<void>;
}

/** The built-in store: the operator's PostgreSQL (or embedded PGlite), shared by all tenants. */
function builtinStoreSpec(config: Config): InstanceSpec {
  let target: { config: Record<string, unknown>; secrets: Record<string, string> };
  if (config.storeUrl) {
    const { url, password } = splitDatabaseUrl(config.storeUrl);
    target = { config: { url }, secrets: password ? { password } : {} };
  } else {
    target = { config: { dataDir: join(resolve(config.dataDir), 'store') }, secrets: {} };
  }
  return {
    id: BUILTIN_ID,
    name: 'Built-in store',
    pluginId: postgresStore.id,
    version: 'env',
    config: { ...target.config, retentionDays: config.storeRetentionDays, maxConnections: config.databasePoolSize },
    secrets: target.secrets,
    allowInternalAddresses: true,
    timeoutMs: 30_000,
    maxConcurrency: 32,
  };
}

/** Embedded mode keeps a generated secret beside its data so restarts keep sessions valid. */
function resolveSecret(config: Config): string {
  if (config.secret) return config.secret;
  const dir = resolve(config.dataDir);
  const file = join(dir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const secret = randomToken(32);
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}

async function timed(check: () => Promise<string | undefined>, required: boolean): Promise<ComponentHealth> {
  const start = performance.now();
  try {
    const detail = await withTimeout(check(), 3_000);
    return { status: 'ok', required, latencyMs: Math.round(performance.now() - start), ...(detail ? { detail } : {}) };
  } catch (err) {
    return { status: 'down', required, detail: err instanceof Error ? err.message : String(err) };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        res(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        rej(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export interface CreateServicesOptions {
  /** Apply migrations before returning (the default). */
  migrate?: boolean;
}

export async function createServices(config: Config, log: Logger, options: CreateServicesOptions = {}): Promise<Services> {
  const secret = resolveSecret(config);
  const dbHandle = createDb({ url: config.databaseUrl, dataDir: config.dataDir, maxConnections: config.databasePoolSize });
  const closers: Array<() => Promise<void>> = [];
  try {
    if (options.migrate !== false) await dbHandle.migrate();
    closers.push(() => dbHandle.close());

    let redis: Redis | undefined;
    if (config.redisUrl) {
      const r = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
      r.on('error', (err: Error) => log.warn('redis error', { err: err.message }));
      await r.connect();
      redis = r;
      closers.unshift(async () => void (await r.quit().catch(() => r.disconnect())));
    }

    const kafka = config.kafkaBrokers
      ? new Kafka({ clientId: 'obstack', brokers: config.kafkaBrokers, logLevel: kafkaLogLevel.NOTHING, connectionTimeout: 3_000 })
      : undefined;
    const kafkaAdmin = kafka?.admin();
    let kafkaConnected = false;
    if (kafkaAdmin) closers.unshift(async () => void (await kafkaAdmin.disconnect().catch(() => {})));

    const limiter = redis ? createRedisRateLimiter(redis, `${config.busPrefix}:rl:`) : createMemoryRateLimiter();
    const db = dbHandle.db;
    const apiKeys = new ApiKeyVerifier(db);
    apiKeys.start();
    closers.unshift(() => apiKeys.stop());

    const queue = redis ? createBullQueue(redis, log, { queueName: `${config.busPrefix}-jobs` }) : createInlineQueue(log);
    closers.unshift(() => queue.close());
    queue.register('sessions.purge', async () => {
      const n = await purgeExpiredSessions(db);
      if (n) log.info('purged expired sessions', { count: n });
    });

    const registry = new PluginRegistry(log);
    registry.register(postgresStore, 'builtin');
    await registry.loadPackages(config.plugins);
    const host = new PluginHost(registry, log);
    closers.unshift(() => host.close());
    const builtin = builtinStoreSpec(config);
    const dataSources = new DataSourceService(db, host, new SecretBox(secret), builtin);
    const query = new QueryService(host, dataSources);
    queue.register('store.maintenance', async () => {
      // Tenants that asked to keep less have their older rows deleted; whole days go for everyone.
      const tenants = await shorterRetentions(db, config.storeRetentionDays);
      const result = await host.call(builtin, 'system', async (instance) => storeMaintenance(instance, { tenants }));
      log.info('store maintenance', { ...result });
    });

    const bus = createBus({
      log: log.child({ component: 'bus' }),
      redis,
      kafkaBrokers: config.kafkaBrokers,
      kafka: { topicPrefix: `${config.busPrefix}.`, groupId: `${config.busPrefix}-workers`, traceAffinity: config.kafkaTraceAffinity },
      bullmq: { prefix: config.busPrefix },
    });
    // Closers run newest first: the bus drains its in-flight batches while the host and the
    // database can still take them.
    closers.unshift(() => bus.close());
    const ingestSettings = new IngestSettingsCache(db);
    const ingest = new IngestService({
      apiKeys,
      bus,
      settings: ingestSettings,
      limiter,
      log: log.child({ component: 'ingest' }),
      options: { limits: DEFAULT_DECODE_LIMITS, faroMaxBytes: 5 * 1024 * 1024 },
    });

    const services: Services = {
      config,
      log,
      dbHandle,
      db,
      secret,
      redis,
      limiter,
      apiKeys,
      auth: createAuthenticator(db),
      queue,
      registry,
      host,
      dataSources,
      query,
      bus,
      ingest,
      ingestSettings,
      async startPipeline() {
        await bus.startConsumer(createPipelineHandler({ settings: ingestSettings, dataSources, host }));
      },
      async health() {
        const components: Record<string, ComponentHealth> = {};
        const checks: Array<Promise<void>> = [
          timed(async () => {
            await dbHandle.ping();
            return dbHandle.driver;
          }, true).then((h) => void (components.database = h)),
          timed(async () => {
            const q = await queue.health();
            if (!q.ok) throw new Error(q.detail);
            return `${q.driver}: ${q.detail}`;
          }, true).then((h) => void (components.queue = h)),
        ];
        checks.push(
          timed(async () => {
            const b = await bus.health();
            if (!b.ok) throw new Error(b.detail);
            return `${b.driver}: ${b.detail}${b.deadLetters ? `, ${b.deadLetters} dead letter(s)` : ''}`;
          }, true).then((h) => void (components.bus = h)),
        );
        if (redis) {
          const r = redis;
          checks.push(timed(async () => void (await r.ping()), true).then((h) => void (components.redis = h)));
        }
        if (kafkaAdmin) {
          checks.push(
            timed(async () => {
              if (!kafkaConnected) {
                await kafkaAdmin.connect();
                kafkaConnected = true;
              }
              const cluster = await kafkaAdmin.describeCluster();
              return `${cluster.brokers.length} broker(s)`;
            }, true).then((h) => void (components.kafka = h)),
          );
        }
        // The built-in store is required: it is where data goes by default.
        checks.push(
          host.check(builtin, 'system').then((h) => {
            components['store'] = { status: h.status === 'error' ? 'down' : 'ok', required: true, detail: h.message };
          }),
        );
        for (const f of registry.failures) components[`plugin:${f.packageName}`] = { status: 'down', required: false, detail: f.message };
        await Promise.all(checks);
        const down = Object.values(components).filter((c) => c.status === 'down');
        return {
          status: down.some((c) => c.required) ? 'down' : down.length ? 'degraded' : 'ok',
          mode: config.embedded ? 'embedded' : 'scaled',
          components,
        };
      },
      async close() {
        for (const close of closers.splice(0)) {
          try {
            await close();
          } catch (err) {
            log.warn('error while closing', { err: err instanceof Error ? err.message : String(err) });
          }
        }
      },
    };
    return services;
  } catch (err) {
    for (const close of closers) await close().catch(() => {});
    if (!closers.length) await dbHandle.close().catch(() => {});
    throw err;
  }
}

/** Repeatable maintenance every worker-capable process schedules (idempotent). */
export async function scheduleMaintenance(services: Services): Promise<void> {
  await services.queue.schedule('sessions.purge', 3_600_000);
  await services.queue.schedule('store.maintenance', 3_600_000);
}
