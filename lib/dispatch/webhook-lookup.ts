// The current secret, URL and enabled flag of each webhook, read at send time so a rotated secret, a fixed
// URL or a disabled webhook applies to pending retries; cached briefly, dropped whenever webhooks change.
import { inArray } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { webhooks } from '../db/schema';
import { decryptHeaders } from '../secrets/header-crypto';
import { rateLimitWait } from './rate-limit';
import { onLocalTargetsChange } from './targets';

export interface WebhookTarget {
  secret: string;
  url: string;
  enabled: boolean;
  /** The webhook's own headers (SPEC §9), decrypted; sent with every call, masked in the log. */
  headers: Record<string, string>;
  /** With a rate limit (SPEC §9): 0 to go now, else ms to wait; shared by every worker process. */
  rateGate: (() => Promise<number>) | null;
}

const TTL_MS = 5_000;
const TARGETS_CHANNEL = 'oewh_targets';

export interface WebhookLookup {
  /** Loads every id not cached yet in one query. */
  prime(ids: readonly string[]): Promise<void>;
  /** null: the webhook no longer exists. */
  get(id: string): Promise<WebhookTarget | null>;
  close(): Promise<void>;
}

export function webhookLookup(handle: DbHandle): WebhookLookup {
  const cache = new Map<string, { target: WebhookTarget | null; at: number }>();
  const unlisten = handle.listen(TARGETS_CHANNEL, () => cache.clear()).catch(() => null);
  // A change made in this very process applies at once (the NOTIFY comes back a moment later).
  const unlocal = onLocalTargetsChange(handle, () => cache.clear());

  const fresh = (id: string) => {
    const hit = cache.get(id);
    return hit && Date.now() - hit.at < TTL_MS ? hit : undefined;
  };

  async function load(ids: string[]) {
    const rows = await handle.db
      .select({
        id: webhooks.id,
        secret: webhooks.secret,
        url: webhooks.url,
        enabled: webhooks.enabled,
        headers: webhooks.headers,
        rate: webhooks.rateLimitPerSecond,
      })
      .from(webhooks)
      .where(inArray(webhooks.id, ids));
    const at = Date.now();
    if (cache.size > 50_000) cache.clear();
    for (const id of ids) cache.set(id, { target: null, at });
    for (const r of rows) {
      const { headers } = decryptHeaders(r.headers);
      const rate = r.rate;
      const rateGate = rate ? () => rateLimitWait(handle, r.id, rate) : null;
      cache.set(r.id, { target: { secret: r.secret, url: r.url, enabled: r.enabled, headers, rateGate }, at });
    }
  }

  return {
    async prime(ids) {
      const missing = [...new Set(ids)].filter((id) => !fresh(id));
      if (missing.length) await load(missing);
    },
    async get(id) {
      const hit = fresh(id);
      if (hit) return hit.target;
      await load([id]);
      return cache.get(id)?.target ?? null;
    },
    async close() {
      unlocal();
      const stop = await unlisten;
      await stop?.();
    },
  };
}
