// The Connections page's data: each platform that has called, its versions and its calls in the last 24 h.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { flushActivity } from './activity';

export interface Connection {
  host: string;
  variant: string;
  relayVersion: string | null;
  eventsVersion: string | null;
  filtersVersion: string | null;
  lastSeenAt: string;
  catalogUpdatedAt: string | null;
  catalogEvents: number | null;
  catalogFilters: number | null;
  events24h: number;
  filterCalls24h: number;
}

export async function listConnections(handle: DbHandle): Promise<Connection[]> {
  await flushActivity(handle);
  const rows = await handle.rows<Record<string, unknown>>(sql`
    select p.host, p.variant, p.relay_version, p.events_version, p.filters_version, p.last_seen_at, p.catalog_updated_at,
           jsonb_array_length(p.catalog->'events') as catalog_events, jsonb_array_length(p.catalog->'filters') as catalog_filters,
           coalesce(a.events, 0)::int as events, coalesce(a.filter_calls, 0)::int as filter_calls
    from platforms p
    left join (
      select host, variant, sum(events) as events, sum(filter_calls) as filter_calls
      from platform_activity where hour > now() - interval '24 hours' group by host, variant
    ) a on a.host = p.host and a.variant = p.variant
    order by p.last_seen_at desc, p.host, p.variant`);
  const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
  const num = (v: unknown) => (v == null ? null : Number(v));
  return rows.map((r) => ({
    host: String(r.host),
    variant: String(r.variant),
    relayVersion: (r.relay_version as string | null) ?? null,
    eventsVersion: (r.events_version as string | null) ?? null,
    filtersVersion: (r.filters_version as string | null) ?? null,
    lastSeenAt: iso(r.last_seen_at)!,
    catalogUpdatedAt: iso(r.catalog_updated_at),
    catalogEvents: num(r.catalog_events),
    catalogFilters: num(r.catalog_filters),
    events24h: Number(r.events),
    filterCalls24h: Number(r.filter_calls),
  }));
}
