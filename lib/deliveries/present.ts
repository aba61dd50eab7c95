// Deliveries as the API and the pages show them: snake_case, ISO times, sensitive values masked (§7).
import type { Delivery, DeliveryAttempt } from '../db/schema';
import type { DeliveryDetail } from './detail';
import type { DeliverySummary } from './list';
import { redactStrings, redactText } from '../url-label';
import { contentTypeOf, maskBody, maskHeaders, maskJson, maskUrl } from './mask';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A webfilter's outcome with its free text (reason, the exception's message and arguments) redacted. */
function redactOutcome(o: Record<string, unknown>): Record<string, unknown> {
  const out = { ...o };
  if (typeof out.reason === 'string') out.reason = redactText(out.reason);
  if (out.exception) out.exception = redactStrings(out.exception);
  return out;
}

export interface DeliveryJson {
  id: number;
  kind: Delivery['kind'];
  event_id: string;
  target_id: string;
  event_type: string;
  url: string;
  status: Delivery['status'];
  attempt_count: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  /** webfilter: {result: applied | ignored | halted | not_applied, reason, applied_data?, exception?}; webhook: null. */
  outcome: Record<string, unknown> | null;
  /** x-request-id of the LMS call that queued it, to find its log lines. */
  request_id: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  /** A replay of a stored event (SPEC §9), not its first delivery. */
  replay: boolean;
  /** SPEC §12: a shadow webfilter's call, never applied; `would_apply` is what it would have done. */
  shadow?: true;
  would_apply?: { changes: unknown; exception: unknown };
}

export interface AttemptJson {
  attempt_no: number;
  started_at: string;
  duration_ms: number;
  request_headers: Record<string, string> | null;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  /** As stored (the first 64 KiB), sensitive values masked. */
  response_body: string | null;
  error: string | null;
  /** The HTTP proxy the call went through (HTTPS_PROXY / HTTP_PROXY), or null for a direct call. */
  via_proxy: string | null;
}

export interface DeliveryDetailJson extends DeliveryJson {
  request: { headers: Record<string, string> | null; body: string | null };
  /** The last answer received, or null when no attempt got one. */
  response: { status_code: number; headers: Record<string, string> | null; body: string | null } | null;
  attempts: AttemptJson[];
}

export function deliveryJson(d: DeliverySummary): DeliveryJson {
  return {
    id: d.id,
    kind: d.kind,
    event_id: d.eventId,
    target_id: d.targetId,
    event_type: d.eventType,
    url: maskUrl(d.url),
    status: d.status,
    attempt_count: d.attemptCount,
    next_attempt_at: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    last_status_code: d.lastStatusCode,
    // Free text may quote a target URL (older rows especially): shown without credentials or query values.
    last_error: redactText(d.lastError),
    last_duration_ms: d.lastDurationMs,
    outcome: d.outcome ? redactOutcome(maskJson(d.outcome)) : null,
    request_id: d.requestId,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
    completed_at: iso(d.completedAt),
    replay: d.replay ?? false,
    ...shadowFields(d.outcome),
  };
}

/** A shadow call's flag and would-be verdict (kept in its outcome), masked like the outcome. */
function shadowFields(outcome: Record<string, unknown> | null): Pick<DeliveryJson, 'shadow' | 'would_apply'> {
  if (!outcome?.shadow) return {};
  const would = (outcome.would_apply ?? { changes: {}, exception: null }) as { changes: unknown; exception: unknown };
  return { shadow: true, would_apply: { changes: maskJson(would.changes), exception: would.exception ? redactStrings(would.exception) : null } };
}

export function attemptJson(a: DeliveryAttempt): AttemptJson {
  return {
    attempt_no: a.attemptNo,
    started_at: a.startedAt.toISOString(),
    duration_ms: a.durationMs,
    request_headers: maskHeaders(a.requestHeaders),
    response_status: a.responseStatus,
    response_headers: maskHeaders(a.responseHeaders),
    response_body: maskBody(a.responseBody, contentTypeOf(a.responseHeaders)),
    error: redactText(a.error),
    via_proxy: a.proxy ?? null,
  };
}

export function deliveryDetailJson({ delivery: d, attempts }: DeliveryDetail): DeliveryDetailJson {
  const list = attempts.map(attemptJson);
  const answered = [...list].reverse().find((a) => a.response_status !== null);
  return {
    ...deliveryJson(d),
    request: {
      headers: maskHeaders(d.requestHeaders),
      body: maskBody(d.requestBody, contentTypeOf(d.requestHeaders)),
    },
    response: answered
      ? { status_code: answered.response_status!, headers: answered.response_headers, body: answered.response_body }
      : null,
    attempts: list,
  };
}
