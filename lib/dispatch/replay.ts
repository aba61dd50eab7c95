// Replay (SPEC §9): send a webhook the stored events of its type received in a time range again, as new
// deliveries marked replay. The webhook's current conditions, exclusions, encoding and transformation apply,
// as they would to a new event; events are kept RETENTION_DAYS, so older ranges find nothing.
import { z } from 'zod';
import type { DbHandle } from '../db/client';
import type { Webhook } from '../db/schema';
import { hotRows } from './hot-sql';
import { conditionsFailure } from './conditions';
import { deliveryRow, preparer } from './prepare';
import type { EventMetadata } from './payload';
import { wakeWorkers } from './wake';

/** More than this in one replay is refused: narrow the range. */
export const MAX_REPLAY = 10_000;

const iso = (what: string) =>
  z
    .string({ error: `"${what}" must be an ISO-8601 date-time string.` })
    .refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && Number.isFinite(Date.parse(s)), {
      message: `"${what}" must be an ISO-8601 date-time, like 2026-03-14T15:00:00Z.`,
    })
    .transform((s) => new Date(s));

export const replayRequest = z
  .strictObject({ from: iso('from'), to: iso('to'), dry_run: z.boolean({ error: '"dry_run" must be true or false.' }).optional() })
  .refine((r) => r.from < r.to, { message: '"from" must be before "to".', path: ['to'] });

export type ReplayResult = { ok: true; deliveries: number } | { ok: false; status: 422; error: string };

interface StoredEvent {
  id: string;
  data: Record<string, unknown> | string;
  metadata: EventMetadata | string;
}

const parse = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

const INSERT_REPLAYS = `
  insert into deliveries (kind, event_id, target_id, event_type, url, status, next_attempt_at, request_headers, request_body,
    replay, last_error, outcome, completed_at, url_from_transformation)
  select 'webhook', x.event_id, $1::uuid, $2::text, x.url, coalesce(x.status, 'pending'),
    case when x.status is null then now() end, x.headers, x.body, true, x.error, x.outcome,
    case when x.status is not null then now() end, coalesce(x.own, false)
  from json_to_recordset($3::text::json)
    as x(event_id uuid, url text, headers jsonb, body text, status text, error text, outcome jsonb, own boolean)`;

export async function replayWebhook(
  handle: DbHandle,
  hook: Webhook,
  range: { from: Date; to: Date; dry_run?: boolean },
): Promise<ReplayResult> {
  if (!hook.enabled) {
    return { ok: false, status: 422, error: 'The webhook is disabled: enable it before replaying events to it.' };
  }
  const events = await hotRows<StoredEvent>(
    handle,
    `select id, data, metadata from events
     where event_type = $1::text and received_at >= $2::timestamptz and received_at < $3::timestamptz
     order by received_at, id limit ${MAX_REPLAY + 1}`,
    [hook.eventType, range.from.toISOString(), range.to.toISOString()],
  );
  if (events.length > MAX_REPLAY) {
    return { ok: false, status: 422, error: `More than ${MAX_REPLAY} events are in that range: replay a shorter range.` };
  }
  const matching = events.filter((e) => !conditionsFailure(parse<Record<string, unknown>>(e.data), hook.conditions));
  if (range.dry_run || !matching.length) return { ok: true, deliveries: matching.length };
  // The transformation as it is now runs on each replayed event (SPEC §14), like a new event's.
  const rows: Record<string, unknown>[] = [];
  for (const e of matching) {
    const payload = { ...parse<Record<string, unknown>>(e.data), event_metadata: parse<EventMetadata>(e.metadata) };
    rows.push({ event_id: e.id, ...deliveryRow(await preparer(payload, hook.eventType)(hook)) });
  }
  for (let i = 0; i < rows.length; i += 500) {
    await hotRows(handle, INSERT_REPLAYS, [hook.id, hook.eventType, JSON.stringify(rows.slice(i, i + 500))]);
  }
  wakeWorkers(handle);
  return { ok: true, deliveries: rows.length };
}
