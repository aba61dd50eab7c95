// The outgoing webhook body (SPEC §3): the event's data keys plus a normalised "event_metadata".
import { randomUUID } from 'node:crypto';
import type { EventDef } from '../catalog';

/** Metadata as the LMS may send it; every field optional (null counts as missing, like Python's None). */
export interface MetadataInput {
  id?: string | null;
  time?: string | null;
  source?: string | null;
  sourcehost?: string | null;
  minorversion?: number | null;
  sourcelib?: number[] | null;
}

/** event_metadata as sent to webhooks, keys in the order of SPEC §3. */
export interface EventMetadata {
  id: string;
  event_type: string;
  signal: string;
  /** UTC ISO-8601 with milliseconds, e.g. 2025-03-14T15:12:03.402Z */
  time: string;
  minorversion: number;
  /** null when the LMS did not say: we do not invent a source, host or library version. */
  source: string | null;
  sourcehost: string | null;
  sourcelib: number[] | null;
}

// ISO-8601 as the LMS writes it: "T" or Python's str() space, optional seconds and fraction, Z or an offset.
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The time as UTC ISO with milliseconds, or null when it is not an ISO-8601 date-time. No offset means UTC. */
export function normaliseTime(input: string): string | null {
  const m = ISO_TIME.exec(input.trim());
  if (!m) return null;
  const [, date, hm, secPart, zone] = m;
  // Date.parse takes at most millisecond precision reliably: cut microseconds (Python's default) to 3 digits.
  const sec = secPart ? secPart.replace(',', '.').replace(/(\.\d{3})\d+$/, '$1') : ':00';
  let tz = zone ? zone.toUpperCase() : 'Z';
  if (/^[+-]\d{2}$/.test(tz)) tz += ':00';
  else if (/^[+-]\d{4}$/.test(tz)) tz = `${tz.slice(0, 3)}:${tz.slice(3)}`;
  const ms = Date.parse(`${date}T${hm}${sec}${tz}`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function buildMetadata(event: EventDef, input: MetadataInput = {}, now = new Date()): EventMetadata {
  return {
    id: (input.id ?? randomUUID()).toLowerCase(),
    event_type: event.eventType,
    signal: event.signal,
    time: (input.time ? normaliseTime(input.time) : null) ?? now.toISOString(),
    minorversion: input.minorversion ?? event.minorVersion,
    source: input.source ?? null,
    sourcehost: input.sourcehost ?? null,
    sourcelib: input.sourcelib ?? null,
  };
}

/** The body every webhook for this event receives (before JSON or form encoding). */
export function buildPayload(data: Record<string, unknown>, metadata: EventMetadata): Record<string, unknown> {
  return { ...data, event_metadata: metadata };
}
