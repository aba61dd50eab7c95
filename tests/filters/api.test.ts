// POST /api/filters at its edges: §3 errors with nothing stored, the no-webfilter fast path, every filter
// reachable by each of its names (quirk F1), and the delivery log on real PostgreSQL.
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { FILTERS, sampleFilterData } from '../../lib/catalog';
import { deliveries, deliveryAttempts } from '../../lib/db/schema';
import { flushFilterLogs } from '../../lib/dispatch/filters/log';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { FORM_DATA, REGISTRATION, filterEnv, harness, type Harness } from './harness';

let pg: TestPostgres;
let h: Harness;
let receiver: Receiver;

beforeAll(async () => {
  filterEnv({ MAX_BODY_BYTES: '150000' });
  pg = await freshPostgres({ max: 4 });
  h = await harness(pg.handle);
  receiver = await startReceiver(() => ({ status: 200, body: '{}' }));
});
afterAll(async () => {
  await receiver.close();
  await pg.drop();
  filterEnv({ MAX_BODY_BYTES: '' });
});

async function stored() {
  await flushFilterLogs();
  const [d] = await pg.handle.db.select({ n: count() }).from(deliveries);
  const [a] = await pg.handle.db.select({ n: count() }).from(deliveryAttempts);
  return d!.n + a!.n;
}

describe('errors (SPEC §3), nothing stored and no webfilter called', () => {
  const valid = { filter_type: REGISTRATION, data: { form_data: FORM_DATA } };
  let adminToken: string;
  beforeAll(async () => {
    await h.addWebfilters([{ url: `${receiver.url}/w` }], REGISTRATION);
    adminToken = (await createApiKey(pg.handle.db, { name: 'admin only', scopes: ['admin', 'events'] })).token;
  });

  it.each([
    ['400 malformed JSON', () => h.post(null, { raw: '{"filter_type": ' }), 400, /not valid JSON/],
    ['400 empty body', () => h.post(null, { raw: '' }), 400, /empty/],
    ['400 not an object', () => h.post([1]), 400, /not valid/],
    ['400 filter_type missing', () => h.post({ data: {} }), 400, /filter_type/],
    ['400 data not an object', () => h.post({ filter_type: REGISTRATION, data: 'x' }), 400, /data must be an object/],
    ['400 data key that is not an argument', () => h.post({ filter_type: REGISTRATION, data: { name: 'x', email: 'y' } }), 400,
      /keys that are not arguments of StudentRegistrationRequested: name, email \(its arguments: form_data\)/],
    ['401 without a key', () => h.post(valid, { token: null }), 401, /API key is required/],
    ['401 unknown key', () => h.post(valid, { token: 'oewh_nope' }), 401, /unknown or has been revoked/],
    ['403 key without the filters scope', () => h.post(valid, { token: adminToken }), 403, /"filters" scope/],
    ['413 body over MAX_BODY_BYTES', () => h.post({ ...valid, data: { form_data: { bio: 'x'.repeat(160_000) } } }), 413, /MAX_BODY_BYTES/],
    ['415 not JSON', () => h.post(null, { raw: 'filter_type=x', contentType: 'application/x-www-form-urlencoded' }), 415, /must be JSON/],
    ['422 unknown filter type, naming the closest', () => h.post({ filter_type: 'org.openedx.learning.student.registration.request.v1' }), 422,
      /Unknown filter type .*Did you mean org\.openedx\.learning\.student\.registration\.requested\.v1 \(StudentRegistrationRequested\)/],
  ] as const)('%s', async (_, call, status, error) => {
    const res = await call();
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; issues?: unknown[] };
    expect(body.error).toMatch(error);
    if (status === 400 && /argument/.test(body.error)) {
      expect(body.issues).toEqual([
        { path: 'data.name', message: expect.stringContaining('expected one of: form_data') },
        { path: 'data.email', message: expect.any(String) },
      ]);
    }
    expect(await stored()).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('no webfilter configured', () => {
  it('answers with the data unchanged, from the cache, without touching the database', async () => {
    const filter = 'org.openedx.learning.course.enrollment.started.v1';
    const data = sampleFilterData(FILTERS.find((f) => f.filterType === filter)!);
    const first = await h.call({ filter_type: 'CourseEnrollmentStarted', data });
    expect(first).toEqual({ status: 200, body: { filter_type: filter, data, changes: {}, exception: null } });

    // Every drizzle query, built or raw, is prepared on the session: counting there sees real round trips
    // (a stored query builder re-runs its query on each await, so spying on db.select would not).
    const session = (pg.handle.db as unknown as { session: { prepareQuery: () => unknown } }).session;
    const spies = [vi.spyOn(session, 'prepareQuery'), vi.spyOn(pg.handle, 'rows')];
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) await h.call({ filter_type: filter, data });
    const perCall = (performance.now() - t0) / 20;
    for (const s of spies) expect(s).not.toHaveBeenCalled();
    spies.forEach((s) => s.mockRestore());
    expect(perCall).toBeLessThan(10);
    expect(await stored()).toBe(0);
  });
});

describe('every filter, by type, class name and the plugin stored name (quirk F1)', () => {
  let recv: Receiver;
  beforeAll(async () => {
    // Each webfilter echoes back a change to its filter's first argument.
    recv = await startReceiver((req) => {
      const sent = JSON.parse(req.body) as { event_metadata: { event_type: string } };
      const f = FILTERS.find((x) => x.filterType === sent.event_metadata.event_type)!;
      return { status: 200, body: JSON.stringify({ data: { [f.arguments[0]!]: { changed: f.name } } }) };
    });
  });
  afterAll(() => recv.close());

  const renamed = FILTERS.filter((f) => f.pluginEvent && f.pluginEvent !== f.name);
  it('covers the 10 filters the plugin never fired', () => {
    expect(renamed.map((f) => f.name).sort()).toEqual([
      'AccountSettingsRenderStarted', 'CourseAboutPageURLRequested', 'CourseEnrollmentAPIRenderStarted', 'CourseHomeUrlCreationStarted',
      'CourseRunAPIRenderStarted', 'IDVPageURLRequested', 'LMSPageURLRequested', 'ORASubmissionViewRenderStarted',
      'RenderXBlockStarted', 'ScheduleQuerySetRequested',
    ]);
  });

  it.each(FILTERS.map((f) => [f.name, f] as const))('%s fires and applies its answer', async (_, f) => {
    const ids = await h.addWebfilters([{ url: `${recv.url}/${f.name}` }], f.filterType);
    const names = [f.filterType, f.name, ...(f.pluginEvent ? [f.pluginEvent] : [])];
    for (const name of names) {
      const { status, body } = await h.call({ filter_type: name, data: sampleFilterData(f) });
      expect(status).toBe(200);
      expect(body.filter_type).toBe(f.filterType);
      expect(body.changes).toEqual({ [f.arguments[0]!]: { changed: f.name } });
    }
    const log = await h.logOf(ids);
    expect(log).toHaveLength(names.length);
    expect(log.every((l) => l.eventType === f.filterType && l.outcome?.result === 'applied' && l.attempts.length === 1)).toBe(true);
    expect(new Set(log.map((l) => l.eventId)).size).toBe(names.length); // a new call id per filter call
    await h.removeWebfilters(ids);
  });
});

describe('on PostgreSQL', () => {
  it('sees webfilter changes at once (cache invalidation) and logs every call', async () => {
    const filter = 'org.openedx.learning.course.unenrollment.started.v1';
    const data = { enrollment: { id: 7 } };
    expect((await h.call({ filter_type: filter, data })).body.changes).toEqual({});
    const ids = await h.addWebfilters(
      [{ url: `${receiver.url}/u` }, { url: `${receiver.url}/u2`, enabled: false }],
      filter,
    );
    receiver.respond(() => ({ status: 200, body: JSON.stringify({ exception: { PreventUnenrollment: { message: 'Locked', status_code: 423 } } }) }));
    const { body } = await h.call({ filter_type: filter, data });
    expect(body.exception).toEqual({ name: 'PreventUnenrollment', message: 'Locked', status_code: 423 });
    const log = await h.logOf(ids);
    expect(log).toHaveLength(1); // the disabled one is not called
    expect(log[0]).toMatchObject({ targetId: ids[0], status: 'succeeded', outcome: { result: 'halted' } });
    expect(log[0]!.attempts[0]!.responseBody).toContain('Locked');
  });

  it('logs many concurrent calls (batched writes), with NUL characters and answers over 64 KiB', async () => {
    const filter = 'org.openedx.learning.cohort.change.requested.v1';
    const big = 'x'.repeat(100 * 1024);
    const ids = await h.addWebfilters([{ url: `${receiver.url}/big` }, { url: `${receiver.url}/nul`, position: 1 }], filter);
    receiver.respond((req) =>
      req.url === '/big'
        ? { status: 200, body: JSON.stringify({ data: { target_cohort: { note: big } } }) }
        : { status: 200, body: 'nul\u0000here' },
    );
    // What is checked here is reading, applying and logging, not the budget: 30 calls at once, each reading
    // 100 KiB, can take longer than the harness's 800 ms on a loaded machine, so they get a generous one.
    filterEnv({ MAX_BODY_BYTES: '150000', FILTER_TIMEOUT_MS: '15000' });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => h.call({ filter_type: filter, data: { current_membership: {}, target_cohort: { id: 1 } } })),
    ).finally(() => filterEnv({ MAX_BODY_BYTES: '150000' }));
    // The whole answer is read and applied; the log keeps its first 64 KiB.
    for (const a of answers) expect(a.body.data.target_cohort).toEqual({ id: 1, note: big });
    const log = await h.logOf(ids);
    expect(log).toHaveLength(60);
    expect(new Set(log.map((l) => l.eventId)).size).toBe(30);
    const bigLog = log.find((l) => l.url.endsWith('/big'))!;
    expect(bigLog.attempts[0]!.responseBody).toHaveLength(64 * 1024);
    expect(bigLog.outcome).toMatchObject({ result: 'applied' });
    const nulLog = log.find((l) => l.url.endsWith('/nul'))!;
    expect(nulLog.attempts[0]!.responseBody).toBe('nul\uFFFDhere');
    expect(nulLog.outcome).toMatchObject({ result: 'ignored', reason: expect.stringContaining('not JSON') });
  });

  it('logs an answer with NUL characters or lone surrogates in keys, without losing the other calls of its batch', async () => {
    const filter = 'org.openedx.learning.student.registration.requested.v1';
    const ids = await h.addWebfilters([{ url: `${receiver.url}/keys` }, { url: `${receiver.url}/fine`, position: 1 }], filter);
    receiver.respond((req) =>
      req.url === '/keys'
        ? { status: 200, body: '{"data":{"form_data":{"k\\u0000":"v","s\\ud800":"w"}}}' }
        : { status: 200, body: JSON.stringify({ data: { form_data: { fine: 'yes' } } }) },
    );
    const answers = await Promise.all(Array.from({ length: 5 }, () => h.call({ filter_type: filter, data: { form_data: { username: 'u' } } })));
    for (const a of answers) expect(a.body.data.form_data).toMatchObject({ username: 'u', fine: 'yes', 'k\u0000': 'v' });
    const log = await h.logOf(ids);
    expect(log).toHaveLength(10);
    const keys = log.find((l) => l.url.endsWith('/keys'))!;
    expect(keys.outcome).toMatchObject({ result: 'applied', applied_data: { form_data: { 'k\uFFFD': 'v', 's\uFFFD': 'w' } } });
  });

  it('reads answers up to MAX_BODY_BYTES only: a larger one counts as {}', async () => {
    const filter = 'org.openedx.learning.cohort.assignment.requested.v1';
    const ids = await h.addWebfilters([{ url: `${receiver.url}/huge` }], filter);
    receiver.respond(() => ({ status: 200, body: JSON.stringify({ data: { user: { bio: 'y'.repeat(200_000) } } }) }));
    const { body } = await h.call({ filter_type: filter, data: { user: { id: 1 } } });
    expect(body.data).toEqual({ user: { id: 1 } });
    const [log] = await h.logOf(ids);
    expect(log!.outcome).toMatchObject({ result: 'ignored', reason: expect.stringContaining('too large to read') });
  });

  it('refuses private targets unless ALLOW_PRIVATE_TARGETS (§7): a request exception, logged as the error', async () => {
    const filter = 'org.openedx.learning.vertical_block_child.render.started.v1';
    const ids = await h.addWebfilters([{ url: `${receiver.url}/private`, haltOnRequestException: true }], filter);
    filterEnv({ ALLOW_PRIVATE_TARGETS: '0', MAX_BODY_BYTES: '150000' });
    try {
      const before = receiver.requests.length;
      const { body } = await h.call({ filter_type: filter, data: { block: {}, context: {} } });
      expect(body.exception).toEqual({ name: 'PreventChildBlockRender', message: expect.stringMatching(/Refused to call 127\.0\.0\.1/) });
      expect(receiver.requests).toHaveLength(before);
      const [log] = await h.logOf(ids);
      expect(log).toMatchObject({ status: 'failed', lastStatusCode: null, lastError: expect.stringMatching(/ALLOW_PRIVATE_TARGETS/) });
      expect(log!.attempts[0]).toMatchObject({ responseStatus: null, error: log!.lastError });
    } finally {
      filterEnv({ MAX_BODY_BYTES: '150000' });
    }
  });
});
