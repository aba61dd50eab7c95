// Retention (SPEC §4): deletes deliveries (their attempts cascade) and events older than RETENTION_DAYS.
import { sql, type SQL } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { deleteInBatches } from '../db/delete-in-batches';

/** Rows per statement: short transactions, so the queue and the log never wait long on a purge. */
export const RETENTION_BATCH = 2000;

export interface RetentionResult {
  deliveries: number;
  events: number;
}

export async function purgeExpired(handle: DbHandle, retentionDays: number, batch = RETENTION_BATCH): Promise<RetentionResult> {
  const seconds = Math.round(retentionDays * 86_400);
  const older = (column: SQL) => sql`${column} < now() - ${seconds}::float8 * interval '1 second'`;
  const result: RetentionResult = {
    // A delivery being attempted right now (unexpired lease) is left for the next run.
    deliveries: await deleteInBatches(handle, batch, sql`
      delete from deliveries where id in (
        select id from deliveries
        where ${older(sql`created_at`)} and (locked_until is null or locked_until < now())
        limit ${batch}::int)`),
    events: await deleteInBatches(handle, batch, sql`
      delete from events where id in (select id from events where ${older(sql`received_at`)} limit ${batch}::int)`),
  };
  // PGlite has no autovacuum: reclaim the space of updated and deleted queue rows, and keep the planner's
  // statistics current so claims stay index scans.
  if (handle.kind === 'pglite') await handle.rows(sql`vacuum analyze deliveries, delivery_attempts, events`);
  return result;
}
