// A learner's retirement (SPEC §13): their personal data is erased from everything the service stored (events,
// delivery request bodies and responses, webfilter calls and their outcomes), the rows kept so counts and history
// stay; their pending deliveries are cancelled; an audit entry with counts only is written; the service event
// openedx_webhooks.user.retired.v1 ({user_id, retired_at}) tells the receivers that subscribe.
// Rows are found in SQL (JSON paths over events and outcomes, text search over bodies), rewritten here, and
// written back in one transaction per batch. The username and email asked with are never stored.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { pgArray, rowsOf, type Db, type DbHandle } from '../db/client';
import { retirements } from '../db/schema';
import { recordAudit, type AuditContext } from '../audit/record';
import { emitServiceEvent } from '../dispatch/service-events';
import { invalid, ok, type Result } from '../manage/result';

export const RETIRED = '[retired]';
const BATCH = 500;

export const retirementRequest = z
  .strictObject({
    user_id: z.number({ error: 'user_id must be a number.' }).int('user_id must be a whole number.').positive('user_id must be positive.').optional(),
    username: z.string({ error: 'username must be a string.' }).trim().min(1, 'username must not be empty.').max(300).optional(),
    email: z.string({ error: 'email must be a string.' }).trim().min(3, 'email must not be empty.').max(300).optional(),
  })
  .refine((v) => v.user_id !== undefined || v.username !== undefined || v.email !== undefined, {
    message: 'Give at least one of user_id, username or email.',
    path: ['user_id'],
  });
export type RetirementRequest = z.output<typeof retirementRequest>;

export interface RetirementJson {
  id: string;
  user_id: number | null;
  requested_at: string;
  done_at: string | null;
  events: number;
  deliveries: number;
  filter_calls: number;
  cancelled: number;
}

/** Who is retired: the values to erase wherever they stand, and the user id under the keys that name users. */
export interface Learner {
  userId: number | null;
  values: string[];
}

const USER_ID_KEYS = new Set(['user_id', 'lms_user_id']);

/** A JSON value with the learner's values replaced by "[retired]"; `changed` says whether anything was. */
export function eraseJson(value: unknown, who: Learner): { value: unknown; changed: boolean } {
  let changed = false;
  const walk = (v: unknown, key: string | null, parentKey: string | null): unknown => {
    if (typeof v === 'string') {
      if (who.values.includes(v)) return ((changed = true), RETIRED);
      return v;
    }
    if (typeof v === 'number' && who.userId !== null && v === who.userId) {
      // An id is the learner's where it names a user: user.id, user_id, lms_user_id.
      if ((key === 'id' && parentKey === 'user') || (key !== null && USER_ID_KEYS.has(key))) return ((changed = true), RETIRED);
      return v;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, key, parentKey));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k, key)]));
    return v;
  };
  const out = walk(value, null, null);
  return { value: out, changed };
}

const formEncode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');

/** A stored body (JSON, form-encoded, or text cut short): rewritten as JSON when it is, else value by value. */
export function eraseText(text: string | null, who: Learner): { text: string | null; changed: boolean } {
  if (text === null || text === '') return { text, changed: false };
  try {
    const parsed: unknown = JSON.parse(text);
    const { value, changed } = eraseJson(parsed, who);
    return changed ? { text: JSON.stringify(value), changed } : { text, changed: false };
  } catch {
    // Not JSON (form-encoded, or cut at 64 KiB): every spelling of each value.
  }
  let out = text;
  for (const v of who.values) {
    for (const [from, to] of [
      [JSON.stringify(v), JSON.stringify(RETIRED)],
      [formEncode(v), formEncode(RETIRED)],
      [encodeURIComponent(v), encodeURIComponent(RETIRED)],
      [v, RETIRED],
    ] as const) {
      if (from.length > 2 && out.includes(from)) out = out.split(from).join(to);
    }
  }
  if (who.userId !== null) {
    // user_id=7 in a form body, "user_id": 7 in a JSON text cut short.
    out = out.replace(new RegExp(`((?:^|&)(?:[\\w]*_)?user_id=)${who.userId}(?=&|$)`, 'g'), `$1${formEncode(RETIRED)}`);
    out = out.replace(new RegExp(`("(?:lms_)?user_id"\\s*:\\s*)${who.userId}(?![\\d.])`, 'g'), `$1"${RETIRED}"`);
  }
  return { text: out, changed: out !== text };
}

type Id = string | number;

/** Rows matched by any of the learner's values, or their id under a user key. */
async function matches(handle: DbHandle, who: Learner) {
  const vars = JSON.stringify({ v: who.values, id: who.userId ?? -1 });
  // No value to look for (a retirement by user id only): a predicate that matches nothing (`false` alone is not one).
  const valuesPath = `$.** ? (${who.values.map((_, i) => `@ == $v[${i}]`).join(' || ') || '1 == 0'})`;
  const idPath = '$.** ? (@.user.id == $id || @.user_id == $id || @.lms_user_id == $id)';
  const likes = [...new Set(who.values.flatMap((v) => [v, encodeURIComponent(v), formEncode(v)]))];
  const textMatch = (col: string) => {
    const column = sql.raw(col);
    const parts = likes.map((v) => sql`strpos(${column}, ${v}) > 0`);
    if (who.userId !== null) parts.push(sql`${column} ~ ${`user_id"?\s*[:=]\s*${who.userId}(?![0-9.])`}`);
    return parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`false`;
  };
  const events = await handle.rows<{ id: string }>(sql`
    select id::text from events
    where jsonb_path_exists(data, ${valuesPath}::jsonpath, ${vars}::jsonb) or jsonb_path_exists(data, ${idPath}::jsonpath, ${vars}::jsonb)`);
  const eventIds = events.map((e) => e.id);
  const deliveries = await handle.rows<{ id: number; kind: string }>(sql`
    select id, kind from deliveries
    where event_id = any(${pgArray(eventIds)}::uuid[]) or ${textMatch('request_body')}
      or (outcome is not null and (jsonb_path_exists(outcome, ${valuesPath}::jsonpath, ${vars}::jsonb)
        or jsonb_path_exists(outcome, ${idPath}::jsonpath, ${vars}::jsonb)))`);
  const attempts = await handle.rows<{ id: number }>(sql`
    select a.id from delivery_attempts a
    where a.delivery_id = any(${pgArray(deliveries.map((d) => d.id))}::bigint[]) or ${textMatch('a.response_body')}`);
  return { eventIds, deliveries, attemptIds: attempts.map((a) => Number(a.id)) };
}

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += BATCH) out.push(list.slice(i, i + BATCH));
  return out;
}

/** Rewrites matched rows, one transaction per batch; returns how many changed, by table and kind. */
async function erase(handle: DbHandle, who: Learner, found: Awaited<ReturnType<typeof matches>>) {
  const counts = { events: 0, deliveries: 0, filterCalls: 0, cancelled: 0 };
  for (const ids of chunks(found.eventIds)) {
    await handle.db.transaction(async (raw) => {
      const tx = raw as unknown as Db;
      const rows = rowsOf<{ id: string; data: unknown }>(await tx.execute(sql`select id::text, data from events where id = any(${pgArray(ids)}::uuid[]) for update`));
      for (const r of rows) {
        const { value, changed } = eraseJson(r.data, who);
        if (!changed) continue;
        await tx.execute(sql`update events set data = ${JSON.stringify(value)}::jsonb where id = ${r.id}::uuid`);
        counts.events++;
      }
    });
  }
  for (const batch of chunks(found.deliveries)) {
    await handle.db.transaction(async (raw) => {
      const tx = raw as unknown as Db;
      const ids = pgArray(batch.map((d) => d.id));
      // Pending ones are not sent: cancelled, with the reason (and nothing personal) in their outcome.
      const cancelled = rowsOf<{ id: number }>(await tx.execute(sql`
        update deliveries set status = 'cancelled', next_attempt_at = null, locked_until = null, locked_by = null,
          last_error = 'Cancelled: the learner was retired (SPEC §13).', updated_at = now(), completed_at = now()
        where id = any(${ids}::bigint[]) and status = 'pending' and locked_by is null returning id`));
      counts.cancelled += cancelled.length;
      const rows = rowsOf<{ id: number; kind: string; request_body: string | null; outcome: unknown }>(
        await tx.execute(sql`select id, kind, request_body, outcome from deliveries where id = any(${ids}::bigint[]) for update`),
      );
      for (const r of rows) {
        const body = eraseText(r.request_body, who);
        const outcome = r.outcome ? eraseJson(r.outcome, who) : { value: r.outcome, changed: false };
        if (!body.changed && !outcome.changed) continue;
        await tx.execute(sql`update deliveries set request_body = ${body.text}, outcome = ${outcome.value === null ? null : JSON.stringify(outcome.value)}::jsonb where id = ${r.id}`);
        if (r.kind === 'webfilter') counts.filterCalls++;
        else counts.deliveries++;
      }
    });
  }
  for (const ids of chunks(found.attemptIds)) {
    await handle.db.transaction(async (raw) => {
      const tx = raw as unknown as Db;
      const rows = rowsOf<{ id: number; response_body: string | null }>(
        await tx.execute(sql`select id, response_body from delivery_attempts where id = any(${pgArray(ids)}::bigint[]) for update`),
      );
      for (const r of rows) {
        const body = eraseText(r.response_body, who);
        if (body.changed) await tx.execute(sql`update delivery_attempts set response_body = ${body.text} where id = ${r.id}`);
      }
    });
  }
  return counts;
}

export function retirementJson(r: typeof retirements.$inferSelect): RetirementJson {
  return {
    id: r.id,
    user_id: r.userId,
    requested_at: r.requestedAt.toISOString(),
    done_at: r.doneAt?.toISOString() ?? null,
    events: r.events,
    deliveries: r.deliveries,
    filter_calls: r.filterCalls,
    cancelled: r.cancelled,
  };
}

/** What retiring this learner would touch (the admin app's preview), changing nothing. */
export async function previewRetirement(handle: DbHandle, input: unknown): Promise<Result<{ events: number; deliveries: number; filter_calls: number; pending: number }>> {
  const parsed = retirementRequest.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, input);
  const found = await matches(handle, learnerOf(parsed.data));
  const ids = pgArray(found.deliveries.map((d) => d.id));
  const [pending] = await handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where id = any(${ids}::bigint[]) and status = 'pending'`);
  return ok({
    events: found.eventIds.length,
    deliveries: found.deliveries.filter((d) => d.kind !== 'webfilter').length,
    filter_calls: found.deliveries.filter((d) => d.kind === 'webfilter').length,
    pending: pending?.n ?? 0,
  });
}

const learnerOf = (r: RetirementRequest): Learner => ({
  userId: r.user_id ?? null,
  values: [r.username, r.email].filter((v): v is string => !!v),
});

/** An Idempotency-Key header as sent: visible ASCII, 1 to 200 characters. */
export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'The Idempotency-Key header must be 1 to 200 visible characters (a UUID, for example).');

/**
 * What identifies a request sent again: the sender's key and the request itself, hashed (the key is not stored, so
 * the hash says nothing about the learner). The same key with another learner is another retirement, never skipped.
 */
function requestKeyOf(key: string, r: RetirementRequest): string {
  return createHash('sha256').update(JSON.stringify([key, r.user_id ?? null, r.username ?? null, r.email ?? null])).digest('hex');
}

/**
 * Retires a learner: erases, cancels, audits (counts only) and emits the service event. With the sender's
 * `Idempotency-Key`, a request sent again (its answer lost) is the same retirement: answered with it, nothing done
 * twice; one that stopped half-way (the process ended) is finished.
 */
export async function retire(handle: DbHandle, input: unknown, ctx: AuditContext, key: string | null = null): Promise<Result<RetirementJson>> {
  const parsed = retirementRequest.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, input);
  const keyCheck = key === null ? null : idempotencyKey.safeParse(key);
  if (keyCheck && !keyCheck.success) return { ok: false, status: 400, error: keyCheck.error.issues[0]!.message };
  const who = learnerOf(parsed.data);
  const requestKey = key === null ? null : requestKeyOf(key, parsed.data);
  let [row] = await handle.db.insert(retirements).values({ userId: who.userId, requestKey }).onConflictDoNothing().returning();
  if (!row) {
    [row] = await handle.db.select().from(retirements).where(sql`${retirements.requestKey} = ${requestKey}`);
    if (row!.doneAt) return ok(retirementJson(row!));
  }
  const counts = await erase(handle, who, await matches(handle, who));
  const doneAt = new Date();
  const [done] = await handle.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    // Only the request that finishes it audits it (two copies of one request may run side by side).
    const updated = await tx
      .update(retirements)
      .set({ doneAt, events: counts.events, deliveries: counts.deliveries, filterCalls: counts.filterCalls, cancelled: counts.cancelled })
      .where(sql`${retirements.id} = ${row!.id} and ${retirements.doneAt} is null`)
      .returning();
    if (!updated.length) return updated;
    await recordAudit(tx, ctx, {
      action: 'learner.retired',
      targetType: 'retirement',
      targetId: row!.id,
      changes: {
        user_id: { before: null, after: who.userId },
        events: { before: null, after: counts.events },
        deliveries: { before: null, after: counts.deliveries },
        filter_calls: { before: null, after: counts.filterCalls },
        cancelled: { before: null, after: counts.cancelled },
      },
    });
    return updated;
  });
  if (!done) {
    const [other] = await handle.db.select().from(retirements).where(sql`${retirements.id} = ${row!.id}`);
    return ok(retirementJson(other!));
  }
  await emitServiceEvent(handle, 'openedx_webhooks.user.retired.v1', { user_id: who.userId, retired_at: doneAt.toISOString() }, `user.retired:${row!.id}`, doneAt);
  return ok(retirementJson(done));
}

export async function listRetirements(handle: DbHandle): Promise<RetirementJson[]> {
  const rows = await handle.db.select().from(retirements).orderBy(sql`${retirements.requestedAt} desc`).limit(1000);
  return rows.map(retirementJson);
}

export const exportQuery = z
  .object({
    user_id: z.coerce.number({ error: 'user_id must be a number.' }).int('user_id must be a whole number.').positive('user_id must be positive.').optional(),
    email: z.string().trim().min(3, 'email must not be empty.').optional(),
    username: z.string().trim().min(1, 'username must not be empty.').optional(),
  })
  .refine((v) => v.user_id !== undefined || v.email !== undefined || v.username !== undefined, { message: 'Give user_id, email or username.', path: ['user_id'] });

/** Every stored event and delivery mentioning a learner (a GDPR access request), as stored. */
export async function exportLearner(handle: DbHandle, query: unknown): Promise<Result<{ events: unknown[]; deliveries: unknown[] }>> {
  const parsed = exportQuery.safeParse(query);
  if (!parsed.success) return invalid(parsed.error, query);
  const found = await matches(handle, learnerOf(parsed.data));
  const events = await handle.rows(sql`
    select id::text, event_type, data, metadata, received_at from events where id = any(${pgArray(found.eventIds)}::uuid[]) order by received_at`);
  const deliveries = await handle.rows(sql`
    select id, kind, event_id::text, target_id::text, event_type, status, request_body, outcome, created_at from deliveries
    where id = any(${pgArray(found.deliveries.map((d) => d.id))}::bigint[]) order by id`);
  return ok({ events, deliveries });
}
