// Management API: one stored event (SPEC §9): its metadata, how many deliveries it made, and the webhooks of
// its type whose conditions did not hold, with why ("skipped").
import { eq } from 'drizzle-orm';
import { withAdmin } from '@/lib/auth/admin-guard';
import { getDb } from '@/lib/db';
import { events } from '@/lib/db/schema';
import { json } from '@/lib/http/json';
import { failureResponse, isUuid, notFound } from '@/lib/manage/result';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async (_req, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  if (!isUuid(id)) return failureResponse(notFound('event', id));
  const [e] = await (await getDb()).db.select().from(events).where(eq(events.id, id.toLowerCase()));
  if (!e) return failureResponse(notFound('event', id));
  return json({
    id: e.id,
    event_type: e.eventType,
    signal: e.signal,
    metadata: e.metadata,
    received_at: e.receivedAt.toISOString(),
    deliveries: e.deliveryCount,
    skipped: e.skipped ?? [],
  });
});
