// Retry failed webhook deliveries matching the log's filters: counted first (for the confirmation), then
// queued, newest first and at most BULK_RETRY_LIMIT at a time, so one click cannot flood every receiver.
import { and, count, desc, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db, DbHandle } from '../db/client';
import { deliveries } from '../db/schema';
import { wakeWorkers } from '../dispatch/wake';
import { env } from '../env';
import type { DeliveryFilters } from './query';
import { filterConditions } from './where';
import { retryableOutcome } from './transformed';

/**
 * Only webhook deliveries are replayable (webfilter calls are synchronous) and only failed ones are retried
 * here. Status and kind are written as literals: the planner uses the partial index deliveries_failed_webhook_idx
 * only when its condition is in the query text, not in parameters.
 */
function retryableWhere(filters: DeliveryFilters): SQL | undefined | null {
  if ((filters.kind && filters.kind !== 'webhook') || (filters.status && filters.status !== 'failed')) return null;
  const { kind: _kind, status: _status, ...rest } = filters;
  // A delivery whose transformation failed sent nothing: retrying it would send what was never built.
  return and(sql`${deliveries.status} = 'failed' and ${deliveries.kind} = 'webhook'`, retryableOutcome, ...filterConditions(rest));
}

/** The most one bulk retry queues (BULK_RETRY_LIMIT). */
export function bulkRetryLimit(): number {
  return env().BULK_RETRY_LIMIT;
}

/** The count query (null: nothing can match); apart, so its plan can be checked. */
export function countRetryableQuery(db: Db, filters: DeliveryFilters) {
  const where = retryableWhere(filters);
  return where === null ? null : db.select({ n: count() }).from(deliveries).where(where);
}

export async function countRetryable(db: Db, filters: DeliveryFilters): Promise<number> {
  const query = countRetryableQuery(db, filters);
  if (!query) return 0;
  const [row] = await query;
  return row?.n ?? 0;
}

/**
 * Queues the newest matching failed deliveries, at most `limit`, for one more attempt now, as Retry does for
 * one: earlier attempts are kept and the same webhook-id is signed again. Returns how many were queued; run
 * it again for the rest.
 */
export async function retryFailed(handle: DbHandle, filters: DeliveryFilters, limit = bulkRetryLimit()): Promise<number> {
  const where = retryableWhere(filters);
  if (where === null) return 0;
  const newest = handle.db.select({ id: deliveries.id }).from(deliveries).where(where).orderBy(desc(deliveries.id)).limit(limit);
  const rows = await handle.db
    .update(deliveries)
    .set({ status: 'pending', nextAttemptAt: sql`now()`, completedAt: null, updatedAt: sql`now()` })
    .where(and(inArray(deliveries.id, newest), sql`${deliveries.status} = 'failed'`))
    .returning({ id: deliveries.id });
  if (rows.length) wakeWorkers(handle);
  return rows.length;
}
