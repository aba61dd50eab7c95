// The webhooks management API: CRUD, the secret only where it belongs, validation (400/422), 404, 401/403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createApiKey } from '../../lib/auth/api-keys';
import type { DbHandle } from '../../lib/db';
import { webhooks } from '../../lib/db/schema';
import { webhooksFor } from '../../lib/dispatch/targets';
import { adminApi, call, ctx, requestTo } from '../helpers/api';
import { GET as list, POST as create } from '../../app/api/v1/webhooks/route';
import { DELETE as remove, GET as read, PATCH as patch } from '../../app/api/v1/webhooks/[id]/route';
import { POST as rotate } from '../../app/api/v1/webhooks/[id]/rotate-secret/route';

const BASE = 'http://localhost/api/v1/webhooks';
const ENROLLED = 'org.openedx.learning.course.enrollment.created.v1';
const FIELDS = [
  'conditions', 'created_at', 'description', 'disabled_reason', 'enabled', 'event_type', 'exclude_fields', 'headers', 'id',
  'personal_data', 'rate_limit_per_second', 'transformation', 'updated_at', 'url', 'use_www_form_encoding',
];

let handle: DbHandle;
let token: string;

const req = requestTo(BASE, () => token);
const post = (body: unknown, t?: string | null) => call(create(req('POST', '', body, t), undefined as never));

beforeAll(async () => {
  ({ handle, token } = await adminApi());
});
afterAll(() => handle.close());

describe('POST /api/v1/webhooks', () => {
  it('creates a webhook with defaults, stores the canonical event type and returns the secret once', async () => {
    const res = await post({ event_type: 'COURSE_ENROLLMENT_CREATED', url: 'https://example.com/hook' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual([...FIELDS, 'secret'].sort());
    expect(res.body).toMatchObject({
      description: '',
      event_type: ENROLLED,
      url: 'https://example.com/hook',
      enabled: true,
      use_www_form_encoding: false,
    });
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);
    expect(Date.parse(res.body.created_at)).not.toBeNaN();
    expect(res.headers.get('location')).toBe(`/api/v1/webhooks/${res.body.id}`);

    // Reads never show the secret.
    const one = await call(read(req('GET', `/${res.body.id}`), ctx(res.body.id)));
    expect(one.status).toBe(200);
    expect(Object.keys(one.body).sort()).toEqual(FIELDS);
    const all = await call(list(req('GET'), undefined as never));
    expect(all.body.every((w: Record<string, unknown>) => !('secret' in w))).toBe(true);
    // The dispatch cache sees it at once.
    expect((await webhooksFor(handle, ENROLLED)).map((w) => w.id)).toContain(res.body.id);
  });

  it('accepts every field and ignores read-only ones echoed back', async () => {
    const res = await post({
      id: '00000000-0000-0000-0000-000000000000',
      created_at: '2020-01-01T00:00:00Z',
      description: '  CRM sync ',
      event_type: 'org.openedx.learning.student.registration.completed.v1',
      url: 'http://crm.example.com/in',
      enabled: false,
      use_www_form_encoding: true,
    });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe('00000000-0000-0000-0000-000000000000');
    expect(res.body).toMatchObject({ description: 'CRM sync', enabled: false, use_www_form_encoding: true });
  });

  it('names the closest events for an unknown event type (422)', async () => {
    const res = await post({ event_type: 'COURSE_ENROLMENT_CREATED', url: 'https://example.com/hook' });
    expect(res.status).toBe(422);
    expect(res.body.issues).toHaveLength(1);
    expect(res.body.issues[0].path).toBe('event_type');
    expect(res.body.issues[0].message).toContain('COURSE_ENROLLMENT_CREATED');
    expect(res.body.error).toMatch(/^event_type: Unknown event/);
  });

  it('rejects bad values with 422 and issues, and stores nothing', async () => {
    const before = (await handle.db.select().from(webhooks)).length;
    for (const url of ['ftp://example.com/x', 'not a url', 'javascript:alert(1)', '', 'https://' + 'a'.repeat(2000) + '.com']) {
      const res = await post({ event_type: ENROLLED, url });
      expect(res.status, url).toBe(422);
      expect(res.body.issues[0].path, url).toBe('url');
    }
    const missing = await post({ url: 'https://example.com' });
    expect(missing.status).toBe(422);
    expect(missing.body.issues.map((i: { path: string }) => i.path)).toEqual(['event_type']);
    const empty = await post({ event_type: ' ', url: 'https://example.com' });
    expect(empty.status).toBe(422);
    expect(empty.body.issues[0].message).toBe('Choose an event.');
    expect((await handle.db.select().from(webhooks)).length).toBe(before);
  });

  it('rejects a wrong shape with 400 and issues', async () => {
    const cases: unknown[] = [
      [],
      '"hello"',
      { event_type: ENROLLED, url: 'https://example.com', enabled: 'yes' },
      { event_type: 42, url: 'https://example.com' },
      { event_type: ENROLLED, url: 'https://example.com', secret: 'whsec_mine' },
    ];
    for (const body of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.issues.length, JSON.stringify(body)).toBeGreaterThan(0);
      expect(res.body.error).toMatch(/\.$/);
    }
    const bad = await post('{"event_type": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/not valid JSON/);
  });

  it('answers 401 without a known key and 403 without the admin scope', async () => {
    expect((await post({ event_type: ENROLLED, url: 'https://example.com' }, 'unknown-key-1234567890')).status).toBe(401);
    const basic = await call(create(new Request(BASE, { method: 'POST', headers: { authorization: 'Basic eDp5' } }), undefined as never));
    expect(basic.status).toBe(401);
    const { token: lms } = await createApiKey(handle.db, { name: 'lms', scopes: ['events', 'filters'] });
    const res = await post({ event_type: ENROLLED, url: 'https://example.com' }, lms);
    expect(res.status).toBe(403);
    expect(res.body.error).toContain('admin');
    expect((await call(list(req('GET', '', undefined, lms), undefined as never))).status).toBe(403);
  });
});

describe('GET /api/v1/webhooks', () => {
  it('lists oldest first and filters by event type or signal', async () => {
    const a = await post({ event_type: 'COURSE_UNENROLLMENT_COMPLETED', url: 'https://a.example.com' });
    const all = await call(list(req('GET'), undefined as never));
    expect(all.status).toBe(200);
    expect(Array.isArray(all.body)).toBe(true);
    const times = all.body.map((w: { created_at: string }) => w.created_at);
    expect(times).toEqual([...times].sort());
    const some = await call(list(req('GET', '?event_type=COURSE_UNENROLLMENT_COMPLETED'), undefined as never));
    expect(some.body.map((w: { id: string }) => w.id)).toEqual([a.body.id]);
  });
});

describe('GET|PATCH|DELETE /api/v1/webhooks/{id}', () => {
  it('patches only the fields sent and bumps updated_at', async () => {
    const { body: w } = await post({ description: 'Keep me', event_type: ENROLLED, url: 'https://example.com/one' });
    await new Promise((r) => setTimeout(r, 5));
    const res = await call(patch(req('PATCH', `/${w.id}`, { enabled: false, event_type: 'COURSE_ENROLLMENT_CHANGED' }), ctx(w.id)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: w.id,
      description: 'Keep me',
      url: 'https://example.com/one',
      enabled: false,
      event_type: 'org.openedx.learning.course.enrollment.changed.v1',
      created_at: w.created_at,
    });
    expect(res.body.updated_at > w.updated_at).toBe(true);
    expect((await webhooksFor(handle, ENROLLED)).map((x) => x.id)).not.toContain(w.id);

    // An empty patch is fine and changes nothing but updated_at.
    const same = await call(patch(req('PATCH', `/${w.id}`, {}), ctx(w.id)));
    expect(same.status).toBe(200);
    expect(same.body.description).toBe('Keep me');
  });

  it('refuses an invalid patch without changing anything', async () => {
    const { body: w } = await post({ event_type: ENROLLED, url: 'https://example.com/two' });
    const res = await call(patch(req('PATCH', `/${w.id}`, { description: 'Changed', url: 'gopher://x' }), ctx(w.id)));
    expect(res.status).toBe(422);
    expect(res.body.issues).toEqual([{ path: 'url', message: expect.stringContaining('http') }]);
    const unknown = await call(patch(req('PATCH', `/${w.id}`, { event_type: 'nope.v1' }), ctx(w.id)));
    expect(unknown.status).toBe(422);
    const shape = await call(patch(req('PATCH', `/${w.id}`, { enabled: null }), ctx(w.id)));
    expect(shape.status).toBe(400);
    const badJson = await call(patch(req('PATCH', `/${w.id}`, '{'), ctx(w.id)));
    expect(badJson.status).toBe(400);
    const after = await call(read(req('GET', `/${w.id}`), ctx(w.id)));
    const { secret: _secret, ...original } = w;
    expect(after.body).toEqual(original);
  });

  it('answers 404 for unknown or malformed ids', async () => {
    for (const id of ['3f0c6f2e-00e9-11f0-9c1a-0242ac120006', 'abc', '1', "x' or 1=1"]) {
      expect((await read(req('GET', `/${id}`), ctx(id))).status, id).toBe(404);
      expect((await patch(req('PATCH', `/${id}`, { enabled: false }), ctx(id))).status, id).toBe(404);
      expect((await remove(req('DELETE', `/${id}`), ctx(id))).status, id).toBe(404);
      expect((await rotate(req('POST', `/${id}/rotate-secret`), ctx(id))).status, id).toBe(404);
    }
    const res = await call(read(req('GET', '/abc'), ctx('abc')));
    expect(res.body.error).toContain('abc');
  });

  it('deletes, then answers 404', async () => {
    const { body: w } = await post({ event_type: ENROLLED, url: 'https://example.com/gone' });
    const res = await remove(req('DELETE', `/${w.id}`), ctx(w.id));
    expect(res.status).toBe(204);
    expect((await read(req('GET', `/${w.id}`), ctx(w.id))).status).toBe(404);
    expect((await webhooksFor(handle, ENROLLED)).map((x) => x.id)).not.toContain(w.id);
  });

  it('needs an admin key on every route', async () => {
    const { body: w } = await post({ event_type: ENROLLED, url: 'https://example.com/auth' });
    const { token: lms } = await createApiKey(handle.db, { name: 'lms2', scopes: ['events'] });
    for (const t of ['bad-key-bad-key-bad-key', lms]) {
      const expected = t === lms ? 403 : 401;
      expect((await read(req('GET', `/${w.id}`, undefined, t), ctx(w.id))).status).toBe(expected);
      expect((await patch(req('PATCH', `/${w.id}`, { enabled: false }, t), ctx(w.id))).status).toBe(expected);
      expect((await remove(req('DELETE', `/${w.id}`, undefined, t), ctx(w.id))).status).toBe(expected);
      expect((await rotate(req('POST', `/${w.id}/rotate-secret`, undefined, t), ctx(w.id))).status).toBe(expected);
    }
    expect((await read(req('GET', `/${w.id}`), ctx(w.id))).status).toBe(200);
  });
});

describe('POST /api/v1/webhooks/{id}/rotate-secret', () => {
  it('replaces the secret and returns the new one', async () => {
    const { body: w } = await post({ event_type: ENROLLED, url: 'https://example.com/rotate' });
    const res = await call(rotate(req('POST', `/${w.id}/rotate-secret`), ctx(w.id)));
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(w.id);
    expect(res.body.secret).toMatch(/^whsec_/);
    expect(res.body.secret).not.toBe(w.secret);
    const [row] = await handle.db.select().from(webhooks).where(eq(webhooks.id, w.id));
    expect(row!.secret).toBe(res.body.secret);
  });
});
