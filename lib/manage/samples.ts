// The sample bodies an editor previews and "Send test" posts: catalog sample data shaped as real calls.
import { randomUUID } from 'node:crypto';
import type { EventDef, FilterDef } from '../catalog';
import { sampleEventData, sampleFilterData } from '../catalog';
import { buildMetadata, buildPayload } from '../dispatch/payload';
import { filterPayload } from '../dispatch/filters/run';
import type { JsonObject } from '../dispatch/filters/merge';

/** A sample event's webhook body, built by the same code as a real delivery's. */
export function sampleWebhookPayload(event: EventDef, id = randomUUID(), now = new Date()): Record<string, unknown> {
  const studio = event.domain === 'content_authoring';
  return buildPayload(
    sampleEventData(event),
    buildMetadata(
      event,
      {
        id,
        time: now.toISOString(),
        source: studio ? 'openedx/cms/web' : 'openedx/lms/web',
        sourcehost: studio ? 'studio.example.com' : 'lms.example.com',
        sourcelib: [10, 5, 0],
      },
      now,
    ),
  );
}

/** A sample filter call's webfilter body, built by the same code as a real call's. */
export function sampleWebfilterPayload(filter: FilterDef, id = randomUUID(), now = new Date()): Record<string, unknown> {
  return filterPayload(filter, sampleFilterData(filter) as JsonObject, id, now);
}
