// GET /api/v1/routing without the HTTP (SPEC §8): which event and filter types have an enabled target, and a
// version derived from the lists alone, so every process answers the same ETag. Cached per process and
// dropped whenever webhooks or webfilters change (the targets channel), so polling costs no query.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { logger } from '../log';

export interface FilterPolicyJson {
  timeout_ms: number;
  on_unreachable: 'allow' | 'halt';
}

export interface Routing {
  events: string[];
  filters: string[];
  /** SPEC §12: the filter types with a policy of their own; the relay uses its defaults for the others. */
  filter_policies: Record<string, FilterPolicyJson>;
  version: string;
}

const TARGETS_CHANNEL = 'oewh_targets';
/** A backstop for changes made behind the service's back (plain SQL); the channel covers the rest. */
const TTL_MS = 10_000;

interface Cache {
  value: Promise<{ events: string[]; filters: string[]; filter_policies: Record<string, FilterPolicyJson> }> | null;
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
  const [events, filters, policies] = await Promise.all([
    handle.rows<{ t: string }>(sql`select distinct event_type as t from webhooks where enabled order by 1`),
    handle.rows<{ t: string }>(sql`select distinct filter_type as t from webfilters where enabled order by 1`),
    handle.rows<{ t: string; timeout_ms: number; on_unreachable: 'allow' | 'halt' }>(
      sql`select filter_type as t, timeout_ms, on_unreachable from filter_policies order by 1`,
    ),
  ]);
  const filter_policies = Object.fromEntries(policies.map((p) => [p.t, { timeout_ms: p.timeout_ms, on_unreachable: p.on_unreachable }]));
  return { events: events.map((r) => r.t), filters: filters.map((r) => r.t), filter_policies };
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
  const version = createHash('sha256').update(JSON.stringify([events, lists.filters, lists.filter_policies])).digest('base64url').slice(0, 16);
  return { events, filters: lists.filters, filter_policies: lists.filter_policies, version };
}

/** Whether an If-None-Match header names this ETag (weak or strong, or "*"). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
