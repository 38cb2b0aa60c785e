import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenants } from '@obstack/db';
import { testDb } from '../../../tests/support/db';
import type { Backend } from '../../../tests/support/obstack';
import { hasPostgres } from '../../../tests/support/pg';
import { createTenant } from '../accounts';
import { DEFAULT_INGEST_SETTINGS, IngestSettingsCache, shorterRetentions } from './settings';

describe.each<Backend>(['pglite', 'postgres'])('ingest settings on %s', (backend) => {
  describe.skipIf(backend === 'postgres' && !hasPostgres)('', () => {
    let h: Awaited<ReturnType<typeof testDb>>;
    beforeAll(async () => {
      h = await testDb(backend);
    });
    afterAll(async () => h?.cleanup());

    it('lists for the retention job only the tenants that keep fewer days than the store', async () => {
      const cache = new IngestSettingsCache(h.db, 0);
      const week = await createTenant(h.db, { name: 'Week' });
      const longer = await createTenant(h.db, { name: 'Longer' });
      const unset = await createTenant(h.db, { name: 'Unset' });
      const broken = await createTenant(h.db, { name: 'Broken' });
      await cache.save(week.id, { ...DEFAULT_INGEST_SETTINGS, retentionDays: 7 });
      await cache.save(longer.id, { ...DEFAULT_INGEST_SETTINGS, retentionDays: 90 });
      await cache.save(unset.id, DEFAULT_INGEST_SETTINGS);
      // Settings written by hand that do not parse keep the server's retention.
      await h.db.update(tenants).set({ settings: { ingest: { retentionDays: 'soon' } } }).where(eq(tenants.id, broken.id));

      expect(await shorterRetentions(h.db, 30)).toEqual([{ tenantId: week.id, retentionDays: 7 }]);
      expect(await shorterRetentions(h.db, 7), 'equal to the store is nothing to do').toEqual([]);
      expect((await cache.get(week.id)).retentionDays).toBe(7);
      expect((await cache.get(unset.id)).retentionDays).toBeNull();
    });
  });
});
