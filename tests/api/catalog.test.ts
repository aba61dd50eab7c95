// The catalog management API, and the guard's three ways in: admin key, admin session, nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { SERVICE_EVENTS } from '../../lib/catalog/service';
import { setDb, type DbHandle } from '../../lib/db';
import { pgliteDb } from '../helpers/db';

// Outside Next.js there is no request scope for next-auth: the session is whatever the test says.
// Only currentAdmin is replaced: the guard turns the user into an actor with the real actorOf (its role decides).
const session = vi.hoisted(() => ({ admin: null as null | { id: string; email: string; name: string; role: 'viewer' | 'editor' | 'owner' } }));
vi.mock('../../lib/auth/session', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../lib/auth/session')>()),
  currentAdmin: async () => session.admin,
}));

const { GET: events } = await import('../../app/api/v1/catalog/events/route');
const { GET: filters } = await import('../../app/api/v1/catalog/filters/route');
const { GET: webhooks } = await import('../../app/api/v1/webhooks/route');
const { GET: webfilters } = await import('../../app/api/v1/webfilters/route');

let handle: DbHandle;
let admin: string;
let lms: string;

const get = async (route: typeof events, token?: string) => {
  const res = await route(
    new Request('http://localhost/api/v1/x', { headers: token ? { authorization: `Bearer ${token}` } : {} }),
    undefined as never,
  );
  return { status: res.status, body: await res.json() };
};

beforeAll(async () => {
  handle = await pgliteDb();
  setDb(handle);
  ({ token: admin } = await createApiKey(handle.db, { name: 'admin', scopes: ['admin'] }));
  ({ token: lms } = await createApiKey(handle.db, { name: 'lms', scopes: ['events', 'filters'] }));
});
beforeEach(() => void (session.admin = null));
afterAll(() => handle.close());

describe('GET /api/v1/catalog/events', () => {
  it('lists every event with its type, signal, domain and data arguments', async () => {
    const { status, body } = await get(events, admin);
    expect(status).toBe(200);
    expect(body).toHaveLength(75 + SERVICE_EVENTS.length);
    const enrolled = body.find((e: { signal: string }) => e.signal === 'COURSE_ENROLLMENT_CREATED');
    expect(enrolled).toMatchObject({
      event_type: 'org.openedx.learning.course.enrollment.created.v1',
      domain: 'learning',
      data: { enrollment: 'CourseEnrollmentData' },
      in_plugin: true,
    });
    expect(typeof enrolled.label).toBe('string');
    expect(typeof enrolled.description).toBe('string');
  });
});

describe('GET /api/v1/catalog/filters', () => {
  it('lists every filter with its arguments and exceptions', async () => {
    const { status, body } = await get(filters, admin);
    expect(status).toBe(200);
    expect(body).toHaveLength(27);
    const login = body.find((f: { name: string }) => f.name === 'StudentLoginRequested');
    expect(login).toMatchObject({
      filter_type: 'org.openedx.learning.student.login.requested.v1',
      arguments: ['user'],
      supports_redirect: true,
    });
    expect(login.exceptions[0]).toMatchObject({ name: 'PreventLogin', accepts_redirect: true });
  });
});

describe('the admin guard', () => {
  const routes = { events, filters, webhooks, webfilters };
  it('answers 401 with nothing, 401 with an unknown key and 403 with a key lacking the admin scope', async () => {
    for (const [name, route] of Object.entries(routes)) {
      const anon = await get(route);
      expect(anon.status, name).toBe(401);
      expect(anon.body.error, name).toMatch(/Sign in or send an API key/);
      expect((await get(route, 'oewh_unknown_unknown_unknown')).status, name).toBe(401);
      const scoped = await get(route, lms);
      expect(scoped.status, name).toBe(403);
      expect(scoped.body.error, name).toContain('"admin" scope');
    }
  });

  it('lets a signed-in admin in without a key', async () => {
    session.admin = { id: 'u1', email: 'admin@example.org', name: 'Admin', role: 'owner' };
    for (const [name, route] of Object.entries(routes)) expect((await get(route)).status, name).toBe(200);
    // Reads are for every role (SPEC §10): a signed-in viewer gets them too.
    session.admin = { id: 'u2', email: 'viewer@example.org', name: 'Viewer', role: 'viewer' };
    for (const [name, route] of Object.entries(routes)) expect((await get(route)).status, name).toBe(200);
  });
});
