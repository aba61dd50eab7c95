// Webfilter safety (SPEC §12) through POST /api/filters and the management API, on PostgreSQL with real receivers:
// shadow mode, per-filter policies (budget, routing), the circuit breaker, and the filter health figures.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { eq } from 'drizzle-orm';
import { events as eventsTable } from '../../lib/db/schema';
import { BREAKER, resetBreakers } from '../../lib/dispatch/filters/breaker';
import { deliveryJson } from '../../lib/deliveries/present';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { call as callRoute, ctx, requestTo } from '../helpers/api';
import { GET as listPolicies } from '../../app/api/v1/filter-policies/route';
import { DELETE as deletePolicy, PUT as putPolicy } from '../../app/api/v1/filter-policies/[filter_type]/route';
import { GET as stats } from '../../app/api/v1/filters/stats/route';
import { GET as getWebfilter } from '../../app/api/v1/webfilters/[id]/route';
import { GET as routingRoute } from '../../app/api/v1/routing/route';
import { filterEnv, harness, type Harness } from './harness';

const LOGIN = 'org.openedx.learning.student.login.requested.v1';
const ENROLL = 'org.openedx.learning.course.enrollment.started.v1';
let pg: TestPostgres;
let h: Harness;
let rx: Receiver;
let admin = '';
const api = requestTo('http://localhost', () => admin);

beforeAll(async () => {
  filterEnv({ FILTER_TIMEOUT_MS: '5000' });
  pg = await freshPostgres({ max: 4 });
  h = await harness(pg.handle);
  admin = (await createApiKey(pg.handle.db, { name: 'admin', scopes: ['admin', 'events', 'filters'] })).token;
  rx = await startReceiver(() => ({ status: 200, body: '{}' }));
});
afterEach(() => rx.respond(() => ({ status: 200, body: '{}' })));
afterAll(async () => {
  resetBreakers();
  await rx.close();
  await pg.drop();
  filterEnv({ FILTER_TIMEOUT_MS: '' });
});

const loginData = { user: { id: 7, username: 'ada', email: 'ada@example.org' } };
const typeCtx = (filter_type: string) => ({ params: Promise.resolve({ filter_type }) });

describe('shadow mode', () => {
  it('a shadow webfilter answering PreventLogin changes nothing; the log shows the halt it would have made', async () => {
    const [id] = await h.addWebfilters([{ url: `${rx.url}/shadow`, mode: 'shadow', haltOnRequestException: false }], LOGIN);
    rx.respond(() => ({ status: 200, body: JSON.stringify({ data: { user: { username: 'renamed' } }, exception: { PreventLogin: 'Exams today: no sign-in.' } }) }));
    const { status, body } = await h.call({ filter_type: LOGIN, data: loginData });
    expect(status).toBe(200);
    expect(body).toMatchObject({ data: loginData, changes: {}, exception: null });
    const [log] = await h.logOf([id!]);
    const shown = deliveryJson(log!);
    expect(shown).toMatchObject({
      shadow: true,
      would_apply: { changes: { user: { username: 'renamed' } }, exception: { name: 'PreventLogin', message: 'Exams today: no sign-in.' } },
      outcome: { result: 'shadow' },
    });
    expect(String(shown.outcome!.reason)).toMatch(/^Shadow mode, nothing applied/);
    await h.removeWebfilters([id!]);
  });

  it('beside an enforced one, the shadow is called with the same body and the answer is as without it', async () => {
    const ids = await h.addWebfilters(
      [{ url: `${rx.url}/enforced` }, { url: `${rx.url}/shadow2`, mode: 'shadow', position: 1 }],
      LOGIN,
    );
    rx.respond((req) =>
      req.url === '/enforced'
        ? { status: 200, body: JSON.stringify({ data: { user: { username: 'from-enforced' } } }) }
        : { status: 200, body: JSON.stringify({ data: { user: { username: 'from-shadow' } } }) },
    );
    const before = rx.requests.length;
    const { body } = await h.call({ filter_type: LOGIN, data: loginData });
    expect(body.data.user.username).toBe('from-enforced');
    await h.logOf(ids); // the shadow call may end after the answer: its log entry waits for it
    const sent = rx.requests.slice(before);
    expect(sent.map((r) => r.url).sort()).toEqual(['/enforced', '/shadow2']);
    expect(JSON.parse(sent[0]!.body).user).toEqual(JSON.parse(sent[1]!.body).user);
    await h.removeWebfilters(ids);
  });
});

describe('filter policies', () => {
  it('are set, listed and removed through the API, with clear errors, and routing carries them', async () => {
    const bad = await callRoute(putPolicy(api('PUT', `/api/v1/filter-policies/${LOGIN}`, { timeout_ms: 10, on_unreachable: 'maybe' }), typeCtx(LOGIN)));
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('timeout_ms must be at least 50.');
    expect(JSON.stringify(bad.body)).toContain('on_unreachable must be \\"allow\\" or \\"halt\\".');
    const unknown = await callRoute(putPolicy(api('PUT', '/api/v1/filter-policies/nope', { timeout_ms: 500, on_unreachable: 'halt' }), typeCtx('nope')));
    expect(unknown.status).toBe(422);
    const ok = await callRoute(putPolicy(api('PUT', '/api/v1/filter-policies/StudentLoginRequested', { timeout_ms: 200, on_unreachable: 'halt' }), typeCtx('StudentLoginRequested')));
    expect(ok).toMatchObject({ status: 200, body: { filter_type: LOGIN, timeout_ms: 200, on_unreachable: 'halt' } });
    const enroll = await callRoute(putPolicy(api('PUT', `/api/v1/filter-policies/${ENROLL}`, { timeout_ms: 3000, on_unreachable: 'allow' }), typeCtx(ENROLL)));
    expect(enroll.status).toBe(200);
    const list = await callRoute(listPolicies(api('GET', '/api/v1/filter-policies'), undefined as never));
    expect(list.body).toEqual({ items: [{ filter_type: ENROLL, timeout_ms: 3000, on_unreachable: 'allow' }, { filter_type: LOGIN, timeout_ms: 200, on_unreachable: 'halt' }] });
    const routing = await callRoute(routingRoute(api('GET', '/api/v1/routing'), undefined as never));
    expect(routing.body.filter_policies).toEqual({ [ENROLL]: { timeout_ms: 3000, on_unreachable: 'allow' }, [LOGIN]: { timeout_ms: 200, on_unreachable: 'halt' } });
    const gone = await deletePolicy(api('DELETE', `/api/v1/filter-policies/${ENROLL}`), typeCtx(ENROLL));
    expect(gone.status).toBe(204);
  });

  it("a policy's timeout_ms of 200 ms cuts a webfilter answering in 1 s at about 200 ms", async () => {
    const [id] = await h.addWebfilters([{ url: `${rx.url}/slow`, haltOnRequestException: true }], LOGIN);
    rx.respond(() => ({ status: 200, body: '{}', delayMs: 1_000 }));
    const t0 = performance.now();
    const { body } = await h.call({ filter_type: LOGIN, data: loginData });
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(900);
    expect(body.exception).toMatchObject({ name: 'PreventLogin' });
    await h.removeWebfilters([id!]);
    await deletePolicy(api('DELETE', `/api/v1/filter-policies/${LOGIN}`), typeCtx(LOGIN));
  });
});

describe('the circuit breaker', () => {
  it('opens after 5 failures (calls stop, the answer comes at once), half-opens, and closes on a success', async () => {
    const saved = { ...BREAKER };
    BREAKER.firstOpenMs = 300;
    try {
      const [id] = await h.addWebfilters([{ url: `${rx.url}/dead`, haltOnRequestException: true, redirectOnRequestException: '' }], LOGIN);
      rx.respond(() => ({ status: 503, body: 'down' }));
      for (let i = 0; i < BREAKER.failures; i++) await h.call({ filter_type: LOGIN, data: loginData });
      const reached = rx.requests.filter((r) => r.url === '/dead').length;
      expect(reached).toBe(5);

      // Open: not called, its request-exception settings apply at once (no time spent on the webfilter: the
      // logged call took 0 ms; the wall-clock bound is loose, for a loaded machine).
      const t0 = performance.now();
      const { body } = await h.call({ filter_type: LOGIN, data: loginData });
      const took = performance.now() - t0;
      expect(took).toBeLessThan(50);
      expect(body.exception).toMatchObject({ name: 'PreventLogin' });
      expect(rx.requests.filter((r) => r.url === '/dead')).toHaveLength(reached);
      const skipped = (await h.logOf([id!])).at(-1)!;
      expect(skipped).toMatchObject({ lastDurationMs: 0, lastStatusCode: null });
      expect(skipped.lastError).toMatch(/^Not called: its circuit breaker is open until .* after 5 failures in a row\.$/);
      const open = await callRoute(getWebfilter(api('GET', `/api/v1/webfilters/${id}`), ctx(id!)));
      expect(open.body.breaker).toMatchObject({ state: 'open', failures: 5 });
      expect(Date.parse(open.body.breaker.until)).toBeGreaterThan(Date.now());

      // After the open time: one trial call; it succeeds and the breaker closes.
      await new Promise((r) => setTimeout(r, 350));
      rx.respond(() => ({ status: 200, body: '{}' }));
      const trial = await h.call({ filter_type: LOGIN, data: loginData });
      expect(trial.body.exception).toBeNull();
      expect(rx.requests.filter((r) => r.url === '/dead')).toHaveLength(reached + 1);
      await h.logOf([id!]);
      const closed = await callRoute(getWebfilter(api('GET', `/api/v1/webfilters/${id}`), ctx(id!)));
      expect(closed.body.breaker).toEqual({ state: 'closed', until: null, failures: 0 });
      const recovered = await pg.handle.db.select().from(eventsTable).where(eq(eventsTable.eventType, 'openedx_webhooks.webfilter.recovered.v1'));
      expect(recovered.map((e) => (e.data as { webfilter: { id: string } }).webfilter.id)).toEqual([id]);
      expect((recovered[0]!.data as { webfilter: { id: string } }).webfilter.id).toBe(id);
      await h.removeWebfilters([id!]);
    } finally {
      Object.assign(BREAKER, saved);
    }
  });

  it('a failed trial opens it again for twice as long', async () => {
    const saved = { ...BREAKER };
    BREAKER.firstOpenMs = 200;
    try {
      const [id] = await h.addWebfilters([{ url: `${rx.url}/dead2` }], LOGIN);
      rx.respond(() => ({ status: 500, body: 'down' }));
      for (let i = 0; i < BREAKER.failures; i++) await h.call({ filter_type: LOGIN, data: loginData });
      await new Promise((r) => setTimeout(r, 250));
      await h.call({ filter_type: LOGIN, data: loginData }); // the trial, failing
      await h.logOf([id!]);
      const again = await callRoute(getWebfilter(api('GET', `/api/v1/webfilters/${id}`), ctx(id!)));
      expect(again.body.breaker.state).toBe('open');
      const left = Date.parse(again.body.breaker.until) - Date.now();
      expect(left).toBeGreaterThan(250);
      expect(left).toBeLessThanOrEqual(400);
      await h.removeWebfilters([id!]);
    } finally {
      Object.assign(BREAKER, saved);
    }
  });
});

describe('filter health', () => {
  it('counts what was called: calls, halts, changes, failures and shadow disagreements, per type and per webfilter', async () => {
    const CHANGE = 'org.openedx.learning.course.unenrollment.started.v1';
    const [changer, shadow] = await h.addWebfilters(
      [{ url: `${rx.url}/changer` }, { url: `${rx.url}/shadow-halts`, mode: 'shadow', position: 1 }],
      CHANGE,
    );
    let n = 0;
    rx.respond((req) => {
      if (req.url === '/shadow-halts') return { status: 200, body: JSON.stringify({ exception: { PreventUnenrollment: 'no' } }) };
      n++;
      if (n % 4 === 0) return { status: 500, body: 'down' };
      return { status: 200, body: JSON.stringify({ data: { enrollment: { note: `call ${n}` } } }) };
    });
    for (let i = 0; i < 8; i++) await h.call({ filter_type: CHANGE, data: { enrollment: { id: i } } });
    await h.logOf([changer!, shadow!]);
    const res = await callRoute(stats(api('GET', '/api/v1/filters/stats'), undefined as never));
    expect(res.status).toBe(200);
    const items = (res.body.items as { filter_type: string; webfilter_id: string | null }[]).filter((i) => i.filter_type === CHANGE);
    const byId = new Map(items.map((i) => [i.webfilter_id, i]));
    expect(byId.get(null)).toMatchObject({ calls: 8, halts: 0, changes: 6, failures: 2, shadow_disagreements: 8 });
    expect(byId.get(changer!)).toMatchObject({ calls: 8, halts: 0, changes: 6, failures: 2, shadow_disagreements: 0 });
    expect(byId.get(shadow!)).toMatchObject({ calls: 8, halts: 8, changes: 0, failures: 0, shadow_disagreements: 8 });
    for (const i of items) {
      const x = i as unknown as { p50_ms: number; p95_ms: number; p99_ms: number };
      expect(x.p50_ms).toBeGreaterThan(0);
      expect(x.p50_ms).toBeLessThanOrEqual(x.p95_ms);
      expect(x.p95_ms).toBeLessThanOrEqual(x.p99_ms);
    }
    const bad = await callRoute(stats(api('GET', '/api/v1/filters/stats?from=yesterday'), undefined as never));
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('must be an ISO 8601 time');
    await h.removeWebfilters([changer!, shadow!]);
  });
});

describe('changes the relay refused to apply', () => {
  it('are reported against the call_id of the answer and shown with that call in the log', async () => {
    const { POST: refusedRoute } = await import('../../app/api/filters/[call_id]/refused/route');
    const filters = (await createApiKey(pg.handle.db, { name: 'relay-f', scopes: ['filters'] })).token;
    const relay = requestTo('http://localhost', () => filters);
    const [id] = await h.addWebfilters([{ url: `${rx.url}/grant` }], LOGIN);
    rx.respond(() => ({ status: 200, body: JSON.stringify({ data: { user: { is_superuser: true } } }) }));
    const { body } = await h.call({ filter_type: LOGIN, data: loginData });
    expect(body.call_id).toMatch(/^[0-9a-f-]{36}$/);
    const callCtx = (call_id: string) => ({ params: Promise.resolve({ call_id }) });
    const report = { refused: [{ path: 'user.is_superuser', reason: 'a privilege field (OPENEDX_WEBHOOKS_WRITABLE_FIELDS does not list it)' }] };
    // Sent at once: the log is written just after the answer, and the report waits for it.
    const res = await callRoute(refusedRoute(relay('POST', `/api/filters/${body.call_id}/refused`, report), callCtx(body.call_id)));
    expect(res).toMatchObject({ status: 200, body: { updated: 1 } });
    const [log] = await h.logOf([id!]);
    expect(deliveryJson(log!).outcome).toMatchObject({ result: 'applied', refused_by_relay: report.refused });
    const unknown = await callRoute(refusedRoute(relay('POST', '/api/filters/x/refused', report), callCtx('3f0c6f2e-00e9-11f0-9c1a-0242ac120009')));
    expect(unknown.status).toBe(404);
    const bad = await callRoute(refusedRoute(relay('POST', '/api/filters/x/refused', { refused: [] }), callCtx(body.call_id)));
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('refused must name at least one change.');
    await h.removeWebfilters([id!]);
  });
});
