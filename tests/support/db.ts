import { rmSync } from 'node:fs';
import { type DbHandle, createDb } from '@obstack/db';
import type { Backend } from './obstack';
import { tempDir } from './obstack';
import { createTestDatabase } from './pg';

/** A migrated, empty application database on PGlite or on a throwaway Postgres database. */
export async function testDb(backend: Backend): Promise<DbHandle & { cleanup(): Promise<void> }> {
  if (backend === 'pglite') {
    const dir = tempDir('obstack-db-');
    const h = createDb({ dataDir: dir });
    await h.migrate();
    return { ...h, async cleanup() { await h.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const pg = await createTestDatabase();
  const h = createDb({ url: pg.url, dataDir: tempDir(), maxConnections: 4 });
  await h.migrate();
  return { ...h, async cleanup() { await h.close(); await pg.drop(); } };
}
