// LMS → events (SPEC §3): store the event and one pending delivery per matching webhook, answer 202.
import { withApiKey } from '@/lib/auth/api-key-guard';
import { getDb } from '@/lib/db';
import { ingestEvent } from '@/lib/dispatch/ingest';
import { env } from '@/lib/env';
import { json, jsonError, readJsonBody } from '@/lib/http/json';

export const dynamic = 'force-dynamic';

export const POST = withApiKey('events', async (req) => {
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const result = await ingestEvent(await getDb(), body.value);
  return result.ok ? json(result.body, result.status) : jsonError(result.status, result.error, result.issues);
});
