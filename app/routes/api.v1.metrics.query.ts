import type { LoaderFunctionArgs } from '@remix-run/node';
import { queryMetrics } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';

/** GET /api/v1/metrics/query?from&to&metric&match&rate&agg&by&step — time series. */
export function loader({ request, context }: LoaderFunctionArgs) {
  return readEndpoint(request, context, (tenant, params, signal) => queryMetrics(context.services.query, tenant, params, signal));
}
