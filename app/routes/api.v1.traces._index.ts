import type { LoaderFunctionArgs } from '@remix-run/node';
import { searchTraces } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';

/** GET /api/v1/traces?from&to&service&operation&minDuration&maxDuration&status&filter&limit — trace summaries, newest first. */
export function loader({ request, context }: LoaderFunctionArgs) {
  return readEndpoint(request, context, (tenant, params, signal) => searchTraces(context.services.query, tenant, params, signal));
}
