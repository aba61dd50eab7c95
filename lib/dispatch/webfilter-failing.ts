// openedx_webhooks.webfilter.failing.v1 (SPEC §9): a webfilter whose last 5 calls all failed (connection error,
// timeout or a non-2xx answer) is reported once per failing streak, read from the delivery log so every app
// process agrees; the event id is derived from the call that completed the streak.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { emitServiceEvent } from './service-events';
import { maskTargetUrl } from '../secrets/target-url';
import type { FilterLogEntry } from './filters/run';

export const FAILING_STREAK = 5;

export async function checkFailingWebfilters(handle: DbHandle, webfilterIds: readonly string[]): Promise<number> {
  let n = 0;
  for (const id of new Set(webfilterIds)) {
    const last = await handle.rows<{ id: number; status: string; last_error: string | null; last_status_code: number | null }>(sql`
      select id, status, last_error, last_status_code from deliveries
      where kind = 'webfilter' and target_id = ${id}::uuid order by id desc limit ${FAILING_STREAK + 1}`);
    const streak = last.slice(0, FAILING_STREAK);
    if (streak.length < FAILING_STREAK || streak.some((d) => d.status !== 'failed')) continue;
    // Only the call that makes it five: the sixth-latest did not fail (or there is none).
    if (last[FAILING_STREAK] && last[FAILING_STREAK]!.status === 'failed') continue;
    const [wf] = await handle.rows<{ id: string; description: string; filter_type: string; url: string }>(sql`
      select id, description, filter_type, url from webfilters where id = ${id}::uuid`);
    if (!wf) continue;
    const latest = streak[0]!;
    n++;
    await emitServiceEvent(
      handle,
      'openedx_webhooks.webfilter.failing.v1',
      {
        webfilter: {
          id: wf.id,
          description: wf.description,
          filter_type: wf.filter_type,
          url: maskTargetUrl(wf.url),
          consecutive_failures: FAILING_STREAK,
          last_error: latest.last_error ?? (latest.last_status_code ? `The webfilter answered ${latest.last_status_code}.` : null),
        },
      },
      `webfilter.failing:${latest.id}`,
    );
  }
  return n;
}

/**
 * openedx_webhooks.webfilter.recovered.v1 (SPEC §12): a webfilter's circuit breaker closed again, its trial call
 * answered; the event id is derived from that call.
 */
export async function webfilterRecovered(handle: DbHandle, e: FilterLogEntry): Promise<void> {
  const [wf] = await handle.rows<{ id: string; description: string; filter_type: string; url: string }>(sql`
    select id, description, filter_type, url from webfilters where id = ${e.webfilterId}::uuid`);
  if (!wf) return;
  await emitServiceEvent(
    handle,
    'openedx_webhooks.webfilter.recovered.v1',
    { webfilter: { id: wf.id, description: wf.description, filter_type: wf.filter_type, url: maskTargetUrl(wf.url), consecutive_failures: 0, last_error: null } },
    `webfilter.recovered:${e.callId}:${wf.id}`,
  );
}
