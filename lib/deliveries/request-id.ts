// Stores the x-request-id of POST /api/events on the deliveries it queued, after the answer and in batches:
// one statement for many events, off the LMS's path (the insert itself is the engine's hot statement).
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { logger } from '../log';

const MAX_BATCH = 500;
const DELAY_MS = 20;

interface Tagger {
  queue: { event_id: string; request_id: string }[];
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
}
const taggers = new WeakMap<DbHandle, Tagger>();
// On globalThis: the route (bundled by Next.js) adds to it, and server.ts's shutdown waits for it.
const ALL = Symbol.for('openedx-webhooks.request-id-taggers');
const all: Set<Tagger> = ((globalThis as { [ALL]?: Set<Tagger> })[ALL] ??= new Set());

async function flush(handle: DbHandle, t: Tagger) {
  while (t.queue.length) {
    const batch = t.queue.splice(0, MAX_BATCH);
    try {
      await handle.rows(sql`
        update deliveries d set request_id = x.request_id
        from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as x(event_id uuid, request_id text)
        where d.event_id = x.event_id and d.kind = 'webhook' and d.request_id is null`);
    } catch (err) {
      logger().warn({ err, events: batch.length }, 'could not store the request id on deliveries');
    }
  }
}

function run(handle: DbHandle, t: Tagger) {
  t.timer = null;
  t.running ??= flush(handle, t).finally(() => {
    t.running = null;
    if (t.queue.length) schedule(handle, t);
  });
}

function schedule(handle: DbHandle, t: Tagger) {
  if (t.timer || t.running) return;
  t.timer = setTimeout(() => run(handle, t), DELAY_MS);
  t.timer.unref();
}

/** Queues "the deliveries of this event were asked for by this request"; written within a few ms. */
export function tagDeliveries(handle: DbHandle, eventId: string, requestId: string): void {
  let t = taggers.get(handle);
  if (!t) {
    taggers.set(handle, (t = { queue: [], timer: null, running: null }));
    all.add(t);
  }
  t.queue.push({ event_id: eventId, request_id: requestId });
  schedule(handle, t);
}

/** Waits for every queued tag to be written (tests, shutdown). */
export async function flushRequestTags(): Promise<void> {
  for (const t of all) {
    while (t.timer || t.running || t.queue.length) {
      await t.running;
      await new Promise((r) => setTimeout(r, DELAY_MS + 1));
    }
  }
}
