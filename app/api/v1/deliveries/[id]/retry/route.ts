// POST /api/v1/deliveries/{id}/retry: one more attempt of a webhook delivery now, signed with the same webhook-id.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { getDeliveryDetail } from '@/lib/deliveries/detail';
import { deliveryJson } from '@/lib/deliveries/present';
import { parseDeliveryId } from '@/lib/deliveries/query';
import { retryRefusal } from '@/lib/deliveries/transformed';
import { retryDeliveryNow } from '@/lib/dispatch/queue';
import { json, jsonError } from '@/lib/http/json';
import { recordAudit, retryEntry } from '@/lib/audit/record';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const POST = withAdmin(async (req: Request, { params }: Ctx, actor) => {
  const id = parseDeliveryId((await params).id);
  if (id === null) return jsonError(404, 'No delivery has this id.');
  const handle = await getDb();
  const before = await getDeliveryDetail(handle.db, id);
  const refusal = before && retryRefusal(before.delivery);
  if (refusal) return jsonError(409, refusal);
  const result = await retryDeliveryNow(handle, id);
  if (!result.ok && result.reason === 'not_found') return jsonError(404, 'No delivery has this id.');
  if (!result.ok) {
    return jsonError(409, 'Webfilter calls are synchronous and cannot be replayed: the LMS already has its answer.');
  }
  // The engine queues the attempt in its own transaction; the entry follows it.
  await recordAudit(handle.db, auditOf(req, actor), retryEntry(id));
  const detail = await getDeliveryDetail(handle.db, id);
  return json(deliveryJson(detail!.delivery), 202);
});
