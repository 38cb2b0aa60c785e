import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';

/** OTLP/HTTP: POST /v1/logs (application/x-protobuf or application/json, optionally gzip). */
export function action({ request, context }: ActionFunctionArgs) {
  return context.services.ingest.otlp(request, 'logs');
}

/** Any other method gets the protocol's own 405 answer. */
export function loader({ request, context }: LoaderFunctionArgs) {
  return context.services.ingest.otlp(request, 'logs');
}
