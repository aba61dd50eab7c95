// GET /api/metrics and the log lines (SPEC §11), after a known sequence of events, deliveries and filter calls
// on a real PostgreSQL with real receivers on loopback. The scrape is parsed by a real Prometheus text parser;
// the queue and worker figures are read through a second connection pool, as another process would.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GET as metricsRoute } from '../../app/api/metrics/route';
import { POST as filtersRoute } from '../../app/api/filters/route';
import { createApiKey } from '../../lib/auth/api-keys';
import { setDb, type DbHandle } from '../../lib/db';
import { openDb } from '../../lib/db/client';
import { flushRequestTags } from '../../lib/deliveries/request-id';
import { webfilters } from '../../lib/db/schema';
import { flushFilterLogs } from '../../lib/dispatch/filters/log';
import { invalidateTargets } from '../../lib/dispatch/targets';
import { captureLogs } from '../../lib/log';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { ENROLLMENT, addWebhook, enrollmentData, eventEnv, post, waitUntil, worker } from '../dispatch/harness';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const REGISTRATION = 'org.openedx.learning.student.registration.requested.v1';
const SECRET_HEADER_VALUE = 'hdr-value-never-logged-7f3a';

let pg: TestPostgres;
let other: DbHandle; // a second pool: "another process" reading the same database
let ok: Receiver;
let failing: Receiver;
let gate: Receiver;
let eventsToken: string;
let filtersToken: string;
let metricsKey: string;
let secrets: string[];
const logs = captureLogs();

type Family = { name: string; type: string; metrics: { labels?: Record<string, string>; value?: string; count?: string; buckets?: Record<string, string> }[] };

let lastText = '';

async function scrape(token = METRICS_TOKEN): Promise<Map<string, Family>> {
  const res = await metricsRoute(new Request('http://localhost/api/metrics', { headers: { authorization: `Bearer ${token}` } }));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  lastText = await res.text();
  const families = parsePrometheusTextFormat(lastText) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

/**
 * A labelled histogram's sample count. The parser folds the buckets of every label set into one sample (it
 * follows prom2json, made for unlabelled histograms), so the _count line of the scraped text is read instead.
 */
function histogramCount(name: string, labels: Record<string, string>): number {
  const sel = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const match = lastText.match(new RegExp(`^${name}_count\\{${sel.replace(/[.]/g, '\\.')}\\} (\\S+)$`, 'm'));
  return match ? Number(match[1]) : 0;
}

/** The value of one sample (labels matched exactly on the keys given), 0 when absent. */
function value(m: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = m.get(name);
  if (!family) throw new Error(`no metric ${name}`);
  const sample = family.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  if (!sample) return 0;
  return Number(sample.value ?? sample.count);
}

async function postWith(body: unknown, headers: Record<string, string>) {
  const { POST } = await import('../../app/api/events/route');
  return POST(
    new Request('http://localhost/api/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${eventsToken}`, ...headers },
      body: JSON.stringify(body),
    }),
    undefined,
  );
}

function callFilter(body: unknown, requestId: string) {
  return filtersRoute(
    new Request('http://localhost/api/filters', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${filtersToken}`, 'x-request-id': requestId, 'x-custom': SECRET_HEADER_VALUE },
      body: JSON.stringify(body),
    }),
    undefined,
  );
}

beforeAll(async () => {
  eventEnv({ ALLOW_PRIVATE_TARGETS: '1', METRICS_TOKEN, FILTER_TIMEOUT_MS: '3000', WORKER_HEARTBEAT_TIMEOUT: '15' });
  pg = await freshPostgres({ max: 4 });
  other = await openDb({ databaseUrl: pg.url, max: 2 });
  setDb(pg.handle);
  ok = await startReceiver(() => ({ status: 200, body: 'ok', headers: { 'x-receiver-token': SECRET_HEADER_VALUE } }));
  failing = await startReceiver(() => ({ status: 500, body: 'down' }));
  gate = await startReceiver(() => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ exception: { PreventRegistration: 'Registrations need an invitation.' } }),
  }));
  eventsToken = (await createApiKey(pg.handle.db, { name: 'lms', scopes: ['events'] })).token;
  filtersToken = (await createApiKey(pg.handle.db, { name: 'lms-f', scopes: ['filters'] })).token;
  metricsKey = (await createApiKey(pg.handle.db, { name: 'prometheus', scopes: ['metrics'] })).token;
  secrets = [eventsToken, filtersToken, metricsKey, METRICS_TOKEN, SECRET_HEADER_VALUE];
});

afterAll(async () => {
  logs.restore();
  await Promise.all([ok.close(), failing.close(), gate.close()]);
  await other.close();
  await pg.drop();
  eventEnv({ METRICS_TOKEN: '', FILTER_TIMEOUT_MS: '', WORKER_HEARTBEAT_TIMEOUT: '' });
});

it('is refused without the metrics token or a key with the metrics scope', async () => {
  const anon = await metricsRoute(new Request('http://localhost/api/metrics'));
  expect(anon.status).toBe(401);
  const wrong = await metricsRoute(new Request('http://localhost/api/metrics', { headers: { authorization: `Bearer ${eventsToken}` } }));
  expect(wrong.status).toBe(403);
  expect((await wrong.json()).error).toMatch(/"metrics" scope/);
  const byKey = await scrape(metricsKey);
  // Everything exists before anything happened, auto-disable included; default process metrics too.
  expect(value(byKey, 'openedx_webhooks_webhooks_auto_disabled_total')).toBe(0);
  expect(byKey.has('openedx_webhooks_process_cpu_user_seconds_total')).toBe(true);
  expect([...byKey.keys()].every((n) => n.startsWith('openedx_webhooks_'))).toBe(true);
});

it('counts events, deliveries and filter calls, and logs each without secrets', async () => {
  const good = await addWebhook(pg.handle, { url: `${ok.url}/hook`, secret: 'whsec_dGhpcyBpcyBub3QgbG9nZ2Vk' });
  const bad = await addWebhook(pg.handle, { url: `${failing.url}/hook?token=query-secret-zz9` });
  secrets.push(good.secret, bad.secret, 'query-secret-zz9');

  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await postWith({ event_type: ENROLLMENT, data: enrollmentData() }, { 'x-request-id': `req-event-${i}` });
    expect(res.status).toBe(202);
    ids.push((await res.json()).id);
  }
  const dup = await postWith({ event_type: ENROLLMENT, data: enrollmentData(), metadata: { id: ids[0] } }, {});
  expect(dup.status).toBe(200);
  expect((await postWith({ event_type: 'org.openedx.nope.v1', data: {} }, {})).status).toBe(422);
  expect((await postWith({ event_type: ENROLLMENT, data: { wrong: {} } }, {})).status).toBe(400);
  expect((await post({ event_type: ENROLLMENT, data: enrollmentData() }, { token: null })).status).toBe(401);

  // Each event: one delivery to the good receiver (succeeds), one to the failing one (one retry, then failed).
  const w = worker(pg.handle, { retrySchedule: [0.05] });
  try {
    await waitUntil(async () => {
      const [r] = await pg.handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where status = 'pending'`);
      return Number(r!.n) === 0;
    }, 20_000, 'deliveries to settle');
    const during = await scrape();
    expect(value(during, 'openedx_webhooks_workers_alive')).toBe(1);
    expect(value(during, 'openedx_webhooks_worker_heartbeat_age_seconds', { worker: w.id })).toBeLessThan(15);
    expect(value(during, 'openedx_webhooks_worker_running')).toBe(1);
  } finally {
    await w.stop();
  }

  // Filters: one webfilter halting PreventRegistration (called twice), and a filter with none (passes).
  await pg.handle.db.insert(webfilters).values({ filterType: REGISTRATION, url: `${gate.url}/gate`, position: 0 });
  await invalidateTargets(pg.handle);
  for (const n of [1, 2]) {
    const res = await callFilter({ filter_type: REGISTRATION, data: { form_data: { email: 'a@example.org', password: 'hunter2-password' } } }, `req-filter-${n}`);
    expect(res.status).toBe(200);
    expect((await res.json()).exception.name).toBe('PreventRegistration');
  }
  expect((await callFilter({ filter_type: 'org.openedx.learning.course.enrollment.started.v1', data: {} }, 'req-filter-none')).status).toBe(200);
  expect((await callFilter({ filter_type: 'no.such.filter' }, 'req-filter-bad')).status).toBe(422);
  await flushFilterLogs();
  await flushRequestTags();

  const m = await scrape();
  expect(value(m, 'openedx_webhooks_events_accepted_total', { event_type: ENROLLMENT })).toBe(3);
  expect(value(m, 'openedx_webhooks_events_duplicate_total', { event_type: ENROLLMENT })).toBe(1);
  expect(value(m, 'openedx_webhooks_events_refused_total', { event_type: 'unknown', reason: 'unknown_type' })).toBe(1);
  expect(value(m, 'openedx_webhooks_events_refused_total', { event_type: ENROLLMENT, reason: 'invalid' })).toBe(1);
  expect(value(m, 'openedx_webhooks_events_refused_total', { event_type: 'unknown', reason: 'unauthorized' })).toBe(1);
  expect(value(m, 'openedx_webhooks_deliveries_total', { outcome: 'succeeded' })).toBe(3);
  expect(value(m, 'openedx_webhooks_deliveries_total', { outcome: 'retry' })).toBe(3);
  expect(value(m, 'openedx_webhooks_deliveries_total', { outcome: 'failed' })).toBe(3);
  expect(histogramCount('openedx_webhooks_delivery_attempt_duration_seconds', { outcome: 'succeeded' })).toBe(3);
  expect(histogramCount('openedx_webhooks_delivery_attempt_duration_seconds', { outcome: 'failed' })).toBe(3);
  expect(histogramCount('openedx_webhooks_delivery_attempt_duration_seconds', { outcome: 'retry' })).toBe(3);
  expect(value(m, 'openedx_webhooks_filter_calls_total', { filter_type: REGISTRATION, result: 'halted' })).toBe(2);
  expect(value(m, 'openedx_webhooks_filter_calls_total', { result: 'passed' })).toBe(1);
  expect(value(m, 'openedx_webhooks_filter_halts_total', { filter_type: REGISTRATION, exception: 'PreventRegistration' })).toBe(2);
  expect(value(m, 'openedx_webhooks_webfilter_calls_total', { filter_type: REGISTRATION, result: 'halted' })).toBe(2);
  expect(histogramCount('openedx_webhooks_filter_duration_seconds', { filter_type: REGISTRATION })).toBe(2);
  expect(m.get('openedx_webhooks_filter_duration_seconds')?.type).toBe('HISTOGRAM');
  expect(value(m, 'openedx_webhooks_filter_calls_refused_total', { reason: 'unknown_type' })).toBe(1);
  expect(value(m, 'openedx_webhooks_workers_alive')).toBe(0); // the worker stopped and removed its row
  expect(value(m, 'openedx_webhooks_worker_running')).toBe(0);

  // The request id is stored on what each request queued.
  const tagged = await pg.handle.rows<{ kind: string; request_id: string | null }>(sql`select kind, request_id from deliveries order by id`);
  expect(tagged.filter((d) => d.kind === 'webhook').map((d) => d.request_id).sort()).toEqual(
    ['req-event-0', 'req-event-0', 'req-event-1', 'req-event-1', 'req-event-2', 'req-event-2'],
  );
  expect(tagged.filter((d) => d.kind === 'webfilter').map((d) => d.request_id)).toEqual(['req-filter-1', 'req-filter-2']);

  // One JSON line per attempt and per webfilter call, with the fields to follow a request.
  const lines = logs.lines;
  const attempts = lines.filter((l) => l.msg === 'delivery attempt');
  expect(attempts).toHaveLength(9);
  for (const a of attempts) {
    expect(a).toMatchObject({ level: 30, delivery_id: expect.any(Number), event_id: expect.any(String), webhook_id: expect.any(String) });
    expect(['succeeded', 'retry', 'failed']).toContain(a.outcome);
    expect(typeof a.duration_ms).toBe('number');
    expect(typeof a.time).toBe('string');
  }
  expect(attempts.filter((a) => a.outcome === 'failed').every((a) => a.status === 500)).toBe(true);
  const calls = lines.filter((l) => l.msg === 'webfilter call');
  expect(calls.map((c) => c.req_id)).toEqual(['req-filter-1', 'req-filter-2']);
  expect(calls[0]).toMatchObject({ filter_type: REGISTRATION, result: 'halted', exception: 'PreventRegistration', status: 200 });
  expect(lines.find((l) => l.msg === 'event refused' && l.reason === 'unknown_type')).toBeDefined();

  // No token, secret, header value, query value or body field in any line.
  const text = logs.text();
  for (const s of [...secrets, 'hunter2-password', 'jane.doe@example.com']) expect(text, s).not.toContain(s);
});

it('reads the queue from the database: another pool sees the same depth and age', async () => {
  for (let i = 0; i < 2; i++) expect((await postWith({ event_type: ENROLLMENT, data: enrollmentData() }, {})).status).toBe(202);
  // No worker runs now: 4 deliveries wait; one of them is put an hour into the future (a retry).
  await pg.handle.rows(sql`update deliveries set next_attempt_at = now() - interval '90 seconds' where id = (select min(id) from deliveries where status = 'pending')`);
  await pg.handle.rows(sql`update deliveries set next_attempt_at = now() + interval '1 hour' where id = (select max(id) from deliveries where status = 'pending')`);
  setDb(other);
  try {
    const m = await scrape();
    expect(value(m, 'openedx_webhooks_queue_pending')).toBe(4);
    expect(value(m, 'openedx_webhooks_queue_due')).toBe(3);
    const age = value(m, 'openedx_webhooks_queue_oldest_due_age_seconds');
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);
    // /api/health says the same.
    const { GET: health } = await import('../../app/api/health/route');
    const h = await (await health()).json();
    expect(h).toMatchObject({ status: 'ok', database: 'ok', worker: { running: false, alive: 0 }, queue: { pending: 4, due: 3 } });
    expect(h.queue.oldest_due_age_seconds).toBeGreaterThanOrEqual(90);
  } finally {
    setDb(pg.handle);
  }
});
