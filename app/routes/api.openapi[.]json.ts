import { openapi } from '~/.server/api/openapi';

/** GET /api/openapi.json — the API description (public: it holds no data). */
export function loader() {
  return Response.json(openapi, { headers: { 'Cache-Control': 'public, max-age=300' } });
}
