// "Send test" from an editor: a sample event signed like a real delivery, or a sample filter call run
// through the real filter engine for just the webfilter being edited. Nothing is stored or logged.
import { randomUUID } from 'node:crypto';
import { findEvent, findFilter, sampleFilterData } from '../catalog';
import type { DbHandle } from '../db/client';
import type { Webfilter } from '../db/schema';
import { encodeBody } from '../dispatch/encode';
import { runFilter, type FilterException, type FilterOutcome, type JsonObject } from '../dispatch/filters';
import { send, type SendResult } from '../dispatch/send';
import { generateSecret, signatureHeaders } from '../dispatch/sign';
import { env } from '../env';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { webhooks } from '../db/schema';
import { withoutFields } from '../dispatch/exclude';
import { decryptHeaders, MASK } from '../secrets/header-crypto';
import { formList, webhookForm } from '../validation/webhook';
import { excludeFieldsField, headersField } from '../validation/webhook-options';
import { webfilterForm } from '../validation/webfilter';
import { invalid, notFound, ok, type Result } from './result';
import { sampleWebhookPayload } from './samples';
import { webfilterColumns } from './webfilters';
import { headerIssue, mergeHeaders, webhookSecret } from './webhooks';
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
    requestHeaders: r.requestHeaders,
    requestBody: body,
    status: r.status,
    durationMs: r.durationMs,
    headers: r.headers,
    body: cut ? r.body.slice(0, SHOWN_BYTES) : r.body,
    bodyTruncated: r.bodyTruncated || cut,
    error: r.error,
  };
}

// The editor's header rows and excluded fields are optional here (an older page, or the API-less caller).
const webhookTestInput = webhookForm
  .pick({ event_type: true, url: true, use_www_form_encoding: true })
  .extend({ headers: webhookForm.shape.headers.optional(), exclude_fields: webhookForm.shape.exclude_fields.optional() });
const webhookTestOptions = z.object({ headers: headersField, exclude_fields: excludeFieldsField });

/**
 * With an id, signs with that webhook's secret; a webhook not saved yet signs with a one-off secret. The call
 * is the one a delivery would make with the editor's values: its own headers (a blank value, or "••••", is the
 * stored one) and without the excluded fields. The headers' values are masked in what the editor shows.
 */
export async function testWebhook(handle: DbHandle, id: string | null, input: unknown): Promise<Result<WebhookTest>> {
  await platformCatalogReady(handle); // a platform's own types are valid too
  const parsed = webhookTestInput.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, input);
  const v = parsed.data;
  const options = webhookTestOptions.safeParse({
    headers: Object.fromEntries((v.headers ?? []).filter((h) => h.name).map((h) => [h.name, h.value])),
    exclude_fields: formList(v.exclude_fields ?? ''),
  });
  if (!options.success) return invalid(options.error, input);
  const secret = id ? await webhookSecret(handle, id) : generateSecret();
  if (!secret) return notFound('webhook', id!);
  const stored = id ? ((await handle.db.select({ headers: webhooks.headers }).from(webhooks).where(eq(webhooks.id, id)))[0]?.headers ?? {}) : {};
  const merged = mergeHeaders(stored, options.data.headers);
  if (!merged.ok) return headerIssue(merged.name, merged.message);
  const custom = decryptHeaders(merged.headers).headers;
  const eventId = randomUUID();
  const payload = withoutFields(sampleWebhookPayload(findEvent(v.event_type)!, eventId), options.data.exclude_fields);
  const { contentType, body } = encodeBody(payload, v.use_www_form_encoding);
  const e = env();
  const r = await send({
    url: v.url,
    // As attempt.ts sends them: the webhook's own headers first, content-type and the signature win.
    headers: { ...custom, 'content-type': contentType, ...signatureHeaders(secret, eventId, body) },
    body,
    timeoutMs: e.DELIVERY_TIMEOUT_MS,
    allowPrivate: e.ALLOW_PRIVATE_TARGETS,
  });
  const exchange = exchangeOf(v.url, body, r);
  for (const name of Object.keys(custom)) if (name in exchange.requestHeaders) exchange.requestHeaders[name] = MASK;
  return ok({ exchange, signedWith: id ? 'webhook' : 'one-off' });
}

/** Runs the filter engine on the filter's sample data with this one webfilter configuration. */
export async function testWebfilter(id: string | null, input: unknown): Promise<Result<WebfilterTest>> {
  const parsed = webfilterForm.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, input);
  const filter = findFilter(parsed.data.filter_type)!;
  const now = new Date();
  const webfilter = {
    ...(webfilterColumns(parsed.data) as Webfilter),
    id: id ?? randomUUID(),
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
  return ok({
    exchange: exchangeOf(webfilter.url, entry!.requestBody, entry!.sent),
    outcome: entry!.outcome,
    data: run.response.data,
    changes: run.response.changes,
    exception: run.response.exception,
  });
}
