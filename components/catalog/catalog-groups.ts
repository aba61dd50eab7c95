// The catalog shaped for the picker: events and filters grouped by domain, with the names people search by.
// Entries only a connected platform knows (SPEC §8) join their domain's group, marked as such.
import { eventsByDomain, filtersByDomain, setCatalogOverlay, type PlatformOnlyCatalog } from '@/lib/catalog';
import type { CatalogGroup } from './catalog-combobox';

const FROM_PLATFORM = 'From your platform. ';
const mark = (x: { sources?: string[]; description: string }) =>
  x.sources && !x.sources.includes('builtin') ? FROM_PLATFORM + x.description : x.description;

/** Makes the platform entries known in the browser too (lookups, validation), then groups the catalog. */
function withPlatform(platform: PlatformOnlyCatalog | undefined) {
  // On the server the full overlay is already loaded (lib/platforms/catalog): leave it be.
  if (platform?.version && typeof window !== 'undefined') setCatalogOverlay(platform);
}

export function eventGroups(platform?: PlatformOnlyCatalog): CatalogGroup[] {
  withPlatform(platform);
  return eventsByDomain().map((g) => ({
    label: g.domainLabel,
    items: g.events.map((e) => ({ value: e.eventType, label: e.label, aliases: [e.signal], description: mark(e) })),
  }));
}

export function filterGroups(platform?: PlatformOnlyCatalog): CatalogGroup[] {
  withPlatform(platform);
  return filtersByDomain().map((g) => ({
    label: g.domainLabel,
    items: g.filters.map((f) => ({
      value: f.filterType,
      label: f.label,
      aliases: [f.name, ...(f.pluginEvent ? [f.pluginEvent] : [])],
      description: mark(f),
    })),
  }));
}

export const EVENT_GROUPS: CatalogGroup[] = eventGroups();
export const FILTER_GROUPS: CatalogGroup[] = filterGroups();
