// What the API answers, as zod schemas for the OpenAPI document (requests use the routes' own schemas).
// Each mirrors a presenter: webhookJson, webfilterJson, deliveryJson, eventJson, filterJson, … Their
// TypeScript types are checked against these in tests/ops/openapi.test.ts by presenting real rows.
import { z } from 'zod';
import { DELIVERY_KINDS, DELIVERY_STATUSES } from '../db/schema';

const iso = z.string().describe('ISO-8601 date-time in UTC');

export const errorBody = z
  .object({
    error: z.string().describe('One sentence saying what is wrong.'),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('Each invalid field, by path.'),
  })
  .meta({ id: 'Error' });

export const webhook = z
  .object({
    id: z.uuid(),
    description: z.string(),
    event_type: z.string(),
    url: z.string(),
    enabled: z.boolean(),
    use_www_form_encoding: z.boolean(),
    headers: z.record(z.string(), z.literal('••••')).describe('Extra request headers: names only, values are write-only.'),
    conditions: z
      .array(z.object({ path: z.string(), op: z.enum(['equals', 'not_equals', 'in', 'not_in', 'starts_with', 'exists', 'not_exists']), value: z.unknown().optional() }))
      .describe('All must hold for an event to be delivered.'),
    exclude_fields: z.array(z.string()).describe('Payload paths removed before sending.'),
    rate_limit_per_second: z.int().nullable(),
    transformation: z
      .object({ source: z.string() })
      .nullable()
      .describe('JavaScript defining function handler(webhook), run on each delivery when it is created; null: none.'),
    personal_data: z
      .enum(['send', 'omit', 'pseudonymize'])
      .describe('The learners’ personal data (pii objects, emails, names, IP addresses): sent, omitted, or replaced by stable anon_… pseudonyms (SPEC §13).'),
    disabled_reason: z.string().nullable().describe('Set when the webhook was disabled for failing; cleared when enabled again.'),
    created_at: iso,
    updated_at: iso,
  })
  .meta({ id: 'Webhook' });

export const webhookWithSecret = webhook
  .extend({ secret: z.string().describe('The signing secret (whsec_…): shown on creation and rotation only.') })
  .meta({ id: 'WebhookWithSecret' });

export const webfilter = z
  .object({
    id: z.uuid(),
    description: z.string(),
    filter_type: z.string(),
    url: z.string(),
    enabled: z.boolean(),
    disable_filtering: z.boolean(),
    disable_halting: z.boolean(),
    halt_on_4xx: z.boolean(),
    redirect_on_4xx: z.string(),
    halt_on_5xx: z.boolean(),
    redirect_on_5xx: z.string(),
    halt_on_request_exception: z.boolean(),
    redirect_on_request_exception: z.string(),
    use_www_form_encoding: z.boolean(),
    position: z.int(),
    mode: z.enum(['enforce', 'shadow']).describe('shadow: called and logged with its would-be verdict, never applied (SPEC §12).'),
    personal_data: z.enum(['send', 'omit']).describe('omit: the learners’ personal data is left out of the call (SPEC §13).'),
    headers: z.record(z.string(), z.literal('••••')).describe('Extra request headers: names only, values are write-only.'),
    breaker: z
      .object({ state: z.enum(['closed', 'open', 'half_open']), until: iso.nullable(), failures: z.int() })
      .describe('Its circuit breaker: open after 5 failures in a row (not called until `until`), then half-open for one trial call.'),
    created_at: iso,
    updated_at: iso,
  })
  .meta({ id: 'Webfilter' });

export const filterPolicy = z
  .object({ filter_type: z.string(), timeout_ms: z.int(), on_unreachable: z.enum(['allow', 'halt']) })
  .meta({ id: 'FilterPolicy' });

export const filterPolicies = z.object({ items: z.array(filterPolicy) }).meta({ id: 'FilterPolicies' });

export const filterStats = z
  .object({
    items: z.array(
      z.object({
        filter_type: z.string(),
        webfilter_id: z.uuid().nullable().describe('null: the whole call as the LMS waited for it.'),
        calls: z.int(),
        p50_ms: z.number().nullable(),
        p95_ms: z.number().nullable(),
        p99_ms: z.number().nullable(),
        halts: z.int(),
        changes: z.int(),
        failures: z.int(),
        shadow_disagreements: z.int(),
      }),
    ),
  })
  .meta({ id: 'FilterStats' });

export const delivery = z
  .object({
    id: z.int(),
    kind: z.enum(DELIVERY_KINDS),
    event_id: z.uuid(),
    target_id: z.uuid(),
    event_type: z.string(),
    url: z.string().describe('Without credentials or query values.'),
    status: z.enum(DELIVERY_STATUSES),
    attempt_count: z.int(),
    next_attempt_at: iso.nullable(),
    last_status_code: z.int().nullable(),
    last_error: z.string().nullable(),
    last_duration_ms: z.int().nullable(),
    outcome: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('webfilter: {result, reason, applied_data?, exception?}; webhook with a transformation: {transformation: applied|cancelled|failed, reason?, line?}; otherwise null.'),
    request_id: z.string().nullable().describe('x-request-id of the LMS call that queued it: its log lines carry the same req_id.'),
    replay: z.boolean().describe('Made by a replay of stored events.'),
    shadow: z.literal(true).optional().describe('A shadow webfilter’s call (SPEC §12): nothing of it was applied.'),
    would_apply: z
      .object({ changes: z.record(z.string(), z.unknown()), exception: z.record(z.string(), z.unknown()).nullable() })
      .optional()
      .describe('What a shadow webfilter would have applied, had it been enforced.'),
    created_at: iso,
    updated_at: iso,
    completed_at: iso.nullable(),
  })
  .meta({ id: 'Delivery' });

const headers = z.record(z.string(), z.string()).nullable();

export const deliveryDetail = delivery
  .extend({
    request: z.object({ headers, body: z.string().nullable() }),
    response: z.object({ status_code: z.int(), headers, body: z.string().nullable() }).nullable(),
    attempts: z.array(
      z.object({
        attempt_no: z.int(),
        started_at: iso,
        duration_ms: z.int(),
        request_headers: headers,
        response_status: z.int().nullable(),
        response_headers: headers,
        response_body: z.string().nullable(),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'DeliveryDetail' });

export const deliveryPage = z.object({ items: z.array(delivery), next_cursor: z.string().nullable() }).meta({ id: 'DeliveryPage' });

const sources = z.array(z.enum(['builtin', 'platform']));

export const catalogEvent = z
  .object({
    event_type: z.string(),
    signal: z.string(),
    domain: z.string(),
    domain_label: z.string(),
    label: z.string(),
    description: z.string(),
    data: z.record(z.string(), z.string()).describe('Argument name → data class.'),
    minor_version: z.int(),
    in_plugin: z.boolean(),
    sources,
    schemas: z.record(z.string(), z.unknown()).optional(),
    optional_data: z.array(z.string()).optional(),
  })
  .meta({ id: 'CatalogEvent' });

export const catalogFilter = z
  .object({
    filter_type: z.string(),
    name: z.string(),
    plugin_event: z.string().nullable(),
    domain: z.string(),
    domain_label: z.string(),
    label: z.string(),
    description: z.string(),
    arguments: z.array(z.string()),
    returns: z.array(z.string()),
    exceptions: z.array(z.object({ name: z.string(), args: z.array(z.string()), accepts_redirect: z.boolean() })),
    supports_redirect: z.boolean(),
    in_plugin: z.boolean(),
    sources,
  })
  .meta({ id: 'CatalogFilter' });

export const eventAccepted = z
  .object({
    id: z.uuid().describe('The event id (metadata.id): webhook-id of every call.'),
    event_type: z.string(),
    deliveries: z.int().describe('Webhooks matched: one delivery each.'),
    duplicate: z.literal(true).optional().describe('Present when this metadata.id was posted before: nothing stored.'),
  })
  .meta({ id: 'EventAccepted' });

export const filterResult = z
  .object({
    filter_type: z.string(),
    data: z.record(z.string(), z.unknown()).describe('The input data with the changes merged.'),
    changes: z.record(z.string(), z.unknown()),
    exception: z
      .looseObject({ name: z.string(), message: z.string(), redirect_to: z.string().optional(), status_code: z.int().optional() })
      .nullable(),
    call_id: z.uuid().optional().describe('The call’s id when webfilters were called (their event_metadata.id); the relay reports refused changes against it.'),
  })
  .meta({ id: 'FilterResult' });

export const routing = z
  .object({
    events: z.array(z.string()),
    filters: z.array(z.string()),
    filter_policies: z
      .record(z.string(), z.object({ timeout_ms: z.int(), on_unreachable: z.enum(['allow', 'halt']) }))
      .describe('Filter types with a policy of their own (SPEC §12); the relay uses its defaults for the others.'),
    version: z.string(),
  })
  .meta({ id: 'Routing' });

export const platformSynced = z
  .object({ events: z.int(), filters: z.int(), new_events: z.array(z.string()), new_filters: z.array(z.string()) })
  .meta({ id: 'PlatformSynced' });

export const importReport = z
  .object({
    dry_run: z.boolean(),
    created: z.int(),
    skipped: z.int(),
    ignored: z.int(),
    message: z.string(),
    items: z.array(
      z.object({
        model: z.string(),
        pk: z.union([z.int(), z.string()]).nullable(),
        result: z.string(),
        message: z.string(),
        id: z.string().optional(),
        event: z.string().nullable(),
        url: z.string().nullable(),
        mapped_to: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'ImportReport' });

export const health = z
  .object({
    status: z.enum(['ok', 'error']),
    database: z.enum(['ok', 'unavailable']),
    version: z.string(),
    source: z.string().describe('Where the source code of this service is offered (AGPL §13).'),
    worker: z.object({
      mode: z.enum(['inline', 'off']).describe('WORKER'),
      running: z.boolean().describe('Whether this process runs a delivery worker now.'),
      alive: z.int().optional().describe('Workers with a recent heartbeat, in every process.'),
    }),
    queue: z
      .object({ pending: z.int(), due: z.int(), oldest_due_age_seconds: z.number().describe('How long the oldest due delivery has waited.') })
      .optional(),
  })
  .meta({ id: 'Health' });

export const user = z
  .object({
    id: z.uuid(),
    email: z.email(),
    name: z.string(),
    role: z.enum(['owner', 'editor', 'viewer']),
    sign_in: z.array(z.enum(['password', 'openedx'])).describe('How they sign in.'),
    last_sign_in_at: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'User' });

export const invitation = z
  .object({ url: z.url().describe('The invitation link, shown this once.'), expires_at: z.string() })
  .meta({ id: 'Invitation' });

export const auditPage = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        at: z.string(),
        actor: z.object({ type: z.enum(['user', 'api_key']), id: z.string(), label: z.string() }),
        action: z.string(),
        target_type: z.string(),
        target_id: z.string(),
        changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })),
        ip: z.string().nullable(),
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'AuditPage' });

export const storedEvent = z
  .object({
    id: z.uuid(),
    event_type: z.string(),
    signal: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    received_at: z.string(),
    deliveries: z.number().int(),
    skipped: z.array(z.object({ webhook_id: z.uuid(), reason: z.string() })).describe('Webhooks of its type whose conditions did not hold.'),
  })
  .meta({ id: 'StoredEvent' });

export const replayed = z.object({ deliveries: z.number().int(), dry_run: z.boolean().optional() }).meta({ id: 'Replayed' });

export const transformationResult = z
  .object({
    payload: z.unknown().describe('The body to send (JSON, or form fields for a form-encoded webhook).'),
    headers: z.record(z.string(), z.string()).describe('Request headers the delivery adds (names in lower case).'),
    url: z.string().describe('Where the delivery goes (checked against private addresses when sent).'),
    cancel: z.boolean().describe('true: nothing is sent; the delivery is logged as skipped.'),
  })
  .meta({ id: 'TransformationResult' });

export const transformationError = z
  .object({
    error: z.string().describe('What went wrong: a throw, a timeout (50 ms), memory (16 MiB) or an invalid return value.'),
    line: z.int().optional().describe('The line of the source the error points at, when known.'),
  })
  .meta({ id: 'TransformationError' });

export const retirement = z
  .object({
    id: z.uuid(),
    user_id: z.int().nullable(),
    requested_at: iso,
    done_at: iso.nullable(),
    events: z.int(),
    deliveries: z.int(),
    filter_calls: z.int(),
    cancelled: z.int(),
  })
  .meta({ id: 'Retirement' });

export const retirements = z.object({ items: z.array(retirement) }).meta({ id: 'Retirements' });
export const retirementDone = z.object({ id: z.uuid(), status: z.enum(['queued', 'done']) }).meta({ id: 'RetirementDone' });
export const learnerExport = z
  .object({ events: z.array(z.record(z.string(), z.unknown())), deliveries: z.array(z.record(z.string(), z.unknown())) })
  .meta({ id: 'LearnerExport' });
