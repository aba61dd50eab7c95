// SPEC §9 against real receivers on both databases: custom headers (sent, encrypted at rest, never readable back
// through the API or the log), conditions on JSON and form webhooks, excluded fields, and replay of a range.
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { setDb, type DbHandle } from '../../lib/db';
import { deliveries, events, webhooks } from '../../lib/db/schema';
import { ingestEvent } from '../../lib/dispatch/ingest';
import { invalidateTargets } from '../../lib/dispatch/targets';
import type { Worker } from '../../lib/dispatch/worker';
import { DB_KINDS, openTestDb } from '../helpers/db';
import { call, ctx, requestTo } from '../helpers/api';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { ENROLLMENT, enrollmentData, settled, waitUntil, worker } from '../dispatch/harness';
import { POST as create } from '../../app/api/v1/webhooks/route';
import { GET as read, PATCH as patch } from '../../app/api/v1/webhooks/[id]/route';
import { POST as replay } from '../../app/api/v1/webhooks/[id]/replay/route';
import { GET as deliveryDetail } from '../../app/api/v1/deliveries/[id]/route';
import { GET as deliveryList } from '../../app/api/v1/deliveries/route';
import { GET as eventDetail } from '../../app/api/v1/events/[id]/route';

const BASE = 'http://localhost/api/v1/webhooks';
const SECRET_VALUE = 'Bearer s3cr3t-receiver-token-0123456789';

describe.each(DB_KINDS)('webhook options on %s', (kind) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  let token: string;
  let receiver: Receiver;
  let w: Worker | null = null;
  const req = requestTo(BASE, () => token);
  const api = {
    create: (body: unknown) => call(create(req('POST', '', body), undefined as never)),
    read: (id: string) => call(read(req('GET', `/${id}`), ctx(id))),
    patch: (id: string, body: unknown) => call(patch(req('PATCH', `/${id}`, body), ctx(id))),
    replay: (id: string, body: unknown) => call(replay(req('POST', `/${id}/replay`, body), ctx(id))),
  };

  beforeAll(async () => {
    ({ handle, close } = await openTestDb(kind));
    setDb(handle);
    ({ token } = await createApiKey(handle.db, { name: 'admin', scopes: ['admin'] }));
  });
  afterAll(async () => {
    await close();
  });
  beforeEach(async () => {
    setDb(handle);
    receiver = await startReceiver();
    await handle.db.delete(webhooks).where(sql`true`);
    await invalidateTargets(handle);
  });
  afterEach(async () => {
    await w?.stop();
    w = null;
    await receiver.close();
  });

  const hook = async (body: Record<string, unknown>) => {
    const res = await api.create({ event_type: ENROLLMENT, url: `${receiver.url}/hook`, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  };

  it('sends custom headers, stores them encrypted and never returns their values (API, log)', async () => {
    const h = await hook({ headers: { Authorization: SECRET_VALUE, 'X-Tenant': 'acme' } });
    // Encrypted at rest: the clear value is nowhere in the row.
    const [row] = await handle.db.select().from(webhooks).where(eq(webhooks.id, h.id));
    expect(JSON.stringify(row!.headers)).not.toContain('s3cr3t');
    expect(Object.keys(row!.headers).sort()).toEqual(['Authorization', 'X-Tenant']);
    // Never readable back.
    const got = await api.read(h.id);
    expect(got.body.headers).toEqual({ Authorization: '••••', 'X-Tenant': '••••' });
    expect(JSON.stringify(got.body)).not.toContain('s3cr3t');

    w = worker(handle);
    const r = await ingestEvent(handle, { event_type: ENROLLMENT, data: enrollmentData() });
    if (!r.ok) throw new Error(r.error);
    const [d] = await settled(handle, r.body.id);
    expect(d!.status).toBe('succeeded');
    const [received] = await receiver.waitFor(1);
    expect(received!.headers.authorization).toBe(SECRET_VALUE);
    expect(received!.headers['x-tenant']).toBe('acme');
    expect(received!.headers['content-type']).toBe('application/json');
    expect(received!.headers['webhook-signature']).toMatch(/^v1,/);

    // The log shows the names, masked.
    const detail = await call(deliveryDetail(new Request(`http://localhost/api/v1/deliveries/${d!.id}`, {
      headers: { authorization: `Bearer ${token}` },
    }), ctx(String(d!.id))));
    expect(detail.status).toBe(200);
    expect(JSON.stringify(detail.body)).not.toContain('s3cr3t');
    expect(detail.body.attempts[0].request_headers['X-Tenant']).toBe('••••');
    expect(detail.body.attempts[0].request_headers.Authorization).toMatch(/^(••••|\*+)$/);

    // A GET → PATCH round trip ("••••" or blank keeps the value), a removed name goes, a new one is encrypted.
    const p = await api.patch(h.id, { headers: { Authorization: '••••', 'X-Other': 'two' } });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.headers).toEqual({ Authorization: '••••', 'X-Other': '••••' });
    const r2 = await ingestEvent(handle, { event_type: ENROLLMENT, data: enrollmentData() });
    if (!r2.ok) throw new Error(r2.error);
    await settled(handle, r2.body.id);
    const second = (await receiver.waitFor(2))[1]!;
    expect(second.headers.authorization).toBe(SECRET_VALUE);
    expect(second.headers['x-other']).toBe('two');
    expect(second.headers['x-tenant']).toBeUndefined();
  });

  it('refuses reserved and invalid header names and values with a 400 and a sentence, changing nothing', async () => {
    for (const [headers, words] of [
      [{ 'webhook-signature': 'x' }, /reserved/],
      [{ 'Content-Type': 'text/plain' }, /set by the service/],
      [{ Host: 'evil' }, /set by the service/],
      [{ Connection: 'close' }, /set by the service/],
      [{ 'bad name': 'x' }, /not a valid header name/],
      [{ 'X-Ok': 'line\r\nInjected: 1' }, /printable text on one line/],
      [{ 'X-New': '' }, /Give a value/],
    ] as const) {
      const res = await api.create({ event_type: ENROLLMENT, url: `${receiver.url}/hook`, headers });
      expect(res.status, JSON.stringify(headers)).toBe(400);
      expect(res.body.error).toMatch(words);
    }
    expect(await handle.db.$count(webhooks)).toBe(0);
  });

  it.each([false, true])('delivers only where every condition holds and says why the others were skipped (form: %s)', async (form) => {
    const match = await hook({
      use_www_form_encoding: form,
      conditions: [
        { path: 'enrollment.course.course_key', op: 'starts_with', value: 'course-v1:edX+' },
        { path: 'enrollment.mode', op: 'in', value: ['audit', 'verified'] },
        { path: 'enrollment.user.pii.email', op: 'exists' },
      ],
    });
    const miss = await hook({
      use_www_form_encoding: form,
      conditions: [
        { path: 'enrollment.course.course_key', op: 'starts_with', value: 'course-v1:edX+' },
        { path: 'enrollment.course.course_key', op: 'starts_with', value: 'course-v1:MyOrg+' },
      ],
    });
    // event_metadata is not part of what conditions see.
    const metaOnly = await hook({ conditions: [{ path: 'event_metadata.event_type', op: 'exists' }] });
    w = worker(handle);
    const r = await ingestEvent(handle, { event_type: ENROLLMENT, data: enrollmentData() });
    if (!r.ok) throw new Error(r.error);
    expect(r.body.deliveries).toBe(1);
    const ds = await settled(handle, r.body.id);
    expect(ds.map((d) => d.targetId)).toEqual([match.id]);
    const [got] = await receiver.waitFor(1);
    expect(got!.headers['content-type']).toBe(form ? 'application/x-www-form-urlencoded' : 'application/json');
    const [ev] = await handle.db.select().from(events).where(eq(events.id, r.body.id));
    expect(ev!.skipped).toEqual([
      { webhook_id: miss.id, reason: expect.stringMatching(/enrollment\.course\.course_key is "course-v1:edX\+DemoX\+Demo_Course", which does not start with "course-v1:MyOrg\+"/) },
      { webhook_id: metaOnly.id, reason: expect.stringMatching(/event_metadata\.event_type does not exist/) },
    ]);
    expect(receiver.requests).toHaveLength(1);
    // The event's detail says which webhooks were skipped and why.
    const detail = await call(eventDetail(new Request(`http://localhost/api/v1/events/${r.body.id}`, {
      headers: { authorization: `Bearer ${token}` },
    }), ctx(r.body.id)));
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: r.body.id, event_type: ENROLLMENT, deliveries: 1 });
    expect(detail.body.skipped.map((s: { webhook_id: string }) => s.webhook_id)).toEqual([miss.id, metaOnly.id]);
  });

  it.each([false, true])('removes excluded fields from the body (form: %s)', async (form) => {
    await hook({ use_www_form_encoding: form, exclude_fields: ['enrollment.user.pii.email', 'enrollment.course.display_name', 'no.such.path'] });
    w = worker(handle);
    const r = await ingestEvent(handle, { event_type: ENROLLMENT, data: enrollmentData() });
    if (!r.ok) throw new Error(r.error);
    await settled(handle, r.body.id);
    const [got] = await receiver.waitFor(1);
    expect(got!.body).not.toContain('jane.doe');
    expect(got!.body).not.toContain('Demonstration Course');
    if (form) {
      const f = new URLSearchParams(got!.body);
      expect(f.has('enrollment_user_pii_email')).toBe(false);
      expect(f.get('enrollment_user_pii_username')).toBe('jdoe');
      expect(f.get('event_metadata_id')).toBe(r.body.id);
    } else {
      const b = JSON.parse(got!.body);
      expect(b.enrollment.user.pii).toEqual({ username: 'jdoe', name: 'Jane Doe' });
      expect(b.enrollment.course.course_key).toBe('course-v1:edX+DemoX+Demo_Course');
      expect(b.event_metadata.id).toBe(r.body.id);
    }
  });

  it('validates conditions, exclusions and the rate limit with a sentence', async () => {
    const bad = [
      [{ conditions: [{ path: 'a b', op: 'equals', value: 1 }] }, /dotted keys/],
      [{ conditions: [{ path: 'a', op: 'like', value: 1 }] }, /op must be one of/],
      [{ conditions: [{ path: 'a', op: 'in', value: 'x' }] }, /non-empty list/],
      [{ conditions: [{ path: 'a', op: 'exists', value: 1 }] }, /takes no value/],
      [{ exclude_fields: ['event_metadata.id'] }, /cannot be excluded/],
      [{ rate_limit_per_second: 0 }, /at least 1/],
      [{ rate_limit_per_second: 1.5 }, /whole number/],
    ] as const;
    for (const [body, words] of bad) {
      const res = await api.create({ event_type: ENROLLMENT, url: `${receiver.url}/hook`, ...body });
      expect([400, 422], JSON.stringify(body)).toContain(res.status);
      expect(res.body.error, JSON.stringify(body)).toMatch(words);
    }
    expect(await handle.db.$count(webhooks)).toBe(0);
    const ok = await hook({ rate_limit_per_second: 5 });
    expect((await api.read(ok.id)).body.rate_limit_per_second).toBe(5);
    expect((await api.patch(ok.id, { rate_limit_per_second: null })).body.rate_limit_per_second).toBeNull();
  });

  it('replays exactly the stored events of its type in the range, marked replay; dry_run only counts', async () => {
    await handle.db.delete(deliveries).where(sql`true`);
    await handle.db.delete(events).where(sql`true`);
    const h = await hook({});
    await handle.db.update(webhooks).set({ enabled: false }).where(eq(webhooks.id, h.id));
    await invalidateTargets(handle);
    // Events stored while the webhook was off: three in the range, one before, one after, one of another type.
    const ids: string[] = [];
    const at = (iso: string) => new Date(iso);
    const store = async (when: string, type = ENROLLMENT) => {
      const data = type === ENROLLMENT ? enrollmentData() : { enrollment: enrollmentData().enrollment };
      const r = await ingestEvent(handle, { event_type: type, data }, at(when));
      if (!r.ok) throw new Error(r.error);
      await handle.db.update(events).set({ receivedAt: at(when) }).where(eq(events.id, r.body.id));
      return r.body.id;
    };
    await store('2026-01-01T09:59:59Z');
    ids.push(await store('2026-01-01T10:00:00Z'));
    ids.push(await store('2026-01-01T10:30:00Z'));
    ids.push(await store('2026-01-01T10:59:59Z'));
    await store('2026-01-01T11:00:00Z');
    await store('2026-01-01T10:15:00Z', 'org.openedx.learning.course.enrollment.changed.v1');
    expect(await handle.db.$count(deliveries)).toBe(0);

    const range = { from: '2026-01-01T10:00:00Z', to: '2026-01-01T11:00:00Z' };
    const disabled = await api.replay(h.id, range);
    expect(disabled.status).toBe(422);
    expect(disabled.body.error).toMatch(/disabled/);
    await api.patch(h.id, { enabled: true });

    const dry = await api.replay(h.id, { ...range, dry_run: true });
    expect(dry).toMatchObject({ status: 200, body: { deliveries: 3 } });
    expect(await handle.db.$count(deliveries)).toBe(0);

    for (const [body, words] of [
      [{ from: 'yesterday', to: range.to }, /ISO-8601/],
      [{ from: range.to, to: range.from }, /before/],
      [{ from: range.from }, /"to"/],
    ] as const) {
      const res = await api.replay(h.id, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(words);
    }
    expect((await api.replay('00000000-0000-4000-8000-000000000000', range)).status).toBe(404);

    w = worker(handle);
    const res = await api.replay(h.id, range);
    expect(res).toMatchObject({ status: 200, body: { deliveries: 3 } });
    const got = await receiver.waitFor(3);
    await waitUntil(async () => (await handle.db.select().from(deliveries)).every((d) => d.status === 'succeeded'));
    expect(got.map((g) => g.headers['webhook-id']).sort()).toEqual([...ids].sort());
    expect(got.map((g) => JSON.parse(g.body).event_metadata.time).sort()).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:30:00.000Z',
      '2026-01-01T10:59:59.000Z',
    ]);
    const log = await call(deliveryList(new Request('http://localhost/api/v1/deliveries', {
      headers: { authorization: `Bearer ${token}` },
    }), undefined as never));
    expect(log.body.items).toHaveLength(3);
    expect(log.body.items.every((d: { replay: boolean }) => d.replay === true)).toBe(true);

    // The same range again is another replay, not refused by "one delivery per event and webhook".
    expect((await api.replay(h.id, range)).body.deliveries).toBe(3);
    await receiver.waitFor(6);
  });
});
