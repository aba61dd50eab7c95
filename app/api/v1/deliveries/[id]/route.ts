// GET /api/v1/deliveries/{id}: one delivery with its request, its last response and every attempt (masked, §7).
import { withAdmin } from '@/lib/auth/admin-guard';
import { getDb } from '@/lib/db';
import { getDeliveryDetail } from '@/lib/deliveries/detail';
import { deliveryDetailJson } from '@/lib/deliveries/present';
import { parseDeliveryId } from '@/lib/deliveries/query';
import { json, jsonError } from '@/lib/http/json';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = withAdmin(async (_req: Request, { params }: Ctx) => {
  const id = parseDeliveryId((await params).id);
  const { db } = await getDb();
  const detail = id === null ? null : await getDeliveryDetail(db, id);
  if (!detail) return jsonError(404, 'No delivery has this id.');
  return json(deliveryDetailJson(detail));
});
