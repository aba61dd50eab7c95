// Periodic service checks (SPEC §9), safe to run in every worker process at once:
// - auto-disable: an enabled webhook with no successful delivery for AUTO_DISABLE_AFTER_HOURS, failing since
//   at least that long with at least 10 failed deliveries, is disabled with a reason, and
//   openedx_webhooks.webhook.disabled.v1 is emitted;
// - openedx_webhooks.delivery.failed.v1 for each webhook delivery that ended failed after its attempts, or in
//   its transformation (SPEC §14), not for deliveries of service events themselves, so a failing alert webhook
//   cannot feed itself.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { SERVICE_EVENT_PREFIX } from '../catalog/service';
import { emitServiceEvent, factId } from './service-events';
import { invalidateTargets } from './targets';

export const MIN_FAILED_DELIVERIES = 10;

export interface ServiceCheckOptions {
  autoDisableAfterHours: number;
  /** Injected clock, for tests; defaults to the real time. */
  now?: Date;
  /** How far back failed deliveries are looked for (default 1 h): longer than any pause between checks. */
  failedLookbackMs?: number;
}

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : new Date(String(d)).toISOString());

export async function autoDisableWebhooks(handle: DbHandle, opts: ServiceCheckOptions): Promise<string[]> {
  const now = opts.now ?? new Date();
  const since = new Date(now.getTime() - opts.autoDisableAfterHours * 3_600_000);
  // Per enabled webhook, through deliveries_target_id_idx: its last success (a healthy webhook's newest delivery,
  // so the backward walk stops at once), then its deliveries after it, all attempted ones failed or retrying.
  const rows = await handle.rows<{ id: string; failed: number; first_at: Date | string }>(sql`
    select w.id, f.failed, f.first_at
    from webhooks w
    left join lateral (
      select d.id from deliveries d
      where d.target_id = w.id and d.kind = 'webhook' and d.status = 'succeeded'
      order by d.id desc limit 1
    ) as ok_ on true
    cross join lateral (
      select count(*) filter (where d.status = 'failed')::int as failed, min(d.created_at) as first_at
      from deliveries d
      where d.target_id = w.id and d.kind = 'webhook' and d.attempt_count > 0 and d.id > coalesce(ok_.id, 0)
    ) as f
    where w.enabled and f.failed >= ${MIN_FAILED_DELIVERIES} and f.first_at <= ${since.toISOString()}::timestamptz`);
  const disabled: string[] = [];
  for (const r of rows) {
    const reason =
      `Disabled automatically on ${now.toISOString()}: every delivery failed since ${iso(r.first_at)} ` +
      `(${r.failed} failed deliveries, over ${opts.autoDisableAfterHours} hours). Enable it again once the receiver works.`;
    // Only the process whose update takes the row reports it.
    const [w] = await handle.rows<{ id: string; description: string; event_type: string; url: string }>(sql`
      update webhooks set enabled = false, disabled_reason = ${reason}, updated_at = ${now.toISOString()}::timestamptz
      where id = ${r.id}::uuid and enabled returning id, description, event_type, url`);
    if (!w) continue;
    disabled.push(w.id);
    await invalidateTargets(handle);
    await emitServiceEvent(
      handle,
      'openedx_webhooks.webhook.disabled.v1',
      {
        webhook: {
          id: w.id,
          description: w.description,
          event_type: w.event_type,
          url: w.url,
          disabled_reason: reason,
          failed_deliveries: Number(r.failed),
          failing_since: iso(r.first_at),
        },
      },
      `webhook.disabled:${w.id}:${now.toISOString()}`,
      now,
    );
  }
  return disabled;
}

export async function reportFailedDeliveries(handle: DbHandle, opts: ServiceCheckOptions): Promise<number> {
  const now = opts.now ?? new Date();
  const from = new Date(now.getTime() - (opts.failedLookbackMs ?? 3_600_000));
  const rows = await handle.rows<{
    id: number; target_id: string; event_id: string; event_type: string; url: string;
    attempt_count: number; last_status_code: number | null; last_error: string | null;
  }>(sql`
    select id, target_id, event_id, event_type, url, attempt_count, last_status_code, last_error from deliveries
    where kind = 'webhook' and status = 'failed' and completed_at >= ${from.toISOString()}::timestamptz
      and (attempt_count > 0 or outcome ->> 'transformation' = 'failed') and event_type not like ${SERVICE_EVENT_PREFIX + '%'}
    order by id limit 1000`);
  if (!rows.length) return 0;
  const ids = rows.map((r) => factId(`delivery.failed:${r.id}`));
  const seen = await handle.rows<{ id: string }>(sql`select id from events where id = any(${`{${ids.join(',')}}`}::uuid[])`);
  const done = new Set(seen.map((s) => s.id));
  let n = 0;
  for (const [i, r] of rows.entries()) {
    if (done.has(ids[i]!)) continue;
    n++;
    await emitServiceEvent(
      handle,
      'openedx_webhooks.delivery.failed.v1',
      {
        delivery: {
          id: Number(r.id),
          webhook_id: r.target_id,
          event_id: r.event_id,
          event_type: r.event_type,
          url: r.url,
          attempts: Number(r.attempt_count),
          last_status_code: r.last_status_code,
          last_error: r.last_error,
        },
      },
      `delivery.failed:${r.id}`,
      now,
    );
  }
  return n;
}

/** Runs both checks every intervalMs (default 30 s) until stopped. */
export function startServiceChecks(
  handle: DbHandle,
  opts: { autoDisableAfterHours: number; intervalMs?: number },
): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await reportFailedDeliveries(handle, opts);
      await autoDisableWebhooks(handle, opts);
    } catch (err) {
      console.error('[service-checks] failed:', err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs ?? 30_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
