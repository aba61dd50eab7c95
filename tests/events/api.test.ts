// POST /api/events (SPEC §3) on embedded PGlite: accepted events are stored with their deliveries before
// the answer, duplicates store nothing, and every error answers one clear sentence with nothing stored.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { sampleEventData, EVENTS } from '../../lib/catalog';
import type { DbHandle } from '../../lib/db';
import { events, webhooks } from '../../lib/db/schema';
import { invalidateTargets } from '../../lib/dispatch/targets';
import { pgliteDb } from '../helpers/db';
import {
  ENROLLMENT, addWebhook, deliveriesOf, enrollmentData, eventEnv, eventsToken, post, rowCounts,
} from '../dispatch/harness';

let handle: DbHandle;
let token: string;

beforeAll(async () => {
  eventEnv({ MAX_BODY_BYTES: '4096', ALLOW_PRIVATE_TARGETS: '1' });
  handle = await pgliteDb();
  token = await eventsToken(handle);
  await addWebhook(handle, { url: 'http://127.0.0.1:9/a' });
  await addWebhook(handle, { url: 'http://127.0.0.1:9/b', useWwwFormEncoding: true });
  await addWebhook(handle, { url: 'http://127.0.0.1:9/off', enabled: false });
  await addWebhook(handle, { url: 'http://127.0.0.1:9/other', eventType: 'org.openedx.learning.certificate.created.v1' });
});
afterAll(async () => {
  eventEnv({ MAX_BODY_BYTES: '', ALLOW_PRIVATE_TARGETS: '' });
  await handle.close();
});

describe('accepted events', () => {
  it('answers 202 with the event id, its type and the number of enabled webhooks, all stored first', async () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const res = await post({ event_type: ENROLLMENT, data: enrollmentData(), metadata: { id } }, { token });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ id, event_type: ENROLLMENT, deliveries: 2 });

    const [event] = await handle.db.select().from(events).where(eq(events.id, id));
    expect(event).toMatchObject({ eventType: ENROLLMENT, signal: 'COURSE_ENROLLMENT_CREATED', deliveryCount: 2 });
    const rows = await deliveriesOf(handle, id);
    expect(rows.map((r) => [r.url, r.status, r.kind, r.requestHeaders])).toEqual([
      ['http://127.0.0.1:9/a', 'pending', 'webhook', { 'content-type': 'application/json' }],
      ['http://127.0.0.1:9/b', 'pending', 'webhook', { 'content-type': 'application/x-www-form-urlencoded' }],
    ]);
    expect(rows.every((r) => r.nextAttemptAt !== null && r.attemptCount === 0)).toBe(true);
  });

  it('takes the signal name and fills in a missing id and time', async () => {
    const before = Date.now();
    const res = await post({ event_type: 'COURSE_ENROLLMENT_CREATED', data: enrollmentData() }, { token });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({ event_type: ENROLLMENT, deliveries: 2 });
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [event] = await handle.db.select().from(events).where(eq(events.id, body.id));
    const meta = event!.metadata as Record<string, unknown>;
    expect(Date.parse(meta.time as string)).toBeGreaterThanOrEqual(before - 1);
    expect(meta.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('normalises the LMS time (Python str() or any offset) to UTC ISO with milliseconds', async () => {
    const res = await post(
      { event_type: ENROLLMENT, data: enrollmentData(), metadata: { time: '2025-03-14 17:12:03.402118+02:00', minorversion: 0 } },
      { token },
    );
    const { id } = await res.json();
    const [event] = await handle.db.select().from(events).where(eq(events.id, id));
    expect((event!.metadata as { time: string }).time).toBe('2025-03-14T15:12:03.402Z');
  });

  it('answers 202 with 0 deliveries when no webhook listens, and still stores the event', async () => {
    const res = await post({ event_type: 'SESSION_LOGIN_COMPLETED', data: sampleEventData(EVENTS.find((e) => e.signal === 'SESSION_LOGIN_COMPLETED')!) }, { token });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body.deliveries).toBe(0);
    expect(await handle.db.select().from(events).where(eq(events.id, body.id))).toHaveLength(1);
  });

  it('accepts every catalog event with its sample data', async () => {
    for (const e of EVENTS) {
      const res = await post({ event_type: e.eventType, data: sampleEventData(e) }, { token });
      expect(res.status, e.signal).toBe(202);
    }
  });

  it('answers a repeated metadata.id with 200, the same body and "duplicate": true, storing nothing', async () => {
    const id = 'c8bee32c-00ea-11f0-baf0-0242ac120006';
    const first = await post({ event_type: ENROLLMENT, data: enrollmentData(), metadata: { id } }, { token });
    expect(first.status).toBe(202);
    const firstBody = await first.json();
    const before = await rowCounts(handle);
    // Even with another webhook now listening, the repeat changes nothing.
    const extra = await addWebhook(handle, { url: 'http://127.0.0.1:9/late' });
    const again = await post({ event_type: 'COURSE_ENROLLMENT_CREATED', data: enrollmentData(), metadata: { id: id.toUpperCase() } }, { token });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ...firstBody, duplicate: true });
    expect(await rowCounts(handle)).toEqual(before);
    expect(await deliveriesOf(handle, id)).toHaveLength(2);
    await handle.db.delete(webhooks).where(eq(webhooks.id, extra.id));
    await invalidateTargets(handle);
  });
});

describe('errors (SPEC §3): one clear sentence, nothing stored', () => {
  let adminToken: string;
  beforeAll(async () => {
    adminToken = (await createApiKey(handle.db, { name: 'admin', scopes: ['admin', 'filters'] })).token;
  });
  const valid = () => ({ event_type: ENROLLMENT, data: enrollmentData() });

  it.each([
    ['400 malformed JSON', () => post(null, { token, raw: '{"event_type": ' }), 400, /not valid JSON/],
    ['400 empty body', () => post(null, { token, raw: '' }), 400, /empty/],
    ['400 not an object', () => post([1, 2], { token }), 400, /must be a JSON object with "event_type" and "data"/],
    ['400 event_type missing', () => post({ data: enrollmentData() }, { token }), 400, /event_type must be a string/],
    ['400 data missing', () => post({ event_type: ENROLLMENT }, { token }), 400, /data must be an object/],
    ['400 data not an object', () => post({ event_type: ENROLLMENT, data: [1] }, { token }), 400, /data/],
    ['400 metadata.id not a UUID', () => post({ ...valid(), metadata: { id: 'abc' } }, { token }), 400, /metadata\.id must be a uuid/i],
    ['400 metadata.time not a date-time', () => post({ ...valid(), metadata: { time: 'yesterday' } }, { token }), 400, /metadata\.time/],
    ['400 unknown data key', () => post({ event_type: ENROLLMENT, data: { ...enrollmentData(), user: {} } }, { token }), 400,
      /does not match COURSE_ENROLLMENT_CREATED: unknown key "user": the keys of data for this event are "enrollment"/],
    ['400 data keyed by class path (plugin body)', () =>
      post({ event_type: ENROLLMENT, data: { 'openedx_events.learning.data.CourseEnrollmentData': enrollmentData().enrollment } }, { token }), 400,
      /use the argument name "enrollment"/],
    ['400 data argument missing', () => post({ event_type: ENROLLMENT, data: {} }, { token }), 400, /does not match COURSE_ENROLLMENT_CREATED: missing key "enrollment"/],
    ['400 data argument not an object', () => post({ event_type: ENROLLMENT, data: { enrollment: 'x' } }, { token }), 400, /must be an object/],
    ['401 without a key', () => post(valid()), 401, /API key is required/],
    ['401 unknown key', () => post(valid(), { token: 'oewh_nope' }), 401, /unknown or has been revoked/],
    ['403 key without the events scope', () => post(valid(), { token: adminToken }), 403, /"events" scope/],
    ['413 body over MAX_BODY_BYTES', () => post({ ...valid(), pad: 'x'.repeat(5000) }, { token }), 413, /MAX_BODY_BYTES/],
    ['415 not JSON', () => post(null, { token, raw: 'event_type=x', contentType: 'application/x-www-form-urlencoded' }), 415, /must be JSON/],
    ['422 unknown event type, naming the closest', () => post({ event_type: 'org.openedx.learning.course.enrolment.created.v1', data: {} }, { token }), 422,
      /^Unknown event type "org\.openedx\.learning\.course\.enrolment\.created\.v1"\. Did you mean "org\.openedx\.learning\.course\.enrollment\.created\.v1" \(COURSE_ENROLLMENT_CREATED\)/],
    ['422 unknown signal name', () => post({ event_type: 'COURSE_ENROLMENT_CREATED', data: {} }, { token }), 422, /Did you mean .*COURSE_ENROLLMENT_CREATED/],
  ] as const)('%s', async (_, call, status, error) => {
    const before = await rowCounts(handle);
    const res = await call();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body.error).toMatch(error);
    expect(body.error).toMatch(/\.$|\?$/);
    if (status === 400 && body.issues) {
      for (const i of body.issues) expect(i).toEqual({ path: expect.any(String), message: expect.any(String) });
    }
    expect(await rowCounts(handle)).toEqual(before);
  });

  it('lists every problem in data as an issue with its path', async () => {
    const res = await post({ event_type: ENROLLMENT, data: { enrolment: {}, user: {} } }, { token });
    const body = await res.json();
    expect(body.issues.map((i: { path: string }) => i.path)).toEqual(['data.enrolment', 'data.user', 'data.enrollment']);
  });
});
