// rate_limit_per_second (SPEC §9) across every worker process sharing the database: a call may start only when
// the webhook's shared clock (webhook_rates.next_at) has come; starting moves it 1/rate on (GCRA without burst).
// A delivery over the limit is not attempted: it waits until the clock comes round, never failing for it.
import type { DbHandle } from '../db/client';
import { hotRows } from './hot-sql';

const TAKE = `
  with c as (select clock_timestamp() as t),
  up as (
    insert into webhook_rates (webhook_id, next_at)
    select $1::uuid, c.t + $2::float8 * interval '1 millisecond' from c
    on conflict (webhook_id) do update set next_at = (select t from c) + $2::float8 * interval '1 millisecond'
    where webhook_rates.next_at <= (select t from c)
    returning 1
  )
  select (select count(*) from up)::int as ok,
    (select extract(epoch from (r.next_at - c.t)) * 1000 from webhook_rates r, c where r.webhook_id = $1::uuid)::float8 as wait_ms`;

/** 0: go now (the slot is taken); otherwise milliseconds to wait before trying again. */
export async function rateLimitWait(handle: DbHandle, webhookId: string, perSecond: number): Promise<number> {
  const interval = 1000 / perSecond;
  const [row] = await hotRows<{ ok: number; wait_ms: number | string | null }>(handle, TAKE, [webhookId, interval]);
  if (Number(row?.ok) === 1) return 0;
  // Spread the waiting ones over the next interval, so they do not all ask again at the same instant.
  return Math.max(1, Math.ceil(Number(row?.wait_ms ?? interval) + Math.random() * interval));
}
