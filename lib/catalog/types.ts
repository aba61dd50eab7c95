// Types shared by the generated catalog data (*.data.ts) and the hand-written API (index.ts).
// Kept in their own module so the generated files can import them without a cycle.

export interface EventDef {
  /** Signal constant, e.g. COURSE_ENROLLMENT_CREATED (what the plugin stores in Webhook.event). */
  signal: string;
  /** e.g. org.openedx.learning.course.enrollment.created.v1 (authz types have no .v1 suffix). */
  eventType: string;
  /** 'learning' | 'content_authoring' | 'analytics' | 'authz' | 'enterprise' */
  domain: string;
  domainLabel: string;
  /** plugin admin label when the plugin has one, else derived from the signal. */
  label: string;
  description: string;
  /** argument name -> data class key in DATA_CLASSES (e.g. enrollment -> CourseEnrollmentData). */
  data: Record<string, string>;
  inPlugin: boolean;
  minorVersion: number;
  /** Where the entry comes from; absent means the built-in catalog only. */
  sources?: CatalogSource[];
  /** Argument name -> JSON Schema, as a platform's catalog sync sent it (platform entries only). */
  schemas?: Record<string, unknown>;
  /** Data arguments an event may leave out (one platform's version has them, another's does not). */
  optionalArgs?: string[];
}

/** "builtin": shipped with the service; "platform": sent by a connected Open edX (SPEC §8). */
export type CatalogSource = 'builtin' | 'platform';

export interface FilterExceptionDef {
  name: string;
  /** Constructor keyword arguments, own or inherited from OpenEdxFilterException. */
  args: string[];
  /** redirect_to is among the constructor args. */
  acceptsRedirect: boolean;
  /** Constructor takes **kwargs (the inherited base constructor does). */
  acceptsExtraKwargs: boolean;
}

export interface FilterDef {
  filterType: string;
  /** openedx-filters class name, which the plugin handlers look up. */
  name: string;
  /** Name the plugin admin really stores (quirk F1: differs from `name` for 10 filters); null when not in the plugin. */
  pluginEvent: string | null;
  domain: string;
  domainLabel: string;
  label: string;
  description: string;
  /** Filter (pipeline) argument names, in run_filter order. */
  arguments: string[];
  /** Argument names run_filter returns, in order (derived from its return annotation). */
  returns: string[];
  /** Exceptions a pipeline step may raise, declaration order; [] when the filter cannot halt. */
  exceptions: FilterExceptionDef[];
  /** Some exception accepts redirect_to. */
  supportsRedirect: boolean;
  inPlugin: boolean;
  /** Where the entry comes from; absent means the built-in catalog only. */
  sources?: CatalogSource[];
}

/** Shape of a value as described by data-classes.json (json_type + helpers). */
export interface ValueDef {
  jsonType: string; // string | integer | number | boolean | object | array | binary
  format?: string; // datetime, uuid, course_key, usage_key, library_key, ...
  ref?: string; // nested data class key
  items?: ValueDef; // array element
  values?: ValueDef; // dict value
}

export interface FieldDef extends ValueDef {
  name: string;
  /** Python type as written upstream. */
  type: string;
  optional: boolean;
  nullable?: boolean;
}

export interface DataClassDef {
  qualifiedName: string;
  /** Flattened fields, inherited first (attrs order). */
  fields: FieldDef[];
}
