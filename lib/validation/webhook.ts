// What a webhook form, its server actions and the management API accept (snake_case, as the API speaks).
// Client-safe: the catalog lookups are pure data, so the form validates exactly as the server does.
import { z } from 'zod';
import { closestEvents, findEvent } from '../catalog';
import { conditionsField, excludeFieldsField, headersField, rateLimitField } from './webhook-options';

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

/** SPEC §9 options, in the management API (the editor's form has its own fields for them). */
const options = {
  headers: headersField,
  conditions: conditionsField,
  exclude_fields: excludeFieldsField,
  rate_limit_per_second: rateLimitField,
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
});

/** PATCH /api/v1/webhooks/{id}: any subset of the fields. */
export const webhookPatch = z.strictObject({ ...fields, ...options }).partial();

/** The editor form: every field present. */
export const webhookForm = z.object(fields);

export type WebhookCreate = z.output<typeof webhookCreate>;
export type WebhookPatch = z.output<typeof webhookPatch>;
export type WebhookFormInput = z.input<typeof webhookForm>;
export type WebhookFormValues = z.output<typeof webhookForm>;
