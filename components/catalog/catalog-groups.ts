// The catalog shaped for the picker: events and filters grouped by domain, with the names people search by.
import { eventsByDomain, filtersByDomain } from '@/lib/catalog';
import type { CatalogGroup } from './catalog-combobox';

export const EVENT_GROUPS: CatalogGroup[] = eventsByDomain().map((g) => ({
  label: g.domainLabel,
  items: g.events.map((e) => ({ value: e.eventType, label: e.label, aliases: [e.signal], description: e.description })),
}));

export const FILTER_GROUPS: CatalogGroup[] = filtersByDomain().map((g) => ({
  label: g.domainLabel,
  items: g.filters.map((f) => ({
    value: f.filterType,
    label: f.label,
    aliases: [f.name, ...(f.pluginEvent ? [f.pluginEvent] : [])],
    description: f.description,
  })),
}));
