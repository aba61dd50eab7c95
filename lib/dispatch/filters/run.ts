// The filter engine: call every webfilter at once, then apply the answers in webfilter order (SPEC §5).
import { randomUUID } from 'node:crypto';
import type { FilterDef } from '../../catalog';
import type { Webfilter } from '../../db/schema';
import { urlLabel } from '../../url-label';
import { encodeBody, type EncodedBody } from '../encode';
import { decryptHeaders } from '../../secrets/header-crypto';
import { send, type SendResult } from '../send';
import type { FilterException } from './halt';
import { mergeInto, type JsonObject } from './merge';
import { judge, type Verdict } from './verdict';
import { admit, BREAKER, breakerFailure, record, type Transition } from './breaker';
import { personalView } from '../../personal/personal-fields';

export interface FilterResponse {
  filter_type: string;
  data: JsonObject;
  changes: JsonObject;
  exception: FilterException | null;
  /**
   * The call's id (event_metadata.id of every webfilter call, the event_id of its log rows), when webfilters were
   * called: the relay reports changes it refused to apply against it (POST /api/filters/{call_id}/refused).
   */
  call_id?: string;
}

/** deliveries.outcome of a webfilter call; 'not_applied' when an earlier webfilter's halt won. */
export interface FilterOutcome {
  result: 'applied' | 'ignored' | 'halted' | 'not_applied' | 'shadow';
  reason: string;
  applied_data?: JsonObject;
  exception?: FilterException;
  /** SPEC §12: a shadow webfilter's verdict, had it been enforced (nothing of it was applied). */
  would_apply?: { changes: JsonObject; exception: FilterException | null };
}

/** One webfilter call, as the delivery log records it. */
export interface FilterLogEntry {
  callId: string;
  webfilterId: string;
  filterType: string;
  url: string;
  requestBody: string;
  sent: SendResult;
  outcome: FilterOutcome;
  /** A shadow webfilter's call (SPEC §12). */
  shadow: boolean;
  /** A shadow verdict that differs from what was applied (a halt, or changes not in the answer). */
  disagrees: boolean;
  /** The webfilter's breaker changed with this call (written to webfilter_breakers with the log). */
  breaker: Transition;
}

/** What the filter health figures need of a whole call (the per-type row). */
export interface FilterSummary {
  halted: boolean;
  changed: boolean;
  /** Enforced webfilters that failed (no answer, timeout, 5xx) or were skipped by an open breaker. */
  failed: boolean;
}

export interface RunFilterInput {
  filter: FilterDef;
  /** The LMS's data, keys already checked against filter.arguments. */
  data: JsonObject;
  /** Enabled webfilters for the filter, in application order (webfiltersFor). */
  webfilters: readonly Webfilter[];
  /** FILTER_TIMEOUT_MS: the budget for the whole call. */
  timeoutMs: number;
  allowPrivate: boolean;
  /** performance.now() when the LMS request arrived, so time spent before the engine counts too. */
  startedAt?: number;
  /** Largest answer read (MAX_BODY_BYTES); the log keeps only the first 64 KiB. */
  maxResponseBytes?: number;
}

export interface FilterRun {
  /** The filter call id: event_metadata.id of every webfilter call and event_id in the log. */
  callId: string;
  response: FilterResponse;
  summary: FilterSummary;
  /** Settles once every call has ended (later ones may still run when an earlier halt decided the answer). */
  entries: Promise<FilterLogEntry[]>;
}

/** The body every webfilter of one call receives: the filter's data plus event_metadata (SPEC §5). */
export function filterPayload(filter: FilterDef, data: JsonObject, callId: string, now = new Date()): JsonObject {
  return {
    ...data,
    event_metadata: { id: callId, event_type: filter.filterType, filter: filter.name, time: now.toISOString() },
  };
}

export async function runFilter(input: RunFilterInput): Promise<FilterRun> {
  const { filter, webfilters } = input;
  const callId = randomUUID();
  if (webfilters.length === 0) {
    return { callId, response: answer(filter, input.data, {}, null), summary: { halted: false, changed: false, failed: false }, entries: Promise.resolve([]) };
  }
  const deadline = (input.startedAt ?? performance.now()) + input.timeoutMs;
  const payload = filterPayload(filter, input.data, callId);
  const bodies = new Map<string, EncodedBody>();
  // SPEC §13: a webfilter that omits personal data gets the payload without it (its answer cannot refer to it).
  const bodyFor = (wf: Webfilter) => {
    const omit = wf.personalData === 'omit';
    const key = `${wf.useWwwFormEncoding ? 'f' : 'j'}${omit ? 'o' : ''}`;
    let b = bodies.get(key);
    if (!b) bodies.set(key, (b = encodeBody(omit ? personalView(payload, 'omit', String) : payload, wf.useWwwFormEncoding)));
    return b;
  };

  // Each webfilter's own headers (SPEC §9), decrypted for this call; the log keeps their names only.
  const own = webfilters.map((wf) => (Object.keys(wf.headers ?? {}).length ? decryptHeaders(wf.headers).headers : {}));
  // An open breaker answers at once, as a request exception (SPEC §12): the webfilter is not called.
  const admissions = webfilters.map((wf) => admit(wf.id));
  const transitions: Transition[] = webfilters.map(() => null);
  const calls = webfilters.map((wf, i) => {
    const admission = admissions[i]!;
    if (!admission.call) return Promise.resolve(notCalled(admission.openUntil));
    const { contentType, body } = bodyFor(wf);
    return send({
      url: wf.url,
      headers: { ...own[i], 'content-type': contentType, accept: 'application/json' },
      body,
      // A slow webfilter is cut off at the shared deadline and counts as a request exception (rule 1).
      timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
      allowPrivate: input.allowPrivate,
      captureBytes: input.maxResponseBytes,
    }).then((sent) => {
      transitions[i] = record(wf.id, breakerFailure(sent));
      return sent;
    });
  });

  // Apply the enforced ones in order, awaiting each call in turn: the calls already run concurrently, and a
  // halt decides the answer without waiting for the webfilters after it. Shadow ones are never applied.
  let data = input.data;
  let changes: JsonObject = {};
  let exception: FilterException | null = null;
  let haltedBy = -1;
  let failed = false;
  const verdicts = new Map<number, Verdict>();
  for (const [i, wf] of webfilters.entries()) {
    if (wf.mode === 'shadow') continue;
    const sent = await calls[i]!;
    if (breakerFailure(sent)) failed = true;
    const verdict = judge(filter, wf, sent);
    verdicts.set(i, verdict);
    if ('data' in verdict && verdict.data) {
      data = mergeInto(data, verdict.data);
      changes = mergeInto(changes, verdict.data);
    }
    if (verdict.result === 'halted') {
      exception = verdict.exception;
      haltedBy = i;
      break;
    }
  }

  const response = { ...answer(filter, data, changes, exception), call_id: callId };
  const entries = Promise.all(calls).then((results) =>
    results.map((sent, i): FilterLogEntry => {
      const wf = webfilters[i]!;
      const shadow = wf.mode === 'shadow';
      const outcome = shadow ? shadowOutcome(judge(filter, wf, sent)) : outcomeOf(verdicts.get(i), haltedBy >= 0 ? webfilters[haltedBy] : undefined);
      return {
        callId,
        webfilterId: wf.id,
        filterType: filter.filterType,
        url: wf.url,
        requestBody: bodyFor(wf).body,
        sent: Object.keys(own[i]!).length
          ? { ...sent, requestHeaders: Object.fromEntries(Object.entries(sent.requestHeaders).map(([k, v]) => [k, k in own[i]! ? '••••' : v])) }
          : sent,
        outcome,
        shadow,
        disagrees: shadow && disagrees(outcome.would_apply!, response),
        breaker: transitions[i]!,
      };
    }),
  );
  return { callId, response, summary: { halted: exception !== null, changed: Object.keys(changes).length > 0, failed }, entries };
}

/** The answer of a webfilter whose breaker is open: no call, a request exception. */
function notCalled(openUntil: number): SendResult {
  const error = `Not called: its circuit breaker is open until ${new Date(openUntil).toISOString()} after ${BREAKER.failures} failures in a row.`;
  return { startedAt: new Date(), durationMs: 0, requestHeaders: {}, status: null, ok: false, headers: {}, body: '', bodyTruncated: false, error, errorKind: 'breaker_open', proxy: null };
}

/** A shadow webfilter's verdict as the log keeps it: what it would have applied, and why. */
function shadowOutcome(verdict: Verdict): FilterOutcome {
  const would = {
    changes: 'data' in verdict && verdict.data ? verdict.data : {},
    exception: verdict.result === 'halted' ? verdict.exception : null,
  };
  return { result: 'shadow', reason: `Shadow mode, nothing applied. Had it been enforced: ${verdict.reason}`, would_apply: would };
}

/** Whether a shadow verdict differs from what was applied: a halt either way, or changes the answer lacks. */
function disagrees(would: { changes: JsonObject; exception: FilterException | null }, applied: FilterResponse): boolean {
  if ((would.exception === null) !== (applied.exception === null)) return true;
  if (would.exception && applied.exception && would.exception.name !== applied.exception.name) return true;
  return !contains(applied.data, would.changes);
}

const contains = (whole: unknown, part: unknown): boolean => {
  if (part && typeof part === 'object' && !Array.isArray(part)) {
    if (!whole || typeof whole !== 'object' || Array.isArray(whole)) return false;
    return Object.entries(part).every(([k, v]) => contains((whole as Record<string, unknown>)[k], v));
  }
  return JSON.stringify(whole) === JSON.stringify(part);
};

function outcomeOf(verdict: Verdict | undefined, halter: Webfilter | undefined): FilterOutcome {
  // No verdict: the loop stopped at an earlier halt before reaching this webfilter.
  if (!verdict) {
    return { result: 'not_applied', reason: `An earlier webfilter (${halter ? urlLabel(halter.url) : 'unknown'}) halted the filter first.` };
  }
  const out: FilterOutcome = { result: verdict.result, reason: verdict.reason };
  if ('data' in verdict && verdict.data) out.applied_data = verdict.data;
  if (verdict.result === 'halted') out.exception = verdict.exception;
  return out;
}

function answer(filter: FilterDef, data: JsonObject, changes: JsonObject, exception: FilterException | null): FilterResponse {
  return { filter_type: filter.filterType, data, changes, exception };
}
