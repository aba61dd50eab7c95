// POST /api/events's body for the OpenAPI document. The route validates with the schema inside
// lib/dispatch/ingest.ts (not exported there yet); this copy is held to it by tests/ops/openapi.test.ts,
// which runs both on the catalog's examples and on bodies each must refuse.
import { z } from 'zod';

const nullish = <T extends z.ZodType>(t: T) => t.nullish();

export const eventRequestSchema = z.object({
  event_type: z.string().min(1).describe('The Open edX event type, or its signal name (COURSE_ENROLLMENT_CREATED).'),
  data: z.record(z.string(), z.unknown()).describe("Keyed by the signal's data argument names (events.json), each an object."),
  metadata: z
    .object({
      id: nullish(z.guid()).describe('The event id; generated when absent. Posting the same id again stores nothing.'),
      time: nullish(z.string()).describe('ISO-8601; now (UTC) when absent.'),
      source: nullish(z.string()),
      sourcehost: nullish(z.string()),
      minorversion: nullish(z.int().min(0)),
      sourcelib: nullish(z.array(z.int().min(0))),
    })
    .nullish(),
});
