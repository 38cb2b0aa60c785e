import type { LoaderFunctionArgs } from '@remix-run/node';
import { metadata } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';

/** GET /api/v1/metrics/names?from&to — metric names with data in the range. */
export function loader({ request, context }: LoaderFunctionArgs) {
  return readEndpoint(request, context, (tenant, params, signal) => metadata(context.services.query, tenant, 'metric-names', params, signal));
}
