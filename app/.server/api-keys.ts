import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { API_KEY_SCOPES, type ApiKey, type ApiKeyScope, type Database, apiKeys, tenants } from '@obstack/db';
import { API_KEY_PATTERN } from './config';
import { randomLowerAlnum, randomString, safeEqual, sha256Hex } from './crypto';
import { AppError, conflict, isUniqueViolation, notFound } from './errors';

export const scopesSchema = z
  .array(z.enum(API_KEY_SCOPES, { error: `Scopes must be among ${API_KEY_SCOPES.join(', ')}` }))
  .min(1, { error: 'Pick at least one scope' })
  .transform((s) => [...new Set(s)].sort() as ApiKeyScope[]);

export const keyNameSchema = z
  .string({ error: 'Name is required' })
  .trim()
  .min(1, { error: 'Name is required' })
  .max(100, { error: 'Name must be at most 100 characters' });

/** `obs_<8 lowercase>_<40 mixed>`: the first 12 characters are the visible prefix. */
export function generateApiKey(): string {
  return `obs_${randomLowerAlnum(8)}_${randomString(40)}`;
}

export function prefixOf(key: string): string {
  return key.slice(0, 12);
}

/** What lists show: never the hash. */
export type ApiKeyView = Omit<ApiKey, 'secretHash'>;

export function toView(row: ApiKey): ApiKeyView {
  const { secretHash: _hidden, ...view } = row;
  return view;
}

export interface CreateApiKeyInput {
  tenantId: string;
  name: string;
  scopes: string[];
  expiresAt?: Date | null | undefined;
  createdBy?: string | null | undefined;
  /** Register this exact key (bootstrap) instead of generating one. */
  key?: string | undefined;
}

/** Creates a key and returns its secret, which is shown once and never stored. */
export async function createApiKey(db: Database, input: CreateApiKeyInput): Promise<{ key: string; apiKey: ApiKeyView }> {
  const name = keyNameSchema.parse(input.name);
  const scopes = scopesSchema.parse(input.scopes);
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw new AppError(400, 'invalid_expiry', 'Expiry must be in the future', 'expiresAt');
  }
  const key = input.key ?? generateApiKey();
  if (!API_KEY_PATTERN.test(key)) throw new AppError(400, 'invalid_key', 'Not an Obstack API key (obs_<8>_<32+>)');
  try {
    const [row] = await db
      .insert(apiKeys)
      .values({
        tenantId: input.tenantId,
        name,
        prefix: prefixOf(key),
        secretHash: sha256Hex(key),
        scopes,
        expiresAt: input.expiresAt ?? null,
        createdBy: input.createdBy ?? null,
      })
      .returning();
    if (!row) throw new Error('insert returned no key');
    return { key, apiKey: toView(row) };
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('key_exists', 'A key with this prefix already exists');
    throw e;
  }
}

export async function listApiKeys(db: Database, tenantId: string): Promise<ApiKeyView[]> {
  const rows = await db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(desc(apiKeys.createdAt));
  return rows.map(toView);
}

/** Revokes by id or prefix, only within `tenantId`: another tenant's key is "not found". */
export async function revokeApiKey(db: Database, tenantId: string, idOrPrefix: string): Promise<ApiKeyView> {
  const byPrefix = idOrPrefix.startsWith('obs_');
  if (!byPrefix && !/^[0-9a-f-]{36}$/i.test(idOrPrefix)) throw notFound('API key not found');
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(
      and(eq(apiKeys.tenantId, tenantId), byPrefix ? eq(apiKeys.prefix, idOrPrefix) : eq(apiKeys.id, idOrPrefix)),
    )
    .returning();
  if (!row) throw notFound('API key not found');
  return toView(row);
}

export interface KeyPrincipal {
  kind: 'key';
  keyId: string;
  prefix: string;
  tenantId: string;
  tenantSlug: string;
  scopes: ApiKeyScope[];
}

export type KeyCheck =
  | { ok: true; principal: KeyPrincipal }
  | { ok: false; status: 401 | 403; code: string; message: string };

interface CachedKey {
  row: ApiKey;
  tenantSlug: string;
  tenantActive: boolean;
  fetchedAt: number;
}

/**
 * Verifies machine keys. Rows are cached for a few seconds so that ingest does not
 * read the database on every request; a revocation made by this process drops the
 * cache entry at once, one made by another process is honoured within `cacheTtlMs`.
 * `last_used_at` is batched and written at most once per flush interval per key.
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, CachedKey>();
  private readonly lastUsed = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: { cacheTtlMs?: number; flushIntervalMs?: number } = {},
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush().catch(() => {}), this.options.flushIntervalMs ?? 30_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  forget(prefix: string): void {
    this.cache.delete(prefix);
  }

  async verify(raw: string | null | undefined, scope: ApiKeyScope | 'any'): Promise<KeyCheck> {
    if (!raw) return { ok: false, status: 401, code: 'missing_api_key', message: 'Missing API key: send Authorization: Bearer <key> or X-API-Key: <key>' };
    const key = raw.trim();
    if (!API_KEY_PATTERN.test(key)) return { ok: false, status: 401, code: 'invalid_api_key', message: 'Invalid API key' };
    const prefix = prefixOf(key);
    const entry = await this.lookup(prefix);
    // Same answer for an unknown prefix and a wrong secret: don't confirm which prefixes exist.
    if (!entry || !safeEqual(entry.row.secretHash, sha256Hex(key))) {
      return { ok: false, status: 401, code: 'invalid_api_key', message: 'Invalid API key' };
    }
    const { row } = entry;
    if (row.revokedAt) return { ok: false, status: 401, code: 'revoked_api_key', message: 'This API key has been revoked' };
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) {
      return { ok: false, status: 401, code: 'expired_api_key', message: 'This API key has expired' };
    }
    if (!entry.tenantActive) return { ok: false, status: 403, code: 'tenant_disabled', message: 'This tenant is disabled' };
    if (scope !== 'any' && !row.scopes.includes(scope)) {
      return {
        ok: false,
        status: 403,
        code: 'insufficient_scope',
        message: `This API key lacks the "${scope}" scope (it has: ${row.scopes.join(', ')})`,
      };
    }
    this.lastUsed.set(row.id, new Date());
    return {
      ok: true,
      principal: { kind: 'key', keyId: row.id, prefix, tenantId: row.tenantId, tenantSlug: entry.tenantSlug, scopes: row.scopes },
    };
  }

  private async lookup(prefix: string): Promise<CachedKey | undefined> {
    const ttl = this.options.cacheTtlMs ?? 5_000;
    const hit = this.cache.get(prefix);
    if (hit && Date.now() - hit.fetchedAt < ttl) return hit;
    const [found] = await this.db
      .select({ row: apiKeys, tenantSlug: tenants.slug, tenantActive: tenants.isActive })
      .from(apiKeys)
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .where(eq(apiKeys.prefix, prefix))
      .limit(1);
    if (!found) {
      this.cache.delete(prefix);
      return undefined;
    }
    const entry = { ...found, fetchedAt: Date.now() };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(prefix, entry);
    return entry;
  }

  /** Writes the batched last-used times: one statement for all keys used since the last flush. */
  async flush(): Promise<void> {
    if (this.lastUsed.size === 0) return;
    const batch = [...this.lastUsed];
    this.lastUsed.clear();
    const newest = new Map<string, Date>(batch);
    const ids = [...newest.keys()];
    const at = new Date(Math.max(...batch.map(([, d]) => d.getTime())));
    // One timestamp per flush is precise to the flush interval, which is what "last used" promises.
    await this.db.update(apiKeys).set({ lastUsedAt: at }).where(inArray(apiKeys.id, ids));
  }
}
