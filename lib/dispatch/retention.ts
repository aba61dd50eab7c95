// Retention (SPEC §4): deletes deliveries (their attempts cascade) and events older than RETENTION_DAYS.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';

/** Rows per statement: short transactions, so the queue and the log never wait long on a purge. */
export const RETENTION_BATCH = 2000;

export interface RetentionResult {
  deliveries: number;
  events: number;
}

export async function purgeExpired(handle: DbHandle, retentionDays: number, batch = RETENTION_BATCH): Promise<RetentionResult> {
  const seconds = Math.round(retentionDays * 86_400);
  const result: RetentionResult = { deliveries: 0, events: 0 };
  for (;;) {
    // A delivery being attempted right now (unexpired lease) is left for the next run.
    const rows = await handle.rows<{ n: number }>(sql`
      with gone as (
        delete from deliveries where id in (
          select id from deliveries
          where created_at < now() - ${seconds}::float8 * interval '1 second'
            and (locked_until is null or locked_until < now())
          limit ${batch}::int)
        returning 1)
      select count(*)::int as n from gone`);
    const n = Number(rows[0]?.n ?? 0);
    result.deliveries += n;
    if (n < batch) break;
  }
  for (;;) {
    const rows = await handle.rows<{ n: number }>(sql`
      with gone as (
        delete from events where id in (
          select id from events where received_at < now() - ${seconds}::float8 * interval '1 second' limit ${batch}::int)
        returning 1)
      select count(*)::int as n from gone`);
    const n = Number(rows[0]?.n ?? 0);
    result.events += n;
    if (n < batch) break;
  }
  // PGlite has no autovacuum: reclaim the space of updated and deleted queue rows, and keep the planner's
  // statistics current so claims stay index scans.
  if (handle.kind === 'pglite') await handle.rows(sql`vacuum analyze deliveries, delivery_attempts, events`);
  return result;
}
