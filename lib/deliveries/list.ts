// The delivery log, newest first, one keyset page at a time (cursor = the last id seen), under filters.
import { asc, desc, gt, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { deliveries, type Delivery } from '../db/schema';
import type { DeliveryFilters, DeliveryPage } from './query';
import { filterWhere } from './where';

/** The columns the log shows: everything but the request itself and the queue's lease. */
export const summaryColumns = {
  id: deliveries.id,
  kind: deliveries.kind,
  eventId: deliveries.eventId,
  targetId: deliveries.targetId,
  eventType: deliveries.eventType,
  url: deliveries.url,
  status: deliveries.status,
  attemptCount: deliveries.attemptCount,
  nextAttemptAt: deliveries.nextAttemptAt,
  lastStatusCode: deliveries.lastStatusCode,
  lastError: deliveries.lastError,
  lastDurationMs: deliveries.lastDurationMs,
  outcome: deliveries.outcome,
  requestId: deliveries.requestId,
  createdAt: deliveries.createdAt,
  updatedAt: deliveries.updatedAt,
  completedAt: deliveries.completedAt,
  replay: deliveries.replay,
};

export type DeliverySummary = Pick<Delivery, keyof typeof summaryColumns>;

export interface DeliveryListPage {
  items: DeliverySummary[];
  /** Pass as `cursor` for the next, older page; null on the last page. */
  nextCursor: number | null;
  /** Pass as `before` for the previous, newer page; null on the first page. */
  prevCursor: number | null;
}

export async function listDeliveries(db: Db, filters: DeliveryFilters, page: DeliveryPage): Promise<DeliveryListPage> {
  const base = db.select(summaryColumns).from(deliveries);
  if (page.before !== undefined) {
    // Towards newer rows: walk up from `before`, then show them newest first like every page.
    const rows = await base
      .where(filterWhere(filters, gt(deliveries.id, page.before)))
      .orderBy(asc(deliveries.id))
      .limit(page.limit + 1);
    const hasNewer = rows.length > page.limit;
    const items = rows.slice(0, page.limit).reverse();
    return {
      items,
      nextCursor: items.length ? items[items.length - 1]!.id : page.before,
      prevCursor: hasNewer && items.length ? items[0]!.id : null,
    };
  }
  const rows = await base
    .where(filterWhere(filters, page.cursor === undefined ? undefined : lt(deliveries.id, page.cursor)))
    .orderBy(desc(deliveries.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  return {
    items,
    nextCursor: rows.length > page.limit ? items[items.length - 1]!.id : null,
    prevCursor: page.cursor !== undefined && items.length ? items[0]!.id : null,
  };
}
