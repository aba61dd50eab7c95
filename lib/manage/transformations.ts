// POST /api/v1/transformations/run (SPEC §14): a transformation tried on an event's sample (or a given payload),
// as the editor's preview and scripts use it. Nothing is stored or sent.
import { z } from 'zod';
import { findEvent } from '../catalog';
import type { Issue } from '../http/json';
import { invalid } from './result';
import { transform, type TransformOutput } from '../transform/run';
import { eventType, httpUrl } from '../validation/webhook';
import { transformationSource } from '../validation/webhook-options';
import { sampleWebhookPayload } from './samples';

/** The URL the handler sees when none is given (the editor's URL field may still be empty). */
export const PLACEHOLDER_URL = 'https://example.com/webhook';

export const transformationRunRequest = z.strictObject({
  source: transformationSource,
  event_type: eventType,
  payload: z.unknown().optional().describe("The webhook's body before the transformation; the event's sample when left out."),
  url: httpUrl.optional().describe(`The webhook's URL as the handler sees it (default ${PLACEHOLDER_URL}).`),
  use_www_form_encoding: z.boolean({ error: 'Must be true or false.' }).optional(),
});

export type RunResult =
  | { ok: true; status: 200; body: TransformOutput }
  | { ok: false; status: 400 | 422; body: { error: string; line?: number; issues?: Issue[] } };

const SAMPLE_ID = '0b7c8d4e-5f6a-4b1c-9d2e-3f4a5b6c7d8e';

export async function runTransformation(input: unknown): Promise<RunResult> {
  const parsed = transformationRunRequest.safeParse(input);
  if (!parsed.success) {
    const f = invalid(parsed.error, input);
    return { ok: false, status: f.status as 400 | 422, body: { error: f.error, issues: f.issues } };
  }
  const v = parsed.data;
  const event = findEvent(v.event_type)!;
  const payload = v.payload === undefined ? sampleWebhookPayload(event, SAMPLE_ID) : v.payload;
  const contentType = v.use_www_form_encoding ? 'application/x-www-form-urlencoded' : 'application/json';
  const r = await transform('run', v.source, {
    payload,
    headers: { 'content-type': contentType },
    url: v.url ?? PLACEHOLDER_URL,
    event_type: event.eventType,
  });
  if (!r.ok) return { ok: false, status: 422, body: { error: r.error, ...(r.line !== null && { line: r.line }) } };
  return { ok: true, status: 200, body: r.output };
}
