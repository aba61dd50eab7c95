// Relay → the platform's own events and filters (SPEC §8), merged into the service's catalog.
import { withRelayKey } from '@/lib/auth/relay-guard';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { firstIssueSentence, json, jsonError, readJsonBody, zodIssues } from '@/lib/http/json';
import { storePlatformCatalog } from '@/lib/platforms/sync';
import { platformCatalogBody } from '@/lib/validation/platform-catalog';

export const dynamic = 'force-dynamic';

export const PUT = withRelayKey(async (req, _ctx, key) => {
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const parsed = platformCatalogBody.safeParse(body.value);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    return jsonError(400, firstIssueSentence(issues), issues);
  }
  return json(await storePlatformCatalog(await getDb(), parsed.data, key.id));
});
