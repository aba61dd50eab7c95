// Webfilter headers and openedx_webhooks.webfilter.failing.v1 (SPEC §9) on both databases, real receivers:
// headers sent on each call and never readable back (API, log); five failed calls in a row reported once,
// delivered to a webhook on that service event.
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { setDb, type DbHandle } from '../../lib/db';
import { events } from '../../lib/db/schema';
import { flushFilterLogs } from '../../lib/dispatch/filters/log';
import type { Worker } from '../../lib/dispatch/worker';
import { DB_KINDS, openTestDb } from '../helpers/db';
import { call, ctx, requestTo } from '../helpers/api';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { addWebhook, waitUntil, worker } from '../dispatch/harness';
import { filterEnv, harness, REGISTRATION, type Harness } from '../filters/harness';
import { POST as create } from '../../app/api/v1/webfilters/route';
import { GET as read, PATCH as patch } from '../../app/api/v1/webfilters/[id]/route';

const FAILING = 'openedx_webhooks.webfilter.failing.v1';
const SECRET_VALUE = 'Bearer wf-s3cr3t-0123456789';

describe.each(DB_KINDS)('webfilter options on %s', (kind) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  let h: Harness;
  let admin: string;
  let ok: Receiver;
  let broken: Receiver;
  let w: Worker | null = null;
  const req = requestTo('http://localhost/api/v1/webfilters', () => admin);

  beforeAll(async () => {
    filterEnv();
    ({ handle, close } = await openTestDb(kind));
    h = await harness(handle);
    ({ token: admin } = await createApiKey(handle.db, { name: 'admin', scopes: ['admin'] }));
    ok = await startReceiver(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }));
    broken = await startReceiver(() => ({ status: 503, body: 'down' }));
  });
  afterAll(async () => {
    await ok.close();
    await broken.close();
    await close();
  });
  afterEach(async () => {
    await w?.stop();
    w = null;
  });

  const callFilter = () => h.call({ filter_type: REGISTRATION, data: { form_data: { username: 'jdoe', email: 'j@example.com' } } });

  it('sends its headers on each call and never returns their values', async () => {
    setDb(handle);
    const made = await call(create(req('POST', '', { filter_type: REGISTRATION, url: `${ok.url}/wf`, headers: { 'X-Api-Key': SECRET_VALUE } }), undefined as never));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.headers).toEqual({ 'X-Api-Key': '••••' });
    expect(JSON.stringify((await call(read(req('GET', `/${made.body.id}`), ctx(made.body.id)))).body)).not.toContain('s3cr3t');

    expect((await callFilter()).status).toBe(200);
    const [got] = await ok.waitFor(1);
    expect(got!.headers['x-api-key']).toBe(SECRET_VALUE);
    const [logged] = await h.logOf([made.body.id]);
    expect(logged!.attempts[0]!.requestHeaders!['X-Api-Key']).toBe('••••');
    expect(JSON.stringify(logged)).not.toContain('s3cr3t');

    const bad = await call(patch(req('PATCH', `/${made.body.id}`, { headers: { 'Transfer-Encoding': 'chunked' } }), ctx(made.body.id)));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/set by the service/);
    // Blank keeps the stored value.
    const kept = await call(patch(req('PATCH', `/${made.body.id}`, { headers: { 'X-Api-Key': '' }, enabled: false }), ctx(made.body.id)));
    expect(kept.status).toBe(200);
    await h.removeWebfilters([made.body.id]);
  });

  it('reports five failed calls in a row once, to a webhook on the service event', async () => {
    setDb(handle);
    const [wf] = await h.addWebfilters([{ url: `${broken.url}/wf` }], REGISTRATION);
    await addWebhook(handle, { url: `${ok.url}/alerts`, eventType: FAILING });
    w = worker(handle);
    for (let i = 0; i < 4; i++) await callFilter();
    await flushFilterLogs();
    expect(await handle.db.$count(events, eq(events.eventType, FAILING))).toBe(0);
    await callFilter();
    await flushFilterLogs();
    expect(await handle.db.$count(events, eq(events.eventType, FAILING))).toBe(1);
    // The sixth failure in the same streak is not another report.
    await callFilter();
    await flushFilterLogs();
    expect(await handle.db.$count(events, eq(events.eventType, FAILING))).toBe(1);
    const alert = await waitUntil(async () => ok.requests.find((r) => r.url === '/alerts'), 10_000, 'the alert');
    const body = JSON.parse(alert.body);
    expect(body.webfilter).toMatchObject({ id: wf, filter_type: REGISTRATION, consecutive_failures: 5, url: `${broken.url}/wf` });
    expect(body.webfilter.last_error).toMatch(/503/);
    await h.removeWebfilters([wf!]);
  });
});
