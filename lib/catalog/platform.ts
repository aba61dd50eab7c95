// The catalogs connected platforms send (SPEC §8) merged with the built-in one: pure, so tests and the
// server share it. A type both know keeps its built-in entry, widened by what the platforms add.
import { EVENT_DATA } from './events.data';
import { FILTER_DATA } from './filters.data';
import type { EventDef, FilterDef, FilterExceptionDef } from './types';

export interface PlatformEvent {
  event_type: string;
  signal: string;
  /** Data argument name -> JSON Schema of its attrs class. */
  data: Record<string, unknown>;
  description: string;
}

export interface PlatformFilter {
  filter_type: string;
  name: string;
  arguments: string[];
  exceptions: { name: string; arguments: string[] }[];
  description: string;
}

export interface PlatformCatalog {
  events: PlatformEvent[];
  filters: PlatformFilter[];
}

const builtinEvents = new Map(EVENT_DATA.map((e) => [e.eventType, e]));
const builtinFilters = new Map(FILTER_DATA.map((f) => [f.filterType, f]));
const DOMAIN_LABELS = new Map([...EVENT_DATA, ...FILTER_DATA].map((x) => [x.domain, x.domainLabel]));

/** "org.openedx.learning.course.x.v1" -> learning; anything else -> platform. */
function domainOf(type: string): { domain: string; domainLabel: string } {
  const m = /^org\.openedx\.([a-z_]+)\./.exec(type);
  const domain = m ? m[1]! : 'platform';
  const label = DOMAIN_LABELS.get(domain) ?? (m ? sentence(domain.replace(/_/g, ' ')) : 'From your platform');
  return { domain, domainLabel: label };
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
/** COURSE_ENROLLMENT_CREATED -> "Course enrollment created"; StudentLoginRequested -> "Student login requested". */
const labelOfSignal = (signal: string) => sentence(signal.replace(/_/g, ' ').trim());
const labelOfClass = (name: string) => sentence(name.replace(/([a-z\d])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2'));

/** A JSON Schema's title (the attrs class name the relay puts there), else "object". */
function classOf(schema: unknown): string {
  const title = schema && typeof schema === 'object' ? (schema as { title?: unknown }).title : undefined;
  return typeof title === 'string' && title ? title : 'object';
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) m.set(key(it), [...(m.get(key(it)) ?? []), it]);
  return m;
}

/** org.openedx.learning.course.enrollment.created.v1 -> COURSE_ENROLLMENT_CREATED (when a platform gave none). */
function signalOf(type: string): string {
  return type.replace(/^org\.openedx\.[a-z_]+\./, '').replace(/\.v\d+$/, '').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

function mergeEvent(type: string, defs: PlatformEvent[]): EventDef {
  const builtin = builtinEvents.get(type);
  const argSets = [...(builtin ? [Object.keys(builtin.data)] : []), ...defs.map((d) => Object.keys(d.data))];
  const union = [...new Set(argSets.flat())];
  const optional = union.filter((a) => !argSets.every((s) => s.includes(a)));
  const schemas: Record<string, unknown> = {};
  for (const d of defs) for (const [arg, schema] of Object.entries(d.data)) schemas[arg] ??= schema;
  const data = Object.fromEntries(union.map((a) => [a, builtin?.data[a] ?? classOf(schemas[a])]));
  const signal = defs.find((d) => d.signal)?.signal || signalOf(type);
  const base: EventDef = builtin ?? {
    signal,
    eventType: type,
    ...domainOf(type),
    label: labelOfSignal(signal),
    description: defs.find((d) => d.description)?.description ?? `Sent by your Open edX platform (${signal}).`,
    data,
    inPlugin: false,
    minorVersion: 0,
  };
  return {
    ...base,
    data,
    schemas,
    sources: builtin ? ['builtin', 'platform'] : ['platform'],
    ...(optional.length ? { optionalArgs: optional } : {}),
  };
}

function mergeFilter(type: string, defs: PlatformFilter[]): FilterDef {
  const builtin = builtinFilters.get(type);
  const args = [...new Set([...(builtin?.arguments ?? []), ...defs.flatMap((d) => d.arguments)])];
  const exceptions: FilterExceptionDef[] = [...(builtin?.exceptions ?? [])];
  for (const d of defs) {
    for (const x of d.exceptions) {
      if (exceptions.some((e) => e.name === x.name)) continue;
      exceptions.push({ name: x.name, args: x.arguments, acceptsRedirect: x.arguments.includes('redirect_to'), acceptsExtraKwargs: false });
    }
  }
  const first = defs[0]!;
  const base: FilterDef = builtin ?? {
    filterType: type,
    name: first.name,
    pluginEvent: null,
    ...domainOf(type),
    label: labelOfClass(first.name),
    description: defs.find((d) => d.description)?.description ?? `Run by your Open edX platform (${first.name}).`,
    arguments: args,
    returns: args,
    exceptions,
    supportsRedirect: false,
    inPlugin: false,
  };
  return {
    ...base,
    arguments: args,
    returns: builtin ? builtin.returns : args,
    exceptions,
    supportsRedirect: exceptions.some((e) => e.acceptsRedirect),
    sources: builtin ? ['builtin', 'platform'] : ['platform'],
  };
}

/** Every type any platform reported, merged with the built-in entry of the same type; sorted by type. */
export function mergePlatformCatalogs(catalogs: readonly PlatformCatalog[]): { events: EventDef[]; filters: FilterDef[] } {
  const events = groupBy(catalogs.flatMap((c) => c.events), (e) => e.event_type);
  const filters = groupBy(catalogs.flatMap((c) => c.filters), (f) => f.filter_type);
  return {
    events: [...events].sort(([a], [b]) => a.localeCompare(b)).map(([type, defs]) => mergeEvent(type, defs)),
    filters: [...filters].sort(([a], [b]) => a.localeCompare(b)).map(([type, defs]) => mergeFilter(type, defs)),
  };
}
