import type { LoaderFunctionArgs } from '@remix-run/node';
import { getServices } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';

/** GET /api/v1/services?from&to — each service's request rate, error rate and latency percentiles from spans. */
export function loader({ request, context }: LoaderFunctionArgs) {
  return readEndpoint(request, context, (tenant, params, signal) => getServices(context.services.query, tenant, params, signal));
}
