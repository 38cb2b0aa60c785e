import type { LoaderFunctionArgs } from '@remix-run/node';
import { metadata } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';

/** GET /api/v1/operations?from&to&service — span names. */
export function loader({ request, context }: LoaderFunctionArgs) {
  return readEndpoint(request, context, (tenant, params, signal) => metadata(context.services.query, tenant, 'operations', params, signal));
}
