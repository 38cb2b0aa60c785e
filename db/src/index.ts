import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema';

export * from './schema';
export { schema };

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DbConfig {
  /** postgres:// URL. Unset means embedded PGlite under `dataDir`. */
  url?: string | undefined;
  /** Where PGlite keeps its files (ignored with `url`). */
  dataDir: string;
  /** Pool size for postgres.js. */
  maxConnections?: number;
}

export interface DbHandle {
  db: Database;
  driver: 'postgres' | 'pglite';
  /** Applies the committed migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// Fixed key for pg_advisory_lock so that concurrent starts queue behind one migrator.
const MIGRATION_LOCK_KEY = 7_291_004_117;

/** The committed migrations, found through the package so bundling can't move them. */
export function migrationsFolder(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@obstack/db/package.json')), 'migrations');
}

/** Where embedded PGlite keeps the application database inside OBSTACK_DATA_DIR. */
export function pgliteDir(dataDir: string): string {
  return join(resolve(dataDir), 'app-db');
}

export function createDb(config: DbConfig): DbHandle {
  if (config.url) return createPostgres(config.url, config.maxConnections ?? 10);
  return createPglite(pgliteDir(config.dataDir));
}

function createPostgres(url: string, max: number): DbHandle {
  const client = postgres(url, {
    max: Math.max(2, max),
    onnotice: () => {},
    connection: { application_name: 'obstack' },
  });
  const db = drizzlePostgres(client, { schema });
  return {
    db,
    driver: 'postgres',
    async migrate() {
      // The lock is held on a reserved connection while the pool runs the migration,
      // so a second process blocks here and then finds nothing left to apply.
      const reserved = await client.reserve();
      try {
        await reserved`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
        try {
          await migratePostgres(db, { migrationsFolder: migrationsFolder() });
        } finally {
          await reserved`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
        }
      } finally {
        reserved.release();
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

function createPglite(dir: string): DbHandle {
  mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  const db = drizzlePglite(client, { schema });
  return {
    db,
    driver: 'pglite',
    async migrate() {
      await migratePglite(db, { migrationsFolder: migrationsFolder() });
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
