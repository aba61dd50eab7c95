// What the edges report as it happens: counters, histograms and the matching log line, in one call each.
// The engine calls these at a few points (worker, filter route, event route) and stays free of prom-client.
import { findEvent } from '../catalog';
import { fixedKeysLogger, logger } from '../log';
import { urlLabel } from '../url-label';
import type { ClaimedDelivery, Completion } from '../dispatch/queue';
import type { FilterLogEntry, FilterRun } from '../dispatch/filters/run';
import { metrics } from './registry';

const RUNNING = Symbol.for('openedx-webhooks.workers-running');
type Global = { [RUNNING]?: number };

/** A worker started (or stopped) in this process: /api/health and worker_running say so. */
export function workerRunning(change: 1 | -1): void {
  const g = globalThis as Global;
  g[RUNNING] = Math.max(0, (g[RUNNING] ?? 0) + change);
  metrics().workerRunning.set(g[RUNNING] > 0 ? 1 : 0);
}

export function isWorkerRunning(): boolean {
  return ((globalThis as Global)[RUNNING] ?? 0) > 0;
}

/** Why a call to /api/events or /api/filters was refused, as a metric label. */
export function refusalReason(status: number): string {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 413:
      return 'too_large';
    case 415:
      return 'not_json';
    case 422:
      return 'unknown_type';
    default:
      return status >= 500 ? 'error' : `status_${status}`;
  }
}

/** Counts one answer of POST /api/events; `sentType` is the event_type of the body when there was one. */
export function observeEvent(status: number, eventType: string | null, requestId: string | null): void {
  const m = metrics();
  if (status === 202 || status === 200) {
    (status === 202 ? m.eventsAccepted : m.eventsDuplicate).inc({ event_type: eventType ?? 'unknown' });
    return;
  }
  // Only known types become label values: what a caller makes up must not grow the series without end.
  const known = eventType ? (findEvent(eventType)?.eventType ?? 'unknown') : 'unknown';
  const reason = refusalReason(status);
  m.eventsRefused.inc({ event_type: known, reason });
  logger().info({ req_id: requestId, event_type: known, status, reason }, 'event refused');
}

/** Counts one transformation run as a delivery was created (SPEC §14). */
export function observeTransformation(result: 'applied' | 'cancelled' | 'failed'): void {
  metrics().transformations.inc({ result });
}

/** Counts and logs one webhook delivery attempt (or a delivery ended without one: its webhook is gone). */
export function observeAttempt(d: ClaimedDelivery, c: Completion): void {
  const m = metrics();
  const outcome = c.status === 'succeeded' ? 'succeeded' : c.status === 'failed' ? 'failed' : 'retry';
  m.deliveries.inc({ outcome });
  const seconds = c.attempt ? c.attempt.durationMs / 1000 : null;
  if (seconds !== null) m.attemptDuration.observe({ outcome }, seconds);
  fixedKeysLogger().info(
    {
      delivery_id: d.id,
      event_id: d.eventId,
      webhook_id: d.targetId,
      url: urlLabel(c.url),
      attempt: d.attemptCount + 1,
      outcome,
      status: c.attempt?.responseStatus ?? null,
      duration_ms: c.attempt?.durationMs ?? null,
      error: c.error ?? undefined, // (pino leaves out undefined: no key at all on a success)
    },
    'delivery attempt',
  );
}

/** Counts and logs one answered filter call, then each webfilter call once they have all ended. */
export function observeFilterRun(run: FilterRun, startedAt: number, webfilters: number, requestId: string | null): void {
  const m = metrics();
  const filterType = run.response.filter_type;
  const exception = run.response.exception;
  m.filterCalls.inc({ filter_type: filterType, result: exception ? 'halted' : 'passed' });
  if (exception) m.filterHalts.inc({ filter_type: filterType, exception: exception.name });
  if (webfilters > 0) m.filterDuration.observe({ filter_type: filterType }, (performance.now() - startedAt) / 1000);
  void run.entries.then((entries) => entries.forEach((e) => observeWebfilterCall(e, requestId)));
}

function observeWebfilterCall(e: FilterLogEntry, requestId: string | null): void {
  metrics().webfilterCalls.inc({ filter_type: e.filterType, result: e.outcome.result });
  if (e.disagrees) metrics().shadowDisagreements.inc({ filter_type: e.filterType });
  logger().info(
    {
      req_id: requestId,
      call_id: e.callId,
      filter_type: e.filterType,
      webfilter_id: e.webfilterId,
      url: urlLabel(e.url),
      result: e.outcome.result,
      status: e.sent.status,
      duration_ms: e.sent.durationMs,
      ...(e.sent.error ? { error: e.sent.error } : {}),
      ...(e.outcome.exception ? { exception: e.outcome.exception.name } : {}),
    },
    'webfilter call',
  );
}

/** Counts a filter call refused before any webfilter was called. */
export function observeFilterRefused(status: number): void {
  metrics().filterRefused.inc({ reason: refusalReason(status) });
}
