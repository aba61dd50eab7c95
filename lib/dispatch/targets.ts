// Enabled webhooks and webfilters by event/filter type, and the filter policies, cached in memory. Any change
// calls invalidateTargets(), which clears the cache here and, on PostgreSQL, in every other process (NOTIFY).
import { and, asc, eq } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { filterPolicies, webfilters, webhooks, type Webfilter, type Webhook } from '../db/schema';
import { logger } from '../log';

const CHANNEL = 'oewh_targets';

export type FilterPolicy = typeof filterPolicies.$inferSelect;

interface Cache {
  webhooks: Map<string, Promise<Webhook[]>>;
  webfilters: Map<string, Promise<Webfilter[]>>;
  policies: Map<string, Promise<FilterPolicy[]>>;
  subscribed: Promise<unknown> | null;
}

// On globalThis, like the db handle: the LMS hot paths and Next.js's bundles share one cache per process.
const CACHES = Symbol.for('openedx-webhooks.targets-cache');
const caches = ((globalThis as { [CACHES]?: WeakMap<DbHandle, Cache> })[CACHES] ??= new WeakMap<DbHandle, Cache>());

function cacheFor(handle: DbHandle): Cache {
  let cache = caches.get(handle);
  if (!cache) {
    const fresh: Cache = { webhooks: new Map(), webfilters: new Map(), policies: new Map(), subscribed: null };
    fresh.subscribed = handle
      .listen(CHANNEL, () => {
        fresh.webhooks.clear();
        fresh.webfilters.clear();
        fresh.policies.clear();
      })
      .catch((err) => {
        logger().warn({ err }, 'cannot listen for webhook changes; caching disabled');
        fresh.subscribed = null;
      });
    caches.set(handle, fresh);
    cache = fresh;
  }
  return cache;
}

async function cached<T>(handle: DbHandle, map: 'webhooks' | 'webfilters' | 'policies', key: string, load: () => Promise<T[]>) {
  const cache = cacheFor(handle);
  // Until the subscription is live a change elsewhere could be missed, so wait for it once.
  await cache.subscribed;
  const m = cache[map] as unknown as Map<string, Promise<T[]>>;
  let hit = m.get(key);
  if (!hit) {
    // A drizzle query is a lazy thenable that runs again on every await: keep one settled promise instead.
    hit = Promise.resolve().then(load);
    m.set(key, hit);
    hit.catch(() => m.delete(key));
  }
  return hit;
}

/** Enabled webhooks for an event type. */
export function webhooksFor(handle: DbHandle, eventType: string): Promise<Webhook[]> {
  return cached(handle, 'webhooks', eventType, () =>
    handle.db
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.eventType, eventType), eq(webhooks.enabled, true)))
      .orderBy(asc(webhooks.createdAt), asc(webhooks.id)),
  );
}

/** Enabled webfilters for a filter type, in the order their results are applied. */
export function webfiltersFor(handle: DbHandle, filterType: string): Promise<Webfilter[]> {
  return cached(handle, 'webfilters', filterType, () =>
    handle.db
      .select()
      .from(webfilters)
      .where(and(eq(webfilters.filterType, filterType), eq(webfilters.enabled, true)))
      .orderBy(asc(webfilters.position), asc(webfilters.createdAt), asc(webfilters.id)),
  );
}

/** Every filter policy (SPEC §12): a small table, read once per change. */
export function filterPoliciesAll(handle: DbHandle): Promise<FilterPolicy[]> {
  return cached(handle, 'policies', 'all', () => handle.db.select().from(filterPolicies).orderBy(asc(filterPolicies.filterType)));
}

/** A filter type's policy, or undefined for the defaults. */
export async function filterPolicyFor(handle: DbHandle, filterType: string): Promise<FilterPolicy | undefined> {
  return (await filterPoliciesAll(handle)).find((p) => p.filterType === filterType);
}

// Other caches of this process that follow the targets (the worker's webhook lookup): told at once, before the
// NOTIFY that tells other processes arrives back here, so a change made in this process applies to its next call.
const LOCAL = Symbol.for('openedx-webhooks.targets-local-listeners');
const local = ((globalThis as { [LOCAL]?: WeakMap<DbHandle, Set<() => void>> })[LOCAL] ??= new WeakMap());

/** Runs `fn` whenever this process changes webhooks, webfilters or filter policies; returns the unsubscribe. */
export function onLocalTargetsChange(handle: DbHandle, fn: () => void): () => void {
  let set = local.get(handle);
  if (!set) local.set(handle, (set = new Set()));
  set.add(fn);
  return () => void set.delete(fn);
}

/** Call after any write to webhooks, webfilters or filter policies. */
export async function invalidateTargets(handle: DbHandle): Promise<void> {
  for (const fn of local.get(handle) ?? []) fn();
  const cache = caches.get(handle);
  cache?.webhooks.clear();
  cache?.webfilters.clear();
  cache?.policies.clear();
  await handle.notify(CHANNEL, '');
}
