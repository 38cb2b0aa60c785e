import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';

/** Grafana Faro web SDK: POST /collect (and its CORS preflight) → 202. The key comes in x-api-key. */
export function action({ request, context }: ActionFunctionArgs) {
  return context.services.ingest.faro(request);
}

export function loader({ request, context }: LoaderFunctionArgs) {
  return context.services.ingest.faro(request);
}
