// Changes a relay refused to apply (SPEC §5, relay issue 25: privilege and identity fields an answer may not write
// unless OPENEDX_WEBHOOKS_WRITABLE_FIELDS lists them), recorded on the webfilter calls of that filter call so the
// delivery log shows them beside the answer that asked for them.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbHandle } from '../../db/client';
import { flushFilterLogs } from './log';

export const refusedReport = z.strictObject({
  refused: z
    .array(
      z.strictObject({
        path: z.string({ error: 'path must be a string.' }).trim().min(1, 'path must not be empty.').max(300, 'Keep path under 300 characters.'),
        reason: z.string({ error: 'reason must be a string.' }).trim().min(1, 'reason must not be empty.').max(300, 'Keep reason under 300 characters.'),
      }),
      { error: 'refused must be a list of {"path", "reason"}.' },
    )
    .min(1, 'refused must name at least one change.')
    .max(100, 'refused names at most 100 changes.'),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Adds the refused changes to the outcome of every logged webfilter call of `callId`; the number of rows, or 0 when
 * no such call is logged. The log is written just after the LMS's answer: a report that comes first waits for it.
 */
export async function recordRefused(handle: DbHandle, callId: string, refused: z.output<typeof refusedReport>['refused'], waitMs = 2_000): Promise<number> {
  if (!UUID.test(callId)) return 0;
  const deadline = Date.now() + waitMs;
  for (;;) {
    await flushFilterLogs();
    const rows = await handle.rows<{ id: number }>(sql`
      update deliveries set outcome = jsonb_set(coalesce(outcome, '{}'::jsonb), '{refused_by_relay}',
        coalesce(outcome->'refused_by_relay', '[]'::jsonb) || ${JSON.stringify(refused)}::jsonb), updated_at = now()
      where kind = 'webfilter' and event_id = ${callId}::uuid returning id`);
    if (rows.length || Date.now() >= deadline) return rows.length;
    await new Promise((r) => setTimeout(r, 100));
  }
}
