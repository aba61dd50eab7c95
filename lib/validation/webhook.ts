// What a webhook form, its server actions and the management API accept (snake_case, as the API speaks).
// Client-safe: the catalog lookups are pure data, so the form validates exactly as the server does.
import { z } from 'zod';
import { closestEvents, findEvent } from '../catalog';
import { CONDITION_OPS, conditionsField, excludeFieldsField, headersField, MAX_TRANSFORMATION_CHARS, rateLimitField, transformationField } from './webhook-options';

/** An absolute http(s) URL, the only kind an outgoing call can reach. */
export const httpUrl = z
  .string({ error: 'Must be a string.' })
  .trim()
  .min(1, 'Enter the URL to call.')
  .max(2000, 'Keep the URL under 2000 characters.')
  .pipe(z.url({ protocol: /^https?$/, error: 'Enter a full http:// or https:// URL, like https://example.com/hook.' }));

export const description = z
  .string({ error: 'Must be a string.' })
  .trim()
  .max(500, 'Keep the description under 500 characters.')
  // The database refuses NUL in text; say so instead of failing on save.
  .refine((s) => !s.includes('\u0000'), 'Remove the NUL character (\\u0000): it cannot be stored.');

const bool = z.boolean({ error: 'Must be true or false.' });

/** An event type or signal name, stored as the canonical event type; unknown ones name the closest. */
export const eventType = z
  .string({ error: 'Must be a string.' })
  .trim()
  .min(1, 'Choose an event.')
  .transform((value, ctx) => {
    const event = findEvent(value);
    if (event) return event.eventType;
    const near = closestEvents(value, 3).map((e) => `${e.eventType} (${e.signal})`);
    ctx.addIssue({ code: 'custom', message: `Unknown event "${value}". Closest known events: ${near.join(', ')}.` });
    return z.NEVER;
  });

const fields = {
  description,
  event_type: eventType,
  url: httpUrl,
  enabled: bool,
  use_www_form_encoding: bool,
};

/** SPEC §13: what a webhook gets of the learners' personal data. */
export const personalDataField = z.enum(['send', 'omit', 'pseudonymize'], { error: 'Must be "send", "omit" or "pseudonymize".' });

/** SPEC §9 options, in the management API (the editor's form has its own fields for them). */
const options = {
  headers: headersField,
  conditions: conditionsField,
  exclude_fields: excludeFieldsField,
  rate_limit_per_second: rateLimitField,
  transformation: transformationField,
  personal_data: personalDataField,
};

/** POST /api/v1/webhooks and the "new webhook" form. */
export const webhookCreate = z.strictObject({
  ...fields,
  description: description.default(''),
  enabled: bool.default(true),
  use_www_form_encoding: bool.default(false),
  headers: headersField.default({}),
  conditions: conditionsField.default([]),
  exclude_fields: excludeFieldsField.default([]),
  rate_limit_per_second: rateLimitField.default(null),
  transformation: transformationField.default(null),
  personal_data: personalDataField.default('send'),
});

/** PATCH /api/v1/webhooks/{id}: any subset of the fields. */
export const webhookPatch = z.strictObject({ ...fields, ...options }).partial();

/** The editor's §9 options, as its inputs hold them (text); formToApi turns them into the API's shape. */
const formOptions = {
  headers: z.array(z.object({ name: z.string().trim(), value: z.string() })),
  conditions: z.array(z.object({ path: z.string().trim(), op: z.enum(CONDITION_OPS), value: z.string() })),
  exclude_fields: z.string(),
  rate_limit_per_second: z
    .string()
    .trim()
    .regex(/^([1-9]\d*)?$/, 'Enter a whole number of calls per second, or leave it empty for no limit.'),
  /** The transformation's source; blank: none. */
  transformation: z.string().max(MAX_TRANSFORMATION_CHARS, `Keep the transformation under ${MAX_TRANSFORMATION_CHARS / 1024} KiB of source.`),
  personal_data: personalDataField,
};

/** The editor form: every field present. */
export const webhookForm = z.object({ ...fields, ...formOptions });

/** "a, b" or one per line → the list. */
export const formList = (text: string) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

/** The editor's values as the API takes them (a blank header value keeps the stored one). */
export function formToApi(v: WebhookFormValues): Record<string, unknown> {
  return {
    description: v.description,
    event_type: v.event_type,
    url: v.url,
    enabled: v.enabled,
    use_www_form_encoding: v.use_www_form_encoding,
    headers: Object.fromEntries(v.headers.filter((h) => h.name).map((h) => [h.name, h.value])),
    conditions: formConditions(v.conditions),
    exclude_fields: formList(v.exclude_fields),
    rate_limit_per_second: v.rate_limit_per_second ? Number(v.rate_limit_per_second) : null,
    transformation: v.transformation.trim() ? { source: v.transformation } : null,
    personal_data: v.personal_data,
  };
}

export function formConditions(rows: { path: string; op: (typeof CONDITION_OPS)[number]; value: string }[]) {
  return rows
    .filter((c) => c.path)
    .map((c) =>
      c.op === 'exists' || c.op === 'not_exists'
        ? { path: c.path, op: c.op }
        : c.op === 'in' || c.op === 'not_in'
          ? { path: c.path, op: c.op, value: formList(c.value) }
          : { path: c.path, op: c.op, value: c.value },
    );
}

/** A stored condition as the editor's row. */
export const conditionRow = (c: { path: string; op: (typeof CONDITION_OPS)[number]; value?: unknown }) => ({
  path: c.path,
  op: c.op,
  value: Array.isArray(c.value) ? c.value.join(', ') : c.value === undefined || c.value === null ? '' : String(c.value),
});

export type WebhookCreate = z.output<typeof webhookCreate>;
export type WebhookPatch = z.output<typeof webhookPatch>;
export type WebhookFormInput = z.input<typeof webhookForm>;
export type WebhookFormValues = z.output<typeof webhookForm>;
