import { desc, eq, sql } from 'drizzle-orm';
import { type AuditEntry, type Database, auditLog, users } from '@obstack/db';

export interface AuditInput {
  /** `user:<id>`, `key:<id>`, `cli` or `system`. */
  actor: string;
  tenantId?: string | null | undefined;
  action: string;
  target?: string | null | undefined;
  details?: Record<string, unknown> | undefined;
}

/** Records who did what. Never put secrets in `details`. */
export async function audit(db: Database, entry: AuditInput): Promise<void> {
  await db.insert(auditLog).values({
    actor: entry.actor,
    tenantId: entry.tenantId ?? null,
    action: entry.action,
    target: entry.target ?? null,
    details: entry.details ?? null,
  });
}

/** The newest entries of one tenant, with the e-mail of user actors that still exist. */
export async function recentAudit(
  db: Database,
  tenantId: string,
  limit = 50,
): Promise<Array<AuditEntry & { actorEmail: string | null }>> {
  const rows = await db
    .select({ entry: auditLog, actorEmail: users.email })
    .from(auditLog)
    .leftJoin(users, sql`${auditLog.actor} = 'user:' || ${users.id}::text`)
    .where(eq(auditLog.tenantId, tenantId))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit);
  return rows.map((r) => ({ ...r.entry, actorEmail: r.actorEmail }));
}
