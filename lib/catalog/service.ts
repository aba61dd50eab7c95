// The service's own events (SPEC §9), catalog group "Service": webhooks on them tell an operator of trouble.
// Emitted through the same engine (lib/dispatch/service-events.ts), never about deliveries of themselves.
import type { DataClassDef, EventDef } from './types';

export const SERVICE_EVENT_PREFIX = 'openedx_webhooks.';

const str = (name: string, optional = false) => ({ name, type: 'str', jsonType: 'string', optional });
const int = (name: string, optional = false) => ({ name, type: 'int', jsonType: 'integer', optional });
const time = (name: string) => ({ name, type: 'datetime', jsonType: 'string', format: 'datetime', optional: false });

export const SERVICE_DATA_CLASSES: Readonly<Record<string, DataClassDef>> = {
  ServiceWebhookData: {
    qualifiedName: 'openedx_webhooks.ServiceWebhookData',
    fields: [str('id'), str('description'), str('event_type'), str('url'), str('disabled_reason'), int('failed_deliveries'), time('failing_since')],
  },
  ServiceDeliveryData: {
    qualifiedName: 'openedx_webhooks.ServiceDeliveryData',
    fields: [int('id'), str('webhook_id'), str('event_id'), str('event_type'), str('url'), int('attempts'), int('last_status_code', true), str('last_error', true)],
  },
  ServiceWebfilterData: {
    qualifiedName: 'openedx_webhooks.ServiceWebfilterData',
    fields: [str('id'), str('description'), str('filter_type'), str('url'), int('consecutive_failures'), str('last_error', true)],
  },
};

const service = (signal: string, eventType: string, label: string, description: string, data: Record<string, string>): EventDef => ({
  signal,
  eventType,
  domain: 'service',
  domainLabel: 'Service',
  label,
  description,
  data,
  inPlugin: false,
  minorVersion: 0,
});

export const SERVICE_EVENTS: readonly EventDef[] = [
  service(
    'OPENEDX_WEBHOOKS_WEBHOOK_DISABLED',
    'openedx_webhooks.webhook.disabled.v1',
    'Webhook disabled',
    'This service disabled a webhook whose every attempt failed for AUTO_DISABLE_AFTER_HOURS with at least 10 failed deliveries.',
    { webhook: 'ServiceWebhookData' },
  ),
  service(
    'OPENEDX_WEBHOOKS_DELIVERY_FAILED',
    'openedx_webhooks.delivery.failed.v1',
    'Delivery failed',
    'A webhook delivery exhausted its attempts (or got 410 Gone) and will not be retried.',
    { delivery: 'ServiceDeliveryData' },
  ),
  service(
    'OPENEDX_WEBHOOKS_WEBFILTER_FAILING',
    'openedx_webhooks.webfilter.failing.v1',
    'Webfilter failing',
    "A webfilter's calls failed 5 times in a row (connection error, timeout or an error status).",
    { webfilter: 'ServiceWebfilterData' },
  ),
  {
    ...service(
      'OPENEDX_WEBHOOKS_USER_RETIRED',
      'openedx_webhooks.user.retired.v1',
      'Learner retired',
      'A learner was retired (SPEC §13): this service erased their personal data; receivers that keep data about them can erase it too. Only the LMS user id and the time.',
      { user_id: 'int', retired_at: 'datetime' },
    ),
    // Plain values, not data classes: described by JSON Schema (like a platform's own events).
    schemas: { user_id: { type: ['integer', 'null'], description: 'The LMS user id (null when retired by email or username only).' }, retired_at: { type: 'string', format: 'date-time' } },
  },
  service(
    'OPENEDX_WEBHOOKS_WEBFILTER_RECOVERED',
    'openedx_webhooks.webfilter.recovered.v1',
    'Webfilter recovered',
    "A webfilter's circuit breaker closed again: after 5 failures in a row it was not called for a while, and its trial call was answered.",
    { webfilter: 'ServiceWebfilterData' },
  ),
];

export const isServiceEvent = (eventType: string) => eventType.startsWith(SERVICE_EVENT_PREFIX);
