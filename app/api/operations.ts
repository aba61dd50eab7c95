// Every /api route as an OpenAPI operation, beside the routes it describes. Requests use the zod schemas the
// routes validate with, so a field added there shows up in /api/openapi.json; a test walks app/api and
// fails when a route file or one of its methods is missing here, or when an operation has no route.
import { z } from 'zod';
import { deliveryQuerySchema } from '@/lib/deliveries/query';
import { filterRequestSchema } from '@/lib/dispatch/filters/request';
import { dumpdataRow } from '@/lib/import/dumpdata';
import * as out from '@/lib/openapi/responses';
import { eventRequestSchema } from '@/lib/openapi/event-request';
import { platformCatalogBody } from '@/lib/validation/platform-catalog';
import { webfilterCreate, webfilterPatch } from '@/lib/validation/webfilter';
import { webhookCreate, webhookPatch } from '@/lib/validation/webhook';
import { auditQuery } from '@/lib/audit/list';
import { invitationCreate } from '@/lib/team/invitations';
import { userCreate, userPatch } from '@/lib/team/users';
import { replayRequest } from '@/lib/dispatch/replay';
import { transformationRunRequest } from '@/lib/manage/transformations';
import { filterPolicyInput } from '@/lib/manage/filter-policies';
import { retirementRequest } from '@/lib/personal/retire';
import { refusedReport } from '@/lib/dispatch/filters/refused';
import * as examples from '@/lib/openapi/examples';

/** Who may call: a key scope, a key with either relay scope, admin (key or session), metrics, or anyone. */
export type Access = 'events' | 'filters' | 'relay' | 'admin' | 'metrics' | 'session' | 'public';

export interface Answer {
  description: string;
  /** zod schema of a JSON body, 'text' for Prometheus text, or nothing (no body). */
  body?: z.ZodType | 'text';
  example?: unknown;
  headers?: Record<string, string>;
}

export interface Operation {
  summary: string;
  description?: string;
  tag: 'LMS' | 'Management' | 'Relay' | 'Operations' | 'Sign-in';
  access: Access;
  body?: z.ZodType;
  bodyExample?: unknown;
  /** Query parameters: an object schema, one parameter per key. */
  query?: z.ZodObject;
  responses: Record<number, Answer>;
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type PathItem = Partial<Record<Method, Operation>>;

/** Path parameters, by name. */
export const PATH_PARAMS: Record<string, string> = {
  id: 'The id of the object (webhooks and webfilters: a UUID; deliveries: a number).',
  nextauth: 'An Auth.js action: signin, signout, session, csrf, providers, callback/credentials.',
  filter_type: 'An Open edX filter type, or its class name (StudentLoginRequested).',
  call_id: 'A filter call’s id: `call_id` of its POST /api/filters answer.',
};

const ok = (description: string, body?: z.ZodType, example?: unknown): Answer => ({ description, body, example });
const notFound: Answer = { description: 'No object has this id.', body: out.errorBody };
const invalid: Answer = { description: 'The body does not have the expected shape; `issues` names each field.', body: out.errorBody };

export const OPERATIONS: Record<string, PathItem> = {
  '/api/events': {
    post: {
      tag: 'LMS',
      summary: 'Send an Open edX event',
      description:
        'Stores the event and one pending delivery per enabled webhook for its type, in one transaction, before answering. ' +
        '`event_type` may also be the signal name. The same `metadata.id` again answers 200 with `duplicate: true` and stores nothing.',
      access: 'events',
      body: eventRequestSchema,
      bodyExample: examples.eventRequest(),
      responses: {
        202: ok('Stored; deliveries queued.', out.eventAccepted, examples.eventAccepted()),
        200: ok('A duplicate (same metadata.id): nothing stored.', out.eventAccepted),
        400: invalid,
        422: { description: 'Unknown event type; the error names the closest known ones.', body: out.errorBody },
      },
    },
  },
  '/api/filters': {
    post: {
      tag: 'LMS',
      summary: 'Run an Open edX filter through its webfilters',
      description:
        'Calls every enabled webfilter for the filter at once, applies their answers in webfilter order and answers with the ' +
        'data, the merged changes and the halting exception, if any. `filter_type` may also be the filter class name.',
      access: 'filters',
      body: filterRequestSchema,
      bodyExample: examples.filterRequest(),
      responses: {
        200: ok('The filter result.', out.filterResult, examples.filterResult()),
        400: invalid,
        422: { description: 'Unknown filter type; the error names the closest known ones.', body: out.errorBody },
      },
    },
  },
  '/api/health': {
    get: {
      tag: 'Operations',
      summary: 'Health',
      description: 'For load balancers and monitors: the database, whether a delivery worker runs, and how old the queue is.',
      access: 'public',
      responses: {
        200: ok('The database answers.', out.health),
        503: ok('The database does not answer.', out.health),
      },
    },
  },
  '/api/metrics': {
    get: {
      tag: 'Operations',
      summary: 'Prometheus metrics',
      description: 'Prometheus text format; every name starts with `openedx_webhooks_`. Queue and worker figures are read from the database.',
      access: 'metrics',
      responses: { 200: { description: 'The metrics.', body: 'text' } },
    },
  },
  '/api/openapi.json': {
    get: {
      tag: 'Operations',
      summary: 'This OpenAPI document',
      access: 'public',
      responses: { 200: ok('OpenAPI 3.1.', z.record(z.string(), z.unknown())) },
    },
  },
  '/api/auth/{nextauth}': {
    get: {
      tag: 'Sign-in',
      summary: 'Auth.js (admin app sign-in)',
      description: 'The admin app’s sign-in, used by its pages; not for scripts (they send an API key).',
      access: 'public',
      responses: { 200: { description: 'As Auth.js answers.' }, 302: { description: 'A redirect.' } },
    },
    post: {
      tag: 'Sign-in',
      summary: 'Auth.js (admin app sign-in)',
      access: 'public',
      responses: { 200: { description: 'As Auth.js answers.' }, 302: { description: 'A redirect.' } },
    },
  },
  '/api/v1/webhooks': {
    get: {
      tag: 'Management',
      summary: 'List webhooks',
      access: 'admin',
      query: z.object({ event_type: z.string().optional().describe('Only webhooks for this event type or signal name.') }),
      responses: { 200: ok('The webhooks.', z.array(out.webhook), [examples.webhook()]) },
    },
    post: {
      tag: 'Management',
      summary: 'Create a webhook',
      description: 'The answer holds the signing `secret`, shown this once. A private target address adds an `x-target-warning` header.',
      access: 'admin',
      body: webhookCreate,
      bodyExample: { description: 'CRM enrolments', event_type: 'org.openedx.learning.course.enrollment.created.v1', url: 'https://crm.example.com/hooks/enrollment' },
      responses: { 201: ok('Created.', out.webhookWithSecret, { ...examples.webhook(), secret: 'whsec_…' }), 400: invalid, 422: invalid },
    },
  },
  '/api/v1/webhooks/{id}': {
    get: { tag: 'Management', summary: 'Get a webhook', access: 'admin', responses: { 200: ok('The webhook.', out.webhook, examples.webhook()), 404: notFound } },
    patch: {
      tag: 'Management',
      summary: 'Change a webhook',
      description: 'Any subset of the fields.',
      access: 'admin',
      body: webhookPatch,
      bodyExample: { enabled: false },
      responses: { 200: ok('The changed webhook.', out.webhook), 400: invalid, 404: notFound },
    },
    delete: { tag: 'Management', summary: 'Delete a webhook', access: 'admin', responses: { 204: { description: 'Deleted.' }, 404: notFound } },
  },
  '/api/v1/webhooks/{id}/rotate-secret': {
    post: {
      tag: 'Management',
      summary: 'Rotate a webhook’s signing secret',
      access: 'admin',
      responses: { 200: ok('The webhook with its new secret, shown this once.', out.webhookWithSecret), 404: notFound },
    },
  },
  '/api/v1/webhooks/{id}/replay': {
    post: {
      tag: 'Management',
      summary: 'Replay stored events to a webhook (editors)',
      description:
        'Sends the webhook the stored events of its type received in the range again, with its current conditions and ' +
        'excluded fields; the deliveries are marked `replay: true`. `dry_run` answers the count only.',
      access: 'admin',
      body: replayRequest,
      bodyExample: { from: '2026-11-25T00:00:00Z', to: '2026-12-02T00:00:00Z', dry_run: true },
      responses: { 200: ok('How many deliveries were (or would be) made.', out.replayed), 400: invalid, 404: notFound, 422: { description: 'The webhook is disabled.', body: out.errorBody } },
    },
  },
  '/api/v1/transformations/run': {
    post: {
      tag: 'Management',
      summary: 'Run a transformation (editors)',
      description:
        'Runs `source` (JavaScript defining `function handler(webhook)`) in the sandbox (16 MiB, 50 ms) on the event’s ' +
        'sample body, or on `payload`, as a delivery would: the handler gets `{payload, headers, url, event_type}`. ' +
        'Nothing is stored or sent.',
      access: 'admin',
      body: transformationRunRequest,
      bodyExample: {
        source: 'function handler(webhook) {\n  webhook.payload = { text: "Enrolled: " + webhook.payload.enrollment.user.pii.username };\n  return webhook;\n}',
        event_type: 'org.openedx.learning.course.enrollment.created.v1',
      },
      responses: {
        200: ok('What the delivery would send.', out.transformationResult, { payload: { text: 'Enrolled: jdoe' }, headers: { 'content-type': 'application/json' }, url: 'https://example.com/webhook', cancel: false }),
        400: invalid,
        422: { description: 'The transformation failed (or the body names an unknown event).', body: out.transformationError, example: { error: 'The transformation threw (line 2): TypeError: cannot read property \'user\' of undefined', line: 2 } },
      },
    },
  },
  '/api/v1/events/{id}': {
    get: {
      tag: 'Management',
      summary: 'Get a stored event',
      description: 'Its metadata, how many deliveries it made, and the webhooks of its type it skipped, with why.',
      access: 'admin',
      responses: { 200: ok('The event.', out.storedEvent), 404: notFound },
    },
  },
  '/api/v1/webfilters': {
    get: {
      tag: 'Management',
      summary: 'List webfilters',
      access: 'admin',
      query: z.object({ filter_type: z.string().optional().describe('Only webfilters for this filter type or class name.') }),
      responses: { 200: ok('The webfilters, in application order.', z.array(out.webfilter)) },
    },
    post: {
      tag: 'Management',
      summary: 'Create a webfilter',
      access: 'admin',
      body: webfilterCreate,
      bodyExample: { filter_type: 'org.openedx.learning.student.registration.requested.v1', url: 'https://rules.example.com/registration', halt_on_4xx: true },
      responses: { 201: ok('Created.', out.webfilter), 400: invalid, 422: invalid },
    },
  },
  '/api/v1/webfilters/{id}': {
    get: { tag: 'Management', summary: 'Get a webfilter', access: 'admin', responses: { 200: ok('The webfilter.', out.webfilter), 404: notFound } },
    patch: {
      tag: 'Management',
      summary: 'Change a webfilter',
      access: 'admin',
      body: webfilterPatch,
      bodyExample: { position: 0 },
      responses: { 200: ok('The changed webfilter.', out.webfilter), 400: invalid, 404: notFound },
    },
    delete: { tag: 'Management', summary: 'Delete a webfilter', access: 'admin', responses: { 204: { description: 'Deleted.' }, 404: notFound } },
  },
  '/api/v1/deliveries': {
    get: {
      tag: 'Management',
      summary: 'List deliveries (the log)',
      description: 'Newest first; pass `next_cursor` back as `cursor` for the next page.',
      access: 'admin',
      query: deliveryQuerySchema,
      responses: { 200: ok('A page of deliveries.', out.deliveryPage), 400: invalid },
    },
  },
  '/api/v1/deliveries/{id}': {
    get: {
      tag: 'Management',
      summary: 'Get a delivery with its attempts, request and response',
      access: 'admin',
      responses: { 200: ok('The delivery.', out.deliveryDetail), 404: notFound },
    },
  },
  '/api/v1/deliveries/{id}/retry': {
    post: {
      tag: 'Management',
      summary: 'Send a webhook delivery again now',
      access: 'admin',
      responses: {
        202: ok('Queued.', out.delivery),
        404: notFound,
        409: { description: 'A webfilter call cannot be replayed, nor a webhook delivery its transformation cancelled or failed (nothing was sent: replay the event).', body: out.errorBody },
      },
    },
  },
  '/api/v1/catalog/events': {
    get: {
      tag: 'Management',
      summary: 'The event catalog',
      description: 'Built-in events and those the connected platforms sent.',
      access: 'admin',
      responses: { 200: ok('Every known event.', z.array(out.catalogEvent), [examples.catalogEvent()]) },
    },
  },
  '/api/v1/catalog/filters': {
    get: {
      tag: 'Management',
      summary: 'The filter catalog',
      access: 'admin',
      responses: { 200: ok('Every known filter.', z.array(out.catalogFilter), [examples.catalogFilter()]) },
    },
  },
  '/api/v1/users': {
    get: { tag: 'Management', summary: 'List the team (owners)', access: 'admin', responses: { 200: ok('Every user.', z.array(out.user)) } },
    post: {
      tag: 'Management',
      summary: 'Add a user with a password (owners)',
      access: 'admin',
      body: userCreate,
      bodyExample: { email: 'support@example.org', name: 'Support', role: 'viewer', password: 'a long passphrase' },
      responses: { 201: ok('Created.', out.user), 400: invalid, 409: { description: 'A user has this email already.', body: out.errorBody } },
    },
  },
  '/api/v1/users/{id}': {
    patch: {
      tag: 'Management',
      summary: 'Change a user’s role (owners)',
      description: 'The last owner cannot be demoted.',
      access: 'admin',
      body: userPatch,
      bodyExample: { role: 'editor' },
      responses: { 200: ok('The changed user.', out.user), 400: invalid, 404: notFound, 409: { description: 'The last owner.', body: out.errorBody } },
    },
    delete: {
      tag: 'Management',
      summary: 'Remove a user (owners)',
      description: 'Their sessions end at once. The last owner cannot be removed.',
      access: 'admin',
      responses: { 204: { description: 'Removed.' }, 404: notFound, 409: { description: 'The last owner.', body: out.errorBody } },
    },
  },
  '/api/v1/invitations': {
    post: {
      tag: 'Management',
      summary: 'Invite someone (owners)',
      description: 'The link works once, for 7 days; it is also mailed when SMTP_URL is set.',
      access: 'admin',
      body: invitationCreate,
      bodyExample: { email: 'dev@example.org', role: 'editor' },
      responses: { 201: ok('The invitation link, shown this once.', out.invitation), 400: invalid },
    },
  },
  '/api/v1/audit': {
    get: {
      tag: 'Management',
      summary: 'Read the audit log (owners)',
      description: 'Newest first, in keyset pages: pass `next_cursor` as `cursor`. Append-only: no route changes it.',
      access: 'admin',
      query: auditQuery,
      responses: { 200: ok('A page of entries.', out.auditPage), 400: invalid },
    },
  },
  '/api/v1/catalog/platform': {
    put: {
      tag: 'Relay',
      summary: 'Send a platform’s catalog (relay)',
      description: 'The relay sends the events and filters its Open edX installs; they join the catalog.',
      access: 'relay',
      body: platformCatalogBody,
      responses: { 200: ok('Stored.', out.platformSynced), 400: invalid },
    },
  },
  '/api/filters/{call_id}/refused': {
    post: {
      tag: 'LMS',
      summary: 'Report changes the relay refused to apply',
      description:
        'The relay never writes privilege or identity fields from an answer (unless OPENEDX_WEBHOOKS_WRITABLE_FIELDS lists them), and leaves out a change that does not fit its argument; it reports each change it left out against the filter call (`call_id` of the answer), from a thread of its own after the call, and the delivery log shows them with that call.',
      access: 'filters',
      body: refusedReport,
      bodyExample: { refused: [{ path: 'user.is_superuser', reason: 'a privilege field' }] },
      responses: { 200: ok('Recorded.', z.object({ updated: z.int() })), 404: notFound, 422: invalid },
    },
  },
  '/api/v1/filter-policies': {
    get: {
      tag: 'Management',
      summary: 'List the filter policies',
      description: 'Filter types with a budget and an unreachable-service rule of their own (SPEC §12); the others use FILTER_TIMEOUT_MS and the relay’s defaults.',
      access: 'admin',
      responses: { 200: ok('The policies.', out.filterPolicies) },
    },
  },
  '/api/v1/filter-policies/{filter_type}': {
    put: {
      tag: 'Management',
      summary: 'Set a filter type’s policy',
      description: '`timeout_ms` (50–30000) is the whole filter call’s budget; `on_unreachable` is what the relay does when the service cannot answer in time: `allow` the process or `halt` it.',
      access: 'admin',
      body: filterPolicyInput,
      bodyExample: { timeout_ms: 800, on_unreachable: 'allow' },
      responses: { 200: ok('Saved.', out.filterPolicy), 422: invalid },
    },
    delete: {
      tag: 'Management',
      summary: 'Return a filter type to the defaults',
      access: 'admin',
      responses: { 204: { description: 'Removed (or there was none).' }, 422: invalid },
    },
  },
  '/api/v1/filters/stats': {
    get: {
      tag: 'Management',
      summary: 'Filter health',
      description: 'Per filter type (`webfilter_id` null: the whole call as the LMS waited for it) and per webfilter: calls, latency percentiles, halts, changes, failures and shadow verdicts that differ from what was applied. Default range: the last 24 hours.',
      access: 'admin',
      query: z.object({ from: z.string().optional().describe('ISO 8601 start (default: 24 hours before `to`).'), to: z.string().optional().describe('ISO 8601 end (default: now).') }),
      responses: { 200: ok('The figures.', out.filterStats), 422: invalid },
    },
  },
  '/api/v1/retirements': {
    post: {
      tag: 'Management',
      summary: 'Retire a learner',
      description:
        'Erases the learner’s username, email and user id from every stored event, delivery body, response and webfilter call (replaced by "[retired]", rows kept), cancels their pending deliveries, audits counts only and emits openedx_webhooks.user.retired.v1. Also takes a key with the `events` scope (the relay’s). Done when it answers. With an `Idempotency-Key` header (the relay sends one), the same request sent again is answered with the same retirement and nothing is done twice; the same key with another learner is another retirement.',
      access: 'admin',
      body: retirementRequest,
      bodyExample: { user_id: 42, username: 'jdoe', email: 'jane.doe@example.com' },
      responses: { 202: ok('Done.', out.retirementDone), 422: invalid },
    },
    get: {
      tag: 'Management',
      summary: 'List retirements',
      description: 'Owners: each retirement with the user id, when, and how many rows it rewrote or cancelled (no personal data).',
      access: 'admin',
      responses: { 200: ok('The retirements, newest first.', out.retirements) },
    },
  },
  '/api/v1/retirements/export': {
    get: {
      tag: 'Management',
      summary: 'Export what is stored of a learner',
      description: 'Owners: every stored event and delivery mentioning the learner (an access request), as stored.',
      access: 'admin',
      query: z.object({ user_id: z.string().optional(), email: z.string().optional(), username: z.string().optional() }),
      responses: { 200: ok('The learner’s events and deliveries.', out.learnerExport), 422: invalid },
    },
  },
  '/api/v1/routing': {
    get: {
      tag: 'Relay',
      summary: 'Which events and filters to send (relay)',
      description: 'With an `ETag`; `If-None-Match` answers 304. With STORE_ALL_EVENTS=1, `events` is `["*"]`.',
      access: 'relay',
      responses: {
        200: { description: 'The routing.', body: out.routing, headers: { etag: 'The version, quoted.' } },
        304: { description: 'Unchanged since the ETag sent.' },
      },
    },
  },
  '/api/v1/import/openedx-webhooks': {
    post: {
      tag: 'Management',
      summary: 'Import the openedx-webhooks plugin’s webhooks and webfilters',
      description: 'The body is `./manage.py lms dumpdata openedx_webhooks` output. `?dry_run=1` previews and changes nothing.',
      access: 'admin',
      query: z.object({ dry_run: z.enum(['1', '0', 'true', 'false']).optional().describe('1: preview only.') }),
      body: z.array(dumpdataRow),
      responses: { 200: ok('What was (or would be) created and skipped.', out.importReport), 400: invalid, 422: invalid },
    },
  },
};
