// A delivery's request, built once when the delivery is created (ingest and replay): the payload without its
// excluded fields and with its personal data as the webhook chose (SPEC §13), through the webhook's transformation if it has one (SPEC §14), then encoded. The row says
// whether it is to be sent (pending), was cancelled by the transformation (skipped) or failed in it.
import type { Webhook } from '../db/schema';
import { observeTransformation } from '../metrics/observe';
import { transform } from '../transform/run';
import { encodeBody, encodeTransformed } from './encode';
import { withoutFields } from './exclude';
import { applyPersonalData, pseudonymKey } from '../personal/personal-data';

export interface PreparedDelivery {
  target_id: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  status: 'pending' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  error: string | null;
  /** {transformation: applied | cancelled | failed, reason?, line?}, or null without a transformation. */
  outcome: Record<string, unknown> | null;
  url_from_transformation: boolean;
}

type Hook = Pick<Webhook, 'id' | 'url' | 'useWwwFormEncoding' | 'excludeFields' | 'transformation'> & Partial<Pick<Webhook, 'personalData'>>;

/** The payload as this webhook may have it: without its excluded fields, its personal data as it chose (SPEC §13). */
function payloadFor(h: Hook, payload: Record<string, unknown>): Record<string, unknown> {
  const mode = h.personalData ?? 'send';
  const without = withoutFields(payload, h.excludeFields ?? []);
  return mode === 'send' ? without : applyPersonalData(without, mode, mode === 'pseudonymize' ? pseudonymKey(h.id) : null);
}

/** Most events go to a few webhooks with the same encoding and exclusions: each variant is encoded once. */
export function preparer(payload: Record<string, unknown>, eventType: string) {
  const encoded = new Map<string, ReturnType<typeof encodeBody>>();
  // Synchronous without a transformation (the usual case): ingest's hot path awaits only what runs code.
  return (h: Hook): PreparedDelivery | Promise<PreparedDelivery> => {
    const excl = h.excludeFields ?? [];
    const mode = h.personalData ?? 'send';
    if (!h.transformation) {
      // Pseudonyms differ per webhook: such a body is its own variant.
      const key = `${h.useWwwFormEncoding ? 'f' : 'j'}${mode === 'send' ? '' : mode === 'omit' ? 'o' : `p${h.id}`}${excl.length ? JSON.stringify(excl) : ''}`;
      let e = encoded.get(key);
      if (!e) encoded.set(key, (e = encodeBody(payloadFor(h, payload), h.useWwwFormEncoding)));
      return row(h, h.url, { 'content-type': e.contentType }, e.body, 'pending', null, null, false);
    }
    return transformed(h, payloadFor(h, payload), eventType);
  };
}

function row(
  h: Hook,
  url: string,
  headers: Record<string, string>,
  body: string,
  status: PreparedDelivery['status'],
  error: string | null,
  outcome: PreparedDelivery['outcome'],
  own: boolean,
): PreparedDelivery {
  return { target_id: h.id, url, headers, body, status, error, outcome, url_from_transformation: own };
}

async function transformed(h: Hook, payload: Record<string, unknown>, eventType: string): Promise<PreparedDelivery> {
  const p = await transformedRow(h, payload, eventType);
  observeTransformation(p.status === 'pending' ? 'applied' : p.status === 'skipped' ? 'cancelled' : 'failed');
  return p;
}

async function transformedRow(h: Hook, payload: Record<string, unknown>, eventType: string): Promise<PreparedDelivery> {
  const contentType = h.useWwwFormEncoding ? 'application/x-www-form-urlencoded' : 'application/json';
  const input = { payload, headers: { 'content-type': contentType }, url: h.url, event_type: eventType };
  const r = await transform(h.id, h.transformation!.source, input);
  if (!r.ok) {
    // Nothing is sent and nothing retried: the same input would fail the same way. The log keeps the input.
    const enc = encodeBody(payload, h.useWwwFormEncoding);
    const outcome = { transformation: 'failed', reason: r.error, ...(r.line !== null && { line: r.line }) };
    return row(h, h.url, { 'content-type': enc.contentType }, enc.body, 'failed', r.error, outcome, false);
  }
  const out = r.output;
  const own = out.url !== h.url;
  const encoded = encodeTransformed(out.payload, h.useWwwFormEncoding);
  if (typeof encoded === 'string') {
    const outcome = { transformation: 'failed', reason: encoded };
    return row(h, out.url, { 'content-type': contentType }, JSON.stringify(out.payload), 'failed', encoded, outcome, own);
  }
  const headers = { ...out.headers, 'content-type': out.headers['content-type'] ?? encoded.contentType };
  if (out.cancel) {
    const reason = 'Cancelled by the webhook\u2019s transformation (cancel: true): nothing was sent.';
    return row(h, out.url, headers, encoded.body, 'skipped', null, { transformation: 'cancelled', reason }, own);
  }
  return row(h, out.url, headers, encoded.body, 'pending', null, { transformation: 'applied' }, own);
}

/** The row as the insert statements read it (json_to_recordset): the usual pending row stays small. */
export function deliveryRow(p: PreparedDelivery) {
  const base = { target_id: p.target_id, url: p.url, headers: p.headers, body: p.body };
  if (!p.outcome) return base;
  return {
    ...base,
    status: p.status === 'pending' ? null : p.status,
    error: p.error,
    outcome: p.outcome,
    own: p.url_from_transformation,
  };
}
