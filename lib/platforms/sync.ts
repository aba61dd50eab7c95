// PUT /api/v1/catalog/platform without the HTTP (SPEC §8): store one platform's catalog and versions, then
// have every process reload the merged catalog.
import { sql } from 'drizzle-orm';
import { EVENTS, FILTERS, type PlatformCatalog } from '../catalog';
import type { DbHandle } from '../db/client';
import type { PlatformCatalogBody } from '../validation/platform-catalog';
import { CATALOG_CHANNEL, refreshPlatformCatalog } from './catalog';

const BUILTIN_EVENTS = new Set(EVENTS.map((e) => e.eventType));
const BUILTIN_FILTERS = new Set(FILTERS.map((f) => f.filterType));

export interface SyncResult {
  events: number;
  filters: number;
  new_events: string[];
  new_filters: string[];
}

export async function storePlatformCatalog(handle: DbHandle, body: PlatformCatalogBody, apiKeyId: string): Promise<SyncResult> {
  const { source } = body;
  const catalog: PlatformCatalog = { events: body.events, filters: body.filters };
  await handle.db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into platforms (host, variant, relay_version, events_version, filters_version, api_key_id, catalog,
                             catalog_updated_at, last_seen_at)
      values (${source.host}, ${source.variant}, ${source.relay}, ${source.openedx_events}, ${source.openedx_filters},
              ${apiKeyId}::uuid, ${JSON.stringify(catalog)}::jsonb, clock_timestamp(), now())
      on conflict (host, variant) do update set
        relay_version = excluded.relay_version, events_version = excluded.events_version,
        filters_version = excluded.filters_version, api_key_id = excluded.api_key_id, catalog = excluded.catalog,
        catalog_updated_at = excluded.catalog_updated_at, last_seen_at = excluded.last_seen_at`);
  });
  await handle.notify(CATALOG_CHANNEL, '').catch(() => {});
  // This process answers with the new catalog at once; the others within a few seconds (or on the notice).
  await refreshPlatformCatalog(handle, -1);
  return {
    events: body.events.length,
    filters: body.filters.length,
    new_events: body.events.map((e) => e.event_type).filter((t) => !BUILTIN_EVENTS.has(t)),
    new_filters: body.filters.map((f) => f.filter_type).filter((t) => !BUILTIN_FILTERS.has(t)),
  };
}
