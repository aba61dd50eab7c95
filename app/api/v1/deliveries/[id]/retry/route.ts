// POST /api/v1/deliveries/{id}/retry: one more attempt of a webhook delivery now, signed with the same webhook-id.
import { withAdmin } from '@/lib/auth/admin-guard';
import { getDb } from '@/lib/db';
import { getDeliveryDetail } from '@/lib/deliveries/detail';
import { deliveryJson } from '@/lib/deliveries/present';
import { parseDeliveryId } from '@/lib/deliveries/query';
import { retryDeliveryNow } from '@/lib/dispatch/queue';
import { json, jsonError } from '@/lib/http/json';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const POST = withAdmin(async (_req: Request, { params }: Ctx) => {
  const id = parseDeliveryId((await params).id);
  if (id === null) return jsonError(404, 'No delivery has this id.');
  const handle = await getDb();
  const result = await retryDeliveryNow(handle, id);
  if (!result.ok && result.reason === 'not_found') return jsonError(404, 'No delivery has this id.');
  if (!result.ok) {
    return jsonError(409, 'Webfilter calls are synchronous and cannot be replayed: the LMS already has its answer.');
  }
  const detail = await getDeliveryDetail(handle.db, id);
  return json(deliveryJson(detail!.delivery), 202);
});
