// Audit retention (AUDIT_RETENTION_DAYS, default 365): the service deletes older entries itself, in batches.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { deleteInBatches } from '../db/delete-in-batches';

export async function purgeAudit(handle: DbHandle, days: number, batch = 5000): Promise<number> {
  const seconds = Math.round(days * 86_400);
  return deleteInBatches(handle, batch, sql`
    delete from audit_log where id in (
      select id from audit_log where at < now() - ${seconds}::float8 * interval '1 second' limit ${batch}::int)`);
}

const TIMER = Symbol.for('openedx-webhooks.audit-retention');

/** Purges now and then every 6 hours, once per process. */
export function startAuditRetention(handle: DbHandle, days: number): void {
  const g = globalThis as { [TIMER]?: NodeJS.Timeout };
  if (g[TIMER]) return;
  const run = () => void purgeAudit(handle, days).catch((err) => console.error('[audit] retention failed:', err));
  run();
  g[TIMER] = setInterval(run, 6 * 3600_000);
  g[TIMER].unref();
}
