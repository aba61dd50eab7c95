// The delivery engine against real loopback receivers (PGlite): exact bodies and headers, Standard Webhooks
// signatures, retries, 410, timeouts, Retry-After, the §7 address check, deleted and rotated webhooks.
import { createHmac } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../lib/db';
import { webhooks } from '../../lib/db/schema';
import { ingestEvent } from '../../lib/dispatch/ingest';
import { retryDeliveryNow } from '../../lib/dispatch/queue';
import { generateSecret } from '../../lib/dispatch/sign';
import { invalidateTargets } from '../../lib/dispatch/targets';
import type { Worker } from '../../lib/dispatch/worker';
import { USER_AGENT } from '../../lib/version';
import { pgliteDb } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { ENROLLMENT, addWebhook, deliveriesOf, enrollmentData, settled, worker } from './harness';

let handle: DbHandle;
let receiver: Receiver;
let w: Worker | null = null;

beforeAll(async () => {
  handle = await pgliteDb();
});
afterAll(async () => {
  await handle.close();
});
beforeEach(async () => {
  receiver = await startReceiver();
  await handle.db.delete(webhooks).where(sql`true`);
  await invalidateTargets(handle);
});
afterEach(async () => {
  await w?.stop();
  w = null;
  await receiver.close();
});

const METADATA = {
  id: '3f0c6f2e-00e9-11f0-9c1a-0242ac120006',
  time: '2025-03-14 15:12:03.402118+00:00',
  source: 'openedx/lms/web',
  sourcehost: 'lms-6d8f7c9b5-x2k4p',
  minorversion: 0,
  sourcelib: [10, 5, 0],
};
const EXPECTED_METADATA = {
  id: METADATA.id,
  event_type: ENROLLMENT,
  signal: 'COURSE_ENROLLMENT_CREATED',
  time: '2025-03-14T15:12:03.402Z',
  minorversion: 0,
  source: 'openedx/lms/web',
  sourcehost: 'lms-6d8f7c9b5-x2k4p',
  sourcelib: [10, 5, 0],
};
// Nested objects, an array, nulls, booleans, numbers and text that needs escaping.
const DATA = enrollmentData({ tags: ['a', 1, null], score: 0.5, note: 'a&b=c é' });

/** Emits the enrollment event; a fresh id unless one is given (a repeated id would be a duplicate). */
async function emit(id?: string) {
  const r = await ingestEvent(handle, { event_type: ENROLLMENT, data: DATA, metadata: { ...METADATA, id } });
  if (!r.ok) throw new Error(r.error);
  return r.body.id;
}

describe('the outgoing call (SPEC §3)', () => {
  it('JSON: body and headers exactly as specified, signed so the standardwebhooks verifier accepts it', async () => {
    const hook = await addWebhook(handle, { url: `${receiver.url}/hook?x=1` });
    const before = Math.floor(Date.now() / 1000);
    const id = await emit(METADATA.id);
    w = worker(handle);
    const [req] = await receiver.waitFor(1);
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/hook?x=1');
    expect(req!.body).toBe(JSON.stringify({ ...DATA, event_metadata: EXPECTED_METADATA }));
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toBe(USER_AGENT);
    expect(req!.headers['webhook-id']).toBe(id);
    expect(Number(req!.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
    expect(Number(req!.headers['webhook-timestamp'])).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(req!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);

    const headers = req!.headers as Record<string, string>;
    expect(new Webhook(hook.secret).verify(req!.body, headers)).toEqual({ ...DATA, event_metadata: EXPECTED_METADATA });
    expect(() => new Webhook(generateSecret()).verify(req!.body, headers)).toThrow(/signature/i);
    expect(() => new Webhook(hook.secret).verify(req!.body.replace('jdoe', 'jdo3'), headers)).toThrow(/signature/i);

    const [d] = await settled(handle, id);
    expect(d).toMatchObject({ status: 'succeeded', attemptCount: 1, lastStatusCode: 200, lastError: null });
    expect(d!.completedAt).toBeInstanceOf(Date);
    expect(d!.attempts[0]).toMatchObject({ attemptNo: 1, responseStatus: 200, responseBody: 'ok', error: null });
    expect(d!.attempts[0]!.requestHeaders).toMatchObject({
      'webhook-id': id,
      'webhook-signature': headers['webhook-signature'],
      'user-agent': USER_AGENT,
    });
    expect(d!.attempts[0]!.responseHeaders).toMatchObject({ 'content-type': 'text/plain' });
  });

  it('form encoding: nested keys joined with _, true/false, null empty, arrays as JSON, signed', async () => {
    const hook = await addWebhook(handle, { url: `${receiver.url}/form`, useWwwFormEncoding: true });
    const id = await emit();
    w = worker(handle);
    const [req] = await receiver.waitFor(1);
    expect(req!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...new URLSearchParams(req!.body)]).toEqual([
      ['enrollment_user_id', '42'],
      ['enrollment_user_is_active', 'true'],
      ['enrollment_user_pii_username', 'jdoe'],
      ['enrollment_user_pii_email', 'jane.doe@example.com'],
      ['enrollment_user_pii_name', 'Jane Doe'],
      ['enrollment_course_course_key', 'course-v1:edX+DemoX+Demo_Course'],
      ['enrollment_course_display_name', 'Demonstration Course'],
      ['enrollment_course_start', '2024-01-01T00:00:00Z'],
      ['enrollment_course_end', ''],
      ['enrollment_mode', 'audit'],
      ['enrollment_is_active', 'true'],
      ['enrollment_creation_date', '2025-03-14T15:12:03.218934+00:00'],
      ['enrollment_created_by', ''],
      ['enrollment_tags', '["a",1,null]'],
      ['enrollment_score', '0.5'],
      ['enrollment_note', 'a&b=c é'],
      ['event_metadata_id', id],
      ['event_metadata_event_type', ENROLLMENT],
      ['event_metadata_signal', 'COURSE_ENROLLMENT_CREATED'],
      ['event_metadata_time', '2025-03-14T15:12:03.402Z'],
      ['event_metadata_minorversion', '0'],
      ['event_metadata_source', 'openedx/lms/web'],
      ['event_metadata_sourcehost', 'lms-6d8f7c9b5-x2k4p'],
      ['event_metadata_sourcelib', '[10,5,0]'],
    ]);
    expect(req!.body).toContain('enrollment_note=a%26b%3Dc+%C3%A9');
    const headers = req!.headers as Record<string, string>;
    // The verifier JSON-parses by default; a form body is checked on its raw text.
    expect(() => new Webhook(hook.secret).verify(req!.body, headers, { jsonParse: false })).not.toThrow();
    expect(() => new Webhook(generateSecret()).verify(req!.body, headers, { jsonParse: false })).toThrow(/signature/i);
    const key = Buffer.from(hook.secret.slice('whsec_'.length), 'base64');
    const mac = createHmac('sha256', key).update(`${id}.${headers['webhook-timestamp']}.${req!.body}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${mac}`);
    await settled(handle, id);
  });

  it('sends the same event to each of its webhooks, each signed with its own secret', async () => {
    const a = await addWebhook(handle, { url: `${receiver.url}/a` });
    const b = await addWebhook(handle, { url: `${receiver.url}/b` });
    const id = await emit();
    w = worker(handle);
    const reqs = await receiver.waitFor(2);
    for (const [hook, path] of [[a, '/a'], [b, '/b']] as const) {
      const req = reqs.find((r) => r.url === path)!;
      expect(req.headers['webhook-id']).toBe(id);
      expect(() => new Webhook(hook.secret).verify(req.body, req.headers as Record<string, string>)).not.toThrow();
    }
  });
});

describe('retries (SPEC §4)', () => {
  it('500, 500, 200: three attempts with the same webhook-id, then succeeded', async () => {
    receiver.respond((_, i) => ({ status: i < 2 ? 500 : 200, body: i < 2 ? 'boom' : 'fine' }));
    await addWebhook(handle, { url: receiver.url });
    const id = await emit();
    w = worker(handle);
    const [d] = await settled(handle, id);
    expect(d).toMatchObject({ status: 'succeeded', attemptCount: 3, lastStatusCode: 200, lastError: null });
    expect(d!.attempts.map((a) => [a.attemptNo, a.responseStatus, a.responseBody])).toEqual([
      [1, 500, 'boom'],
      [2, 500, 'boom'],
      [3, 200, 'fine'],
    ]);
    expect(d!.attempts[0]!.error).toMatch(/answered 500/);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
    expect(receiver.requests).toHaveLength(3);
  });

  it('410 Gone ends the delivery at once: failed after one attempt', async () => {
    receiver.respond(() => ({ status: 410 }));
    await addWebhook(handle, { url: receiver.url });
    const id = await emit();
    w = worker(handle);
    const [d] = await settled(handle, id);
    expect(d).toMatchObject({ status: 'failed', attemptCount: 1, lastStatusCode: 410, nextAttemptAt: null });
    expect(d!.lastError).toMatch(/410 Gone.*no more retries/);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(1);
  });

  it('a timeout is a failed attempt, and the next attempt can succeed', async () => {
    receiver.respond((_, i) => (i === 0 ? { status: 200, delayMs: 1_000 } : { status: 204 }));
    await addWebhook(handle, { url: receiver.url });
    const id = await emit();
    w = worker(handle, { deliveryTimeoutMs: 200 });
    const [d] = await settled(handle, id);
    expect(d).toMatchObject({ status: 'succeeded', attemptCount: 2, lastStatusCode: 204 });
    expect(d!.attempts[0]).toMatchObject({ responseStatus: null, error: expect.stringMatching(/timeout/) });
    expect(d!.attempts[0]!.durationMs).toBeGreaterThanOrEqual(190);
    expect(d!.attempts[0]!.durationMs).toBeLessThan(900);
  });

  it('a connection error is a failed attempt; after the last attempt the delivery is failed', async () => {
    receiver.respond(() => ({ destroy: true }));
    await addWebhook(handle, { url: receiver.url });
    const id = await emit();
    w = worker(handle, { retrySchedule: [0.05, 0.05] });
    const [d] = await settled(handle, id);
    expect(d).toMatchObject({ status: 'failed', attemptCount: 3, nextAttemptAt: null, lockedUntil: null });
    expect(d!.attempts.map((a) => a.error)).toEqual([
      expect.stringMatching(/Connection failed|cut off/),
      expect.stringMatching(/Connection failed|cut off/),
      expect.stringMatching(/Connection failed|cut off/),
    ]);
    expect(d!.lastError).toMatch(/giving up after 3 attempts\.$/);
    expect(receiver.requests).toHaveLength(3);
  });

  it('the last of several 500s ends failed, with the status kept', async () => {
    receiver.respond(() => ({ status: 500 }));
    await addWebhook(handle, { url: receiver.url });
    const id = await emit();
    w = worker(handle, { retrySchedule: [0.02, 0.02, 0.02, 0.02] });
    const [d] = await settled(handle, id);
    expect(d).toMatchObject({ status: 'failed', attemptCount: 5, lastStatusCode: 500 });
    expect(d!.lastError).toBe('The receiver answered 500; giving up after 5 attempts.');
  });

  it('Retry-After is honoured, up to twice the scheduled delay', async () => {
    receiver.respond((_, i) => (i === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
    await addWebhook(handle, { url: receiver.url });
    const id = await emit();
    // Scheduled 0.3 s (±20 %): Retry-After 1 s is capped at 0.6 s.
    w = worker(handle, { retrySchedule: [0.3] });
    const [first, second] = await receiver.waitFor(2);
    const gap = second!.at - first!.at;
    expect(gap).toBeGreaterThanOrEqual(560);
    expect(gap).toBeLessThan(950);
    await settled(handle, id);
  });

  it('an HTTP-date Retry-After further than the schedule also waits longer', async () => {
    receiver.respond((_, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': new Date(Date.now() + 2_000).toUTCString() } } : { status: 200 },
    );
    await addWebhook(handle, { url: receiver.url });
    await emit();
    w = worker(handle, { retrySchedule: [0.25] });
    const [first, second] = await receiver.waitFor(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(470);
  });

  it('retryDeliveryNow queues a finished delivery for one more attempt, keeping the earlier ones', async () => {
    receiver.respond((_, i) => ({ status: i === 0 ? 410 : 200 }));
    await addWebhook(handle, { url: receiver.url });
    const id = await emit();
    w = worker(handle);
    const [failed] = await settled(handle, id);
    expect(failed!.status).toBe('failed');
    expect(await retryDeliveryNow(handle, failed!.id)).toEqual({ ok: true });
    const [done] = await settled(handle, id);
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 2, lastError: null });
    expect(done!.attempts.map((a) => a.responseStatus)).toEqual([410, 200]);
    expect(await retryDeliveryNow(handle, 987654)).toEqual({ ok: false, reason: 'not_found' });
  });
});

describe('targets at send time', () => {
  it('refuses a loopback target unless private targets are allowed, and the attempt says why (SPEC §7)', async () => {
    await addWebhook(handle, { url: `${receiver.url}/ip` });
    await addWebhook(handle, { url: `http://localhost:${receiver.port}/name` });
    const id = await emit();
    w = worker(handle, { allowPrivate: false, retrySchedule: [] });
    const rows = await settled(handle, id, 2);
    for (const d of rows) {
      expect(d).toMatchObject({ status: 'failed', attemptCount: 1, lastStatusCode: null });
      expect(d.attempts[0]!.error).toMatch(/^Refused to call (127\.0\.0\.1|localhost): it resolves to (127\.0\.0\.1|::1).*ALLOW_PRIVATE_TARGETS=1/);
      expect(d.lastError).toMatch(/Refused to call/);
    }
    expect(receiver.requests).toHaveLength(0);
  });

  it('fails a delivery whose webhook was deleted, without calling anything', async () => {
    const hook = await addWebhook(handle, { url: receiver.url });
    const id = await emit();
    await handle.db.delete(webhooks).where(eq(webhooks.id, hook.id));
    await invalidateTargets(handle);
    w = worker(handle);
    const [d] = await settled(handle, id);
    expect(d).toMatchObject({ status: 'failed', attemptCount: 0, lastError: 'The webhook was deleted, so this delivery was not sent.' });
    expect(d!.attempts).toHaveLength(0);
    expect(receiver.requests).toHaveLength(0);
  });

  it('does not send a delivery whose webhook was disabled after the event; Retry sends it once re-enabled', async () => {
    const hook = await addWebhook(handle, { url: receiver.url });
    const id = await emit();
    await handle.db.update(webhooks).set({ enabled: false }).where(eq(webhooks.id, hook.id));
    await invalidateTargets(handle);
    w = worker(handle);
    const [d] = await settled(handle, id);
    expect(d).toMatchObject({ status: 'failed', attemptCount: 0, lastError: 'The webhook was disabled, so this delivery was not sent.' });
    expect(receiver.requests).toHaveLength(0);
    await handle.db.update(webhooks).set({ enabled: true }).where(eq(webhooks.id, hook.id));
    await invalidateTargets(handle);
    await retryDeliveryNow(handle, d!.id);
    await receiver.waitFor(1);
    expect((await settled(handle, id))[0]).toMatchObject({ status: 'succeeded', attemptCount: 1 });
  });

  it('signs with the current secret and sends to the current URL when they changed after the event', async () => {
    const hook = await addWebhook(handle, { url: 'http://127.0.0.1:9/old' });
    const id = await emit();
    const secret = generateSecret();
    await handle.db.update(webhooks).set({ secret, url: `${receiver.url}/new` }).where(eq(webhooks.id, hook.id));
    await invalidateTargets(handle);
    w = worker(handle);
    const [req] = await receiver.waitFor(1);
    expect(req!.url).toBe('/new');
    expect(() => new Webhook(secret).verify(req!.body, req!.headers as Record<string, string>)).not.toThrow();
    const [d] = await settled(handle, id);
    expect(d!.url).toBe(`${receiver.url}/new`);
  });

  it('keeps a 64 KiB prefix of a large answer', async () => {
    receiver.respond(() => ({ status: 200, body: 'x'.repeat(200_000) }));
    await addWebhook(handle, { url: receiver.url });
    const id = await emit();
    w = worker(handle);
    const [d] = await settled(handle, id);
    expect(d!.attempts[0]!.responseBody).toHaveLength(64 * 1024);
    expect(await deliveriesOf(handle, id)).toHaveLength(1);
  });
});
