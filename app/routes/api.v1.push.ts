import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';

/** Prometheus remote_write 1.0: POST /api/v1/push (snappy + protobuf WriteRequest) → 204. */
export function action({ request, context }: ActionFunctionArgs) {
  return context.services.ingest.remoteWrite(request);
}

export function loader({ request, context }: LoaderFunctionArgs) {
  return context.services.ingest.remoteWrite(request);
}
