// GET /api/v1/deliveries: the delivery log, newest first, filtered, one keyset page at a time.
import { withAdmin } from '@/lib/auth/admin-guard';
import { getDb } from '@/lib/db';
import { listDeliveries } from '@/lib/deliveries/list';
import { deliveryJson } from '@/lib/deliveries/present';
import { paramsObject, parseDeliveryQuery } from '@/lib/deliveries/query';
import { json, jsonError } from '@/lib/http/json';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async (req: Request) => {
  const parsed = parseDeliveryQuery(paramsObject(new URL(req.url).searchParams));
  if (!parsed.ok) {
    const { issues } = parsed;
    return jsonError(400, `The query is not valid: ${issues[0]!.path} ${issues[0]!.message}.`, issues);
  }
  const { db } = await getDb();
  const page = await listDeliveries(db, parsed.query.filters, parsed.query.page);
  return json({
    items: page.items.map(deliveryJson),
    next_cursor: page.nextCursor === null ? null : String(page.nextCursor),
  });
});
