// POST /api/events without the HTTP (SPEC §3): validate, store the event and its deliveries in one
// statement, wake the workers. Outgoing bodies are built here once, so workers only sign and send.
import { z } from 'zod';
import { closestEvents, findEvent, type EventDef } from '../catalog';
import type { DbHandle } from '../db/client';
import { zodIssues, firstIssueSentence, type Issue } from '../http/json';
import { conditionsFailure } from './conditions';
import { deliveryRow, preparer } from './prepare';
import { foreground } from './foreground';
import { hotRows } from './hot-sql';
import { buildMetadata, buildPayload, normaliseTime, type MetadataInput } from './payload';
import { webhooksFor } from './targets';
import { wakeWorkers } from './wake';

const nullish = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? undefined);

const requestSchema = z.object({
  event_type: z
    .string({ error: 'must be a string: the Open edX event type or signal name' })
    .trim()
    .min(1, 'must not be empty: give the Open edX event type or signal name'),
  data: z.record(z.string(), z.unknown(), { error: "must be an object keyed by the event's data argument names" }),
  metadata: z
    .object({
      id: nullish(z.guid('must be a UUID')),
      time: nullish(z.string().refine((t) => normaliseTime(t) !== null, 'must be an ISO-8601 date-time')),
      source: nullish(z.string()),
      sourcehost: nullish(z.string()),
      minorversion: nullish(z.number().int().min(0)),
      sourcelib: nullish(z.array(z.number().int().min(0))),
    })
    .nullish(),
});

export interface AcceptedEvent {
  id: string;
  event_type: string;
  deliveries: number;
  duplicate?: true;
}

export type IngestResult =
  | { ok: true; status: 200 | 202; body: AcceptedEvent }
  | { ok: false; status: 400 | 422; error: string; issues?: Issue[] };

type Failure = Extract<IngestResult, { ok: false }>;
const fail = (status: 400 | 422, error: string, issues?: Issue[]): Failure => ({ ok: false, status, error, issues });

export type ParsedEventRequest =
  | { ok: true; event: EventDef; data: Record<string, unknown>; metadata: MetadataInput }
  | Failure;

/** Checks the body against §3 and the catalog; nothing is stored. */
export function parseEventRequest(body: unknown): ParsedEventRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return fail(400, 'The request body must be a JSON object with "event_type" and "data".');
  }
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    return fail(400, firstIssueSentence(issues), issues);
  }
  const { event_type: type, data, metadata } = parsed.data;
  const event = findEvent(type);
  if (!event) {
    const near = closestEvents(type, 3).map((e) => `"${e.eventType}" (${e.signal})`);
    return fail(422, `Unknown event type "${type}". Did you mean ${near.slice(0, -1).join(', ')} or ${near.at(-1)}?`, [
      { path: 'event_type', message: 'Not an Open edX event type or signal name this service knows' },
    ]);
  }
  // Keys as sent: the parsed record drops a "__proto__" key, which must be refused like any unknown key.
  const sentKeys = Object.keys((body as { data: object }).data);
  const dataIssues = checkDataKeys(event, data, sentKeys);
  if (dataIssues.length) {
    const first = dataIssues[0]!.message.replace(/^./, (c) => c.toLowerCase());
    return fail(400, `The data does not match ${event.signal}: ${first}.`, dataIssues);
  }
  return { ok: true, event, data, metadata: metadata ?? {} };
}

/** data must hold exactly the signal's arguments (as Open edX's send_event requires), each an object. */
function checkDataKeys(event: EventDef, data: Record<string, unknown>, sentKeys: string[]): Issue[] {
  const expected = Object.keys(event.data);
  const list = expected.map((k) => `"${k}"`).join(', ');
  const issues: Issue[] = [];
  for (const key of sentKeys) {
    if (expected.includes(key)) continue;
    // The plugin keys its bodies by the data class path (quirk E1); point at the argument name instead.
    const byClass = expected.find((k) => key.endsWith(`.${(event.data[k] ?? '').split('.').pop()}`));
    issues.push({
      path: `data.${key}`,
      message: byClass
        ? `Unknown key "${key}": use the argument name "${byClass}" (not the data class path)`
        : `Unknown key "${key}": the keys of data for this event are ${list}`,
    });
  }
  for (const key of expected) {
    const value = data[key];
    if (value === undefined) {
      // A platform's own version of the event may lack an argument another version has (catalog sync).
      if (event.optionalArgs?.includes(key)) continue;
      issues.push({ path: `data.${key}`, message: `Missing key "${key}": the keys of data for this event are ${list}` });
    } else if (event.schemas?.[key] === undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      // A data class is an object; an argument its schema describes may be a plain value (user.retired.v1's user_id).
      issues.push({ path: `data.${key}`, message: `"${key}" must be an object (${event.data[key]})` });
    }
  }
  return issues;
}

const INSERT_EVENT = `
  with ins as (
    insert into events (id, event_type, signal, data, metadata, delivery_count, skipped)
    values ($1::uuid, $2::text, $3::text, $4::text::jsonb, $5::text::jsonb, $6::int, $8::text::jsonb)
    on conflict (id) do nothing
    returning id
  ), d as (
    insert into deliveries (kind, event_id, target_id, event_type, url, status, next_attempt_at, request_headers,
      request_body, last_error, outcome, completed_at, url_from_transformation)
    select 'webhook', ins.id, x.target_id, $2::text, x.url, coalesce(x.status, 'pending'),
      case when x.status is null then now() end, x.headers, x.body, x.error, x.outcome,
      case when x.status is not null then now() end, coalesce(x.own, false)
    from ins cross join json_to_recordset($7::text::json)
      as x(target_id uuid, url text, headers jsonb, body text, status text, error text, outcome jsonb, own boolean)
    returning 1
  )
  select (select count(*) from ins)::int as inserted, (select count(*) from d)::int as deliveries`;

/** Validates, stores and queues one event. Duplicates (same metadata.id) store nothing. */
export function ingestEvent(handle: DbHandle, body: unknown, now = new Date()): Promise<IngestResult> {
  return foreground(() => ingest(handle, body, now));
}

async function ingest(handle: DbHandle, body: unknown, now: Date): Promise<IngestResult> {
  const req = parseEventRequest(body);
  if (!req.ok) return req;
  const { event, data } = req;
  const metadata = buildMetadata(event, req.metadata, now);
  const payload = buildPayload(data, metadata);
  const hooks = await webhooksFor(handle, event.eventType);

  // Conditions (SPEC §9) hold on the data alone, without event_metadata; a webhook they fail gets no delivery.
  const skipped: { webhook_id: string; reason: string }[] = [];
  const matched = hooks.filter((h) => {
    if (!h.conditions?.length) return true;
    const reason = conditionsFailure(data, h.conditions);
    if (reason) skipped.push({ webhook_id: h.id, reason });
    return !reason;
  });

  // Each webhook's request, through its transformation if it has one (SPEC §14). Rows without one, the usual
  // case, carry no status: the statement makes them pending.
  const prepare = preparer(payload, event.eventType);
  const rows = [];
  for (const h of matched) {
    const p = prepare(h);
    rows.push(deliveryRow(p instanceof Promise ? await p : p));
  }

  // One statement, so one transaction: the event, then its deliveries only if the event is new.
  const [result] = await hotRows<{ inserted: number; deliveries: number }>(handle, INSERT_EVENT, [
    metadata.id,
    event.eventType,
    event.signal,
    JSON.stringify(data),
    JSON.stringify(metadata),
    rows.length,
    JSON.stringify(rows),
    skipped.length ? JSON.stringify(skipped) : null,
  ]);

  if (Number(result?.inserted) === 1) {
    const count = Number(result?.deliveries);
    // After this turn, so the 202 is written before the worker's claim takes the (embedded) database.
    if (count > 0) setImmediate(() => wakeWorkers(handle));
    return { ok: true, status: 202, body: { id: metadata.id, event_type: event.eventType, deliveries: count } };
  }
  const [stored] = await hotRows<{ event_type: string; delivery_count: number }>(
    handle,
    'select event_type, delivery_count from events where id = $1::uuid',
    [metadata.id],
  );
  return {
    ok: true,
    status: 200,
    body: {
      id: metadata.id,
      event_type: stored?.event_type ?? event.eventType,
      deliveries: Number(stored?.delivery_count ?? 0),
      duplicate: true,
    },
  };
}
