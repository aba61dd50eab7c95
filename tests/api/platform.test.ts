// The relay's routes (SPEC §8) on embedded PGlite, route handlers called in-process: GET /api/v1/routing
// (lists, ETag/304, STORE_ALL_EVENTS, scopes), PUT /api/v1/catalog/platform (validation, storage, the merged
// catalog that /api/events, /api/filters and /api/v1/catalog/* then use), and the connections it records.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { EVENTS, findEvent, sampleEventData } from '../../lib/catalog';
import { setDb, type DbHandle } from '../../lib/db';
import { events, platforms, webfilters, webhooks } from '../../lib/db/schema';
import { generateSecret } from '../../lib/dispatch/sign';
import { invalidateTargets } from '../../lib/dispatch/targets';
import { resetEnv } from '../../lib/env';
import { flushActivity } from '../../lib/platforms/activity';
import { listConnections } from '../../lib/platforms/connections';
import { pgliteDb } from '../helpers/db';
import { call, requestTo } from '../helpers/api';

const { GET: routingRoute } = await import('../../app/api/v1/routing/route');
const { PUT: syncRoute } = await import('../../app/api/v1/catalog/platform/route');
const { POST: eventsRoute } = await import('../../app/api/events/route');
const { POST: filtersRoute } = await import('../../app/api/filters/route');
const { GET: catalogEventsRoute } = await import('../../app/api/v1/catalog/events/route');
const { GET: catalogFiltersRoute } = await import('../../app/api/v1/catalog/filters/route');
const { POST: createWebhookRoute } = await import('../../app/api/v1/webhooks/route');

const ENROLLMENT = 'org.openedx.learning.course.enrollment.created.v1';
const REGISTRATION = 'org.openedx.learning.student.registration.requested.v1';
const BADGE = 'org.openedx.learning.badge.polished.v1';
const RENDER = 'org.openedx.learning.widget.render.started.v1';
const UA = 'openedx-webhooks-relay/0.3.1 (lms; openedx-events/10.5.0; openedx-filters/2.1.0)';

let handle: DbHandle;
const tokens = { events: '', filters: '', both: '', admin: '' };
const keyIds = { both: '' };
const req = requestTo('http://localhost', () => tokens.both);
const noCtx = undefined as never;

function setEnv(vars: Record<string, string>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === '') delete process.env[k];
    else process.env[k] = v;
  }
  resetEnv();
}

const getRouting = (token: string | null = tokens.both, headers: Record<string, string> = {}) => {
  const r = req('GET', '/api/v1/routing', undefined, token);
  for (const [k, v] of Object.entries(headers)) r.headers.set(k, v);
  return call(routingRoute(r, noCtx));
};
const sync = (body: unknown, token: string | null = tokens.both, ua = UA) => {
  const r = req('PUT', '/api/v1/catalog/platform', body, token);
  r.headers.set('user-agent', ua);
  return call(syncRoute(r, noCtx));
};
const postEvent = (body: unknown, ua: string | null = UA, token = tokens.both) => {
  const r = req('POST', '/api/events', body, token);
  if (ua) r.headers.set('user-agent', ua);
  return call(eventsRoute(r, noCtx));
};
const postFilter = (body: unknown, ua: string | null = UA, token = tokens.both) => {
  const r = req('POST', '/api/filters', body, token);
  if (ua) r.headers.set('user-agent', ua);
  return call(filtersRoute(r, noCtx));
};
const admin = (route: typeof catalogEventsRoute, path: string) => call(route(req('GET', path, undefined, tokens.admin), noCtx));

async function addWebhook(eventType: string, enabled = true) {
  const [row] = await handle.db.insert(webhooks).values({ eventType, url: 'https://example.com/h', secret: generateSecret(), enabled }).returning();
  await invalidateTargets(handle);
  return row!;
}
async function addWebfilter(filterType: string, enabled = true) {
  await handle.db.insert(webfilters).values({ filterType, url: 'https://example.com/f', enabled });
  await invalidateTargets(handle);
}

/** A catalog as the relay sends it: a built-in event and filter, plus one of each the service does not know. */
function catalogBody(host = 'lms.example.com', variant = 'lms') {
  return {
    source: { host, variant, relay: '0.3.1', openedx_events: '10.5.0', openedx_filters: '2.1.0' },
    events: [
      {
        event_type: ENROLLMENT,
        signal: 'COURSE_ENROLLMENT_CREATED',
        data: { enrollment: { title: 'CourseEnrollmentData', type: 'object', properties: { mode: { type: 'string' } } } },
        description: 'A learner enrolled.',
      },
      {
        event_type: BADGE,
        signal: 'BADGE_POLISHED',
        data: {
          badge: {
            title: 'BadgeData',
            type: 'object',
            properties: {
              uuid: { type: 'string', format: 'uuid' },
              shine: { type: 'integer' },
              awarded_at: { type: 'string', format: 'date-time' },
              owner: { $ref: '#/$defs/UserData' },
            },
            $defs: { UserData: { type: 'object', properties: { username: { type: 'string' }, is_active: { type: 'boolean' } } } },
          },
          polisher: { title: 'UserData', type: 'object', properties: { id: { type: 'integer' } } },
        },
        description: 'A badge was polished (only this platform knows it).',
      },
    ],
    filters: [
      {
        filter_type: REGISTRATION,
        name: 'StudentRegistrationRequested',
        arguments: ['form_data'],
        exceptions: [{ name: 'PreventRegistration', arguments: ['message', 'redirect_to', 'status_code'] }],
        description: '',
      },
      {
        filter_type: RENDER,
        name: 'WidgetRenderStarted',
        arguments: ['context', 'template_name'],
        exceptions: [{ name: 'RenderInvalidWidget', arguments: ['message', 'redirect_to'] }],
        description: 'A widget is about to render.',
      },
    ],
  };
}

beforeAll(async () => {
  handle = await pgliteDb();
  setDb(handle);
  tokens.events = (await createApiKey(handle.db, { name: 'events', scopes: ['events'] })).token;
  tokens.filters = (await createApiKey(handle.db, { name: 'filters', scopes: ['filters'] })).token;
  const both = await createApiKey(handle.db, { name: 'relay', scopes: ['events', 'filters'] });
  tokens.both = both.token;
  keyIds.both = both.key.id;
  tokens.admin = (await createApiKey(handle.db, { name: 'admin', scopes: ['admin'] })).token;
});
afterAll(() => handle.close());

describe('GET /api/v1/routing', () => {
  it('answers 401 without a key or with an unknown one, 403 for an admin-only key, 200 for events or filters keys', async () => {
    expect((await getRouting(null)).status).toBe(401);
    expect((await getRouting('oewh_unknown_key_value')).status).toBe(401);
    const adminOnly = await getRouting(tokens.admin);
    expect(adminOnly.status).toBe(403);
    expect(adminOnly.body.error).toMatch(/neither the "events" nor the "filters" scope/);
    expect((await getRouting(tokens.events)).status).toBe(200);
    expect((await getRouting(tokens.filters)).status).toBe(200);
  });

  it('lists the types with an enabled target only, with an ETag; If-None-Match answers 304 with no body', async () => {
    const empty = await getRouting();
    expect(empty.body).toMatchObject({ events: [], filters: [] });
    await addWebhook(ENROLLMENT);
    await addWebhook(ENROLLMENT);
    await addWebhook('org.openedx.learning.certificate.created.v1', false);
    await addWebfilter(REGISTRATION);
    await addWebfilter('org.openedx.learning.student.login.requested.v1', false);
    const r = await getRouting();
    expect(r.status).toBe(200);
    expect(r.body.events).toEqual([ENROLLMENT]);
    expect(r.body.filters).toEqual([REGISTRATION]);
    expect(typeof r.body.version).toBe('string');
    expect(r.body.version).not.toBe(empty.body.version);
    expect(r.headers.get('etag')).toBe(`"${r.body.version}"`);

    const again = await getRouting(tokens.both, { 'if-none-match': r.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    expect(again.headers.get('etag')).toBe(r.headers.get('etag'));
    expect((await getRouting(tokens.both, { 'if-none-match': `W/${r.headers.get('etag')}, "other"` })).status).toBe(304);
    expect((await getRouting(tokens.both, { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('a changed webhook changes the version, and the old ETag no longer answers 304', async () => {
    const before = await getRouting();
    const hook = await addWebhook('org.openedx.learning.course.unenrollment.completed.v1');
    const after = await getRouting(tokens.both, { 'if-none-match': before.headers.get('etag')! });
    expect(after.status).toBe(200);
    expect(after.body.events).toContain('org.openedx.learning.course.unenrollment.completed.v1');
    expect(after.body.version).not.toBe(before.body.version);
    await handle.db.update(webhooks).set({ enabled: false }).where(eq(webhooks.id, hook.id));
    await invalidateTargets(handle);
    const disabled = await getRouting();
    expect(disabled.body.events).not.toContain('org.openedx.learning.course.unenrollment.completed.v1');
    expect(disabled.body.version).toBe(before.body.version);
  });

  it('answers "events": ["*"] with STORE_ALL_EVENTS=1', async () => {
    setEnv({ STORE_ALL_EVENTS: '1' });
    try {
      const r = await getRouting();
      expect(r.body.events).toEqual(['*']);
      expect(r.body.filters).toEqual([REGISTRATION]);
    } finally {
      setEnv({ STORE_ALL_EVENTS: '' });
    }
    expect((await getRouting()).body.events).toEqual([ENROLLMENT]);
  });
});

describe('PUT /api/v1/catalog/platform', () => {
  const platformRows = async () => (await handle.db.select({ n: count() }).from(platforms))[0]!.n;

  it('refuses bad bodies with 400 and the issues, storing nothing', async () => {
    const good = catalogBody();
    const cases: [string, unknown, RegExp][] = [
      ['no source', { events: [], filters: [] }, /source/],
      ['unknown variant', { ...good, source: { ...good.source, variant: 'studio' } }, /Must be .*lms.* or .*cms/],
      ['host with spaces', { ...good, source: { ...good.source, host: 'lms example' } }, /host name/],
      ['event data not an object', { ...good, events: [{ ...good.events[0], data: [] }] }, /argument name -> JSON Schema/],
      ['argument schema not an object', { ...good, events: [{ ...good.events[0], data: { enrollment: 'x' } }] }, /JSON Schema/],
      ['a repeated event type', { ...good, events: [good.events[0], good.events[0]] }, /Repeats the event type/],
      ['filter arguments not names', { ...good, filters: [{ ...good.filters[0], arguments: ['form data'] }] }, /Python identifier/],
      ['exceptions missing', { ...good, filters: [{ ...good.filters[1], exceptions: undefined }] }, /list of exceptions/],
    ];
    for (const [what, body, message] of cases) {
      const r = await sync(body);
      expect(r.status, what).toBe(400);
      expect(r.body.error, what).toMatch(/^The request body is not valid: /);
      expect(JSON.stringify(r.body.issues), what).toMatch(message);
    }
    expect((await sync('{"source": ')).status).toBe(400);
    const notJson = syncRoute(new Request('http://localhost/api/v1/catalog/platform', {
      method: 'PUT', headers: { authorization: `Bearer ${tokens.both}`, 'content-type': 'text/plain' }, body: 'x',
    }), noCtx);
    expect((await notJson).status).toBe(415);
    setEnv({ MAX_BODY_BYTES: '2000' });
    try {
      const big = await sync({ ...good, events: [{ ...good.events[0], description: 'x'.repeat(3000) }] });
      expect(big.status).toBe(413);
      expect(big.body.error).toMatch(/MAX_BODY_BYTES/);
    } finally {
      setEnv({ MAX_BODY_BYTES: '' });
    }
    expect((await sync(good, tokens.admin)).status).toBe(403);
    expect((await sync(good, null)).status).toBe(401);
    expect(await platformRows()).toBe(0);
    // Before a sync, the platform's own types are unknown.
    expect((await postEvent({ event_type: BADGE, data: { badge: {}, polisher: {} } })).status).toBe(422);
  });

  it('stores a valid catalog and answers the counts and the types the built-in catalog lacks', async () => {
    const r = await sync(catalogBody());
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ events: 2, filters: 2, new_events: [BADGE], new_filters: [RENDER] });
    const [row] = await handle.db.select().from(platforms);
    expect(row).toMatchObject({
      host: 'lms.example.com', variant: 'lms', relayVersion: '0.3.1', eventsVersion: '10.5.0', filtersVersion: '2.1.0', apiKeyId: keyIds.both,
    });
    expect(row!.catalogUpdatedAt).toBeInstanceOf(Date);
    // A filters-only key may sync too; the same platform again replaces its row.
    expect((await sync(catalogBody(), tokens.filters)).status).toBe(200);
    expect(await platformRows()).toBe(1);
  });

  it('accepts a platform-only event on /api/events with its own data keys, and refuses other keys', async () => {
    const ok = await postEvent({ event_type: BADGE, data: { badge: { shine: 3 }, polisher: { id: 1 } }, metadata: { sourcehost: 'lms.example.com' } });
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ event_type: BADGE, deliveries: 0 });
    const [stored] = await handle.db.select().from(events).where(eq(events.id, ok.body.id));
    expect(stored).toMatchObject({ eventType: BADGE, signal: 'BADGE_POLISHED' });
    // By signal name too.
    expect((await postEvent({ event_type: 'BADGE_POLISHED', data: { badge: {}, polisher: {} } })).status).toBe(202);

    const wrong = await postEvent({ event_type: BADGE, data: { badge: {}, owner: {} } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatch(/BADGE_POLISHED/);
    expect(wrong.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['data.owner', 'data.polisher']);
    // The built-in events still validate as before.
    expect((await postEvent({ event_type: ENROLLMENT, data: { polisher: {} } })).status).toBe(400);
  });

  it('delivers a platform-only event to its webhook, created through the management API', async () => {
    const created = await call(createWebhookRoute(req('POST', '/api/v1/webhooks', { event_type: 'BADGE_POLISHED', url: 'https://example.com/badge' }, tokens.admin), noCtx));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.event_type).toBe(BADGE);
    expect((await getRouting()).body.events).toContain(BADGE);
    const r = await postEvent({ event_type: BADGE, data: { badge: {}, polisher: {} } });
    expect(r.body.deliveries).toBe(1);
  });

  it('accepts a platform-only filter on /api/filters with its arguments, and refuses others', async () => {
    const ok = await postFilter({ filter_type: 'WidgetRenderStarted', data: { context: { a: 1 }, template_name: 'w.html' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ filter_type: RENDER, data: { context: { a: 1 }, template_name: 'w.html' }, changes: {}, exception: null });
    const wrong = await postFilter({ filter_type: RENDER, data: { fragment: 'x' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatch(/its arguments: context, template_name/);
  });

  it('lists the merged catalog with sources in /api/v1/catalog/events and /filters', async () => {
    const ev = await admin(catalogEventsRoute, '/api/v1/catalog/events');
    expect(ev.status).toBe(200);
    expect(ev.body).toHaveLength(EVENTS.length + 1); // the built-in catalog (Open edX and Service) and the platform's new one
    const by = (type: string) => ev.body.find((e: { event_type: string }) => e.event_type === type);
    expect(by(ENROLLMENT).sources).toEqual(['builtin', 'platform']);
    expect(by('org.openedx.learning.certificate.created.v1').sources).toEqual(['builtin']);
    expect(by(BADGE)).toMatchObject({ sources: ['platform'], signal: 'BADGE_POLISHED', domain: 'learning', label: 'Badge polished', data: { badge: 'BadgeData', polisher: 'UserData' } });
    const fl = await admin(catalogFiltersRoute, '/api/v1/catalog/filters');
    expect(fl.body).toHaveLength(28);
    const render = fl.body.find((f: { filter_type: string }) => f.filter_type === RENDER);
    expect(render).toMatchObject({ sources: ['platform'], name: 'WidgetRenderStarted', arguments: ['context', 'template_name'], supports_redirect: true });
    expect(render.exceptions).toEqual([{ name: 'RenderInvalidWidget', args: ['message', 'redirect_to'], accepts_redirect: true }]);
    expect(fl.body.find((f: { filter_type: string }) => f.filter_type === REGISTRATION).sources).toEqual(['builtin', 'platform']);
  });

  it('builds a sample payload for a platform-only event from its JSON Schema', () => {
    const sample = sampleEventData(findEvent(BADGE)!);
    expect(sample).toEqual({
      badge: {
        uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        shine: 1,
        awarded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        owner: { username: 'jdoe', is_active: true },
      },
      polisher: { id: 42 },
    });
  });
});

describe('connections', () => {
  it('records each calling platform with its versions and its events and filter calls, written in batches', async () => {
    expect((await sync(catalogBody())).status).toBe(200);
    await flushActivity(handle);
    const before = (await listConnections(handle)).find((c) => c.host === 'lms.example.com')!;
    const studioUa = 'openedx-webhooks-relay/0.3.1 (cms; openedx-events/11.0.0; openedx-filters/3.0.0)';
    // Events name the machine that sent them; they count for the host the relay reported with this key.
    for (const sourcehost of ['lms.example.com', 'lms-web-1.internal', 'lms-web-2.internal']) {
      expect((await postEvent({ event_type: ENROLLMENT, data: sampleEventData(findEvent(ENROLLMENT)!), metadata: { sourcehost } })).status).toBe(202);
    }
    expect((await postEvent({ event_type: 'XBLOCK_PUBLISHED', data: sampleEventData(findEvent('XBLOCK_PUBLISHED')!), metadata: { sourcehost: 'Studio.Example.com' } }, studioUa)).status).toBe(202);
    // Filter calls carry no host: they count for the host this key's LMS reported.
    for (let i = 0; i < 2; i++) expect((await postFilter({ filter_type: REGISTRATION, data: { form_data: {} } })).status).toBe(200);
    // Calls from something that is not the relay and names no host are not a platform.
    expect((await postFilter({ filter_type: REGISTRATION, data: { form_data: {} } }, null)).status).toBe(200);
    // A duplicate (same metadata.id) is not counted twice.
    const id = '6f1c2b1e-9c1d-4a55-8c1b-2f0e5d7a9b12';
    await postEvent({ event_type: ENROLLMENT, data: sampleEventData(findEvent(ENROLLMENT)!), metadata: { id, sourcehost: 'lms.example.com' } });
    await postEvent({ event_type: ENROLLMENT, data: sampleEventData(findEvent(ENROLLMENT)!), metadata: { id, sourcehost: 'lms.example.com' } });

    const list = await listConnections(handle);
    expect(list.map((c) => `${c.host} ${c.variant}`).sort()).toEqual(['lms.example.com lms', 'studio.example.com cms']);
    const lms = list.find((c) => c.host === 'lms.example.com')!;
    expect(lms.events24h - before.events24h).toBe(4);
    expect(lms.filterCalls24h - before.filterCalls24h).toBe(2);
    expect(lms).toMatchObject({ relayVersion: '0.3.1', eventsVersion: '10.5.0', filtersVersion: '2.1.0', catalogEvents: 2, catalogFilters: 2 });
    const studio = list.find((c) => c.host === 'studio.example.com')!;
    expect(studio).toMatchObject({ variant: 'cms', relayVersion: '0.3.1', eventsVersion: '11.0.0', filtersVersion: '3.0.0', events24h: 1, filterCalls24h: 0, catalogEvents: null });
    expect(Date.now() - Date.parse(studio.lastSeenAt)).toBeLessThan(60_000);
  });
});

describe('a newer platform version of a built-in event', () => {
  it('accepts the data with or without the argument only that version has, and still refuses unknown keys', async () => {
    const base = catalogBody('lms.newer.example');
    const withContext = { ...base.events[0]!, data: { ...base.events[0]!.data, enrollment_context: { title: 'ContextData', type: 'object' } } };
    const body = { ...base, events: [withContext], filters: [] };
    expect((await sync(body)).body).toEqual({ events: 1, filters: 0, new_events: [], new_filters: [] });
    const data = sampleEventData(findEvent(ENROLLMENT)!);
    expect((await postEvent({ event_type: ENROLLMENT, data })).status).toBe(202);
    expect((await postEvent({ event_type: ENROLLMENT, data: { ...data, enrollment_context: { a: 1 } } })).status).toBe(202);
    expect((await postEvent({ event_type: ENROLLMENT, data: { ...data, other: {} } })).status).toBe(400);
    const ev = await admin(catalogEventsRoute, '/api/v1/catalog/events');
    const enrolled = ev.body.find((e: { event_type: string }) => e.event_type === ENROLLMENT);
    expect(enrolled).toMatchObject({ sources: ['builtin', 'platform'], data: { enrollment: 'CourseEnrollmentData', enrollment_context: 'ContextData' }, optional_data: ['enrollment_context'] });
  });
});

describe('an event the relay could not name', () => {
  it('takes an empty signal and derives one from the event type', async () => {
    const base = catalogBody('lms.unnamed.example');
    const unnamed = { event_type: 'org.openedx.learning.medal.engraved.v1', signal: '', data: { medal: { type: 'object' } }, description: '' };
    expect((await sync({ ...base, events: [unnamed], filters: [] })).status).toBe(200);
    expect(findEvent('MEDAL_ENGRAVED')).toMatchObject({ eventType: unnamed.event_type, label: 'Medal engraved', sources: ['platform'] });
    expect((await postEvent({ event_type: 'MEDAL_ENGRAVED', data: { medal: {} } })).status).toBe(202);
  });
});
