// Delivery health per webhook or webfilter for the lists: the last delivery and the last 24 hours' success rate.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import type { DeliveryKind, DeliveryStatus } from '../db/schema';

export interface TargetStats {
  last: { status: DeliveryStatus; statusCode: number | null; at: string } | null;
  /** Deliveries created in the last 24 h, by status. */
  day: { succeeded: number; failed: number; pending: number };
  /** succeeded / (succeeded + failed) over the last 24 h, or null when nothing finished. */
  successRate: number | null;
}

const EMPTY: TargetStats = { last: null, day: { succeeded: 0, failed: 0, pending: 0 }, successRate: null };

type Row = {
  target_id: string;
  last_status: DeliveryStatus | null;
  last_code: number | null;
  last_at: string | Date | null;
  succeeded: number | string;
  failed: number | string;
  pending: number | string;
};

/** Stats for the given targets; each lookup walks deliveries_target_id_idx backwards, newest first. */
export async function targetStats(handle: DbHandle, kind: DeliveryKind, ids: string[]): Promise<Map<string, TargetStats>> {
  const out = new Map<string, TargetStats>();
  if (ids.length === 0) return out;
  const list = sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `);
  // ids grow with created_at, so the first id of the last 24 h bounds each target's index range scan.
  const rows = await handle.rows<Row>(sql`
    with since as (
      select coalesce(
        (select id from deliveries where created_at > now() - interval '24 hours' order by created_at limit 1),
        9223372036854775807) as id
    )
    select t.id as target_id, l.status as last_status, l.last_status_code as last_code, l.created_at as last_at,
           coalesce(d.succeeded, 0) as succeeded, coalesce(d.failed, 0) as failed, coalesce(d.pending, 0) as pending
    from unnest(array[${list}]) as t(id)
    left join lateral (
      select status, last_status_code, created_at from deliveries
      where target_id = t.id and kind = ${kind}
      order by id desc limit 1
    ) l on true
    left join lateral (
      select count(*) filter (where status = 'succeeded') as succeeded,
             count(*) filter (where status = 'failed') as failed,
             count(*) filter (where status = 'pending') as pending
      from deliveries
      where target_id = t.id and kind = ${kind} and id >= (select id from since)
        and created_at > now() - interval '24 hours'
    ) d on true`);
  for (const r of rows) {
    const day = { succeeded: Number(r.succeeded), failed: Number(r.failed), pending: Number(r.pending) };
    const done = day.succeeded + day.failed;
    out.set(r.target_id, {
      last: r.last_status
        ? { status: r.last_status, statusCode: r.last_code, at: new Date(r.last_at!).toISOString() }
        : null,
      day,
      successRate: done ? day.succeeded / done : null,
    });
  }
  for (const id of ids) if (!out.has(id)) out.set(id, EMPTY);
  return out;
}
