// Open edX event and filter catalog: typed lookups over the generated data files.
// Pure data + functions (no Next.js, no node: imports) so client components can use it too.
// Regenerate the data with `npm run catalog:generate` (scripts/gen-catalog.mjs).
import { DATA_CLASSES as OPENEDX_DATA_CLASSES } from './data-classes.data';
import { EVENT_DATA } from './events.data';
import { SERVICE_DATA_CLASSES, SERVICE_EVENTS } from './service';
import { FILTER_DATA } from './filters.data';
import { closest } from './similarity';
import type { EventDef, FilterDef, FilterExceptionDef } from './types';

export type { CatalogSource, DataClassDef, EventDef, FieldDef, FilterDef, FilterExceptionDef, ValueDef } from './types';
/** Open edX's data classes and the service's own (SPEC §9). */
export const DATA_CLASSES = { ...OPENEDX_DATA_CLASSES, ...SERVICE_DATA_CLASSES };
export { SERVICE_EVENTS, isServiceEvent } from './service';
export { sampleEventData, sampleFilterData, sampleFromSchema } from './samples';
export { mergePlatformCatalogs, type PlatformCatalog, type PlatformEvent, type PlatformFilter } from './platform';

/** All 75 signals: the 64 the plugin listens to first (apps.py order), then the others; then the service's 3 (§9). */
export const EVENTS: readonly EventDef[] = [...EVENT_DATA, ...SERVICE_EVENTS];
/** All 27 filters: the 24 in the plugin's settings first, then the others. */
export const FILTERS: readonly FilterDef[] = FILTER_DATA;

// Lookup keys are lower-cased: signals are upper-case constants people type in any case, and the
// plugin's stored filter names differ from class names only by case for some (IdvPageUrlRequested).
// The generator checks that no two filters share a key.
const eventIndex = new Map<string, EventDef>();
for (const e of EVENTS) for (const k of [e.eventType, e.signal]) eventIndex.set(k.toLowerCase(), e);
const filterIndex = new Map<string, FilterDef>();
for (const f of FILTERS) for (const k of [f.filterType, f.name, f.pluginEvent]) if (k) filterIndex.set(k.toLowerCase(), f);

// The platforms' entries (SPEC §8), merged with the built-in ones they share a type with. Set by the server
// from the database (lib/platforms/catalog) and by an editor page from its props; kept on globalThis so every
// bundle of one process sees the same. No I/O here: this module stays pure.
interface Overlay {
  version: string;
  events: EventDef[];
  filters: FilterDef[];
  eventIndex: Map<string, EventDef>;
  filterIndex: Map<string, FilterDef>;
  allEvents: EventDef[];
  allFilters: FilterDef[];
}
const OVERLAY = Symbol.for('openedx-webhooks.catalog-overlay');
const holder = globalThis as { [OVERLAY]?: Overlay };

/** Replaces the platform entries (from mergePlatformCatalogs); the same version twice is a no-op. */
export function setCatalogOverlay(next: { version: string; events: readonly EventDef[]; filters: readonly FilterDef[] }) {
  if (holder[OVERLAY]?.version === next.version) return;
  const eIdx = new Map<string, EventDef>();
  for (const e of next.events) for (const k of [e.eventType, e.signal]) eIdx.set(k.toLowerCase(), e);
  const fIdx = new Map<string, FilterDef>();
  for (const f of next.filters) for (const k of [f.filterType, f.name, f.pluginEvent]) if (k) fIdx.set(k.toLowerCase(), f);
  const byEvent = new Map(next.events.map((e) => [e.eventType, e]));
  const byFilter = new Map(next.filters.map((f) => [f.filterType, f]));
  holder[OVERLAY] = {
    version: next.version,
    events: [...next.events],
    filters: [...next.filters],
    eventIndex: eIdx,
    filterIndex: fIdx,
    allEvents: [...EVENTS.map((e) => byEvent.get(e.eventType) ?? e), ...next.events.filter((e) => !findBuiltin(e.eventType))],
    allFilters: [...FILTERS.map((f) => byFilter.get(f.filterType) ?? f), ...next.filters.filter((f) => !filterIndex.has(f.filterType.toLowerCase()))],
  };
}

/** What an editor page hands its form: the entries only platforms know, without their schemas (smaller). */
export interface PlatformOnlyCatalog {
  version: string;
  events: EventDef[];
  filters: FilterDef[];
}

export function platformOnlyCatalog(): PlatformOnlyCatalog {
  const o = holder[OVERLAY];
  const only = <T extends { sources?: string[] }>(xs: T[]) => xs.filter((x) => !x.sources?.includes('builtin'));
  return {
    version: o?.version ?? '',
    events: only(o?.events ?? []).map(({ schemas: _omit, ...e }) => e),
    filters: only(o?.filters ?? []),
  };
}

/** The version of the platform entries in use ('' before any). */
export const catalogOverlayVersion = () => holder[OVERLAY]?.version ?? '';

const findBuiltin = (type: string) => eventIndex.get(type.toLowerCase());

/** Built-in events, then those known only from a platform. */
export const allEvents = (): readonly EventDef[] => holder[OVERLAY]?.allEvents ?? EVENTS;
/** Built-in filters, then those known only from a platform. */
export const allFilters = (): readonly FilterDef[] => holder[OVERLAY]?.allFilters ?? FILTERS;

/** By event type (org.openedx.learning.course.enrollment.created.v1) or signal (COURSE_ENROLLMENT_CREATED). */
export function findEvent(typeOrSignal: string): EventDef | undefined {
  const key = typeOrSignal.trim().toLowerCase();
  return holder[OVERLAY]?.eventIndex.get(key) ?? eventIndex.get(key);
}

/** By filter type, openedx-filters class name, or the name the plugin stores (pluginEvent, quirk F1). */
export function findFilter(typeOrName: string): FilterDef | undefined {
  const key = typeOrName.trim().toLowerCase();
  return holder[OVERLAY]?.filterIndex.get(key) ?? filterIndex.get(key);
}

/** Nearest events to a mistyped type or signal, best first, for "did you mean" messages. */
export function closestEvents(input: string, n = 3): EventDef[] {
  return closest(allEvents(), (e) => [e.eventType, e.signal], input, n);
}

/** Nearest filters to a mistyped type, class name or plugin name, best first. */
export function closestFilters(input: string, n = 3): FilterDef[] {
  return closest(allFilters(), (f) => [f.filterType, f.name, ...(f.pluginEvent ? [f.pluginEvent] : [])], input, n);
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
  return byDomain(allEvents()).map(({ items, ...g }) => ({ ...g, events: items }));
}

export function filtersByDomain(): { domain: string; domainLabel: string; filters: FilterDef[] }[] {
  return byDomain(allFilters()).map(({ items, ...g }) => ({ ...g, filters: items }));
}
