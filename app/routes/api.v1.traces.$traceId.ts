import type { LoaderFunctionArgs } from '@remix-run/node';
import { getTrace } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';
import { jsonError } from '~/.server/errors';

/** GET /api/v1/traces/{traceId} — every span of the trace; 404 when no source has it. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const res = await readEndpoint(request, context, (tenant, _p, signal) => getTrace(context.services.query, tenant, params.traceId ?? '', signal));
  if (res.status !== 200) return res;
  const body = (await res.clone().json()) as { data: unknown; errors: unknown[] };
  if (body.data === null && body.errors.length === 0) return jsonError(404, 'not_found', `No trace ${params.traceId}`);
  return res;
}
