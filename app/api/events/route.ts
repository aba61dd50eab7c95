// LMS → events (SPEC §3): store the event and one pending delivery per matching webhook, answer 202.
import { withApiKey } from '@/lib/auth/api-key-guard';
import { getDb } from '@/lib/db';
import { tagDeliveries } from '@/lib/deliveries/request-id';
import { ingestEvent } from '@/lib/dispatch/ingest';
import { env } from '@/lib/env';
import { json, jsonError, readJsonBody } from '@/lib/http/json';
import { requestIdOf } from '@/lib/http/request-id';
import { countedEvents, noteEventType } from '@/lib/metrics/lms-routes';
import { recordCall } from '@/lib/platforms/activity';
import { platformCatalogReady, refreshPlatformCatalog } from '@/lib/platforms/catalog';

export const dynamic = 'force-dynamic';

export const POST = countedEvents(withApiKey('events', async (req, _ctx, key) => {
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const sentType = (body.value as { event_type?: unknown } | null)?.event_type;
  if (typeof sentType === 'string') noteEventType(req, sentType);
  const handle = await getDb();
  await platformCatalogReady(handle);
  let result = await ingestEvent(handle, body.value);
  // An unknown type may have been synced by another process a moment ago: look once more.
  if (!result.ok && result.status === 422 && (await refreshPlatformCatalog(handle))) result = await ingestEvent(handle, body.value);
  if (!result.ok) return jsonError(result.status, result.error, result.issues);
  noteEventType(req, result.body.event_type);
  if (result.status === 202) {
    const meta = (body.value as { metadata?: { sourcehost?: unknown; source?: unknown } | null }).metadata;
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    recordCall(handle, { kind: 'event', userAgent: req.headers.get('user-agent'), keyId: key.id, host: text(meta?.sourcehost), source: text(meta?.source) });
    const requestId = requestIdOf(req);
    if (requestId && result.body.deliveries > 0) tagDeliveries(handle, result.body.id, requestId);
  }
  return json(result.body, result.status);
}));
