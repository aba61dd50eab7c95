// A learner's retirement (SPEC §13) on PGlite and PostgreSQL: events for two learners, deliveries done and
// pending, a webfilter call; retiring one erases them from every stored body (events, delivery requests and
// responses, filter calls and outcomes), leaves the other learner untouched, cancels their pending deliveries,
// audits counts only, emits openedx_webhooks.user.retired.v1, and the export answers what is stored of a learner.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import type { DbHandle } from '../../lib/db';
import { setDb } from '../../lib/db';
import { auditLog, deliveries, events as eventsTable, webfilters } from '../../lib/db/schema';
import { flushFilterLogs } from '../../lib/dispatch/filters/log';
import { invalidateTargets } from '../../lib/dispatch/targets';
import { eraseText } from '../../lib/personal/retire';
import { GET as exportRoute } from '../../app/api/v1/retirements/export/route';
import { GET as listRoute, POST as retireRoute } from '../../app/api/v1/retirements/route';
import { POST as filtersRoute } from '../../app/api/filters/route';
import { call, requestTo } from '../helpers/api';
import { freshPostgres, pgliteDb } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { addWebhook, ENROLLMENT, enrollmentData, eventEnv, post } from '../dispatch/harness';

const ADA = { id: 7, username: 'ada_l', email: 'ada@example.org', name: 'Ada Lovelace' };
const BOB = { id: 8, username: 'bob_b', email: 'bob@example.org', name: 'Bob Babbage' };
const learner = (p: typeof ADA) => enrollmentData({ user: { id: p.id, is_active: true, pii: { username: p.username, email: p.email, name: p.name } } });

describe.each([
  ['PGlite', async () => ({ handle: await pgliteDb(), drop: async (h: DbHandle) => h.close() })],
  ['PostgreSQL', async () => {
    const pg = await freshPostgres({ max: 4 });
    return { handle: pg.handle, drop: async () => pg.drop() };
  }],
] as const)('retirement on %s', (_name, open) => {
  let handle: DbHandle;
  let drop: (h: DbHandle) => Promise<void>;
  let rx: Receiver;
  let keys: { events: string; filters: string; admin: string };
  const api = requestTo('http://localhost', () => keys.admin);

  beforeAll(async () => {
    eventEnv({ ALLOW_PRIVATE_TARGETS: '1', WORKER: 'off', DATABASE_URL: 'postgres://unused' });
    ({ handle, drop } = await open());
    setDb(handle);
    keys = {
      events: (await createApiKey(handle.db, { name: 'lms', scopes: ['events'] })).token,
      filters: (await createApiKey(handle.db, { name: 'lms-f', scopes: ['filters'] })).token,
      admin: (await createApiKey(handle.db, { name: 'owner', scopes: ['admin'] })).token,
    };
    // The receiver echoes what it got, so the stored responses hold the learners' data too.
    rx = await startReceiver((req) => ({ status: 200, body: req.body }));
    await addWebhook(handle, { url: `${rx.url}/hook` });
    await addWebhook(handle, { url: `${rx.url}/form`, useWwwFormEncoding: true });
    await handle.db.insert(webfilters).values({ filterType: 'org.openedx.learning.student.login.requested.v1', url: `${rx.url}/filter`, position: 0 });
    await invalidateTargets(handle);
    for (const p of [ADA, BOB, ADA]) expect((await post({ event_type: ENROLLMENT, data: learner(p) }, { token: keys.events })).status).toBe(202);
    // Ada's first event delivered (with the receiver's echo stored as the response); the rest stay pending.
    const [first] = await handle.rows<{ id: number; request_body: string }>(sql`select id, request_body from deliveries where kind = 'webhook' order by id limit 1`);
    await handle.rows(sql`update deliveries set status = 'succeeded', attempt_count = 1 where id = ${first!.id}`);
    await handle.rows(sql`insert into delivery_attempts (delivery_id, attempt_no, started_at, duration_ms, response_status, response_body)
      values (${first!.id}, 1, now(), 3, 200, ${first!.request_body})`);
    for (const p of [ADA, BOB]) {
      const res = await filtersRoute(
        new Request('http://localhost/api/filters', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.filters}` },
          body: JSON.stringify({ filter_type: 'StudentLoginRequested', data: { user: { id: p.id, username: p.username, email: p.email } } }),
        }),
        undefined,
      );
      expect(res.status).toBe(200);
    }
    await flushFilterLogs();
  }, 120_000);

  afterAll(async () => {
    await rx.close();
    await drop(handle);
    eventEnv({ ALLOW_PRIVATE_TARGETS: '', WORKER: '', DATABASE_URL: '' });
  });

  /** Every stored text that could hold personal data, as one string. */
  async function everything(): Promise<string> {
    const rows = await handle.rows<{ t: string }>(sql`
      select coalesce(data::text, '') as t from events
      union all select coalesce(request_body, '') || coalesce(outcome::text, '') from deliveries
      union all select coalesce(response_body, '') from delivery_attempts`);
    return rows.map((r) => r.t).join('\n');
  }

  it('refuses a request naming nobody, with one sentence, and changes nothing', async () => {
    const res = await call(retireRoute(api('POST', '/api/v1/retirements', {}), undefined as never));
    expect(res.status).toBe(422);
    expect(res.body.error).toContain('Give at least one of user_id, username or email.');
    const other = await call(retireRoute(requestTo('http://localhost', () => keys.filters)('POST', '/api/v1/retirements', { user_id: 7 }), undefined as never));
    expect(other.status).toBe(403);
  });

  it("erases one learner's data everywhere, keeps the other's, cancels their pending deliveries, audits counts only", async () => {
    const before = await everything();
    for (const v of [ADA.username, ADA.email, BOB.username, BOB.email, 'ada%40example.org']) expect(before).toContain(v);
    const [{ n: rowsBefore }] = (await handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries`)) as [{ n: number }];

    // The relay's own key ("events") may retire.
    const res = await call(retireRoute(requestTo('http://localhost', () => keys.events)('POST', '/api/v1/retirements', { user_id: ADA.id, username: ADA.username, email: ADA.email }), undefined as never));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'done' });

    const after = await everything();
    for (const v of [ADA.username, ADA.email, 'ada%40example.org']) expect(after).not.toContain(v);
    for (const v of [BOB.username, BOB.email]) expect(after).toContain(v);
    expect(after).toContain('[retired]');
    const [{ n: rowsAfter }] = (await handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries`)) as [{ n: number }];
    expect(rowsAfter).toBe(rowsBefore); // rows kept: counts and history stay

    const byStatus = await handle.rows<{ status: string; n: number }>(sql`
      select d.status, count(*)::int as n from deliveries d join events e on e.id = d.event_id where d.kind = 'webhook' group by d.status order by 1`);
    // Ada: 2 events × 2 webhooks, one delivered: 3 cancelled. Bob's 2 stay pending.
    expect(byStatus).toEqual([{ status: 'cancelled', n: 3 }, { status: 'pending', n: 2 }, { status: 'succeeded', n: 1 }]);

    const list = await call(listRoute(api('GET', '/api/v1/retirements'), undefined as never));
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: res.body.id, user_id: 7, events: 2, deliveries: 4, filter_calls: 1, cancelled: 3, done_at: expect.any(String) }),
    ]);
    const [entry] = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'learner.retired'));
    expect(JSON.stringify(entry)).not.toMatch(/ada_l|ada@example\.org|Lovelace/);
    expect(entry!.changes).toMatchObject({ user_id: { after: 7 }, events: { after: 2 }, cancelled: { after: 3 } });

    const [event] = await handle.db.select().from(eventsTable).where(eq(eventsTable.eventType, 'openedx_webhooks.user.retired.v1'));
    expect(Object.keys(event!.data as object).sort()).toEqual(['retired_at', 'user_id']);
    expect((event!.data as { user_id: number }).user_id).toBe(7);
  });

  it('with an Idempotency-Key: a request sent again is the same retirement (one row, one audit, one event); another learner is another', async () => {
    const send = (body: unknown, key: string) => {
      const req = requestTo('http://localhost', () => keys.events)('POST', '/api/v1/retirements', body);
      req.headers.set('idempotency-key', key);
      return call(retireRoute(req, undefined as never));
    };
    const count = async (q: ReturnType<typeof sql>) => ((await handle.rows<{ n: number }>(q))[0]!.n);
    const audits = () => count(sql`select count(*)::int as n from audit_log where action = 'learner.retired'`);
    const emitted = () => count(sql`select count(*)::int as n from events where event_type = 'openedx_webhooks.user.retired.v1'`);
    const [a0, e0, r0] = [await audits(), await emitted(), await count(sql`select count(*)::int as n from retirements`)];

    const key = 'retirement:3f0c8f0e-8a3a-4b55-9d2c-6b1d2f1e9a01';
    // Two copies at once (the relay's answer lost, sent again while the first still runs), then a third later.
    const [first, second] = await Promise.all([send({ user_id: 99, username: 'gone_user' }, key), send({ user_id: 99, username: 'gone_user' }, key)]);
    const third = await send({ user_id: 99, username: 'gone_user' }, key);
    for (const r of [first, second, third]) expect(r).toMatchObject({ status: 202, body: { id: first.body.id, status: 'done' } });
    expect([await audits(), await emitted(), await count(sql`select count(*)::int as n from retirements`)]).toEqual([a0 + 1, e0 + 1, r0 + 1]);

    // The same key for another learner is never taken for the first one's retirement.
    const other = await send({ user_id: 100 }, key);
    expect(other.status).toBe(202);
    expect(other.body.id).not.toBe(first.body.id);
    expect(await audits()).toBe(a0 + 2);

    const bad = await send({ user_id: 101 }, 'a key with spaces');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('The Idempotency-Key header must be 1 to 200 visible characters (a UUID, for example).');
    expect(await audits()).toBe(a0 + 2);
    // The stored key is a hash of the key and the request: neither the key nor the learner can be read from it.
    const stored = await handle.rows<{ k: string }>(sql`select request_key as k from retirements where request_key is not null`);
    expect(stored.map((r) => r.k).every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true);
  });

  it("exports what is stored of a learner (owners), and Ada's export now holds no personal data", async () => {
    const bob = await call(exportRoute(api('GET', `/api/v1/retirements/export?email=${encodeURIComponent(BOB.email)}`), undefined as never));
    expect(bob.status).toBe(200);
    expect(bob.body.events).toHaveLength(1);
    expect(bob.body.deliveries.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(bob.body)).toContain(BOB.username);
    const ada = await call(exportRoute(api('GET', `/api/v1/retirements/export?email=${encodeURIComponent(ADA.email)}`), undefined as never));
    expect(ada.body).toEqual({ events: [], deliveries: [] });
    const bad = await call(exportRoute(api('GET', '/api/v1/retirements/export'), undefined as never));
    expect(bad.status).toBe(422);
    const cancelled = await handle.db.select().from(deliveries).where(eq(deliveries.status, 'cancelled'));
    expect(cancelled.every((d) => d.lastError === 'Cancelled: the learner was retired (SPEC §13).')).toBe(true);
  });
});

describe('eraseText', () => {
  const who = { userId: 7, values: ['ada_l', 'ada@example.org'] };
  it('rewrites JSON by value and key, form bodies by every spelling, and text cut short', () => {
    expect(eraseText('{"user":{"id":7,"pii":{"username":"ada_l"}},"course_id":7}', who).text).toBe('{"user":{"id":"[retired]","pii":{"username":"[retired]"}},"course_id":7}');
    expect(eraseText('user_pii_email=ada%40example.org&user_id=7&n=7', who).text).toBe('user_pii_email=%5Bretired%5D&user_id=%5Bretired%5D&n=7');
    expect(eraseText('{"cut": "ada@example.org", "user_id": 7, "x": "ab', who).text).toBe('{"cut": "[retired]", "user_id": "[retired]", "x": "ab');
    expect(eraseText('nothing here', who)).toEqual({ text: 'nothing here', changed: false });
  });
});
