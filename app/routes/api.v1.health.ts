import type { LoaderFunctionArgs } from '@remix-run/node';
import { requireRole } from '~/.server/auth';

/**
 * Per-component readiness: database, queue and whatever else is configured. 503 when a
 * required component is down. Needs a session or an API key of any scope.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, context, 'viewer', { apiKeyScope: 'any' });
  const report = await context.services.health();
  return Response.json(report, {
    status: report.status === 'down' ? 503 : 200,
    headers: { 'Cache-Control': 'no-store' },
  });
}
