// "Send test" from an editor: a sample event signed like a real delivery, or a sample filter call run
// through the real filter engine for just the webfilter being edited. Nothing is stored in the delivery log;
// the audit log records that a test was sent, and where (masked).
import { randomUUID } from 'node:crypto';
import { findEvent, findFilter, sampleFilterData } from '../catalog';
import type { DbHandle } from '../db/client';
import type { Webfilter } from '../db/schema';
import { encodeBody, encodeTransformed } from '../dispatch/encode';
import { transform } from '../transform/run';
import { runFilter, type FilterException, type FilterOutcome, type JsonObject } from '../dispatch/filters';
import { send, type SendResult } from '../dispatch/send';
import { generateSecret, signatureHeaders } from '../dispatch/sign';
import { env } from '../env';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { webfilters, webhooks } from '../db/schema';
import { recordAudit, type AuditContext } from '../audit/record';
import { maskTargetUrl, restoreTargetUrl, sameOrigin, urlIssue } from '../secrets/target-url';
import { HEADER_MASK } from '../validation/webhook-options';
import { withoutFields } from '../dispatch/exclude';
import { decryptHeaders, MASK } from '../secrets/header-crypto';
import { formList, webhookForm } from '../validation/webhook';
import { excludeFieldsField, headersField } from '../validation/webhook-options';
import { webfilterForm } from '../validation/webfilter';
import { invalid, notFound, ok, type Failure, type Result } from './result';
import { sampleWebhookPayload } from './samples';
import { webfilterColumns } from './webfilters';
import { headerIssue, mergeHeaders } from './webhooks';
import { platformCatalogReady } from '../platforms/catalog';

/** One call as the editor shows it: what was sent and what came back. */
export interface Exchange {
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  status: number | null;
  durationMs: number;
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
  error: string | null;
}

export interface WebhookTest {
  exchange: Exchange;
  /** Which secret signed the call. */
  signedWith: 'webhook' | 'one-off';
}

export interface WebfilterTest {
  exchange: Exchange;
  outcome: FilterOutcome;
  /** The filter's result as the service would answer the LMS: data with changes merged, and any exception. */
  data: JsonObject;
  changes: JsonObject;
  exception: FilterException | null;
}

// The editor shows at most this much of an answer (the filter engine may read up to MAX_BODY_BYTES).
const SHOWN_BYTES = 64 * 1024;

function exchangeOf(url: string, body: string, r: SendResult): Exchange {
  const cut = r.body.length > SHOWN_BYTES;
  return {
    url,
    requestHeaders: { ...r.requestHeaders },
    requestBody: body,
    status: r.status,
    durationMs: r.durationMs,
    // Plain objects: a server action cannot hand the client a null-prototype one (undici's response headers).
    headers: { ...r.headers },
    body: cut ? r.body.slice(0, SHOWN_BYTES) : r.body,
    bodyTruncated: r.bodyTruncated || cut,
    error: r.error,
  };
}

// The editor's header rows and excluded fields are optional here (an older page, or the API-less caller).
const webhookTestInput = webhookForm
  .pick({ event_type: true, url: true, use_www_form_encoding: true })
  .extend({
    headers: webhookForm.shape.headers.optional(),
    exclude_fields: webhookForm.shape.exclude_fields.optional(),
    transformation: webhookForm.shape.transformation.optional(),
  });
const webhookTestOptions = z.object({ headers: headersField, exclude_fields: excludeFieldsField });

/**
 * With an id, signs with that webhook's secret; a webhook not saved yet signs with a one-off secret. The call
 * is the one a delivery would make with the editor's values: its own headers (a blank value, or "••••", is the
 * stored one) and without the excluded fields. The headers' values are masked in what the editor shows.
 */
export async function testWebhook(handle: DbHandle, id: string | null, input: unknown, ctx?: AuditContext): Promise<Result<WebhookTest>> {
  await platformCatalogReady(handle); // a platform's own types are valid too
  const parsed = webhookTestInput.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, input);
  const v = parsed.data;
  const options = webhookTestOptions.safeParse({
    headers: Object.fromEntries((v.headers ?? []).filter((h) => h.name).map((h) => [h.name, h.value])),
    exclude_fields: formList(v.exclude_fields ?? ''),
  });
  if (!options.success) return invalid(options.error, input);
  const [saved] = id ? await handle.db.select({ url: webhooks.url, headers: webhooks.headers, secret: webhooks.secret }).from(webhooks).where(eq(webhooks.id, id)) : [];
  if (id && !saved) return notFound('webhook', id);
  const restored = restoreTargetUrl(v.url, saved?.url ?? null);
  if (!restored.ok) return urlIssue(restored.message);
  const eventId = randomUUID();
  const payload = withoutFields(sampleWebhookPayload(findEvent(v.event_type)!, eventId), options.data.exclude_fields);
  // The editor's transformation, as a delivery would run it (SPEC §14): its request is the one sent.
  const built = await transformedRequest(v.transformation, payload, restored.url, v.event_type, v.use_www_form_encoding);
  if (!built.ok) return built;
  const url = built.url;
  // Stored secrets (header values, the signing secret, the URL's own) go only where the webhook is saved to.
  const home = saved && sameOrigin(url, saved.url);
  const reused = Object.entries(options.data.headers).find(([, value]) => value === '' || value === HEADER_MASK);
  if (saved && !home && reused) {
    return headerIssue(reused[0], `Type the value of the header "${reused[0]}" again to send it to ${new URL(url).origin}: stored values only go to ${new URL(saved.url).origin}.`);
  }
  const merged = mergeHeaders(saved?.headers ?? {}, options.data.headers);
  if (!merged.ok) return headerIssue(merged.name, merged.message);
  const custom = decryptHeaders(merged.headers).headers;
  const secret = home ? saved.secret : generateSecret();
  const { headers: requestHeaders, body } = built;
  const e = env();
  const r = await send({
    url,
    // As attempt.ts sends them: the webhook's own headers first, content-type and the signature win.
    headers: { ...custom, ...requestHeaders, ...signatureHeaders(secret, eventId, body) },
    body,
    timeoutMs: e.DELIVERY_TIMEOUT_MS,
    allowPrivate: e.ALLOW_PRIVATE_TARGETS,
  });
  const exchange = exchangeOf(maskTargetUrl(url), body, r);
  for (const name of Object.keys(custom)) if (name in exchange.requestHeaders) exchange.requestHeaders[name] = MASK;
  await auditTest(handle, ctx, 'webhook', id, url, r);
  return ok({ exchange, signedWith: home ? 'webhook' : 'one-off' });
}

/** The request a delivery would make: the payload as it is, or through the transformation given. */
async function transformedRequest(
  source: string | undefined,
  payload: Record<string, unknown>,
  url: string,
  eventType: string,
  form: boolean,
): Promise<{ ok: true; url: string; headers: Record<string, string>; body: string } | Failure> {
  if (!source?.trim()) {
    const { contentType, body } = encodeBody(payload, form);
    return { ok: true, url, headers: { 'content-type': contentType }, body };
  }
  const contentType = form ? 'application/x-www-form-urlencoded' : 'application/json';
  const r = await transform('test', source, { payload, headers: { 'content-type': contentType }, url, event_type: eventType });
  const refuse = (error: string): Failure => ({ ok: false, status: 422, error, issues: [{ path: 'transformation', message: error }] });
  if (!r.ok) return refuse(r.line && !r.error.includes(`line ${r.line}`) ? `${r.error} (line ${r.line})` : r.error);
  if (r.output.cancel) return refuse('The transformation cancels this event (cancel: true): nothing was sent, as a delivery would be skipped.');
  const encoded = encodeTransformed(r.output.payload, form);
  if (typeof encoded === 'string') return refuse(encoded);
  return { ok: true, url: r.output.url, headers: { ...r.output.headers, 'content-type': r.output.headers['content-type'] ?? encoded.contentType }, body: encoded.body };
}

/** A test call is audited: who sent what to which URL (masked), and what came back; never a value. */
async function auditTest(handle: DbHandle, ctx: AuditContext | undefined, kind: 'webhook' | 'webfilter', id: string | null, url: string, r: SendResult) {
  if (!ctx) return;
  await recordAudit(handle.db, ctx, {
    action: `${kind}.tested`,
    targetType: kind,
    targetId: id ?? 'unsaved',
    changes: { url: { before: null, after: maskTargetUrl(url) }, result: { before: null, after: r.status ?? r.error } },
  });
}

/** Runs the filter engine on the filter's sample data with this one webfilter configuration. */
export async function testWebfilter(handle: DbHandle, id: string | null, input: unknown, ctx?: AuditContext): Promise<Result<WebfilterTest>> {
  const parsed = webfilterForm.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, input);
  const [saved] = id ? await handle.db.select({ url: webfilters.url }).from(webfilters).where(eq(webfilters.id, id)) : [];
  if (id && !saved) return notFound('webfilter', id);
  // The editor shows the URL masked: its stored password and query values are used for the same origin only.
  const restored = restoreTargetUrl(parsed.data.url, saved?.url ?? null);
  if (!restored.ok) return urlIssue(restored.message);
  const filter = findFilter(parsed.data.filter_type)!;
  const now = new Date();
  const webfilter = {
    ...(webfilterColumns({ ...parsed.data, url: restored.url }) as Webfilter),
    // Its own id: a test neither trips nor closes the saved webfilter's circuit breaker.
    id: randomUUID(),
    createdAt: now,
    updatedAt: now,
  };
  const e = env();
  const run = await runFilter({
    filter,
    data: sampleFilterData(filter) as JsonObject,
    webfilters: [webfilter],
    timeoutMs: e.FILTER_TIMEOUT_MS,
    allowPrivate: e.ALLOW_PRIVATE_TARGETS,
    maxResponseBytes: e.MAX_BODY_BYTES,
  });
  const [entry] = await run.entries;
  await auditTest(handle, ctx, 'webfilter', id, webfilter.url, entry!.sent);
  return ok({
    exchange: exchangeOf(maskTargetUrl(webfilter.url), entry!.requestBody, entry!.sent),
    outcome: entry!.outcome,
    data: run.response.data,
    changes: run.response.changes,
    exception: run.response.exception,
  });
}
