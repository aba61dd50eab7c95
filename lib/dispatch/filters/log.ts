// The delivery log for webfilter calls: one `deliveries` row (kind 'webfilter') and one attempt per call,
// written after the LMS has its answer. Writes queue per database and go out one statement at a time, so
// under load many filter calls share one round trip instead of each holding a transaction.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../../db/client';
import { logger } from '../../log';
import { RESPONSE_CAPTURE_BYTES } from '../send';
import { checkFailingWebfilters } from '../webfilter-failing';
import type { FilterLogEntry, FilterSummary } from './run';
import { breakerFailure, saveBreakers } from './breaker';
import { addFilterStats, WHOLE_CALL, type StatSample } from './stats';
import { webfilterRecovered } from '../webfilter-failing';

const MAX_BATCH = 200;

/** The whole call as the LMS waited for it (the per-type row of the filter health figures). */
export interface WholeCall {
  filterType: string;
  at: Date;
  durationMs: number;
  summary: FilterSummary;
}

interface Writer {
  queue: { entries: FilterLogEntry[]; requestId: string | null; whole: WholeCall | null; done: () => void }[];
  busy: boolean;
}
const writers = new WeakMap<DbHandle, Writer>();
const PENDING = Symbol.for('openedx-webhooks.filter-log-writes');
// On globalThis: the route (bundled by Next.js) adds to it, and server.ts's shutdown waits for it.
const pending: Set<Promise<void>> = ((globalThis as { [PENDING]?: Set<Promise<void>> })[PENDING] ??= new Set());

function firstBytes(text: string, max: number): string {
  if (text.length * 3 <= max) return text; // cannot be over max bytes
  const buf = Buffer.from(text, 'utf8');
  return buf.length <= max ? text : buf.subarray(0, max).toString('utf8');
}

function row(e: FilterLogEntry, requestId: string | null) {
  const answered = e.sent.status !== null;
  return {
    event_id: e.callId,
    target_id: e.webfilterId,
    event_type: e.filterType,
    url: e.url,
    status: e.sent.ok ? 'succeeded' : 'failed',
    request_headers: e.sent.requestHeaders,
    request_body: e.requestBody,
    status_code: e.sent.status,
    error: e.sent.error,
    duration_ms: e.sent.durationMs,
    // The shadow flag travels in the outcome (SPEC §12: the log shows it with the would-be verdict).
    outcome: e.shadow ? { ...e.outcome, shadow: true } : e.outcome,
    started_at: e.sent.startedAt.toISOString(),
    completed_at: new Date(e.sent.startedAt.getTime() + e.sent.durationMs).toISOString(),
    response_headers: answered ? e.sent.headers : null,
    response_body: answered ? firstBytes(e.sent.body, RESPONSE_CAPTURE_BYTES) : null,
    request_id: requestId,
    proxy: e.sent.proxy,
  };
}

// PostgreSQL text and jsonb hold neither NUL characters nor lone surrogates; a webfilter may still answer with
// them, in values and in keys alike (a key is cleaned by copying its object with cleaned keys).
const clean = (text: string) => (text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text).toWellFormed();
const BAD_TEXT = /[\0\uD800-\uDFFF]/;
function storable(_: string, v: unknown): unknown {
  if (typeof v === 'string') return BAD_TEXT.test(v) ? clean(v) : v;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.keys(v).some((k) => BAD_TEXT.test(k))) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k), x]));
}

/** Both tables in one statement (atomic on its own): the rows travel as a single jsonb parameter. */
async function insert(handle: DbHandle, entries: Entry[]): Promise<void> {
  const rows = JSON.stringify(entries.map(({ e, requestId }) => row(e, requestId)), storable);
  await handle.rows(sql`
    with input as (
      select * from jsonb_to_recordset(${rows}::jsonb) as x(
        event_id uuid, target_id uuid, event_type text, url text, status text, request_headers jsonb,
        request_body text, status_code int, error text, duration_ms int, outcome jsonb,
        started_at timestamptz, completed_at timestamptz, response_headers jsonb, response_body text, request_id text, proxy text)
    ), d as (
      insert into deliveries (kind, event_id, target_id, event_type, url, status, attempt_count, next_attempt_at,
        request_headers, request_body, last_status_code, last_error, last_duration_ms, outcome, request_id,
        created_at, updated_at, completed_at)
      select 'webfilter', event_id, target_id, event_type, url, status, 1, null,
        request_headers, request_body, status_code, error, duration_ms, outcome, request_id, started_at, completed_at, completed_at
      from input
      returning id, event_id, target_id
    )
    insert into delivery_attempts (delivery_id, attempt_no, started_at, duration_ms, request_headers,
      response_status, response_headers, response_body, error, proxy)
    select d.id, 1, i.started_at, i.duration_ms, i.request_headers, i.status_code, i.response_headers, i.response_body, i.error, i.proxy
    from d join input i on i.event_id = d.event_id and i.target_id = d.target_id`);
}

/** The batch in one statement; if it fails, each entry alone, so one bad row never loses the others' log. */
type Entry = { e: FilterLogEntry; requestId: string | null };
async function insertEach(handle: DbHandle, entries: Entry[]): Promise<Entry[]> {
  try {
    await insert(handle, entries);
    return entries;
  } catch (err) {
    if (entries.length === 1) {
      logger().error({ err, call_id: entries[0]!.e.callId, webfilter_id: entries[0]!.e.webfilterId }, 'could not write the log of a filter call');
      return [];
    }
  }
  const written: Entry[] = [];
  for (const entry of entries) written.push(...(await insertEach(handle, [entry])));
  return written;
}

/** The filter health figures and the breakers that changed (SPEC §12), once the calls are logged. */
async function afterLogged(handle: DbHandle, batch: Writer['queue']) {
  const samples: StatSample[] = [];
  const changed: string[] = [];
  const closed: FilterLogEntry[] = [];
  for (const b of batch) {
    if (b.whole) {
      const { summary } = b.whole;
      const disagrees = b.entries.some((e) => e.disagrees);
      samples.push({ at: b.whole.at, filterType: b.whole.filterType, webfilterId: WHOLE_CALL, durationMs: b.whole.durationMs, ...summary, disagrees });
    }
    for (const e of b.entries) {
      const o = e.shadow ? e.outcome.would_apply! : { exception: e.outcome.result === 'halted' ? e.outcome.exception : null, changes: e.outcome.applied_data ?? {} };
      samples.push({
        at: e.sent.startedAt,
        filterType: e.filterType,
        webfilterId: e.webfilterId,
        durationMs: e.sent.durationMs,
        halted: !!o.exception,
        changed: Object.keys(o.changes ?? {}).length > 0,
        failed: breakerFailure(e.sent),
        disagrees: e.disagrees,
      });
      if (e.breaker) changed.push(e.webfilterId);
      if (e.breaker === 'closed') closed.push(e);
    }
  }
  await addFilterStats(handle, samples).catch((err) => logger().error({ err }, 'could not add to the filter health figures'));
  if (changed.length) await saveBreakers(handle, changed);
  for (const e of closed) await webfilterRecovered(handle, e).catch((err) => logger().error({ err }, 'could not report a recovered webfilter'));
}

async function drain(handle: DbHandle, w: Writer) {
  w.busy = true;
  while (w.queue.length) {
    const batch = w.queue.splice(0, MAX_BATCH);
    const entries = batch.flatMap((b) => b.entries.map((e) => ({ e, requestId: b.requestId })));
    const written = await insertEach(handle, entries);
    const failed = written.filter(({ e }) => !e.sent.ok).map(({ e }) => e.webfilterId);
    // SPEC §9: five failed calls in a row are reported as a service event.
    if (failed.length) await checkFailingWebfilters(handle, failed).catch((err) => logger().error({ err }, 'webfilter failing check failed'));
    await afterLogged(handle, batch);
    for (const b of batch) b.done();
  }
  w.busy = false;
}

/**
 * Writes the log of one filter call once its entries are known (they may wait for slow webfilters after
 * a halt). Never rejects: a failed write is logged to the console, since the LMS already has its answer.
 */
export function writeFilterLog(
  handle: DbHandle,
  entries: FilterLogEntry[] | Promise<FilterLogEntry[]>,
  requestId: string | null = null,
  whole: WholeCall | null = null,
): Promise<void> {
  const write: Promise<void> = Promise.resolve(entries)
    .then(
      (list) =>
        new Promise<void>((done) => {
          if (list.length === 0) return done();
          let w = writers.get(handle);
          if (!w) writers.set(handle, (w = { queue: [], busy: false }));
          w.queue.push({ entries: list, requestId, whole, done });
          if (!w.busy) void drain(handle, w);
        }),
    )
    .finally(() => pending.delete(write));
  pending.add(write);
  return write;
}

/** Resolves when every log write started so far has finished (tests, graceful shutdown). */
export async function flushFilterLogs(): Promise<void> {
  while (pending.size) await Promise.all([...pending]);
}
