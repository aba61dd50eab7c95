// SPEC §9 options shared by the webhook and webfilter validators: headers, conditions, exclude_fields, rate limit.
// Client-safe (no node imports): the editors validate exactly as the server does.
import { z } from 'zod';
import { HTTP_TOKEN } from '../http-token';

/** Shown instead of a header's value by the API, the editor and the log. */
export const HEADER_MASK = '••••';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
const RESERVED = new Set(['content-type', 'content-length', 'host', 'user-agent', 'expect', ...HOP_BY_HOP]);
// Visible ASCII, space and tab inside; no CR, LF or NUL, which would split or end the header.
const VALUE = /^[\t\x20-\x7e]*$/;

/** Why a header name cannot be used, or null. */
export function headerNameProblem(name: string): string | null {
  const lower = name.toLowerCase();
  if (!name) return 'A header name must not be empty.';
  if (!HTTP_TOKEN.test(name)) return `"${name}" is not a valid header name: use letters, digits and - only.`;
  if (lower.startsWith('webhook-')) return `"${name}" is reserved: the webhook-* headers carry the signature.`;
  if (RESERVED.has(lower)) return `"${name}" is set by the service and cannot be changed.`;
  return null;
}

/** name → value; "" or "••••" as a value keeps the stored value (the editor and a GET→PATCH round trip). */
export const headersField = z
  .record(z.string(), z.string({ error: 'Each header value must be a string.' }), {
    error: 'Headers must be an object of name → value.',
  })
  .superRefine((h, ctx) => {
    const seen = new Set<string>();
    const names = Object.keys(h);
    if (names.length > 20) ctx.addIssue({ code: 'custom', message: 'Keep to 20 headers or fewer.' });
    for (const name of names) {
      const problem = headerNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
      if (seen.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [name], message: `Header "${name}" is given twice.` });
      seen.add(name.toLowerCase());
      const value = h[name]!;
      if (value !== HEADER_MASK && !VALUE.test(value)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `The value of "${name}" must be printable text on one line.` });
      } else if (value.length > 4096) {
        ctx.addIssue({ code: 'custom', path: [name], message: `Keep the value of "${name}" under 4096 characters.` });
      }
    }
  });

export const CONDITION_OPS = ['equals', 'not_equals', 'in', 'not_in', 'starts_with', 'exists', 'not_exists'] as const;

const PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
export const payloadPath = z
  .string({ error: 'A path must be a string.' })
  .trim()
  .regex(PATH, 'Write a path as dotted keys, like enrollment.course.course_key.');

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'The value must be a string, a number, true, false or null.',
});

export const conditionField = z
  .object({
    path: payloadPath,
    op: z.enum(CONDITION_OPS, { error: `The op must be one of ${CONDITION_OPS.join(', ')}.` }),
    value: z.unknown().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const at = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
    if (c.op === 'exists' || c.op === 'not_exists') {
      if (c.value !== undefined) at(`"${c.op}" takes no value.`);
    } else if (c.op === 'in' || c.op === 'not_in') {
      if (!Array.isArray(c.value) || !c.value.length || !c.value.every((v) => scalar.safeParse(v).success)) {
        at(`"${c.op}" takes a non-empty list of strings, numbers or booleans.`);
      }
    } else if (c.op === 'starts_with') {
      if (typeof c.value !== 'string' || !c.value) at('"starts_with" takes a non-empty string.');
    } else if (c.value === undefined || !scalar.safeParse(c.value).success) {
      at(`"${c.op}" takes a string, a number, true, false or null.`);
    }
  });

export const conditionsField = z
  .array(conditionField, { error: 'Conditions must be a list of {path, op, value}.' })
  .max(20, 'Keep to 20 conditions or fewer.');

export const excludeFieldsField = z
  .array(payloadPath, { error: 'Excluded fields must be a list of dotted paths.' })
  .max(50, 'Keep to 50 excluded fields or fewer.')
  .refine((paths) => !paths.some((p) => p === 'event_metadata' || p.startsWith('event_metadata.')), {
    message: 'event_metadata carries the event id and type and cannot be excluded.',
  });

export const rateLimitField = z
  .number({ error: 'The rate limit must be a whole number of calls per second, or null for none.' })
  .int('The rate limit must be a whole number of calls per second.')
  .min(1, 'The rate limit must be at least 1 call per second (null for none).')
  .max(10_000, 'Keep the rate limit at 10000 calls per second or fewer.')
  .nullable();

/** Longest transformation source accepted (SPEC §14). */
export const MAX_TRANSFORMATION_CHARS = 64 * 1024;

export const transformationSource = z
  .string({ error: 'The transformation source must be a string of JavaScript.' })
  .max(MAX_TRANSFORMATION_CHARS, `Keep the transformation under ${MAX_TRANSFORMATION_CHARS / 1024} KiB of source.`)
  .refine((s) => s.trim().length > 0, 'The transformation source is empty: give JavaScript defining function handler(webhook), or null for none.')
  .refine((s) => !s.includes('\u0000'), 'Remove the NUL character (\\u0000): it cannot be stored.');

/** null (none) or {"source": "<JavaScript defining function handler(webhook)>"} (SPEC §14). */
export const transformationField = z
  .strictObject(
    { source: transformationSource },
    { error: 'The transformation must be null or {"source": "<JavaScript defining function handler(webhook)>"}.' },
  )
  .nullable();
