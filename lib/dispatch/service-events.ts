// The service's own events (SPEC §9), ingested like the LMS's: stored, matched to webhooks, delivered.
// Event ids are derived from what happened, so two processes noticing the same thing store it once.
import { createHash } from 'node:crypto';
import type { DbHandle } from '../db/client';
import { ingestEvent } from './ingest';

/** A stable UUID (v5-shaped, SHA-256 based) for a fact, e.g. "delivery.failed:123". */
export function factId(fact: string): string {
  const h = createHash('sha256').update(`openedx-webhooks:${fact}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function emitServiceEvent(
  handle: DbHandle,
  eventType: string,
  data: Record<string, unknown>,
  fact: string,
  now = new Date(),
): Promise<void> {
  const r = await ingestEvent(
    handle,
    { event_type: eventType, data, metadata: { id: factId(fact), source: 'openedx-webhooks', time: now.toISOString() } },
    now,
  );
  if (!r.ok) console.error(`[service-events] ${eventType} was not stored: ${r.error}`);
}
