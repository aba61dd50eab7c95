// The body of PUT /api/v1/catalog/platform (SPEC §8): the relay's report of the platform's own catalog.
import { z } from 'zod';

const name = (what: string) =>
  z
    .string({ error: `Must be a string: the ${what}.` })
    .trim()
    .min(1, `Must not be empty: give the ${what}.`)
    .max(200, `Keep the ${what} under 200 characters.`)
    .regex(/^[^\s\u0000]+$/, `The ${what} must not contain spaces.`);

const version = z.string({ error: 'Must be a version string, like "10.5.0".' }).trim().max(100, 'Keep versions under 100 characters.');
const description = z.string({ error: 'Must be a string.' }).max(10_000, 'Keep descriptions under 10000 characters.').default('');
const argument = z
  .string({ error: 'Must be a string: an argument name.' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Must be a Python identifier, like "form_data".');
const jsonSchema = z.record(z.string(), z.unknown(), { error: 'Must be an object: the JSON Schema of the argument.' });

/** No two entries may share the type (or signal/class name, which identify them too). */
function unique<T>(items: T[], keys: (t: T) => string[], ctx: z.RefinementCtx, what: string) {
  const seen = new Map<string, number>();
  items.forEach((it, i) => {
    for (const k of keys(it)) {
      const lower = k.toLowerCase();
      const at = seen.get(lower);
      if (at !== undefined && at !== i) ctx.addIssue({ code: 'custom', path: [i], message: `Repeats ${what} "${k}" (also at index ${at}).` });
      else seen.set(lower, i);
    }
  });
}

const event = z.object({
  event_type: name('event type'),
  // Empty when the relay found no module-level name for the signal: derived from the type then.
  signal: z
    .string({ error: 'Must be a string: the signal name, like "COURSE_ENROLLMENT_CREATED".' })
    .trim()
    .max(200, 'Keep the signal name under 200 characters.')
    .regex(/^[^\s\u0000]*$/, 'The signal name must not contain spaces.')
    .default(''),
  data: z.record(argument, jsonSchema, { error: 'Must be an object: argument name -> JSON Schema.' }),
  description,
});

const filter = z.object({
  filter_type: name('filter type'),
  name: name('filter class name'),
  arguments: z.array(argument, { error: 'Must be a list of argument names.' }).max(50, 'At most 50 arguments.'),
  exceptions: z
    .array(
      z.object({ name: name('exception class name'), arguments: z.array(argument, { error: 'Must be a list of argument names.' }).max(50) }),
      { error: 'Must be a list of exceptions.' },
    )
    .max(50, 'At most 50 exceptions.'),
  description,
});

export const platformCatalogBody = z.object(
  {
    source: z.object(
      {
        host: z
          .string({ error: 'Must be a string: the platform host name, like "lms.example.com".' })
          .trim()
          .toLowerCase()
          .min(1, 'Must not be empty: give the platform host name.')
          .max(255, 'Keep the host under 255 characters.')
          .regex(/^[a-z0-9.\-_:[\]]+$/, 'Must be a host name, like "lms.example.com" (optionally with a port).'),
        variant: z.enum(['lms', 'cms'], { error: 'Must be "lms" or "cms".' }),
        relay: version,
        openedx_events: version,
        openedx_filters: version,
      },
      { error: 'Must be an object: {host, variant, relay, openedx_events, openedx_filters}.' },
    ),
    events: z
      .array(event, { error: 'Must be a list of events.' })
      .max(2000, 'At most 2000 events.')
      .superRefine((items, ctx) => unique(items, (e) => [e.event_type], ctx, 'the event type')),
    filters: z
      .array(filter, { error: 'Must be a list of filters.' })
      .max(2000, 'At most 2000 filters.')
      .superRefine((items, ctx) => unique(items, (f) => [f.filter_type], ctx, 'the filter type')),
  },
  { error: 'The request body must be a JSON object with "source", "events" and "filters".' },
);

export type PlatformCatalogBody = z.output<typeof platformCatalogBody>;
