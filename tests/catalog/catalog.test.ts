import { describe, it, expect } from 'vitest';
import { SERVICE_EVENTS } from '../../lib/catalog/service';
import {
  DATA_CLASSES, EVENTS, FILTERS, closestEvents, closestFilters, eventsByDomain, exceptionFor, filtersByDomain,
  findEvent, findFilter, sampleEventData, sampleFilterData,
} from '../../lib/catalog/index';

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('catalog contents', () => {
  it('has 75 Open edX events (64 plugin ones first), then the service ones, and 27 filters (24 plugin ones first)', () => {
    const all = 75 + SERVICE_EVENTS.length;
    expect(SERVICE_EVENTS.length).toBeGreaterThanOrEqual(4);
    expect(EVENTS).toHaveLength(all);
    expect(EVENTS.slice(75).every((e) => e.domainLabel === 'Service')).toBe(true);
    expect(FILTERS).toHaveLength(27);
    expect(EVENTS.findIndex((e) => !e.inPlugin)).toBe(64);
    expect(FILTERS.findIndex((f) => !f.inPlugin)).toBe(24);
    expect(new Set(EVENTS.map((e) => e.eventType)).size).toBe(all);
  });

  it('every event argument points at a known data class and has labels', () => {
    for (const e of EVENTS) {
      expect(e.label).not.toBe('');
      expect(e.domainLabel).not.toBe('');
      // An argument is a data class, or a plain value its JSON Schema describes (openedx_webhooks.user.retired.v1).
      for (const [arg, cls] of Object.entries(e.data)) expect(DATA_CLASSES[cls] ?? e.schemas?.[arg], `${e.signal} -> ${cls}`).toBeDefined();
    }
    expect(findEvent('TRACKING_EVENT_EMITTED')?.label).toBe('Tracking event emitted'); // derived (not in plugin)
  });

  it('groups by domain without losing entries', () => {
    expect(eventsByDomain().flatMap((g) => g.events)).toHaveLength(75 + SERVICE_EVENTS.length);
    expect(filtersByDomain().find((g) => g.domain === 'content_authoring')?.filters.map((f) => f.name)).toEqual(['LMSPageURLRequested']);
  });
});

describe('lookups', () => {
  it('finds events by type and by signal', () => {
    const e = findEvent('org.openedx.learning.course.enrollment.created.v1');
    expect(e?.signal).toBe('COURSE_ENROLLMENT_CREATED');
    expect(e?.data).toEqual({ enrollment: 'CourseEnrollmentData' });
    expect(findEvent('COURSE_ENROLLMENT_CREATED')).toBe(e);
    expect(findEvent('course_enrollment_created')).toBe(e);
    expect(findEvent('org.openedx.authz.role_assignment.created')?.signal).toBe('ROLE_ASSIGNMENT_CREATED');
    expect(findEvent('nope')).toBeUndefined();
  });

  it('finds filters by type, class name and the plugin stored name (F1)', () => {
    const f = findFilter('org.openedx.learning.xblock.render.started.v1');
    expect(f?.name).toBe('RenderXBlockStarted');
    expect(findFilter('RenderXBlockStarted')).toBe(f);
    expect(findFilter('XblockRenderStarted')).toBe(f);
    expect(f?.pluginEvent).toBe('XblockRenderStarted');
    expect(findFilter('StudentSettingsRenderStarted')?.name).toBe('AccountSettingsRenderStarted');
    expect(findFilter('AuthoringLmsPageUrlRequested')?.name).toBe('LMSPageURLRequested');
    expect(findFilter('IdvPageUrlRequested')?.name).toBe('IDVPageURLRequested');
    expect(FILTERS.filter((f) => f.pluginEvent && f.pluginEvent !== f.name)).toHaveLength(10);
  });

  it('suggests the right entry for typos', () => {
    expect(closestEvents('org.openedx.learning.course.enrolment.created.v1')[0]?.signal).toBe('COURSE_ENROLLMENT_CREATED');
    expect(closestEvents('COURSE_ENROLLMENT_CREATE')[0]?.signal).toBe('COURSE_ENROLLMENT_CREATED');
    expect(closestEvents('certificate revoke')[0]?.signal).toBe('CERTIFICATE_REVOKED');
    expect(closestEvents('x', 5)).toHaveLength(5);
    expect(closestFilters('StudentRegistrationRequest')[0]?.name).toBe('StudentRegistrationRequested');
    expect(closestFilters('org.openedx.learning.xblock.render.start.v1')[0]?.name).toBe('RenderXBlockStarted');
  });
});

describe('filter exceptions', () => {
  it('every exception has a name and message arg; halting filters and non-halting ones are right', () => {
    for (const f of FILTERS) {
      for (const x of f.exceptions) {
        expect(x.name).toMatch(/^[A-Z]\w+$/);
        expect(x.args).toContain('message');
      }
      expect(f.supportsRedirect).toBe(f.exceptions.some((x) => x.acceptsRedirect));
    }
    expect(FILTERS.filter((f) => f.inPlugin && f.exceptions.length === 0)).toHaveLength(7); // F6
  });

  it('StudentRegistrationRequested can raise PreventRegistration (inherited constructor)', () => {
    const f = findFilter('StudentRegistrationRequested')!;
    const x = exceptionFor(f, 'PreventRegistration');
    expect(x).toEqual({ name: 'PreventRegistration', args: ['message', 'redirect_to', 'status_code'], acceptsRedirect: true, acceptsExtraKwargs: true });
    expect(exceptionFor(f, 'PreventLogin')).toBeUndefined();
    expect(f.returns).toEqual(['form_data']);
  });

  it('RedirectToPage accepts redirect_to; other render exceptions do not', () => {
    const f = findFilter('org.openedx.learning.dashboard.render.started.v1')!;
    expect(f.supportsRedirect).toBe(true);
    expect(exceptionFor(f, 'RedirectToPage')?.acceptsRedirect).toBe(true);
    expect(exceptionFor(f, 'RenderInvalidDashboard')?.acceptsRedirect).toBe(false);
    expect(exceptionFor(f, 'RenderCustomResponse')?.args).toEqual(['message', 'response']);
    expect(findFilter('ORASubmissionViewRenderStarted')?.supportsRedirect).toBe(false);
    expect(findFilter('InstructorDashboardTabsRequested')?.returns).toEqual(['tabs']);
  });
});

describe('sample data', () => {
  it('every event sample has exactly the argument names, is JSON-safe and deterministic', () => {
    for (const e of EVENTS) {
      const data = sampleEventData(e);
      expect(Object.keys(data).sort(), e.signal).toEqual(Object.keys(e.data).sort());
      expect(JSON.parse(JSON.stringify(data))).toEqual(data);
      expect(sampleEventData(e)).toEqual(data);
      // every field of the top-level data class is present
      for (const [arg, cls] of Object.entries(e.data)) {
        if (!DATA_CLASSES[cls]) continue; // a plain value (its schema): sampled from the schema
        expect(Object.keys(data[arg] as object).sort()).toEqual(DATA_CLASSES[cls]!.fields.map((f) => f.name).sort());
      }
    }
  });

  it('uses catalog examples converted to argument names and ISO UTC datetimes', () => {
    const data = sampleEventData(findEvent('COURSE_ENROLLMENT_CREATED')!) as { enrollment: Record<string, any> };
    expect(data.enrollment.creation_date).toBe('2025-03-14T15:12:03.218Z');
    expect(data.enrollment.course.course_key).toBe('course-v1:edX+DemoX+Demo_Course');
    expect(data.enrollment.user.pii.email).toBe('jane.doe@example.com');
    const built = sampleEventData(findEvent('COURSE_UNENROLLMENT_COMPLETED')!) as { enrollment: Record<string, any> };
    expect(built.enrollment.creation_date).toMatch(ISO_UTC);
    expect(built.enrollment.course.course_key).toBe('course-v1:edX+DemoX+Demo_Course');
    const xb = sampleEventData(findEvent('XBLOCK_PUBLISHED')!) as { xblock_info: Record<string, any> };
    expect(xb.xblock_info.usage_key).toMatch(/^block-v1:/);
  });

  it('every filter sample has exactly the argument names and is JSON-safe', () => {
    for (const f of FILTERS) {
      const data = sampleFilterData(f);
      expect(Object.keys(data), f.name).toEqual(f.arguments);
      expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    }
    const reg = sampleFilterData(findFilter('StudentRegistrationRequested')!) as { form_data: Record<string, unknown> };
    expect(reg.form_data).toMatchObject({ username: 'mgarcia', email: 'maria.garcia@example.org', terms_of_service: 'true' });
    const login = sampleFilterData(findFilter('StudentLoginRequested')!) as { user: Record<string, unknown> };
    expect(login.user.username).toBe('jdoe');
    expect(login.user).not.toHaveProperty('password');
    expect(login.user.last_login).toMatch(ISO_UTC);
  });

  it('returns copies, so callers cannot corrupt the catalog', () => {
    const e = findEvent('SESSION_LOGIN_COMPLETED')!;
    (sampleEventData(e).user as Record<string, unknown>).id = 0;
    expect((sampleEventData(e).user as Record<string, unknown>).id).toBe(42);
  });
});
