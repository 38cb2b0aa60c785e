import type { LoaderFunctionArgs } from '@remix-run/node';
import { metadata } from '~/.server/api/explore';
import { readEndpoint } from '~/.server/api/respond';

/** GET /api/v1/labels/{name}/values?signal&from&to — values of one label. */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  return readEndpoint(request, context, (tenant, search, signal) => {
    search.set('name', params.name ?? '');
    return metadata(context.services.query, tenant, 'label-values', search, signal);
  });
}
