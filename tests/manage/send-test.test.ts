// "Send test" from the editors: signed exactly like a real delivery, and a webfilter run through the real engine.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { setDb, type DbHandle } from '../../lib/db';
import { deliveries } from '../../lib/db/schema';
import { resetEnv } from '../../lib/env';
import { testWebfilter, testWebhook } from '../../lib/manage/send-test';
import { createWebhook, webhookSecret } from '../../lib/manage/webhooks';
import { WEBFILTER_DEFAULTS } from '../helpers/api';
import { pgliteDb } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';

let handle: DbHandle;
let rx: Receiver;
const saved = { ...process.env };

const webfilter = (over: Record<string, unknown>) => ({
  ...WEBFILTER_DEFAULTS,
  filter_type: 'org.openedx.learning.student.login.requested.v1',
  url: rx.url,
  ...over,
});

beforeAll(async () => {
  Object.assign(process.env, { ALLOW_PRIVATE_TARGETS: '1', FILTER_TIMEOUT_MS: '1000', DELIVERY_TIMEOUT_MS: '2000' });
  resetEnv();
  handle = await pgliteDb();
  setDb(handle);
  rx = await startReceiver();
});
afterEach(() => rx.respond(() => ({ status: 200, body: 'ok' })));
afterAll(async () => {
  await rx.close();
  await handle.close();
  process.env = saved;
  resetEnv();
});

describe('testWebhook', () => {
  it("signs with the saved webhook's secret, verifiable by the official library, and stores nothing", async () => {
    const created = await createWebhook(handle, { event_type: 'COURSE_ENROLLMENT_CREATED', url: rx.url });
    if (!created.ok) throw new Error(created.error);
    const { id } = created.value.row;
    rx.respond(() => ({ status: 202, headers: { 'x-seen': 'yes' }, body: '{"ok":true}' }));
    const result = await testWebhook(handle, id, { event_type: 'org.openedx.learning.course.enrollment.created.v1', url: rx.url, use_www_form_encoding: false });
    if (!result.ok) throw new Error(result.error);
    expect(result.value.signedWith).toBe('webhook');
    expect(result.value.exchange).toMatchObject({ status: 202, body: '{"ok":true}', error: null });
    expect(result.value.exchange.headers['x-seen']).toBe('yes');
    const got = rx.requests.at(-1)!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toMatch(/^openedx-webhooks\//);
    const body = new Webhook((await webhookSecret(handle, id))!).verify(got.body, got.headers as Record<string, string>) as any;
    expect(Object.keys(body)).toEqual(['enrollment', 'event_metadata']);
    expect(body.event_metadata).toMatchObject({ signal: 'COURSE_ENROLLMENT_CREATED', id: got.headers['webhook-id'] });
    expect(result.value.exchange.requestBody).toBe(got.body);
    expect(await handle.db.select().from(deliveries)).toHaveLength(0);
  });

  it('form-encodes when asked, signs an unsaved webhook with a one-off secret, and reports a refused call', async () => {
    const r = await testWebhook(handle, null, { event_type: 'COURSE_ENROLLMENT_CREATED', url: rx.url, use_www_form_encoding: true });
    if (!r.ok) throw new Error(r.error);
    expect(r.value.signedWith).toBe('one-off');
    const got = rx.requests.at(-1)!;
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(got.body).get('event_metadata_event_type')).toBe('org.openedx.learning.course.enrollment.created.v1');
    expect(got.headers['webhook-signature']).toMatch(/^v1,/);

    const down = await testWebhook(handle, null, { event_type: 'COURSE_ENROLLMENT_CREATED', url: 'http://127.0.0.1:9/closed', use_www_form_encoding: false });
    if (!down.ok) throw new Error(down.error);
    expect(down.value.exchange.status).toBeNull();
    expect(down.value.exchange.error).toMatch(/Connection failed/);
  });

  it("sends the editor's own headers (a blank value is the stored one) without the excluded fields, values masked in the result", async () => {
    const created = await createWebhook(handle, {
      event_type: 'COURSE_ENROLLMENT_CREATED',
      url: rx.url,
      headers: { 'X-Api-Key': 'stored-key-1' },
    });
    if (!created.ok) throw new Error(created.error);
    const { id } = created.value.row;
    const form = {
      event_type: 'COURSE_ENROLLMENT_CREATED',
      url: rx.url,
      use_www_form_encoding: false,
      headers: [
        { name: 'X-Api-Key', value: '' },
        { name: 'X-Tenant', value: 'north' },
      ],
      exclude_fields: 'enrollment.user.pii.email, enrollment.course.display_name',
    };
    const r = await testWebhook(handle, id, form);
    if (!r.ok) throw new Error(r.error);
    const got = rx.requests.at(-1)!;
    expect(got.headers['x-api-key']).toBe('stored-key-1');
    expect(got.headers['x-tenant']).toBe('north');
    const body = new Webhook((await webhookSecret(handle, id))!).verify(got.body, got.headers as Record<string, string>) as any;
    expect(body.enrollment.user.pii.username).toBeDefined();
    expect(body.enrollment.user.pii).not.toHaveProperty('email');
    expect(body.enrollment.course).not.toHaveProperty('display_name');
    expect(r.value.exchange.requestHeaders).toMatchObject({ 'X-Api-Key': '••••', 'X-Tenant': '••••' });
    expect(JSON.stringify(r.value)).not.toContain('stored-key-1');

    // A new header needs a value; a reserved one is refused; nothing is sent for either.
    const sent = rx.requests.length;
    const blank = await testWebhook(handle, id, { ...form, headers: [{ name: 'X-New', value: '' }] });
    expect(blank.ok === false && [blank.status, blank.error]).toEqual([400, 'Give a value for the new header "X-New".']);
    const reserved = await testWebhook(handle, id, { ...form, headers: [{ name: 'webhook-id', value: 'x' }] });
    expect(reserved.ok).toBe(false);
    expect(rx.requests).toHaveLength(sent);
  });

  it('validates its input and answers 404 for an unknown webhook', async () => {
    const bad = await testWebhook(handle, null, { event_type: 'nope', url: 'ftp://x', use_www_form_encoding: false });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues!.map((i) => i.path).sort()).toEqual(['event_type', 'url']);
    const missing = await testWebhook(handle, '3f0c6f2e-00e9-11f0-9c1a-0242ac120006', {
      event_type: 'COURSE_ENROLLMENT_CREATED',
      url: rx.url,
      use_www_form_encoding: false,
    });
    expect(missing.ok === false && missing.status).toBe(404);
  });
});

describe('testWebfilter', () => {
  it('applies the answer through the filter engine: data merged, exception raised', async () => {
    rx.respond(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { user: { first_name: 'Ada' } }, exception: { PreventLogin: 'Closed for exams.' } }),
    }));
    const r = await testWebfilter(handle, null, webfilter({}));
    if (!r.ok) throw new Error(r.error);
    expect(r.value.exchange.status).toBe(200);
    expect(r.value.changes).toEqual({ user: { first_name: 'Ada' } });
    expect((r.value.data.user as Record<string, unknown>).first_name).toBe('Ada');
    expect((r.value.data.user as Record<string, unknown>).username).toBe('jdoe');
    expect(r.value.exception).toMatchObject({ name: 'PreventLogin', message: 'Closed for exams.' });
    expect(r.value.outcome.result).toBe('halted');
    const sent = JSON.parse(rx.requests.at(-1)!.body);
    expect(sent.event_metadata).toMatchObject({ event_type: 'org.openedx.learning.student.login.requested.v1', filter: 'StudentLoginRequested' });
  });

  it('honours the options being edited: disable halting, halt on 5xx with a redirect', async () => {
    rx.respond(() => ({ status: 200, body: JSON.stringify({ exception: { PreventLogin: 'x' } }) }));
    const ignored = await testWebfilter(handle, null, webfilter({ disable_halting: true }));
    expect(ignored.ok && ignored.value.exception).toBeNull();

    rx.respond(() => ({ status: 503, body: 'down' }));
    const halted = await testWebfilter(handle, null, webfilter({ halt_on_5xx: true, redirect_on_5xx: '/maintenance' }));
    if (!halted.ok) throw new Error(halted.error);
    // PreventLogin takes no status_code, so the engine leaves it out.
    expect(halted.value.exception).toEqual({ name: 'PreventLogin', message: expect.stringContaining('503'), redirect_to: '/maintenance' });
  });

  it('rejects options the filter cannot honour', async () => {
    const r = await testWebfilter(handle, null, webfilter({ filter_type: 'ScheduleQuerySetRequested', halt_on_4xx: true }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues![0]!.path).toBe('halt_on_4xx');
  });
});
