// Transformations in the management API (SPEC §14): the webhook field (create, PATCH, GET, audit), a source
// that does not compile refused with its line, and POST /api/v1/transformations/run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import type { DbHandle } from '../../lib/db';
import { adminApi, call, ctx, requestTo } from '../helpers/api';
import { POST as create } from '../../app/api/v1/webhooks/route';
import { GET as read, PATCH as patch } from '../../app/api/v1/webhooks/[id]/route';
import { POST as run } from '../../app/api/v1/transformations/run/route';
import { GET as audit } from '../../app/api/v1/audit/route';
import { GET as listDeliveries } from '../../app/api/v1/deliveries/route';
import { POST as retry } from '../../app/api/v1/deliveries/[id]/retry/route';
import { ingestEvent } from '../../lib/dispatch/ingest';
import { sampleEventData, findEvent } from '../../lib/catalog';

const ENROLLED = 'org.openedx.learning.course.enrollment.created.v1';
const SLACK = 'function handler(webhook) {\n  webhook.payload = { text: "Enrolled: " + webhook.payload.enrollment.user.pii.username };\n  return webhook;\n}';

let handle: DbHandle;
let token: string;
const hooks = requestTo('http://localhost/api/v1/webhooks', () => token);
const runs = requestTo('http://localhost/api/v1/transformations/run', () => token);
const tryRun = (body: unknown, t?: string | null) => call(run(runs('POST', '', body, t), undefined as never));

beforeAll(async () => {
  ({ handle, token } = await adminApi());
});
afterAll(() => handle.close());

describe('the transformation field of webhooks', () => {
  it('is null by default, set on create, changed and removed by PATCH, and audited', async () => {
    const plain = await call(create(hooks('POST', '', { event_type: ENROLLED, url: 'https://hooks.example.com/a' }), undefined as never));
    expect(plain.body.transformation).toBeNull();

    const made = await call(create(hooks('POST', '', { event_type: ENROLLED, url: 'https://hooks.slack.com/services/T/B/X', transformation: { source: SLACK } }), undefined as never));
    expect(made.status).toBe(201);
    expect(made.body.transformation).toEqual({ source: SLACK });
    const id = made.body.id as string;
    expect((await call(read(hooks('GET', `/${id}`), ctx(id)))).body.transformation).toEqual({ source: SLACK });

    const v2 = SLACK.replace('Enrolled', 'New learner');
    const changed = await call(patch(hooks('PATCH', `/${id}`, { transformation: { source: v2 } }), ctx(id)));
    expect(changed.status).toBe(200);
    expect(changed.body.transformation).toEqual({ source: v2 });
    const removed = await call(patch(hooks('PATCH', `/${id}`, { transformation: null }), ctx(id)));
    expect(removed.body.transformation).toBeNull();

    const log = await call(audit(new Request(`http://localhost/api/v1/audit?target_id=${id}&action=webhook.updated`, { headers: { authorization: `Bearer ${token}` } }), undefined as never));
    expect(log.body.items.map((e: { changes: Record<string, unknown> }) => e.changes.transformation)).toEqual([
      { before: { source: v2 }, after: null },
      { before: { source: SLACK }, after: { source: v2 } },
    ]);
  });

  it('refuses a source that does not compile, naming the line, and a wrong shape in one sentence', async () => {
    const broken = await call(create(hooks('POST', '', { event_type: ENROLLED, url: 'https://hooks.example.com/b', transformation: { source: 'function handler(w) {\n  return w +;\n}' } }), undefined as never));
    expect(broken.status).toBe(422);
    expect(broken.body.error).toMatch(/^The transformation does not compile \(line 2\): SyntaxError.* Fix line 2\.$/);
    expect(broken.body.issues[0].path).toBe('transformation.source');

    const noHandler = await call(create(hooks('POST', '', { event_type: ENROLLED, url: 'https://hooks.example.com/b', transformation: { source: 'const x = 1;' } }), undefined as never));
    expect(noHandler.status).toBe(422);
    expect(noHandler.body.error).toBe('The transformation must define function handler(webhook).');

    const shape = await call(create(hooks('POST', '', { event_type: ENROLLED, url: 'https://hooks.example.com/b', transformation: 'function handler(w) { return w; }' }), undefined as never));
    expect(shape.status).toBe(400);
    expect(shape.body.error).toBe('transformation: The transformation must be null or {"source": "<JavaScript defining function handler(webhook)>"}.');
  });
});

describe('skipped and failed deliveries in the log API', () => {
  it('lists skipped deliveries with the reason, and Retry refuses them and those whose transformation failed', async () => {
    const mk = async (source: string) =>
      call(create(hooks('POST', '', { event_type: ENROLLED, url: 'https://hooks.example.com/log', transformation: { source } }), undefined as never));
    const skip = await mk('function handler(w) {\n  w.cancel = true;\n  return w;\n}');
    const fail = await mk('function handler(w) {\n  return 1;\n}');
    const r = await ingestEvent(handle, { event_type: ENROLLED, data: sampleEventData(findEvent(ENROLLED)!) });
    expect(r.ok).toBe(true);
    const get = (q: string) => call(listDeliveries(new Request(`http://localhost/api/v1/deliveries?${q}`, { headers: { authorization: `Bearer ${token}` } }), undefined as never));
    const skipped = await get(`status=skipped&target_id=${skip.body.id}`);
    expect(skipped.status).toBe(200);
    expect(skipped.body.items).toHaveLength(1);
    expect(skipped.body.items[0]).toMatchObject({ status: 'skipped', attempt_count: 0, outcome: { transformation: 'cancelled', reason: expect.stringContaining('cancel: true') } });
    const failed = await get(`status=failed&target_id=${fail.body.id}`);
    expect(failed.body.items[0]).toMatchObject({ status: 'failed', last_error: expect.stringContaining('must return an object'), outcome: { transformation: 'failed' } });
    for (const d of [skipped.body.items[0], failed.body.items[0]]) {
      const res = await call(retry(new Request(`http://localhost/api/v1/deliveries/${d.id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }), ctx(String(d.id))));
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/replay the event/);
    }
  });
});

describe('POST /api/v1/transformations/run', () => {
  it('runs on the event’s sample and answers {payload, headers, url, cancel}', async () => {
    const r = await tryRun({ source: SLACK, event_type: 'COURSE_ENROLLMENT_CREATED' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      payload: { text: 'Enrolled: jdoe' },
      headers: { 'content-type': 'application/json' },
      url: 'https://example.com/webhook',
      cancel: false,
    });
  });

  it('runs on a given payload and URL', async () => {
    const r = await tryRun({
      source: 'function handler(w) {\n  w.cancel = w.payload.n > 1;\n  w.headers["X-N"] = String(w.payload.n);\n  return w;\n}',
      event_type: ENROLLED,
      payload: { n: 2 },
      url: 'https://crm.example.com/in',
    });
    expect(r.body).toEqual({ payload: { n: 2 }, headers: { 'content-type': 'application/json', 'x-n': '2' }, url: 'https://crm.example.com/in', cancel: true });
  });

  it('answers 422 {error, line} when the transformation fails', async () => {
    const r = await tryRun({ source: 'function handler(w) {\n  return w.payload.course.key;\n}', event_type: ENROLLED });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "The transformation threw (line 2): TypeError: cannot read property 'key' of undefined", line: 2 });
    const loop = await tryRun({ source: 'function handler(w) {\n  while (true) {}\n}', event_type: ENROLLED });
    expect(loop.status).toBe(422);
    expect(loop.body.error).toMatch(/longer than 50 ms/);
  });

  it('answers bad input with one clear sentence', async () => {
    expect((await tryRun({ event_type: ENROLLED })).body.error).toMatch(/^source: .+\.$/);
    const unknown = await tryRun({ source: SLACK, event_type: 'no.such.event' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatch(/^event_type: Unknown event "no.such.event"/);
    const extra = await tryRun({ source: SLACK, event_type: ENROLLED, sauce: 1 });
    expect(extra.status).toBe(400);
    expect((await tryRun('[1]')).status).toBe(400);
  });

  it('needs an admin key or an editor', async () => {
    expect((await tryRun({ source: SLACK, event_type: ENROLLED }, 'unknown-key-1234567890')).status).toBe(401);
    const { token: events } = await createApiKey(handle.db, { name: 'lms', scopes: ['events'] });
    expect((await tryRun({ source: SLACK, event_type: ENROLLED }, events)).status).toBe(403);
  });
});
