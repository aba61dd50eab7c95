// Deliveries per hour by status over the last 24 hours, for the chart at the top of the log.
import { count, gte, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { DELIVERY_STATUSES, deliveries, type DeliveryStatus } from '../db/schema';

export const HOUR_MS = 3_600_000;

export type HourBucket = { hour: string } & Record<DeliveryStatus, number>;

/** 24 buckets, oldest first, the last one being the current (partial) hour; hours are UTC-aligned. */
export async function hourlyStats(db: Db, now = new Date()): Promise<HourBucket[]> {
  const firstHour = Math.floor(now.getTime() / HOUR_MS) - 23;
  // Hour numbers since the epoch: independent of the session's time zone.
  const hourOf = sql<number>`floor(extract(epoch from ${deliveries.createdAt}) / 3600)`.mapWith(Number);
  const rows = await db
    .select({ hour: hourOf, status: deliveries.status, n: count() })
    .from(deliveries)
    .where(gte(deliveries.createdAt, new Date(firstHour * HOUR_MS)))
    .groupBy(hourOf, deliveries.status);
  const buckets: HourBucket[] = Array.from({ length: 24 }, (_, i) => ({
    hour: new Date((firstHour + i) * HOUR_MS).toISOString(),
    pending: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    cancelled: 0,
  }));
  for (const r of rows) {
    const b = buckets[r.hour - firstHour];
    if (b && (DELIVERY_STATUSES as readonly string[]).includes(r.status)) b[r.status] += r.n;
  }
  return buckets;
}
