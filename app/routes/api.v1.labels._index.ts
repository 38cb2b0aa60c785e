import type { LoaderFunctionArgs } from '@remix-run/node';
import { metadata } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';

/** GET /api/v1/labels?signal&from&to — label (attribute) names of a signal. */
export function loader({ request, context }: LoaderFunctionArgs) {
  return readEndpoint(request, context, (tenant, params, signal) => metadata(context.services.query, tenant, 'label-names', params, signal));
}
