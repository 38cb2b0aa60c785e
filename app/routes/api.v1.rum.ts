import type { LoaderFunctionArgs } from '@remix-run/node';
import { queryRum } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';

/** GET /api/v1/rum?from&to&kind&sessionId&page&filter&limit&groupBy — browser events (page views, web vitals, errors...). */
export function loader({ request, context }: LoaderFunctionArgs) {
  return readEndpoint(request, context, (tenant, params, signal) => queryRum(context.services.query, tenant, params, signal));
}
