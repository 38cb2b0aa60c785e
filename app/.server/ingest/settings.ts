import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { type Database, tenants } from '@obstack/db';

/**
 * A tenant's ingest settings (in tenants.settings.ingest): which sites may send browser
 * data, how much, and what personal data is scrubbed before anything is stored.
 */
export const ingestSettingsSchema = z.object({
  /** Origins allowed to POST /collect, e.g. https://shop.example.com; `*` allows any. */
  allowedOrigins: z.array(z.string()).default(['*']),
  /** Browser (Faro) requests per second per tenant before 429. */
  rumRequestsPerSecond: z.number().int().min(1).max(100_000).default(200),
  pii: z
    .object({
      emails: z.boolean().default(true),
      cardNumbers: z.boolean().default(true),
      /** Attribute keys whose values are always replaced (case-insensitive, matched on the last path segment too). */
      keys: z.array(z.string()).default(['password', 'passwd', 'secret', 'token', 'authorization', 'api_key', 'apikey', 'cookie', 'set-cookie']),
    })
    .default({ emails: true, cardNumbers: true, keys: ['password', 'passwd', 'secret', 'token', 'authorization', 'api_key', 'apikey', 'cookie', 'set-cookie'] }),
  /**
   * Days of this tenant's telemetry the built-in store keeps, when fewer than the server's
   * OBSTACK_STORE_RETENTION_DAYS; null keeps the server's.
   */
  retentionDays: z.number().int().min(1).max(3650).nullable().default(null),
});

export type IngestSettings = z.output<typeof ingestSettingsSchema>;

export const DEFAULT_INGEST_SETTINGS: IngestSettings = ingestSettingsSchema.parse({});

/**
 * Settings per tenant, cached for a few seconds: ingest reads them on every request and
 * batch, and a change may take that long to reach every process.
 */
export class IngestSettingsCache {
  private readonly cache = new Map<string, { at: number; value: IngestSettings }>();

  constructor(
    private readonly db: Database,
    private readonly ttlMs = 5_000,
  ) {}

  async get(tenantId: string): Promise<IngestSettings> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const [row] = await this.db.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, tenantId)).limit(1);
    const parsed = ingestSettingsSchema.safeParse((row?.settings as { ingest?: unknown } | undefined)?.ingest ?? {});
    const value = parsed.success ? parsed.data : DEFAULT_INGEST_SETTINGS;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(tenantId, { at: Date.now(), value });
    return value;
  }

  async save(tenantId: string, value: IngestSettings): Promise<void> {
    const [row] = await this.db.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, tenantId)).limit(1);
    await this.db
      .update(tenants)
      .set({ settings: { ...(row?.settings ?? {}), ingest: value }, updatedAt: new Date() })
      .where(eq(tenants.id, tenantId));
    this.cache.delete(tenantId);
  }
}

/**
 * Tenants that keep telemetry for fewer days than the store does, for the retention job.
 * A longer setting cannot be honoured (the store drops whole days for everyone) and is left out.
 */
export async function shorterRetentions(db: Database, storeDays: number): Promise<Array<{ tenantId: string; retentionDays: number }>> {
  const rows = await db.select({ id: tenants.id, settings: tenants.settings }).from(tenants);
  const out: Array<{ tenantId: string; retentionDays: number }> = [];
  for (const row of rows) {
    const parsed = ingestSettingsSchema.safeParse((row.settings as { ingest?: unknown } | null)?.ingest ?? {});
    const days = parsed.success ? parsed.data.retentionDays : null;
    if (days !== null && days < storeDays) out.push({ tenantId: row.id, retentionDays: days });
  }
  return out;
}

export function originAllowed(settings: IngestSettings, origin: string | null): boolean {
  if (settings.allowedOrigins.includes('*')) return true;
  if (!origin) return false;
  return settings.allowedOrigins.some((o) => o.replace(/\/+$/, '').toLowerCase() === origin.toLowerCase());
}
