// Open edX event and filter catalog: typed lookups over the generated data files.
// Pure data + functions (no Next.js, no node: imports) so client components can use it too.
// Regenerate the data with `npm run catalog:generate` (scripts/gen-catalog.mjs).
import { DATA_CLASSES } from './data-classes.data';
import { EVENT_DATA } from './events.data';
import { FILTER_DATA } from './filters.data';
import { closest } from './similarity';
import type { EventDef, FilterDef, FilterExceptionDef } from './types';

export type { DataClassDef, EventDef, FieldDef, FilterDef, FilterExceptionDef, ValueDef } from './types';
export { DATA_CLASSES };
export { sampleEventData, sampleFilterData } from './samples';

/** All 75 signals: the 64 the plugin listens to first (apps.py order), then the others. */
export const EVENTS: readonly EventDef[] = EVENT_DATA;
/** All 27 filters: the 24 in the plugin's settings first, then the others. */
export const FILTERS: readonly FilterDef[] = FILTER_DATA;

// Lookup keys are lower-cased: signals are upper-case constants people type in any case, and the
// plugin's stored filter names differ from class names only by case for some (IdvPageUrlRequested).
// The generator checks that no two filters share a key.
const eventIndex = new Map<string, EventDef>();
for (const e of EVENTS) for (const k of [e.eventType, e.signal]) eventIndex.set(k.toLowerCase(), e);
const filterIndex = new Map<string, FilterDef>();
for (const f of FILTERS) for (const k of [f.filterType, f.name, f.pluginEvent]) if (k) filterIndex.set(k.toLowerCase(), f);

/** By event type (org.openedx.learning.course.enrollment.created.v1) or signal (COURSE_ENROLLMENT_CREATED). */
export function findEvent(typeOrSignal: string): EventDef | undefined {
  return eventIndex.get(typeOrSignal.trim().toLowerCase());
}

/** By filter type, openedx-filters class name, or the name the plugin stores (pluginEvent, quirk F1). */
export function findFilter(typeOrName: string): FilterDef | undefined {
  return filterIndex.get(typeOrName.trim().toLowerCase());
}

/** Nearest events to a mistyped type or signal, best first, for "did you mean" messages. */
export function closestEvents(input: string, n = 3): EventDef[] {
  return closest(EVENTS, (e) => [e.eventType, e.signal], input, n);
}

/** Nearest filters to a mistyped type, class name or plugin name, best first. */
export function closestFilters(input: string, n = 3): FilterDef[] {
  return closest(FILTERS, (f) => [f.filterType, f.name, ...(f.pluginEvent ? [f.pluginEvent] : [])], input, n);
}

/** The exception a webfilter reply may name (F4: reply `exception` keys are class names, exact). */
export function exceptionFor(f: FilterDef, name: string): FilterExceptionDef | undefined {
  return f.exceptions.find((x) => x.name === name);
}

/** Groups items by domain, domains in order of first appearance in the list. */
function byDomain<T extends { domain: string; domainLabel: string }>(items: readonly T[]) {
  const groups = new Map<string, { domain: string; domainLabel: string; items: T[] }>();
  for (const it of items) {
    const g = groups.get(it.domain) ?? { domain: it.domain, domainLabel: it.domainLabel, items: [] };
    g.items.push(it);
    groups.set(it.domain, g);
  }
  return [...groups.values()];
}

export function eventsByDomain(): { domain: string; domainLabel: string; events: EventDef[] }[] {
  return byDomain(EVENTS).map(({ items, ...g }) => ({ ...g, events: items }));
}

export function filtersByDomain(): { domain: string; domainLabel: string; filters: FilterDef[] }[] {
  return byDomain(FILTERS).map(({ items, ...g }) => ({ ...g, filters: items }));
}
