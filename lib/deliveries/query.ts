// The delivery log's filters and page position, parsed with zod from a URL (the page and the API share it).
import { z } from 'zod';
import { DELIVERY_KINDS, DELIVERY_STATUSES, type DeliveryKind, type DeliveryStatus } from '../db/schema';
import { findEvent, findFilter } from '../catalog';
import { zodIssues, type Issue } from '../http/json';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** A delivery id as it appears in URLs: a positive integer that fits a JavaScript number. */
export function parseDeliveryId(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 && Number.isSafeInteger(n) ? n : null;
}

const cursor = z
  .string()
  .transform((v, ctx) => parseDeliveryId(v) ?? (ctx.addIssue({ code: 'custom', message: 'must be a delivery id from next_cursor' }), z.NEVER));

const instant = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return new Date(ms);
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time, like 2025-03-14T15:00:00Z' });
    return z.NEVER;
  });

export const deliveryQuerySchema = z
  .object({
    kind: z.enum(DELIVERY_KINDS, { error: `must be one of: ${DELIVERY_KINDS.join(', ')}` }).optional(),
    status: z.enum(DELIVERY_STATUSES, { error: `must be one of: ${DELIVERY_STATUSES.join(', ')}` }).optional(),
    event_type: z.string().trim().min(1).max(200).optional(),
    target_id: z.uuid({ error: 'must be a webhook or webfilter id (a UUID)' }).optional(),
    event_id: z.uuid({ error: 'must be a full event id (a UUID)' }).optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: cursor.optional(),
    /** Page towards newer rows: the rows just above this id. */
    before: cursor.optional(),
    limit: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, `must be between 1 and ${MAX_LIMIT}`)
      .max(MAX_LIMIT, `must be between 1 and ${MAX_LIMIT}`)
      .default(DEFAULT_LIMIT),
  })
  .refine((q) => !(q.cursor && q.before), { message: 'use either cursor or before, not both', path: ['before'] });

export type DeliveryQueryInput = z.input<typeof deliveryQuerySchema>;

export interface DeliveryFilters {
  kind?: DeliveryKind;
  status?: DeliveryStatus;
  eventType?: string;
  targetId?: string;
  eventId?: string;
  from?: Date;
  to?: Date;
}

export interface DeliveryPage {
  cursor?: number;
  before?: number;
  limit: number;
}

export interface DeliveryQuery {
  filters: DeliveryFilters;
  page: DeliveryPage;
}

/** Search params as a plain object: the first value of each key, empty values left out (as a blank form sends them). */
export function paramsObject(params: URLSearchParams | Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [k, raw] of entries) {
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (v !== undefined && v.trim() !== '' && !(k in out)) out[k] = v.trim();
  }
  return out;
}

/** An event or filter type as stored: signal and class names are accepted and mapped to their type. */
function canonicalType(input: string): string {
  return findEvent(input)?.eventType ?? findFilter(input)?.filterType ?? input;
}

function toQuery(q: z.output<typeof deliveryQuerySchema>): DeliveryQuery {
  return {
    filters: {
      kind: q.kind,
      status: q.status,
      eventType: q.event_type ? canonicalType(q.event_type) : undefined,
      targetId: q.target_id?.toLowerCase(),
      eventId: q.event_id?.toLowerCase(),
      from: q.from,
      to: q.to,
    },
    page: { cursor: q.cursor, before: q.before, limit: q.limit },
  };
}

export type ParsedQuery = { ok: true; query: DeliveryQuery } | { ok: false; issues: Issue[] };

/** Strict parse, for the API: any bad value is a 400. */
export function parseDeliveryQuery(params: Record<string, string>): ParsedQuery {
  const r = deliveryQuerySchema.safeParse(params);
  return r.success ? { ok: true, query: toQuery(r.data) } : { ok: false, issues: zodIssues(r.error) };
}

/** Lenient parse, for the page: bad values are dropped and reported, the rest still applies. */
export function parseDeliveryQueryLenient(params: Record<string, string>): { query: DeliveryQuery; ignored: string[] } {
  const rest = { ...params };
  const ignored: string[] = [];
  for (let i = 0; i < 12; i++) {
    const r = deliveryQuerySchema.safeParse(rest);
    if (r.success) return { query: toQuery(r.data), ignored };
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (key in rest) {
        ignored.push(`${key}: ${issue.message}`);
        delete rest[key];
      }
    }
  }
  return { query: toQuery(deliveryQuerySchema.parse({})), ignored };
}

/** The filters back as URL params (for links that keep them). */
export function filterParams(f: DeliveryFilters): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.kind) out.kind = f.kind;
  if (f.status) out.status = f.status;
  if (f.eventType) out.event_type = f.eventType;
  if (f.targetId) out.target_id = f.targetId;
  if (f.eventId) out.event_id = f.eventId;
  if (f.from) out.from = f.from.toISOString();
  if (f.to) out.to = f.to.toISOString();
  return out;
}
