// The whole product's data model: admins, API keys, webhooks, webfilters, events, deliveries and attempts.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import type { Role } from '../auth/roles';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull(),
  name: text('name').notNull().default(''),
  /** Null for someone who signs in only with Open edX. */
  passwordHash: text('password_hash'),
  /**
   * owner | editor | viewer (SPEC §10). The default is owner: the first admin and ADMIN_EMAIL are created
   * without a role, and the migration that added the column made every existing admin an owner.
   */
  role: text('role').$type<Role>().notNull().default('owner'),
  /** The LMS username once this person has signed in with Open edX. */
  openedxUsername: text('openedx_username'),
  lastSignInAt: tz('last_sign_in_at'),
  createdAt: tz('created_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('users_email_idx').on(sql`lower(${t.email})`)]);

export { ROLES, type Role } from '../auth/roles';

export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  /** First characters of the token, shown in the list so an admin can tell keys apart. */
  prefix: text('prefix').notNull(),
  /** SHA-256 of the token (hex). Tokens are 256-bit random, so a fast hash is enough. */
  tokenHash: text('token_hash').notNull(),
  scopes: text('scopes').array().notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
  /** The user who created it (null: INITIAL_API_KEY, an older version, or a removed user). */
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  lastUsedAt: tz('last_used_at'),
  /** After this the key answers 401 saying it expired; null: never. */
  expiresAt: tz('expires_at'),
  revokedAt: tz('revoked_at'),
}, (t) => [uniqueIndex('api_keys_token_hash_idx').on(t.tokenHash)]);

/** Invitations to join the team: a link holding a random token (stored as SHA-256), valid once, for 7 days. */
export const invitations = pgTable('invitations', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull(),
  role: text('role').$type<Role>().notNull(),
  tokenHash: text('token_hash').notNull(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: tz('created_at').notNull().defaultNow(),
  expiresAt: tz('expires_at').notNull(),
  acceptedAt: tz('accepted_at'),
}, (t) => [uniqueIndex('invitations_token_hash_idx').on(t.tokenHash), index('invitations_email_idx').on(sql`lower(${t.email})`)]);

/**
 * Open edX identities of removed members (SPEC §10, review finding 5): kept out of "Sign in with Open edX",
 * even as LMS staff with OPENEDX_OAUTH_STAFF_ROLE, until an owner invites that person again.
 */
export const openedxExclusions = pgTable('openedx_exclusions', {
  id: uuid('id').primaryKey().defaultRandom(),
  openedxUsername: text('openedx_username'),
  email: text('email'),
  createdAt: tz('created_at').notNull().defaultNow(),
}, (t) => [index('openedx_exclusions_username_idx').on(t.openedxUsername), index('openedx_exclusions_email_idx').on(sql`lower(${t.email})`)]);

/**
 * The audit log (SPEC §10): one row per change made through the app or the management API. Append-only:
 * nothing but retention (AUDIT_RETENTION_DAYS) deletes a row, and no route changes one.
 */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: tz('at').notNull().defaultNow(),
  actorType: text('actor_type').$type<'user' | 'api_key'>().notNull(),
  actorId: text('actor_id').notNull(),
  /** The user's email or the key's name, as it was then. */
  actorLabel: text('actor_label').notNull(),
  action: text('action').notNull(),
  targetType: text('target_type').notNull(),
  targetId: text('target_id').notNull(),
  /** {"<field>": {"before", "after"}}; secrets and header values are never stored in clear. */
  changes: jsonb('changes').$type<Record<string, { before: unknown; after: unknown }>>().notNull(),
  ip: text('ip'),
}, (t) => [
  index('audit_log_at_idx').on(t.at),
  index('audit_log_actor_idx').on(t.actorId, t.id),
  index('audit_log_action_idx').on(t.action, t.id),
  index('audit_log_target_idx').on(t.targetType, t.targetId, t.id),
]);

/** Signed-in sessions: the JWT carries the id, sign-out deletes the row, and a removed user's rows go with them. */
export const sessions = pgTable('sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  createdAt: tz('created_at').notNull().defaultNow(),
  expiresAt: tz('expires_at').notNull(),
}, (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)]);

/** Sign-in attempts per account and per client address in the current window, shared by every app process. */
export const signInLimits = pgTable('sign_in_limits', {
  /** "email:<address>" or "ip:<address>". */
  key: text('key').primaryKey(),
  attempts: integer('attempts').notNull(),
  windowStart: tz('window_start').notNull(),
  updatedAt: tz('updated_at').notNull(),
}, (t) => [index('sign_in_limits_updated_idx').on(t.updatedAt)]);

/** One webhook condition (SPEC §9). */
export interface WebhookCondition {
  path: string;
  op: 'equals' | 'not_equals' | 'in' | 'not_in' | 'starts_with' | 'exists' | 'not_exists';
  value?: unknown;
}

/** A webhook's transformation (SPEC §14). */
export interface WebhookTransformation {
  source: string;
}

export const webhooks = pgTable('webhooks', {
  id: uuid('id').primaryKey().defaultRandom(),
  description: text('description').notNull().default(''),
  /** Open edX event type, e.g. org.openedx.learning.course.enrollment.created.v1 */
  eventType: text('event_type').notNull(),
  url: text('url').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  useWwwFormEncoding: boolean('use_www_form_encoding').notNull().default(false),
  /** Standard Webhooks signing secret: whsec_ + base64 of 24+ random bytes. */
  secret: text('secret').notNull(),
  /** Extra request headers (SPEC §9): name → value encrypted with AES-256-GCM (lib/secrets/header-crypto.ts). */
  headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
  /** All must hold on the payload (without event_metadata) for an event to be delivered (SPEC §9). */
  conditions: jsonb('conditions').$type<WebhookCondition[]>().notNull().default([]),
  /** Dotted payload paths removed from the body before sending. */
  excludeFields: jsonb('exclude_fields').$type<string[]>().notNull().default([]),
  /** null: no limit; otherwise at most this many calls per second, across every worker. */
  rateLimitPerSecond: integer('rate_limit_per_second'),
  /** Why the service disabled this webhook (auto-disable); cleared when it is enabled again. */
  disabledReason: text('disabled_reason'),
  /** JavaScript defining handler(webhook), run on each delivery when it is created (SPEC §14); null: none. */
  transformation: jsonb('transformation').$type<WebhookTransformation | null>(),
  /** SPEC §13: 'send' the learners' personal data as it is, 'omit' it, or 'pseudonymize' it (stable per webhook). */
  personalData: text('personal_data').$type<'send' | 'omit' | 'pseudonymize'>().notNull().default('send'),
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
}, (t) => [index('webhooks_event_type_idx').on(t.eventType, t.enabled)]);

/**
 * Rate limits (SPEC §9), shared by every worker process: the earliest time the webhook's next call may start
 * (GCRA: each call moves it 1/rate_limit_per_second on).
 */
export const webhookRates = pgTable('webhook_rates', {
  webhookId: uuid('webhook_id').primaryKey(),
  nextAt: tz('next_at').notNull(),
});

export const webfilters = pgTable('webfilters', {
  id: uuid('id').primaryKey().defaultRandom(),
  description: text('description').notNull().default(''),
  /** Open edX filter type, e.g. org.openedx.learning.student.registration.requested.v1 */
  filterType: text('filter_type').notNull(),
  url: text('url').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  disableFiltering: boolean('disable_filtering').notNull().default(false),
  disableHalting: boolean('disable_halting').notNull().default(false),
  haltOn4xx: boolean('halt_on_4xx').notNull().default(false),
  redirectOn4xx: text('redirect_on_4xx').notNull().default(''),
  haltOn5xx: boolean('halt_on_5xx').notNull().default(false),
  redirectOn5xx: text('redirect_on_5xx').notNull().default(''),
  haltOnRequestException: boolean('halt_on_request_exception').notNull().default(false),
  redirectOnRequestException: text('redirect_on_request_exception').notNull().default(''),
  useWwwFormEncoding: boolean('use_www_form_encoding').notNull().default(false),
  /** Results are applied in (position, created_at) order: later webfilters override earlier ones. */
  position: integer('position').notNull().default(0),
  /** Extra request headers (SPEC §9): name → value encrypted with AES-256-GCM (lib/secrets/header-crypto.ts). */
  headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
  /** SPEC §12: 'enforce' (its answer is applied) or 'shadow' (called and logged with its would-be verdict only). */
  mode: text('mode').$type<'enforce' | 'shadow'>().notNull().default('enforce'),
  /** SPEC §13: 'send' the learners' personal data as it is, or 'omit' it (its answer cannot refer to it). */
  personalData: text('personal_data').$type<'send' | 'omit'>().notNull().default('send'),
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
}, (t) => [index('webfilters_filter_type_idx').on(t.filterType, t.enabled, t.position)]);

/**
 * SPEC §13: a learner's retirement, as done: who (the LMS user id only: the username and email it was asked
 * with are used to erase and then forgotten), when, and how many rows it rewrote or cancelled.
 */
export const retirements = pgTable('retirements', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: integer('user_id'),
  requestedAt: tz('requested_at').notNull().defaultNow(),
  doneAt: tz('done_at'),
  events: integer('events').notNull().default(0),
  deliveries: integer('deliveries').notNull().default(0),
  filterCalls: integer('filter_calls').notNull().default(0),
  cancelled: integer('cancelled').notNull().default(0),
  /** The sender's Idempotency-Key: a request sent again with the same key is this retirement, not a second one. */
  requestKey: text('request_key'),
}, (t) => [index('retirements_requested_idx').on(t.requestedAt), uniqueIndex('retirements_request_key_idx').on(t.requestKey)]);

/** SPEC §12: a filter type's own budget and what the relay does when the service cannot answer in time. */
export const filterPolicies = pgTable('filter_policies', {
  filterType: text('filter_type').primaryKey(),
  timeoutMs: integer('timeout_ms').notNull(),
  onUnreachable: text('on_unreachable').$type<'allow' | 'halt'>().notNull(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

/**
 * SPEC §12: each webfilter's circuit breaker as last changed by any process (each process also keeps its own in
 * memory): closed, open until a time, or half-open (one trial call allowed).
 */
export const webfilterBreakers = pgTable('webfilter_breakers', {
  webfilterId: uuid('webfilter_id').primaryKey().references(() => webfilters.id, { onDelete: 'cascade' }),
  state: text('state').$type<'closed' | 'open' | 'half_open'>().notNull(),
  failures: integer('failures').notNull().default(0),
  openUntil: tz('open_until'),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

/**
 * SPEC §12 filter health, kept as calls are logged (never a scan of the log): per hour, per filter type (the
 * whole call as the LMS waited for it; webfilter_id is the nil UUID) and per webfilter, the counts and a latency
 * histogram whose buckets are FILTER_LATENCY_BUCKETS_MS (lib/dispatch/filters/stats.ts).
 */
export const filterStatsHourly = pgTable('filter_stats_hourly', {
  hour: tz('hour').notNull(),
  filterType: text('filter_type').notNull(),
  webfilterId: uuid('webfilter_id').notNull(),
  calls: integer('calls').notNull().default(0),
  halts: integer('halts').notNull().default(0),
  changes: integer('changes').notNull().default(0),
  failures: integer('failures').notNull().default(0),
  shadowDisagreements: integer('shadow_disagreements').notNull().default(0),
  buckets: integer('buckets').array().notNull(),
}, (t) => [primaryKey({ columns: [t.hour, t.filterType, t.webfilterId] }), index('filter_stats_hourly_hour_idx').on(t.hour)]);

export const events = pgTable('events', {
  /** metadata.id as sent by the LMS (or generated): the idempotency key and the webhook-id header. */
  id: uuid('id').primaryKey(),
  eventType: text('event_type').notNull(),
  signal: text('signal').notNull(),
  data: jsonb('data').notNull(),
  /** Normalised metadata: id, event_type, signal, time (ISO UTC), minorversion, source, sourcehost, sourcelib. */
  metadata: jsonb('metadata').notNull(),
  deliveryCount: integer('delivery_count').notNull().default(0),
  /** Webhooks of this type whose conditions did not hold: [{webhook_id, reason}] (SPEC §9). */
  skipped: jsonb('skipped').$type<{ webhook_id: string; reason: string }[]>(),
  receivedAt: tz('received_at').notNull().defaultNow(),
}, (t) => [index('events_received_at_idx').on(t.receivedAt)]);

/**
 * Delivery status:
 * - pending: waiting for its next attempt (next_attempt_at), or being attempted by a worker holding the lease
 *   (locked_until in the future);
 * - succeeded: a 2xx answer (for a webfilter call: the webfilter answered and its answer was used);
 * - failed: retries exhausted, 410 Gone, (webfilter) the call failed, or (webhook) its transformation failed,
 *   so nothing was sent (outcome.transformation = failed);
 * - skipped: the webhook's transformation cancelled it (cancel: true); nothing was sent (outcome.reason says so).
 */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'skipped', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_KINDS = ['webhook', 'webfilter'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const deliveries = pgTable('deliveries', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  kind: text('kind').$type<DeliveryKind>().notNull(),
  /** webhook: the event id (webhook-id); webfilter: the filter call id. */
  eventId: uuid('event_id').notNull(),
  /** The webhook or webfilter id; not a foreign key so the log survives a deleted target. */
  targetId: uuid('target_id').notNull(),
  eventType: text('event_type').notNull(),
  url: text('url').notNull(),
  status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
  attemptCount: integer('attempt_count').notNull().default(0),
  nextAttemptAt: tz('next_attempt_at'),
  lockedUntil: tz('locked_until'),
  lockedBy: text('locked_by'),
  /** The request as sent (content-type and body); signature headers are recomputed per attempt. */
  requestHeaders: jsonb('request_headers').$type<Record<string, string>>(),
  requestBody: text('request_body'),
  lastStatusCode: integer('last_status_code'),
  lastError: text('last_error'),
  lastDurationMs: integer('last_duration_ms'),
  /**
   * webfilter: applied | ignored | halted | failed, with the reason and what was applied; webhook with a
   * transformation: {transformation: applied | cancelled | failed, reason?, line?} (SPEC §14).
   */
  outcome: jsonb('outcome').$type<Record<string, unknown>>(),
  /** x-request-id of the LMS call that queued it (SPEC §11), to find its log lines. */
  requestId: text('request_id'),
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  completedAt: tz('completed_at'),
  /** A replay of a stored event (POST /api/v1/webhooks/{id}/replay), not its first delivery. */
  replay: boolean('replay').notNull().default(false),
  /**
   * The webhook's transformation gave this delivery its own URL: attempts go to `url`, not to the webhook's
   * current URL (which the other deliveries follow when it is edited).
   */
  urlFromTransformation: boolean('url_from_transformation').notNull().default(false),
}, (t) => [
  // The queue: pending deliveries per webhook, oldest due first. Webhook first, so a claim that skips the
  // webhooks at their limit of calls in flight jumps over their backlog instead of reading through it.
  index('deliveries_target_due_idx').on(t.targetId, t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  // The log: newest first (keyset on id), filtered by the usual columns.
  index('deliveries_kind_id_idx').on(t.kind, t.id),
  index('deliveries_status_id_idx').on(t.status, t.id),
  index('deliveries_event_type_id_idx').on(t.eventType, t.id),
  index('deliveries_target_id_idx').on(t.targetId, t.id),
  index('deliveries_event_id_idx').on(t.eventId),
  index('deliveries_created_at_idx').on(t.createdAt),
  // One delivery per event and webhook, whatever happens.
  uniqueIndex('deliveries_webhook_once_idx')
    .on(t.eventId, t.targetId)
    .where(sql`${t.kind} = 'webhook' and not ${t.replay}`),
  // No index on the lease (locked_until, locked_by): a claim then changes no indexed column, so PostgreSQL
  // updates the row in place (a HOT update: no new entry in any of these indexes) when its page has room,
  // which the table's fillfactor keeps (migration 0009). A dead worker's leases are found through the due
  // index instead (heartbeat.ts), which happens rarely.
  // Bulk "Retry failed…": the failed webhook deliveries, counted and taken newest first, per event type.
  index('deliveries_failed_webhook_idx')
    .on(t.eventType, t.id)
    .where(sql`${t.status} = 'failed' and ${t.kind} = 'webhook'`),
]);

/**
 * Delivery workers alive now: each writes its heartbeat every few seconds. One silent for
 * WORKER_HEARTBEAT_TIMEOUT is taken for dead, and the others release its leases at once.
 */
export const workers = pgTable('workers', {
  /** The id a worker writes in deliveries.locked_by (host:pid:random). */
  id: text('id').primaryKey(),
  startedAt: tz('started_at').notNull().defaultNow(),
  heartbeatAt: tz('heartbeat_at').notNull().defaultNow(),
});

export const deliveryAttempts = pgTable('delivery_attempts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  deliveryId: bigint('delivery_id', { mode: 'number' })
    .notNull()
    .references(() => deliveries.id, { onDelete: 'cascade' }),
  attemptNo: integer('attempt_no').notNull(),
  startedAt: tz('started_at').notNull(),
  durationMs: integer('duration_ms').notNull(),
  requestHeaders: jsonb('request_headers').$type<Record<string, string>>(),
  responseStatus: integer('response_status'),
  responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
  /** First 64 KiB of the response body. */
  responseBody: text('response_body'),
  error: text('error'),
  worker: text('worker'),
  /** The HTTP proxy the call went through (its origin, no credentials), or null for a direct call. */
  proxy: text('proxy'),
}, (t) => [index('delivery_attempts_delivery_idx').on(t.deliveryId, t.attemptNo)]);

/**
 * Open edX platforms (an LMS or a Studio) that have called the service through the relay, one row per host and
 * variant: the versions they run, when they were last seen, and the catalog they last sent (SPEC §8).
 */
export const platforms = pgTable('platforms', {
  host: text('host').notNull(),
  /** 'lms' | 'cms', or '' when the caller did not say. */
  variant: text('variant').notNull(),
  relayVersion: text('relay_version'),
  eventsVersion: text('events_version'),
  filtersVersion: text('filters_version'),
  /** The key it called with: filter calls carry no host, so they are counted against this key's platform. */
  apiKeyId: uuid('api_key_id'),
  /** The last PUT /api/v1/catalog/platform body's events and filters (validated), or null before a sync. */
  catalog: jsonb('catalog').$type<{ events: unknown[]; filters: unknown[] }>(),
  catalogUpdatedAt: tz('catalog_updated_at'),
  firstSeenAt: tz('first_seen_at').notNull().defaultNow(),
  lastSeenAt: tz('last_seen_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.host, t.variant] })]);

/** Calls per platform and hour, added to in batches (never one write per event). */
export const platformActivity = pgTable('platform_activity', {
  host: text('host').notNull(),
  variant: text('variant').notNull(),
  hour: tz('hour').notNull(),
  events: integer('events').notNull().default(0),
  filterCalls: integer('filter_calls').notNull().default(0),
}, (t) => [primaryKey({ columns: [t.host, t.variant, t.hour] }), index('platform_activity_hour_idx').on(t.hour)]);

export type User = typeof users.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type Webhook = typeof webhooks.$inferSelect;
export type NewWebhook = typeof webhooks.$inferInsert;
export type Webfilter = typeof webfilters.$inferSelect;
export type NewWebfilter = typeof webfilters.$inferInsert;
export type EventRow = typeof events.$inferSelect;
export type Delivery = typeof deliveries.$inferSelect;
export type DeliveryAttempt = typeof deliveryAttempts.$inferSelect;
export type Platform = typeof platforms.$inferSelect;
export type PlatformActivity = typeof platformActivity.$inferSelect;
