// The OpenAPI 3.1 document of every /api route (SPEC §11), built from the operation registry beside the routes.
import { OPERATIONS, PATH_PARAMS } from '@/app/api/operations';
import { json } from '@/lib/http/json';
import { buildOpenApi } from '@/lib/openapi/document';

export const dynamic = 'force-dynamic';

let cached: Record<string, unknown> | null = null;

export async function GET(): Promise<Response> {
  cached ??= buildOpenApi(OPERATIONS, PATH_PARAMS);
  return json(cached, 200, { 'cache-control': 'no-cache' });
}
