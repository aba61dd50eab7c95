// Retry every failed webhook delivery matching the log's filters: counted first (for the confirmation), then queued.
import { count, sql } from 'drizzle-orm';
import type { Db, DbHandle } from '../db/client';
import { deliveries } from '../db/schema';
import { wakeWorkers } from '../dispatch/wake';
import type { DeliveryFilters } from './query';
import { filterWhere } from './where';

/** Only webhook deliveries are replayable (webfilter calls are synchronous) and only failed ones are retried here. */
function retryableWhere(filters: DeliveryFilters) {
  if ((filters.kind && filters.kind !== 'webhook') || (filters.status && filters.status !== 'failed')) return null;
  return filterWhere({ ...filters, kind: 'webhook', status: 'failed' });
}

export async function countRetryable(db: Db, filters: DeliveryFilters): Promise<number> {
  const where = retryableWhere(filters);
  if (!where) return 0;
  const [row] = await db.select({ n: count() }).from(deliveries).where(where);
  return row?.n ?? 0;
}

/**
 * Queues each matching failed delivery for one more attempt now, as Retry does for one: earlier attempts are
 * kept and the same webhook-id is signed again. Returns how many were queued.
 */
export async function retryFailed(handle: DbHandle, filters: DeliveryFilters): Promise<number> {
  const where = retryableWhere(filters);
  if (!where) return 0;
  const rows = await handle.db
    .update(deliveries)
    .set({ status: 'pending', nextAttemptAt: sql`now()`, completedAt: null, updatedAt: sql`now()` })
    .where(where)
    .returning({ id: deliveries.id });
  if (rows.length) wakeWorkers(handle);
  return rows.length;
}

