import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitDatabaseUrl, type PostgresStoreConfig } from '../src/index';
import { createTestDatabase, hasPostgres } from '../../../tests/support/pg';

export { hasPostgres };

export interface Target {
  config: PostgresStoreConfig;
  secrets: Record<string, string>;
  cleanup(): Promise<void>;
}

/** An embedded store in a fresh temporary directory. */
export async function pgliteTarget(): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'obstack-store-'));
  return { config: { dataDir: dir }, secrets: {}, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A throwaway database on the real PostgreSQL of DATABASE_URL. */
export async function postgresTarget(): Promise<Target> {
  const db = await createTestDatabase('obstack_store');
  const { url, password } = splitDatabaseUrl(db.url);
  return { config: { url }, secrets: password === undefined ? {} : { password }, cleanup: () => dropPatiently(db.drop) };
}

/**
 * DROP DATABASE ... WITH (FORCE) cannot end an autovacuum worker for a role that is not
 * a superuser, and the store's BRIN indexes ask autovacuum to summarise ranges as they
 * fill: wait for the worker to finish rather than fail the suite.
 */
async function dropPatiently(drop: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await drop();
    } catch (e) {
      if (attempt >= 30 || (e as { code?: string }).code !== '42501') throw e;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

export const TARGETS = [
  { name: 'PGlite', enabled: true, make: pgliteTarget },
  { name: 'PostgreSQL', enabled: hasPostgres, make: postgresTarget },
] as const;
