// A circuit breaker per webfilter (SPEC §12): 5 failures in a row (no answer, timeout, 5xx) open it for 30 s;
// while open the webfilter is not called and its request-exception settings apply at once, so a dead receiver
// costs the learner no time. Then one trial call: success closes it, failure opens it again for twice as long
// (up to 10 min). The decision is this process's (in memory, no database round trip on the LMS's path); each
// change is written to webfilter_breakers for the API and the pages, and closing emits a service event.
import { sql } from 'drizzle-orm';
import { pgArray, type DbHandle } from '../../db/client';
import type { SendResult } from '../send';
import { logger } from '../../log';

export const BREAKER = { failures: 5, firstOpenMs: 30_000, maxOpenMs: 600_000 };

export type BreakerState = 'closed' | 'open' | 'half_open';
export interface BreakerView {
  state: BreakerState;
  until: string | null;
  failures: number;
}

interface State {
  failures: number;
  /** 0 when closed. */
  openUntil: number;
  openMs: number;
  /** A half-open trial call is in flight. */
  trial: boolean;
}

const KEY = Symbol.for('openedx-webhooks.breakers');
// On globalThis: the route (bundled by Next.js) and server.ts's modules share one registry.
const states: Map<string, State> = ((globalThis as { [KEY]?: Map<string, State> })[KEY] ??= new Map());

export type Admission = { call: true; trial: boolean } | { call: false; openUntil: number };

/** Whether to call the webfilter now: closed, or the one trial call once its open time is over. */
export function admit(id: string, now = Date.now()): Admission {
  const s = states.get(id);
  if (!s || s.openUntil === 0) return { call: true, trial: false };
  if (now < s.openUntil || s.trial) return { call: false, openUntil: s.openUntil };
  s.trial = true;
  return { call: true, trial: true };
}

export type Transition = 'opened' | 'reopened' | 'closed' | 'counted' | null;

/** What the breaker (and the filter health figures) count as a failure: no answer, a timeout, a 5xx. */
export const breakerFailure = (sent: Pick<SendResult, 'status'>) => sent.status === null || sent.status >= 500;

/** Records a call's outcome; returns what changed (null: nothing worth writing down). */
export function record(id: string, failed: boolean, now = Date.now()): Transition {
  let s = states.get(id);
  if (!failed) {
    if (!s || (s.failures === 0 && s.openUntil === 0)) return null;
    const wasOpen = s.openUntil !== 0;
    states.delete(id);
    return wasOpen ? 'closed' : 'counted';
  }
  if (!s) states.set(id, (s = { failures: 0, openUntil: 0, openMs: BREAKER.firstOpenMs, trial: false }));
  s.failures++;
  if (s.trial) {
    s.trial = false;
    s.openMs = Math.min(s.openMs * 2, BREAKER.maxOpenMs);
    s.openUntil = now + s.openMs;
    return 'reopened';
  }
  if (s.openUntil === 0 && s.failures >= BREAKER.failures) {
    s.openUntil = now + s.openMs;
    return 'opened';
  }
  return 'counted';
}

/** This process's view of a webfilter's breaker. */
export function breakerView(id: string, now = Date.now()): BreakerView {
  const s = states.get(id);
  if (!s) return { state: 'closed', until: null, failures: 0 };
  if (s.openUntil === 0) return { state: 'closed', until: null, failures: s.failures };
  return { state: now < s.openUntil && !s.trial ? 'open' : 'half_open', until: new Date(s.openUntil).toISOString(), failures: s.failures };
}

/** Every webfilter this process keeps a breaker state for (failures counted, open or half-open). */
export function breakerViews(now = Date.now()): [string, BreakerView][] {
  return [...states.keys()].map((id) => [id, breakerView(id, now)]);
}

/** Forgets every breaker (tests). */
export function resetBreakers(): void {
  states.clear();
}

/** Writes the breakers that changed to webfilter_breakers, for the API and the pages of every process. */
export async function saveBreakers(handle: DbHandle, ids: Iterable<string>): Promise<void> {
  const rows = [...new Set(ids)].map((id) => ({ id, ...breakerView(id) }));
  if (rows.length === 0) return;
  await handle
    .rows(sql`
      insert into webfilter_breakers (webfilter_id, state, failures, open_until, updated_at)
      select x.id, x.state, x.failures, x.until, now()
      from json_to_recordset(${JSON.stringify(rows)}::json) as x(id uuid, state text, failures int, until timestamptz)
      where exists (select 1 from webfilters w where w.id = x.id)
      on conflict (webfilter_id) do update set state = excluded.state, failures = excluded.failures,
        open_until = excluded.open_until, updated_at = now()`)
    .catch((err) => logger().error({ err }, 'could not store the webfilter breakers'));
}

/** The stored breakers of some webfilters (closed when none is stored); an open one past its time is half-open. */
export async function storedBreakers(handle: DbHandle, ids: readonly string[], now = Date.now()): Promise<Map<string, BreakerView>> {
  const out = new Map<string, BreakerView>(ids.map((id) => [id, { state: 'closed', until: null, failures: 0 }]));
  if (ids.length === 0) return out;
  const rows = await handle.rows<{ webfilter_id: string; state: BreakerState; failures: number; open_until: string | Date | null }>(sql`
    select webfilter_id::text, state, failures, open_until from webfilter_breakers
    where webfilter_id = any(${pgArray(ids)}::uuid[])`);
  for (const r of rows) {
    const until = r.open_until === null ? null : new Date(r.open_until);
    const state: BreakerState = r.state === 'open' && until && until.getTime() <= now ? 'half_open' : r.state;
    out.set(r.webfilter_id, { state, until: until?.toISOString() ?? null, failures: r.failures });
  }
  return out;
}
