// GET /api/v1/routing without the HTTP (SPEC §8): which event and filter types have an enabled target, and a
// version derived from the lists alone, so every process answers the same ETag. Cached per process and
// dropped whenever webhooks or webfilters change (the targets channel), so polling costs no query.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { logger } from '../log';

export interface Routing {
  events: string[];
  filters: string[];
  version: string;
}

const TARGETS_CHANNEL = 'oewh_targets';
/** A backstop for changes made behind the service's back (plain SQL); the channel covers the rest. */
const TTL_MS = 10_000;

interface Cache {
  value: Promise<{ events: string[]; filters: string[] }> | null;
  at: number;
  subscribed: Promise<unknown>;
}
const CACHES = Symbol.for('openedx-webhooks.routing-cache');
const caches = ((globalThis as { [CACHES]?: WeakMap<DbHandle, Cache> })[CACHES] ??= new WeakMap<DbHandle, Cache>());

function cacheFor(handle: DbHandle): Cache {
  let cache = caches.get(handle);
  if (!cache) {
    const fresh: Cache = { value: null, at: 0, subscribed: Promise.resolve() };
    fresh.subscribed = handle.listen(TARGETS_CHANNEL, () => void (fresh.value = null)).catch((err) => {
      logger().warn({ err }, 'cannot listen for routing changes; answers may lag by up to 10 s');
    });
    caches.set(handle, fresh);
    cache = fresh;
  }
  return cache;
}

async function load(handle: DbHandle) {
  const [events, filters] = await Promise.all([
    handle.rows<{ t: string }>(sql`select distinct event_type as t from webhooks where enabled order by 1`),
    handle.rows<{ t: string }>(sql`select distinct filter_type as t from webfilters where enabled order by 1`),
  ]);
  return { events: events.map((r) => r.t), filters: filters.map((r) => r.t) };
}

export async function routing(handle: DbHandle, storeAllEvents: boolean): Promise<Routing> {
  const cache = cacheFor(handle);
  await cache.subscribed;
  if (!cache.value || Date.now() - cache.at > TTL_MS) {
    const value = load(handle);
    cache.value = value;
    cache.at = Date.now();
    value.catch(() => {
      if (cache.value === value) cache.value = null;
    });
  }
  const lists = await cache.value;
  const events = storeAllEvents ? ['*'] : lists.events;
  const version = createHash('sha256').update(JSON.stringify([events, lists.filters])).digest('base64url').slice(0, 16);
  return { events, filters: lists.filters, version };
}

/** Whether an If-None-Match header names this ETag (weak or strong, or "*"). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
