// The event and filter catalog as the management API shows it (snake_case).
import { allEvents, allFilters, type EventDef, type FilterDef } from '../catalog';

export function eventJson(e: EventDef) {
  return {
    event_type: e.eventType,
    signal: e.signal,
    domain: e.domain,
    domain_label: e.domainLabel,
    label: e.label,
    description: e.description,
    /** argument name -> data class */
    data: e.data,
    minor_version: e.minorVersion,
    in_plugin: e.inPlugin,
    sources: e.sources ?? ['builtin'],
    /** argument name -> JSON Schema, as the platforms sent it (platform entries only) */
    ...(e.schemas ? { schemas: e.schemas } : {}),
    ...(e.optionalArgs ? { optional_data: e.optionalArgs } : {}),
  };
}

export function filterJson(f: FilterDef) {
  return {
    filter_type: f.filterType,
    name: f.name,
    plugin_event: f.pluginEvent,
    domain: f.domain,
    domain_label: f.domainLabel,
    label: f.label,
    description: f.description,
    arguments: f.arguments,
    returns: f.returns,
    exceptions: f.exceptions.map((x) => ({ name: x.name, args: x.args, accepts_redirect: x.acceptsRedirect })),
    supports_redirect: f.supportsRedirect,
    in_plugin: f.inPlugin,
    sources: f.sources ?? ['builtin'],
  };
}

/** The merged catalog (built-in + platforms'); call platformCatalogReady first on the server. */
export const catalogEvents = () => allEvents().map(eventJson);
export const catalogFilters = () => allFilters().map(filterJson);
