// What a webfilter form, its server actions and the management API accept, and which options a filter allows.
// Client-safe, like the webhook schema it shares URL and description rules with.
import { z } from 'zod';
import { headersField } from './webhook-options';
import { closestFilters, findFilter, type FilterDef } from '../catalog';
import { description, httpUrl } from './webhook';

/** A filter type or class name, stored as the canonical filter type; unknown ones name the closest. */
export const filterType = z
  .string({ error: 'Must be a string.' })
  .trim()
  .min(1, 'Choose a filter.')
  .transform((value, ctx) => {
    const filter = findFilter(value);
    if (filter) return filter.filterType;
    const near = closestFilters(value, 3).map((f) => `${f.filterType} (${f.name})`);
    ctx.addIssue({ code: 'custom', message: `Unknown filter "${value}". Closest known filters: ${near.join(', ')}.` });
    return z.NEVER;
  });

/** Where a halted LMS process sends the learner: empty, an absolute http(s) URL or a site path. */
export const redirectUrl = z
  .string({ error: 'Must be a string.' })
  .trim()
  .max(2000, 'Keep the URL under 2000 characters.')
  .refine((v) => v === '' || v.startsWith('/') || httpUrl.safeParse(v).success, {
    message: 'Enter an http:// or https:// URL or a path like /dashboard, or leave it empty.',
  });

const bool = z.boolean({ error: 'Must be true or false.' });
export const position = z
  .number({ error: 'Enter a whole number.' })
  .int('Enter a whole number.')
  .min(0, 'Use 0 or more.')
  .max(1_000_000, 'Use a number up to 1000000.');

/** SPEC §12: enforce (its answer is applied) or shadow (called and logged with its would-be verdict only). */
export const webfilterMode = z.enum(['enforce', 'shadow'], { error: 'Must be "enforce" or "shadow".' });

/** SPEC §13: a webfilter gets the learners' personal data, or not (then its answer cannot refer to it). */
export const webfilterPersonalData = z.enum(['send', 'omit'], { error: 'Must be "send" or "omit" (a webfilter cannot pseudonymize: its answer could not refer to the data).' });

const fields = {
  description,
  filter_type: filterType,
  mode: webfilterMode,
  personal_data: webfilterPersonalData,
  url: httpUrl,
  enabled: bool,
  disable_filtering: bool,
  disable_halting: bool,
  halt_on_4xx: bool,
  redirect_on_4xx: redirectUrl,
  halt_on_5xx: bool,
  redirect_on_5xx: redirectUrl,
  halt_on_request_exception: bool,
  redirect_on_request_exception: redirectUrl,
  use_www_form_encoding: bool,
  position,
};

export type WebfilterValues = { [K in keyof typeof fields]: z.output<(typeof fields)[K]> };

export const HALT_KEYS = ['halt_on_4xx', 'halt_on_5xx', 'halt_on_request_exception'] as const;
export const REDIRECT_KEYS = ['redirect_on_4xx', 'redirect_on_5xx', 'redirect_on_request_exception'] as const;

/** Which options mean something for a filter: halting needs an exception, redirects one taking redirect_to. */
export function filterOptions(filter: FilterDef | undefined) {
  const canHalt = !!filter && filter.exceptions.length > 0;
  return { canHalt, canRedirect: canHalt && !!filter?.supportsRedirect };
}

/** Issues for options the chosen filter cannot honour (checked on the whole record, after a PATCH merges). */
export function optionIssues(v: Pick<WebfilterValues, 'filter_type' | (typeof HALT_KEYS)[number] | (typeof REDIRECT_KEYS)[number]>) {
  const filter = findFilter(v.filter_type);
  if (!filter) return [];
  const { canHalt, canRedirect } = filterOptions(filter);
  const issues: { path: string; message: string }[] = [];
  if (!canHalt) {
    for (const k of HALT_KEYS) {
      if (v[k]) issues.push({ path: k, message: `${filter.name} has no exception, so it cannot halt: set ${k} to false.` });
    }
  }
  if (!canRedirect) {
    for (const k of REDIRECT_KEYS) {
      if (v[k]) issues.push({ path: k, message: `No exception of ${filter.name} takes redirect_to: leave ${k} empty.` });
    }
  }
  return issues;
}

/** POST /api/v1/webfilters and the "new webfilter" form (position defaults to last, set by the service). */
export const webfilterCreate = z
  .strictObject({
    ...fields,
    description: description.default(''),
    enabled: bool.default(true),
    disable_filtering: bool.default(false),
    disable_halting: bool.default(false),
    halt_on_4xx: bool.default(false),
    redirect_on_4xx: redirectUrl.default(''),
    halt_on_5xx: bool.default(false),
    redirect_on_5xx: redirectUrl.default(''),
    halt_on_request_exception: bool.default(false),
    redirect_on_request_exception: redirectUrl.default(''),
    use_www_form_encoding: bool.default(false),
    mode: webfilterMode.default('enforce'),
    personal_data: webfilterPersonalData.default('send'),
    position: position.optional(),
    headers: headersField.optional(),
  })
  .superRefine((v, ctx) => {
    for (const i of optionIssues(v)) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message });
  });

/** PATCH /api/v1/webfilters/{id}: any subset; option rules are checked on the merged record. */
export const webfilterPatch = z.strictObject({ ...fields, headers: headersField }).partial();

/** The editor form: every field present but position (empty: after the others of its filter). */
export const webfilterForm = z.object({
  ...fields,
  mode: webfilterMode.default('enforce'),
  personal_data: webfilterPersonalData.default('send'),
  position: position.optional(),
  /** SPEC §9 headers as the editor's rows; a blank value keeps the stored one. */
  headers: z.array(z.object({ name: z.string().trim(), value: z.string() })).optional(),
}).superRefine((v, ctx) => {
  for (const i of optionIssues(v)) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message });
});

export type WebfilterCreate = z.output<typeof webfilterCreate>;
export type WebfilterPatch = z.output<typeof webfilterPatch>;
export type WebfilterFormInput = z.input<typeof webfilterForm>;
export type WebfilterFormValues = z.output<typeof webfilterForm>;
