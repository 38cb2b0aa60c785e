import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, tenants } from './index';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'obstack-db-'));
  dirs.push(d);
  return d;
}

describe('createDb on PGlite', () => {
  it('applies migrations idempotently and keeps data across reopen', async () => {
    const dataDir = tempDir();
    const first = createDb({ dataDir });
    await first.migrate();
    await first.migrate();
    await first.db.insert(tenants).values({ name: 'Acme', slug: 'acme' });
    await first.close();

    const second = createDb({ dataDir });
    await second.migrate();
    const rows = await second.db.select().from(tenants);
    expect(rows.map((r) => r.slug)).toEqual(['acme']);
    const applied = await second.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect((applied as unknown as { rows: Array<{ n: number }> }).rows[0]?.n).toBeGreaterThan(0);
    await second.close();
  });
});
