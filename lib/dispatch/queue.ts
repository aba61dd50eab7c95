// The deliveries table as a queue: claim due rows under a lease (SKIP LOCKED), record outcomes, re-queue.
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { deliveries } from '../db/schema';
import { hotRows } from './hot-sql';
import { wakeWorkers } from './wake';

export interface ClaimedDelivery {
  id: number;
  eventId: string;
  targetId: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  attemptCount: number;
}

// Only webhook deliveries are ever pending (webfilter calls are logged finished), so the queue needs no
// kind filter; one would also steer the planner to bitmap scans over the whole backlog.
const CLAIM = `
  update deliveries set locked_until = now() + $3::int * interval '1 millisecond', locked_by = $1::text
  where id in (
    select id from deliveries
    where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
    order by next_attempt_at
    limit $2::int
    for update skip locked)
  returning id::text as id, event_id::text as event_id, target_id::text as target_id, url, request_headers,
    request_body, attempt_count`;

interface ClaimRow {
  id: string;
  event_id: string;
  target_id: string;
  url: string;
  request_headers: Record<string, string> | string | null;
  request_body: string | null;
  attempt_count: number;
}

/**
 * Leases up to `limit` due deliveries to this worker. Rows other workers are claiming are skipped, not
 * waited for; a crashed worker's rows come back once their lease (locked_until) has passed.
 */
export async function claimDue(handle: DbHandle, workerId: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const rows = await hotRows<ClaimRow>(handle, CLAIM, [workerId, limit, Math.round(leaseMs)]);
  return rows.map((r) => ({
    id: Number(r.id),
    eventId: r.event_id,
    targetId: r.target_id,
    url: r.url,
    requestHeaders: typeof r.request_headers === 'string' ? JSON.parse(r.request_headers) : (r.request_headers ?? {}),
    requestBody: r.request_body ?? '',
    attemptCount: Number(r.attempt_count),
  }));
}

/** Milliseconds until the next unleased delivery is due (≤ 0: due now), or null when none is waiting. */
export async function nextDueInMs(handle: DbHandle): Promise<number | null> {
  const [row] = await handle.rows<{ ms: number | string | null }>(sql`
    select (extract(epoch from (next_attempt_at - now())) * 1000)::float8 as ms from deliveries
    where status = 'pending' and (locked_until is null or locked_until < now())
    order by next_attempt_at limit 1`);
  return row?.ms == null ? null : Number(row.ms);
}

export interface AttemptRecord {
  startedAt: Date;
  durationMs: number;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  error: string | null;
}

export interface Completion {
  id: number;
  /** The lease holder and attempt count at claim time: the write applies only if both still hold. */
  lockedBy: string;
  prevAttempts: number;
  url: string;
  status: 'pending' | 'succeeded' | 'failed';
  /** When status is pending: wait this long before the next attempt. */
  delayMs: number | null;
  /** null when nothing was sent (the webhook was deleted). */
  attempt: AttemptRecord | null;
  error: string | null;
}

// Text and jsonb cannot hold NUL characters, which a receiver may well send back.
const clean = (s: string | null) => (s === null ? null : s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s);
const cleanHeaders = (h: Record<string, string> | null) =>
  h && Object.fromEntries(Object.entries(h).map(([k, v]) => [k, clean(v)!]));

const COMPLETE = `
  with v as (
    select * from jsonb_to_recordset($1::text::jsonb) as v(
      id bigint, locked_by text, prev int, url text, status text, delay_ms float8, error text, sent boolean,
      started_at timestamptz, duration_ms int, req_headers jsonb, res_status int, res_headers jsonb, res_body text)
  ), u as (
    update deliveries d set
      attempt_count = d.attempt_count + (case when v.sent then 1 else 0 end),
      status = v.status,
      url = v.url,
      last_status_code = case when v.sent then v.res_status else d.last_status_code end,
      last_error = v.error,
      last_duration_ms = case when v.sent then v.duration_ms else d.last_duration_ms end,
      next_attempt_at = case when v.status = 'pending' then now() + v.delay_ms * interval '1 millisecond' end,
      locked_until = null,
      locked_by = null,
      updated_at = now(),
      completed_at = case when v.status = 'pending' then null else now() end
    from v
    where d.id = v.id and d.locked_by = v.locked_by and d.attempt_count = v.prev and d.status = 'pending'
    returning d.id
  ), a as (
    insert into delivery_attempts (delivery_id, attempt_no, started_at, duration_ms, request_headers,
      response_status, response_headers, response_body, error, worker)
    select v.id, v.prev + 1, v.started_at, v.duration_ms, v.req_headers, v.res_status, v.res_headers, v.res_body,
      v.error, v.locked_by
    from v where v.sent and exists (select 1 from deliveries d where d.id = v.id)
  )
  select id::text as id from u`;

/**
 * Records attempts and moves their deliveries on, many in one statement (so one transaction). A delivery
 * whose lease was lost (taken again by another worker) keeps its state; the attempt is still logged
 * because the call was made. Returns the ids whose state was updated.
 */
export async function writeCompletions(handle: DbHandle, items: readonly Completion[]): Promise<Set<number>> {
  if (items.length === 0) return new Set();
  const rows = items.map((c) => ({
    id: c.id,
    locked_by: c.lockedBy,
    prev: c.prevAttempts,
    url: c.url,
    status: c.status,
    delay_ms: c.delayMs ?? 0,
    error: clean(c.error),
    sent: c.attempt !== null,
    started_at: c.attempt?.startedAt.toISOString() ?? null,
    duration_ms: c.attempt?.durationMs ?? null,
    req_headers: c.attempt?.requestHeaders ?? null,
    res_status: c.attempt?.responseStatus ?? null,
    res_headers: cleanHeaders(c.attempt?.responseHeaders ?? null),
    res_body: clean(c.attempt?.responseBody ?? null),
  }));
  const result = await hotRows<{ id: string }>(handle, COMPLETE, [JSON.stringify(rows)]);
  return new Set(result.map((r) => Number(r.id)));
}

export type RetryNowResult = { ok: true } | { ok: false; reason: 'not_found' | 'not_webhook' };

/**
 * Queues a webhook delivery for another attempt now (the delivery log's Retry). Earlier attempts are kept;
 * a delivery past its retry schedule gets this one attempt. A delivery being attempted right now is left alone.
 */
export async function retryDeliveryNow(handle: DbHandle, id: number): Promise<RetryNowResult> {
  const [row] = await handle.db
    .select({ kind: deliveries.kind })
    .from(deliveries)
    .where(eq(deliveries.id, id));
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.kind !== 'webhook') return { ok: false, reason: 'not_webhook' };
  await handle.db
    .update(deliveries)
    .set({ status: 'pending', nextAttemptAt: sql`now()`, completedAt: null, updatedAt: sql`now()` })
    .where(and(eq(deliveries.id, id), or(isNull(deliveries.lockedUntil), lt(deliveries.lockedUntil, sql`now()`))));
  wakeWorkers(handle);
  return { ok: true };
}
