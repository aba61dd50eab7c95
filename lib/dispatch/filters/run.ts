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

export interface FilterResponse {
  filter_type: string;
  data: JsonObject;
  changes: JsonObject;
  exception: FilterException | null;
}

/** deliveries.outcome of a webfilter call; 'not_applied' when an earlier webfilter's halt won. */
export interface FilterOutcome {
  result: 'applied' | 'ignored' | 'halted' | 'not_applied';
  reason: string;
  applied_data?: JsonObject;
  exception?: FilterException;
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
    return { callId, response: answer(filter, input.data, {}, null), entries: Promise.resolve([]) };
  }
  const deadline = (input.startedAt ?? performance.now()) + input.timeoutMs;
  const payload = filterPayload(filter, input.data, callId);
  const bodies = new Map<boolean, EncodedBody>();
  const bodyFor = (form: boolean) => {
    let b = bodies.get(form);
    if (!b) bodies.set(form, (b = encodeBody(payload, form)));
    return b;
  };

  // Each webfilter's own headers (SPEC §9), decrypted for this call; the log keeps their names only.
  const own = webfilters.map((wf) => (Object.keys(wf.headers ?? {}).length ? decryptHeaders(wf.headers).headers : {}));
  const calls = webfilters.map((wf, i) => {
    const { contentType, body } = bodyFor(wf.useWwwFormEncoding);
    return send({
      url: wf.url,
      headers: { ...own[i], 'content-type': contentType, accept: 'application/json' },
      body,
      // A slow webfilter is cut off at the shared deadline and counts as a request exception (rule 1).
      timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
      allowPrivate: input.allowPrivate,
      captureBytes: input.maxResponseBytes,
    });
  });

  // Apply in order, awaiting each call in turn: the calls already run concurrently, and a halt
  // decides the answer without waiting for the webfilters after it.
  let data = input.data;
  let changes: JsonObject = {};
  let exception: FilterException | null = null;
  const verdicts: Verdict[] = [];
  for (const [i, wf] of webfilters.entries()) {
    const verdict = judge(filter, wf, await calls[i]!);
    verdicts.push(verdict);
    if ('data' in verdict && verdict.data) {
      data = mergeInto(data, verdict.data);
      changes = mergeInto(changes, verdict.data);
    }
    if (verdict.result === 'halted') {
      exception = verdict.exception;
      break;
    }
  }

  const haltedBy = exception ? verdicts.length - 1 : -1;
  const entries = Promise.all(calls).then((results) =>
    results.map((sent, i): FilterLogEntry => {
      const wf = webfilters[i]!;
      return {
        callId,
        webfilterId: wf.id,
        filterType: filter.filterType,
        url: wf.url,
        requestBody: bodyFor(wf.useWwwFormEncoding).body,
        sent: Object.keys(own[i]!).length
          ? { ...sent, requestHeaders: Object.fromEntries(Object.entries(sent.requestHeaders).map(([k, v]) => [k, k in own[i]! ? '••••' : v])) }
          : sent,
        outcome: outcomeOf(verdicts[i], haltedBy >= 0 ? webfilters[haltedBy] : undefined),
      };
    }),
  );
  return { callId, response: answer(filter, data, changes, exception), entries };
}

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
