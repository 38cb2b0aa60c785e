import { isPluginError } from '@obstack/plugin-api';
import { requireRole } from '../auth';
import type { ObstackContext } from '../context';
import { isAppError, jsonError } from '../errors';

/**
 * A JSON read endpoint: session or API key with the read scope, the caller's tenant, and
 * bad parameters answered as 400 with the parameter named. Backend failures are not
 * errors here: they travel in the answer's `errors` beside whatever data the other
 * sources returned.
 */
export async function readEndpoint(
  request: Request,
  context: ObstackContext,
  run: (tenantId: string, params: URLSearchParams, signal: AbortSignal) => Promise<unknown>,
): Promise<Response> {
  const principal = await requireRole(request, context, 'viewer', { apiKeyScope: 'read' });
  const tenantId = principal.kind === 'user' ? principal.tenant.id : principal.tenantId;
  try {
    const body = await run(tenantId, new URL(request.url).searchParams, request.signal);
    return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
  } catch (e) {
    if (isAppError(e) && e.status < 500) return jsonError(e.status, e.code, e.message);
    if (isPluginError(e) && e.source === 'config') return jsonError(400, 'invalid_query', e.message);
    throw e;
  }
}
