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
  return { config: { url }, secrets: password === undefined ? {} : { password }, cleanup: db.drop };
}

export const TARGETS = [
  { name: 'PGlite', enabled: true, make: pgliteTarget },
  { name: 'PostgreSQL', enabled: hasPostgres, make: postgresTarget },
] as const;
