import type { LoaderFunctionArgs } from '@remix-run/node';
import { getTrace } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';
import { notFound } from '~/.server/errors';

/** GET /api/v1/traces/{traceId} — every span of the trace; 404 when no source has it. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const traceId = params.traceId ?? '';
  return readEndpoint(request, context, async (tenant, _p, signal) => {
    const answer = await getTrace(context.services.query, tenant, traceId, signal);
    // Not found only when every source answered: a failing one could hold it.
    if (answer.data === null && answer.errors.length === 0) throw notFound(`No trace ${traceId}`);
    return answer;
  });
}
