// POST /api/v1/transformations/run: try a transformation on an event's sample or a given payload (SPEC §14).
import { withAdmin } from '@/lib/auth/admin-guard';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json, readJsonBody } from '@/lib/http/json';
import { runTransformation } from '@/lib/manage/transformations';
import { platformCatalogReady } from '@/lib/platforms/catalog';

export const dynamic = 'force-dynamic';

export const POST = withAdmin(async (req) => {
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  await platformCatalogReady(await getDb()); // a platform's own event types too
  const r = await runTransformation(body.value);
  return json(r.body, r.status);
}, 'editor');
