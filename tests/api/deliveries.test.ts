// The deliveries management API: keyset pages, filters, 400/404, masking, retry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createApiKey } from '../../lib/auth/api-keys';
import { setDb, type DbHandle } from '../../lib/db';
import { deliveries } from '../../lib/db/schema';
import { MASK } from '../../lib/deliveries/mask';
import { pgliteDb } from '../helpers/db';
import { ENROLLED, FILTER_A, HOOK_A, HOOK_B, REG_FILTER, REGISTERED, seedAttempt, seedDeliveries } from '../deliveries/seed';
import { GET as list } from '../../app/api/v1/deliveries/route';
import { GET as detail } from '../../app/api/v1/deliveries/[id]/route';
import { POST as retry } from '../../app/api/v1/deliveries/[id]/retry/route';

let handle: DbHandle;
let token: string;
const BASE = 'http://localhost/api/v1/deliveries';

const auth = (t = token) => ({ authorization: `Bearer ${t}` });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

async function getList(query: string) {
  const res = await list(new Request(`${BASE}?${query}`, { headers: auth() }), undefined as never);
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  handle = await pgliteDb();
  setDb(handle);
  ({ token } = await createApiKey(handle.db, { name: 'admin', scopes: ['admin'] }));
});
afterAll(() => handle.close());

describe('GET /api/v1/deliveries', () => {
  it('pages newest first and stays stable while new deliveries arrive', async () => {
    await handle.db.delete(deliveries).where(eq(deliveries.targetId, HOOK_B));
    const original = await seedDeliveries(handle.db, Array.from({ length: 23 }, () => ({ targetId: HOOK_B })));
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await getList(`target_id=${HOOK_B}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      const ids = body.items.map((d: { id: number }) => d.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      seen.push(...ids);
      cursor = body.next_cursor;
      pages++;
      // New deliveries keep arriving between pages; the pages already opened do not shift.
      await seedDeliveries(handle.db, [{ targetId: HOOK_B }, { targetId: HOOK_B }]);
    } while (cursor);
    const expected = original.map((d) => d.id).sort((a, b) => b - a);
    expect(pages).toBe(5);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('combines filters', async () => {
    await seedDeliveries(handle.db, [
      { status: 'failed', eventType: REGISTERED, targetId: HOOK_A, lastStatusCode: 500 },
      { status: 'failed', eventType: REGISTERED, targetId: HOOK_A, lastStatusCode: 503 },
      { status: 'failed', eventType: ENROLLED, targetId: HOOK_A },
      { status: 'succeeded', eventType: REGISTERED, targetId: HOOK_A },
      { status: 'failed', eventType: REGISTERED, targetId: HOOK_B },
      { kind: 'webfilter', status: 'failed', eventType: REG_FILTER, targetId: FILTER_A },
    ]);
    const { body } = await getList(`status=failed&event_type=${REGISTERED}&target_id=${HOOK_A}&kind=webhook`);
    expect(body.items.map((d: { last_status_code: number }) => d.last_status_code)).toEqual([503, 500]);
    expect(body.next_cursor).toBeNull();

    const byKind = await getList('kind=webfilter');
    expect(byKind.body.items.length).toBeGreaterThan(0);
    expect(byKind.body.items.every((d: { kind: string }) => d.kind === 'webfilter')).toBe(true);

    // A signal name is accepted for the event type.
    const bySignal = await getList(`event_type=STUDENT_REGISTRATION_COMPLETED&status=failed&target_id=${HOOK_A}`);
    expect(bySignal.body.items).toHaveLength(2);

    const item = body.items[0];
    expect(Object.keys(item).sort()).toEqual(
      [
        'id', 'kind', 'event_id', 'target_id', 'event_type', 'url', 'status', 'attempt_count', 'next_attempt_at',
        'last_status_code', 'last_error', 'last_duration_ms', 'outcome', 'request_id', 'replay', 'created_at', 'updated_at', 'completed_at',
      ].sort(),
    );
  });

  it('filters by event id and time range', async () => {
    const [a] = await seedDeliveries(handle.db, [{ createdAt: new Date('2020-01-01T10:30:00Z') }]);
    const byEvent = await getList(`event_id=${a!.eventId}`);
    expect(byEvent.body.items.map((d: { id: number }) => d.id)).toEqual([a!.id]);
    const inRange = await getList('from=2020-01-01T10:00:00Z&to=2020-01-01T11:00:00Z');
    expect(inRange.body.items.map((d: { id: number }) => d.id)).toEqual([a!.id]);
    const outside = await getList('from=2020-01-01T11:00:00Z&to=2020-01-01T12:00:00Z');
    expect(outside.body.items).toEqual([]);
  });

  it('answers 400 with issues for bad values', async () => {
    for (const q of ['limit=0', 'limit=201', 'limit=abc', 'status=done', 'kind=email', 'target_id=nope', 'cursor=-3', 'from=yesterday']) {
      const { status, body } = await getList(q);
      expect(status, q).toBe(400);
      expect(body.issues[0].path, q).toBe(q.split('=')[0]);
      expect(body.error).toMatch(/not valid/);
    }
    expect((await getList('limit=200')).status).toBe(200);
  });

  it('needs an admin key', async () => {
    const anon = await list(new Request(BASE, { headers: { authorization: 'Bearer nope-nope-nope' } }), undefined as never);
    expect(anon.status).toBe(401);
    const { token: events } = await createApiKey(handle.db, { name: 'lms', scopes: ['events'] });
    const res = await list(new Request(BASE, { headers: auth(events) }), undefined as never);
    expect(res.status).toBe(403);
  });
});

describe('GET /api/v1/deliveries/{id}', () => {
  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of ['999999999', 'abc', '-1', '1.5', '0', '99999999999999999999']) {
      const res = await detail(new Request(`${BASE}/${id}`, { headers: auth() }), ctx(id));
      expect(res.status, id).toBe(404);
      expect((await res.json()).error).toBeTruthy();
    }
  });

  it('shows the request, the attempts and the response with sensitive values masked', async () => {
    const body = JSON.stringify({
      user: { id: 7, password: 'hunter2', profile: { api_key: 'k-123', name: 'Ada' } },
      token: 'abc',
      event_metadata: { id: 'x' },
    });
    const [d] = await seedDeliveries(handle.db, [
      {
        status: 'failed',
        attemptCount: 2,
        url: 'https://hooks.example.org/in?token=s3cr3t&x=1',
        requestHeaders: { 'content-type': 'application/json', Authorization: 'Bearer abc.def' },
        requestBody: body,
        lastStatusCode: 500,
      },
    ]);
    await seedAttempt(handle.db, d!.id, { attemptNo: 1, responseStatus: null, responseHeaders: null, responseBody: null, error: 'connect ECONNREFUSED' });
    await seedAttempt(handle.db, d!.id, {
      attemptNo: 2,
      requestHeaders: { 'webhook-id': d!.eventId, 'x-api-key': 'zzz' },
      responseStatus: 500,
      responseHeaders: { 'content-type': 'application/json', 'set-cookie': 'sid=1' },
      responseBody: '{"error":"boom","client_secret":"shh"}',
    });
    const res = await detail(new Request(`${BASE}/${d!.id}`, { headers: auth() }), ctx(String(d!.id)));
    expect(res.status).toBe(200);
    const json = await res.json();
    const text = JSON.stringify(json);
    for (const secret of ['hunter2', 'k-123', 'abc.def', 's3cr3t', 'zzz', 'shh', 'sid=1']) expect(text).not.toContain(secret);

    const sent = JSON.parse(json.request.body);
    expect(sent.user.password).toBe(MASK);
    expect(sent.user.profile).toEqual({ api_key: MASK, name: 'Ada' });
    expect(sent.token).toBe(MASK);
    expect(json.request.headers.Authorization).toBe(`Bearer ${MASK}`);
    expect(json.url).toBe(`https://hooks.example.org/in?token=${encodeURIComponent(MASK)}&x=1`);
    expect(json.attempts.map((a: { attempt_no: number }) => a.attempt_no)).toEqual([1, 2]);
    expect(json.attempts[0].error).toBe('connect ECONNREFUSED');
    expect(json.response.status_code).toBe(500);
    expect(JSON.parse(json.response.body)).toEqual({ error: 'boom', client_secret: MASK });

    // The stored request is intact, so a retry sends what was sent before.
    const [stored] = await handle.db.select().from(deliveries).where(eq(deliveries.id, d!.id));
    expect(stored!.requestBody).toBe(body);
    expect(stored!.url).toContain('token=s3cr3t');
  });

  it('masks form-encoded bodies field by field', async () => {
    const form = 'user_username=ada&user_password=hunter2&event_metadata_id=1&csrf_token=';
    const [d] = await seedDeliveries(handle.db, [
      { requestHeaders: { 'content-type': 'application/x-www-form-urlencoded' }, requestBody: form },
    ]);
    const res = await detail(new Request(`${BASE}/${d!.id}`, { headers: auth() }), ctx(String(d!.id)));
    const json = await res.json();
    expect(json.request.body).toBe(`user_username=ada&user_password=${encodeURIComponent(MASK)}&event_metadata_id=1&csrf_token=`);
  });
});

describe('POST /api/v1/deliveries/{id}/retry', () => {
  it('sets a failed webhook delivery pending, due now', async () => {
    const [d] = await seedDeliveries(handle.db, [{ status: 'failed', attemptCount: 8, completedAt: new Date() }]);
    const res = await retry(new Request(`${BASE}/${d!.id}/retry`, { method: 'POST', headers: auth() }), ctx(String(d!.id)));
    expect(res.status).toBe(202);
    const json = await res.json();
    expect(json).toMatchObject({ id: d!.id, status: 'pending', attempt_count: 8, completed_at: null });
    const [row] = await handle.db.select().from(deliveries).where(eq(deliveries.id, d!.id));
    expect(row!.status).toBe('pending');
    expect(row!.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('refuses webfilter calls with 409 and unknown ids with 404', async () => {
    const [f] = await seedDeliveries(handle.db, [{ kind: 'webfilter', status: 'failed', targetId: FILTER_A, eventType: REG_FILTER }]);
    const res = await retry(new Request(`${BASE}/${f!.id}/retry`, { method: 'POST', headers: auth() }), ctx(String(f!.id)));
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatch(/synchronous/);
    const [row] = await handle.db.select().from(deliveries).where(eq(deliveries.id, f!.id));
    expect(row!.status).toBe('failed');

    for (const id of ['987654321', 'x']) {
      const r = await retry(new Request(`${BASE}/${id}/retry`, { method: 'POST', headers: auth() }), ctx(id));
      expect(r.status).toBe(404);
    }
  });
});
