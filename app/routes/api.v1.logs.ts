import type { LoaderFunctionArgs } from '@remix-run/node';
import { searchLogs } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';

/** GET /api/v1/logs?from&to&q&service&severity&traceId&filter&limit&direction&cursor&volumeStep — log records and their volume over time. */
export function loader({ request, context }: LoaderFunctionArgs) {
  return readEndpoint(request, context, (tenant, params, signal) => searchLogs(context.services.query, tenant, params, signal));
}
