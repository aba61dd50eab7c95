// One delivery attempt: sign with the webhook's current secret, send, and decide what happens next.
import { RESPONSE_CAPTURE_BYTES, send } from './send';
import { signatureHeaders } from './sign';
import { nextRetryDelay } from './retry';
import type { ClaimedDelivery, Completion } from './queue';
import type { WebhookTarget } from './webhook-lookup';

export interface AttemptOptions {
  workerId: string;
  deliveryTimeoutMs: number;
  retrySchedule: readonly number[];
  allowPrivate: boolean;
  signal?: AbortSignal;
}

export async function attemptDelivery(
  d: ClaimedDelivery,
  target: WebhookTarget | null,
  opts: AttemptOptions,
): Promise<Completion> {
  const base = { id: d.id, lockedBy: opts.workerId, prevAttempts: d.attemptCount };
  // Deleting or disabling a webhook stops its calls at once, queued retries included (Retry sends again).
  if (!target || !target.enabled) {
    return {
      ...base,
      url: target?.url ?? d.url,
      status: 'failed',
      delayMs: null,
      attempt: null,
      error: `The webhook was ${target ? 'disabled' : 'deleted'}, so this delivery was not sent.`,
    };
  }
  // Over its rate limit: not attempted, due again when its turn comes (never failed for it).
  const wait = target.rateGate ? await target.rateGate() : 0;
  // A URL the transformation chose stays with its delivery (the §7 guard checks it in send, like any other).
  const url = d.ownUrl ? d.url : target.url;
  if (wait > 0) return { ...base, url, status: 'pending', delayMs: wait, attempt: null, error: null };
  // The webhook's own headers first: content-type and the signature always win (SPEC §9).
  const headers = { ...target.headers, ...d.requestHeaders, ...signatureHeaders(target.secret, d.eventId, d.requestBody) };
  const r = await send({
    url,
    headers,
    body: d.requestBody,
    timeoutMs: opts.deliveryTimeoutMs,
    allowPrivate: opts.allowPrivate,
    captureBytes: RESPONSE_CAPTURE_BYTES,
    signal: opts.signal,
  });
  const attempts = d.attemptCount + 1;
  const delay = r.ok
    ? null
    : nextRetryDelay({ attempts, schedule: opts.retrySchedule, status: r.status, retryAfter: r.headers['retry-after'] });
  const status = r.ok ? 'succeeded' : delay === null ? 'failed' : 'pending';
  return {
    id: d.id,
    lockedBy: opts.workerId,
    prevAttempts: d.attemptCount,
    url,
    status,
    delayMs: delay,
    error: r.ok ? null : describeFailure(r.status, r.error, status === 'failed', attempts),
    attempt: {
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      requestHeaders: maskCustom(r.requestHeaders, target.headers),
      responseStatus: r.status,
      responseHeaders: r.status === null ? null : r.headers,
      responseBody: r.status === null ? null : r.body,
      error: r.error ?? (r.ok ? null : `The receiver answered ${r.status}.`),
      proxy: r.proxy,
    },
  };
}

/** The log keeps the names of the webhook's own headers, never their values. */
function maskCustom(sent: Record<string, string>, custom: Record<string, string> | undefined): Record<string, string> {
  const names = Object.keys(custom ?? {});
  if (!names.length) return sent;
  const out = { ...sent };
  for (const name of names) if (name in out) out[name] = '••••';
  return out;
}

function describeFailure(status: number | null, error: string | null, final: boolean, attempts: number): string {
  const what = error ?? (status === 410 ? 'The receiver answered 410 Gone' : `The receiver answered ${status}`);
  const sentence = what.replace(/\.$/, '');
  if (!final) return `${sentence}.`;
  if (status === 410) return `${sentence}: no more retries.`;
  return `${sentence}; giving up after ${attempts} attempt${attempts === 1 ? '' : 's'}.`;
}
