// Webhook CRUD shared by the admin pages' actions and the management API: validate, write once, invalidate the cache.
import { asc, eq } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { webhooks, type Webhook, type WebhookCondition, type WebhookTransformation } from '../db/schema';
import { encryptValue, maskedHeaders } from '../secrets/header-crypto';
import { HEADER_MASK } from '../validation/webhook-options';
import { generateSecret } from '../dispatch/sign';
import { invalidateTargets } from '../dispatch/targets';
import { webhookCreate, webhookPatch, type WebhookPatch } from '../validation/webhook';
import { invalid, isUuid, notFound, ok, withoutReadOnly, type Result } from './result';
import { targetWarning } from './target-warning';
import { compileProblem } from '../transform/run';
import { forget } from '../transform/sandbox';
import { platformCatalogReady } from '../platforms/catalog';
import { audited, diff, MASK, type AuditContext } from '../audit/record';
import { maskTargetUrl, restoreBodyUrl, secretChanges, urlIssue } from '../secrets/target-url';

type NewWebhook = typeof webhooks.$inferInsert;

/**
 * The API's fields as columns, only those given (a create gives them all, a PATCH some). Headers are not
 * among them: they are encrypted and merged with the stored ones first (mergeHeaders).
 */
export function webhookColumns(v: Omit<WebhookPatch, 'headers'>): Partial<NewWebhook> {
  return {
    ...(v.description !== undefined && { description: v.description }),
    ...(v.event_type !== undefined && { eventType: v.event_type }),
    ...(v.url !== undefined && { url: v.url }),
    ...(v.enabled !== undefined && { enabled: v.enabled }),
    ...(v.use_www_form_encoding !== undefined && { useWwwFormEncoding: v.use_www_form_encoding }),
    ...(v.conditions !== undefined && { conditions: v.conditions as WebhookCondition[] }),
    ...(v.exclude_fields !== undefined && { excludeFields: v.exclude_fields }),
    ...(v.rate_limit_per_second !== undefined && { rateLimitPerSecond: v.rate_limit_per_second }),
    ...(v.transformation !== undefined && { transformation: v.transformation }),
    ...(v.personal_data !== undefined && { personalData: v.personal_data }),
  };
}

/** The audited view of a webhook: its JSON fields (the secret is never part of it). */
const audit = (w: Webhook) => webhookJson(w) as unknown as Record<string, unknown>;

/** The management API's view of a webhook: never the secret. */
export interface WebhookJson {
  id: string;
  description: string;
  event_type: string;
  url: string;
  enabled: boolean;
  use_www_form_encoding: boolean;
  /** Names only: values are write-only and shown as "••••". */
  headers: Record<string, string>;
  conditions: WebhookCondition[];
  exclude_fields: string[];
  rate_limit_per_second: number | null;
  /** JavaScript run on each delivery when it is created (SPEC §14), or null. */
  transformation: WebhookTransformation | null;
  /** SPEC §13: send, omit or pseudonymize the learners' personal data. */
  personal_data: 'send' | 'omit' | 'pseudonymize';
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * Stored (encrypted) headers after an edit: the given names are kept, others removed; a value left blank or
 * sent back as "••••" keeps the stored one. Returns an issue sentence when such a name has no stored value.
 */
export function mergeHeaders(
  stored: Record<string, string>,
  given: Record<string, string>,
): { ok: true; headers: Record<string, string> } | { ok: false; name: string; message: string } {
  const byLower = new Map(Object.entries(stored).map(([k, v]) => [k.toLowerCase(), v]));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (value === '' || value === HEADER_MASK) {
      const kept = byLower.get(name.toLowerCase());
      if (kept === undefined) return { ok: false, name, message: `Give a value for the new header "${name}".` };
      out[name] = kept;
    } else {
      out[name] = encryptValue(value);
    }
  }
  return { ok: true, headers: out };
}

/** Reserved or invalid header names and values are a 400 (SPEC §9); the rest as invalid() says. */
function invalidWebhook(error: Parameters<typeof invalid>[0], body: unknown) {
  const f = invalid(error, body);
  return f.issues?.some((i) => i.path.startsWith('headers')) ? { ...f, status: 400 as const } : f;
}

/** A transformation that does not compile, or defines no handler, is refused when saved (422, with its line). */
async function transformationIssue(t: WebhookTransformation | null | undefined) {
  if (!t) return null;
  const problem = await compileProblem(t.source);
  if (!problem) return null;
  const message = problem.line ? `${problem.error} Fix line ${problem.line}.` : problem.error;
  return { ok: false as const, status: 422 as const, error: message, issues: [{ path: 'transformation.source', message }] };
}

/** disabled_reason is read-only (set by auto-disable, cleared by enabling): echoed back, it is ignored. */
function withoutDisabledReason(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const { disabled_reason: _d, ...rest } = input as Record<string, unknown>;
  return rest;
}

/** A header refused by mergeHeaders, as a 400 naming the header's field. */
export function headerIssue(name: string, message: string) {
  return { ok: false as const, status: 400 as const, error: message, issues: [{ path: `headers.${name}`, message }] };
}

export function webhookJson(w: Webhook): WebhookJson {
  return {
    id: w.id,
    description: w.description,
    event_type: w.eventType,
    // Its password and query values are write-only, like header values.
    url: maskTargetUrl(w.url),
    enabled: w.enabled,
    use_www_form_encoding: w.useWwwFormEncoding,
    headers: maskedHeaders(w.headers),
    conditions: w.conditions ?? [],
    exclude_fields: w.excludeFields ?? [],
    rate_limit_per_second: w.rateLimitPerSecond ?? null,
    transformation: w.transformation ?? null,
    personal_data: w.personalData ?? 'send',
    disabled_reason: w.disabledReason ?? null,
    created_at: w.createdAt.toISOString(),
    updated_at: w.updatedAt.toISOString(),
  };
}

export interface Saved {
  row: Webhook;
  /** The §7 private-target warning for the saved URL, if any. */
  warning: string | null;
}

export async function listWebhooks(handle: DbHandle, filter: { eventType?: string } = {}): Promise<Webhook[]> {
  const q = handle.db.select().from(webhooks);
  return (filter.eventType ? q.where(eq(webhooks.eventType, filter.eventType)) : q).orderBy(
    asc(webhooks.createdAt),
    asc(webhooks.id),
  );
}

export async function getWebhook(handle: DbHandle, id: string): Promise<Webhook | null> {
  if (!isUuid(id)) return null;
  const [row] = await handle.db.select().from(webhooks).where(eq(webhooks.id, id));
  return row ?? null;
}

export async function createWebhook(handle: DbHandle, input: unknown, ctx?: AuditContext): Promise<Result<Saved>> {
  const given = restoreBodyUrl(withoutDisabledReason(withoutReadOnly(input)), null);
  if (!given.ok) return urlIssue(given.message);
  const body = given.body;
  await platformCatalogReady(handle); // a platform's own types are valid too
  const parsed = webhookCreate.safeParse(body);
  if (!parsed.success) return invalidWebhook(parsed.error, body);
  const v = parsed.data;
  const headers = mergeHeaders({}, v.headers);
  if (!headers.ok) return headerIssue(headers.name, headers.message);
  const broken = await transformationIssue(v.transformation);
  if (broken) return broken;
  const row = await audited(handle.db, ctx, async (tx) => {
    const [created] = await tx
      .insert(webhooks)
      .values({
        ...(webhookColumns(v) as NewWebhook),
        headers: headers.headers,
        secret: generateSecret(),
      })
      .returning();
    return { value: created!, entry: { action: 'webhook.created', targetType: 'webhook', targetId: created!.id, changes: diff(null, audit(created!)) } };
  });
  await invalidateTargets(handle);
  return ok({ row, warning: await targetWarning(v.url) });
}

/** Partial update: only the fields present change. */
export async function updateWebhook(handle: DbHandle, id: string, input: unknown, ctx?: AuditContext): Promise<Result<Saved>> {
  if (!isUuid(id)) return notFound('webhook', id);
  const [cur] = await handle.db.select({ headers: webhooks.headers, url: webhooks.url }).from(webhooks).where(eq(webhooks.id, id));
  if (!cur) return notFound('webhook', id);
  // A URL sent back with its masked parts keeps the stored ones (same origin only).
  const given = restoreBodyUrl(withoutDisabledReason(withoutReadOnly(input)), cur.url);
  if (!given.ok) return urlIssue(given.message);
  const body = given.body;
  await platformCatalogReady(handle); // a platform's own types are valid too
  const parsed = webhookPatch.safeParse(body);
  if (!parsed.success) return invalidWebhook(parsed.error, body);
  const v = parsed.data;
  let headers: Record<string, string> | undefined;
  if (v.headers !== undefined) {
    const merged = mergeHeaders(cur.headers ?? {}, v.headers);
    if (!merged.ok) return headerIssue(merged.name, merged.message);
    headers = merged.headers;
  }
  const broken = await transformationIssue(v.transformation);
  if (broken) return broken;
  const row = await audited(handle.db, ctx, async (tx) => {
    const [current] = await tx.select().from(webhooks).where(eq(webhooks.id, id)).for('update');
    if (!current) return { value: null, entry: null };
    const [updated] = await tx
      .update(webhooks)
      .set({
        ...webhookColumns(v),
        ...(headers !== undefined && { headers }),
        // Enabling again (one click in the lists) clears the auto-disable reason.
        ...(v.enabled === true && { disabledReason: null }),
        updatedAt: new Date(),
      })
      .where(eq(webhooks.id, id))
      .returning();
    const changes = { ...diff(audit(current), audit(updated!)), ...secretChanges(current, updated!) };
    // Saving an editor unchanged changes nothing worth a line in the log.
    return { value: updated!, entry: Object.keys(changes).length ? { action: 'webhook.updated', targetType: 'webhook', targetId: id, changes } : null };
  });
  if (!row) return notFound('webhook', id);
  if (v.transformation !== undefined) forget(`${id}:`); // the versions compiled here before (others age out)
  await invalidateTargets(handle);
  return ok({ row, warning: await targetWarning(row.url) });
}

export async function deleteWebhook(handle: DbHandle, id: string, ctx?: AuditContext): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await audited(handle.db, ctx, async (tx) => {
    const gone = await tx.delete(webhooks).where(eq(webhooks.id, id)).returning();
    const entry = gone[0] ? { action: 'webhook.deleted', targetType: 'webhook', targetId: id, changes: diff(audit(gone[0]), null) } : null;
    return { value: gone, entry };
  });
  if (rows.length) await invalidateTargets(handle);
  return rows.length > 0;
}

/** The signing secret, for an admin who asked to see it. */
export async function webhookSecret(handle: DbHandle, id: string): Promise<string | null> {
  if (!isUuid(id)) return null;
  const [row] = await handle.db.select({ secret: webhooks.secret }).from(webhooks).where(eq(webhooks.id, id));
  return row?.secret ?? null;
}

/** A new signing secret, used for the calls signed from now on. */
export async function rotateWebhookSecret(handle: DbHandle, id: string, ctx?: AuditContext): Promise<{ row: Webhook; secret: string } | null> {
  if (!isUuid(id)) return null;
  const secret = generateSecret();
  const row = await audited(handle.db, ctx, async (tx) => {
    const [updated] = await tx.update(webhooks).set({ secret, updatedAt: new Date() }).where(eq(webhooks.id, id)).returning();
    const entry = updated ? { action: 'webhook.secret_rotated', targetType: 'webhook', targetId: id, changes: { secret: { before: MASK, after: MASK } } } : null;
    return { value: updated, entry };
  });
  if (!row) return null;
  await invalidateTargets(handle);
  return { row, secret };
}
