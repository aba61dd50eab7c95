// The webfilters management API: CRUD, positions, option rules per filter, validation, 404, 401/403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import type { DbHandle } from '../../lib/db';
import { webfilters } from '../../lib/db/schema';
import { webfiltersFor } from '../../lib/dispatch/targets';
import { adminApi, call, ctx, requestTo, WEBFILTER_DEFAULTS } from '../helpers/api';
import { GET as list, POST as create } from '../../app/api/v1/webfilters/route';
import { DELETE as remove, GET as read, PATCH as patch } from '../../app/api/v1/webfilters/[id]/route';

const BASE = 'http://localhost/api/v1/webfilters';
const LOGIN = 'org.openedx.learning.student.login.requested.v1';
const REGISTRATION = 'org.openedx.learning.student.registration.requested.v1';
const SCHEDULES = 'org.openedx.learning.schedule.queryset.requested.v1'; // no exception: cannot halt
const ORA = 'org.openedx.learning.ora.submission_view.render.started.v1'; // halts, but no redirect_to
const FIELDS = [
  'breaker', 'created_at', 'description', 'disable_filtering', 'disable_halting', 'enabled', 'filter_type',
  'halt_on_4xx', 'halt_on_5xx', 'halt_on_request_exception', 'headers', 'id', 'mode', 'personal_data', 'position', 'redirect_on_4xx',
  'redirect_on_5xx', 'redirect_on_request_exception', 'updated_at', 'url', 'use_www_form_encoding',
];

let handle: DbHandle;
let token: string;

const req = requestTo(BASE, () => token);
const post = (body: unknown, t?: string | null) => call(create(req('POST', '', body, t), undefined as never));
const update = (id: string, body: unknown) => call(patch(req('PATCH', `/${id}`, body), ctx(id)));

beforeAll(async () => {
  ({ handle, token } = await adminApi());
});
afterAll(() => handle.close());

describe('POST /api/v1/webfilters', () => {
  it('creates with defaults from the class name, placing each new webfilter last for its filter', async () => {
    const first = await post({ filter_type: 'StudentLoginRequested', url: 'https://example.com/login' });
    expect(first.status).toBe(201);
    expect(Object.keys(first.body).sort()).toEqual(FIELDS);
    expect(first.body).toMatchObject({ filter_type: LOGIN, ...WEBFILTER_DEFAULTS, position: 0 });
    const second = await post({ filter_type: LOGIN, url: 'https://example.com/login2' });
    expect(second.body.position).toBe(1);
    const other = await post({ filter_type: REGISTRATION, url: 'https://example.com/reg' });
    expect(other.body.position).toBe(0);
    expect((await webfiltersFor(handle, LOGIN)).map((w) => w.id)).toEqual([first.body.id, second.body.id]);
  });

  it('stores every option and an explicit position', async () => {
    const res = await post({
      description: 'Gate sign-ins',
      filter_type: LOGIN,
      url: 'http://gate.example.com/check',
      enabled: false,
      disable_filtering: true,
      disable_halting: true,
      halt_on_4xx: true,
      redirect_on_4xx: 'https://lms.example.com/blocked',
      halt_on_5xx: true,
      redirect_on_5xx: '/maintenance',
      halt_on_request_exception: true,
      redirect_on_request_exception: '',
      use_www_form_encoding: true,
      position: 7,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ position: 7, redirect_on_5xx: '/maintenance', halt_on_4xx: true, enabled: false });
  });

  it('refuses options the filter cannot honour (422)', async () => {
    const halt = await post({ filter_type: SCHEDULES, url: 'https://example.com', halt_on_5xx: true });
    expect(halt.status).toBe(422);
    expect(halt.body.issues).toEqual([{ path: 'halt_on_5xx', message: expect.stringContaining('cannot halt') }]);
    const redirect = await post({ filter_type: ORA, url: 'https://example.com', halt_on_4xx: true, redirect_on_4xx: '/x' });
    expect(redirect.status).toBe(422);
    expect(redirect.body.issues[0].path).toBe('redirect_on_4xx');
    const okay = await post({ filter_type: ORA, url: 'https://example.com', halt_on_4xx: true });
    expect(okay.status).toBe(201);
  });

  it('validates values (422) and shape (400), storing nothing', async () => {
    const before = (await handle.db.select().from(webfilters)).length;
    const unknown = await post({ filter_type: 'StudentLoginRequest', url: 'https://example.com' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.issues[0]).toEqual({ path: 'filter_type', message: expect.stringContaining('StudentLoginRequested') });
    const url = await post({ filter_type: LOGIN, url: 'example.com/no-scheme' });
    expect(url.status).toBe(422);
    expect(url.body.issues[0].path).toBe('url');
    const redirect = await post({ filter_type: LOGIN, url: 'https://example.com', redirect_on_4xx: 'mailto:x@y.z' });
    expect(redirect.status).toBe(422);
    const position = await post({ filter_type: LOGIN, url: 'https://example.com', position: -1 });
    expect(position.status).toBe(422);
    const missing = await post({ filter_type: LOGIN });
    expect(missing.status).toBe(422);
    expect(missing.body.issues.map((i: { path: string }) => i.path)).toEqual(['url']);

    for (const body of [{ filter_type: LOGIN, url: 'https://example.com', position: '3' }, { filter: LOGIN, url: 'https://x.com' }, [1]]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.issues.length).toBeGreaterThan(0);
    }
    expect((await post('{"filter_type"')).status).toBe(400);
    expect((await handle.db.select().from(webfilters)).length).toBe(before);
  });

  it('answers 401/403 without a proper key', async () => {
    expect((await post({ filter_type: LOGIN, url: 'https://example.com' }, 'nope-nope-nope-nope')).status).toBe(401);
    const { token: lms } = await createApiKey(handle.db, { name: 'lms', scopes: ['filters'] });
    expect((await post({ filter_type: LOGIN, url: 'https://example.com' }, lms)).status).toBe(403);
    expect((await call(list(req('GET', '', undefined, lms), undefined as never))).status).toBe(403);
  });
});

describe('GET /api/v1/webfilters', () => {
  it('lists in application order and filters by type or class name', async () => {
    const all = await call(list(req('GET'), undefined as never));
    expect(all.status).toBe(200);
    const key = (w: { filter_type: string; position: number }) => `${w.filter_type}#${String(w.position).padStart(8, '0')}`;
    const keys = all.body.map(key);
    expect(keys).toEqual([...keys].sort());
    const login = await call(list(req('GET', '?filter_type=StudentLoginRequested'), undefined as never));
    expect(login.body.length).toBeGreaterThan(1);
    expect(login.body.every((w: { filter_type: string }) => w.filter_type === LOGIN)).toBe(true);
  });
});

describe('GET|PATCH|DELETE /api/v1/webfilters/{id}', () => {
  it('patches only what is sent, checking option rules on the merged record', async () => {
    const { body: w } = await post({ description: 'Reg', filter_type: REGISTRATION, url: 'https://example.com/r', halt_on_4xx: true });
    const res = await update(w.id, { redirect_on_4xx: '/register-closed', position: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ description: 'Reg', halt_on_4xx: true, redirect_on_4xx: '/register-closed', position: 3 });

    // Moving it to a filter that cannot halt needs the halting options cleared in the same change.
    const refused = await update(w.id, { filter_type: SCHEDULES });
    expect(refused.status).toBe(422);
    expect(refused.body.issues.map((i: { path: string }) => i.path)).toEqual(['halt_on_4xx', 'redirect_on_4xx']);
    expect((await call(read(req('GET', `/${w.id}`), ctx(w.id)))).body.filter_type).toBe(REGISTRATION);
    const moved = await update(w.id, { filter_type: 'ScheduleQuerySetRequested', halt_on_4xx: false, redirect_on_4xx: '' });
    expect(moved.status).toBe(200);
    expect(moved.body.filter_type).toBe(SCHEDULES);
    expect((await webfiltersFor(handle, SCHEDULES)).map((x) => x.id)).toContain(w.id);
  });

  it('refuses bad patches without changing anything', async () => {
    const { body: w } = await post({ filter_type: LOGIN, url: 'https://example.com/keep' });
    for (const [body, status] of [
      [{ url: 'nope' }, 422],
      [{ position: 1.5 }, 422],
      [{ halt_on_4xx: 'true' }, 400],
      [{ secret: 'x' }, 400],
      ['{', 400],
    ] as const) {
      const res = await update(w.id, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
    }
    expect((await call(read(req('GET', `/${w.id}`), ctx(w.id)))).body).toEqual(w);
  });

  it('answers 404 for unknown or malformed ids', async () => {
    for (const id of ['3f0c6f2e-00e9-11f0-9c1a-0242ac120006', 'nope', '']) {
      expect((await read(req('GET', `/${id}`), ctx(id))).status, id).toBe(404);
      expect((await patch(req('PATCH', `/${id}`, { enabled: false }), ctx(id))).status, id).toBe(404);
      expect((await remove(req('DELETE', `/${id}`), ctx(id))).status, id).toBe(404);
    }
  });

  it('deletes, then answers 404, and the engine stops calling it', async () => {
    const { body: w } = await post({ filter_type: LOGIN, url: 'https://example.com/delete-me' });
    expect((await webfiltersFor(handle, LOGIN)).map((x) => x.id)).toContain(w.id);
    expect((await remove(req('DELETE', `/${w.id}`), ctx(w.id))).status).toBe(204);
    expect((await read(req('GET', `/${w.id}`), ctx(w.id))).status).toBe(404);
    expect((await webfiltersFor(handle, LOGIN)).map((x) => x.id)).not.toContain(w.id);
  });

  it('needs an admin key on every route', async () => {
    const { body: w } = await post({ filter_type: LOGIN, url: 'https://example.com/auth' });
    const { token: lms } = await createApiKey(handle.db, { name: 'lms2', scopes: ['events'] });
    for (const [t, expected] of [['bad-key-bad-key-bad', 401], [lms, 403]] as const) {
      expect((await read(req('GET', `/${w.id}`, undefined, t), ctx(w.id))).status).toBe(expected);
      expect((await patch(req('PATCH', `/${w.id}`, { enabled: false }, t), ctx(w.id))).status).toBe(expected);
      expect((await remove(req('DELETE', `/${w.id}`, undefined, t), ctx(w.id))).status).toBe(expected);
    }
    expect((await call(read(req('GET', `/${w.id}`), ctx(w.id)))).body.enabled).toBe(true);
  });
});
