import { isPluginError } from '@obstack/plugin-api';
import { requireRole } from '../auth';
import type { ObstackContext } from '../context';
import { isAppError } from '../errors';
import type { QueryService } from '../query';
import { parseRange } from './params';

/**
 * What the explore pages need beside the shared read functions in explore.ts: who is
 * looking (and whether they may create keys, for the "send data" empty state), a way to
 * turn a bad parameter into a message on the page instead of an error page, and whether
 * the tenant has any telemetry at all.
 */
export async function explorePrincipal(request: Request, context: ObstackContext) {
  const p = await requireRole(request, context, 'viewer');
  return {
    tenantId: p.tenant.id,
    canManageKeys: p.role === 'owner' || p.role === 'admin',
    endpoint: context.services.config.publicUrl,
  };
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; message: string; param?: string };

/** Runs a read; a 4xx AppError (bad parameter) or a plugin's config error becomes a message for the page. */
export async function attempt<T>(run: () => Promise<T> | T): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    if (isAppError(e) && e.status < 500) return { ok: false, message: e.message, ...(e.field ? { param: e.field } : {}) };
    if (isPluginError(e) && e.source === 'config') return { ok: false, message: e.message };
    throw e;
  }
}

/** The range a page shows, resolved now; falls back to the last hour when the URL's is invalid (the page shows why). */
export function pageRange(params: URLSearchParams): { startMs: number; endMs: number; from: string; to: string; error?: string } {
  try {
    return parseRange(params);
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { ...parseRange(new URLSearchParams()), error: e.message };
  }
}

/** True when any data source has ever stored a log, span or metric of this tenant (not only in the range). */
export async function hasTelemetry(q: QueryService, tenantId: string, signal?: AbortSignal): Promise<boolean> {
  for (const s of ['traces', 'logs', 'metrics'] as const) {
    const answer = await q.services(tenantId, s, {}, signal);
    if (answer.data.length > 0) return true;
    // A failing source could hold data: don't claim the tenant is empty.
    if (answer.errors.length > 0) return true;
  }
  return false;
}

/** Services seen in spans and logs over the range, for the filter pickers. */
export async function serviceNames(q: QueryService, tenantId: string, range: { startMs: number; endMs: number }, signal?: AbortSignal) {
  const r = { startMs: range.startMs, endMs: range.endMs };
  const [traces, logs] = await Promise.all([
    q.services(tenantId, 'traces', { range: r }, signal),
    q.services(tenantId, 'logs', { range: r }, signal),
  ]);
  return { data: [...new Set([...traces.data, ...logs.data])].sort(), errors: [...traces.errors, ...logs.errors] };
}
