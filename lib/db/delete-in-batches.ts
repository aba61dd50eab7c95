// Retention's deletes: `batch` rows per statement (short transactions, so nothing waits long on a purge),
// repeated until a statement deletes fewer than that.
import { sql, type SQL } from 'drizzle-orm';
import type { DbHandle } from './client';

/** Runs `del` (a DELETE that removes at most `batch` rows) until it removes fewer; returns how many in all. */
export async function deleteInBatches(handle: DbHandle, batch: number, del: SQL): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await handle.rows<{ n: number }>(sql`with gone as (${del} returning 1) select count(*)::int as n from gone`);
    const n = Number(rows[0]?.n ?? 0);
    total += n;
    if (n < batch) return total;
  }
}
