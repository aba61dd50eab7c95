// Example `data` objects for events and filters, e.g. for "send test" buttons and docs.
// Real plugin examples win when the catalog has one; otherwise values are built from the data
// class field types plus a few field-name hints. No randomness: same input, same output.
import { DATA_CLASSES as OPENEDX_DATA_CLASSES } from './data-classes.data';
import { SERVICE_DATA_CLASSES } from './service';

const DATA_CLASSES = { ...OPENEDX_DATA_CLASSES, ...SERVICE_DATA_CLASSES };
import { EVENT_EXAMPLES } from './events.data';
import { FILTER_EXAMPLES } from './filters.data';
import type { EventDef, FilterDef, ValueDef } from './types';

const COURSE_KEY = 'course-v1:edX+DemoX+Demo_Course';
const USAGE_KEY = 'block-v1:edX+DemoX+Demo_Course+type@problem+block@d0d804e8863c4a95a659c04d8a2b2bc0';
const DATETIME = '2025-03-14T15:12:03.402Z';
const UUID = '3f0c6f2e-00e9-11f0-9c1a-0242ac120006';
const LMS = 'https://lms.example.com';

const BY_FORMAT: Record<string, string> = {
  datetime: DATETIME, uuid: UUID, course_key: COURSE_KEY, usage_key: USAGE_KEY,
  ccx_course_key: 'ccx-v1:edX+DemoX+Demo_Course+ccx@3',
  library_key: 'lib:edX:demo-library',
  library_usage_key: 'lb:edX:demo-library:problem:demo-problem',
  library_collection_key: 'lib-collection:edX:demo-library:demo-collection',
  library_container_key: 'lct:edX:demo-library:unit:demo-unit',
};

// Field-name hints, "Class.field" first (for ambiguous names like `name`), then plain "field".
const HINTS: Record<string, unknown> = {
  'CohortData.name': 'Cohort A', 'CourseCatalogData.name': 'Demonstration Course', 'BadgeTemplateData.name': 'Demo badge',
  'TrackingLogData.name': 'edx.course.enrollment.activated', 'TrackingLogData.data': '{}', 'TrackingLogData.context': '{}',
  'ProgramCertificateData.status': 'awarded', 'CertificateSignatoryData.title': 'Course instructor',
  'DiscussionTopicContext.title': 'General', 'ProgramData.title': 'Demo Program', 'CertificateConfigData.title': 'Verified Certificate',
  username: 'jdoe', email: 'jane.doe@example.com', coach_email: 'coach@example.com', name: 'Jane Doe',
  display_name: 'Demonstration Course', title: 'Welcome to the course', body: 'Hello everyone!', description: 'Awarded for completing the course.',
  mode: 'verified', grade: '0.87', current_status: 'downloadable', previous_status: 'notpassing', status: 'approved',
  letter_grade: 'Pass', pacing: 'instructor', block_type: 'problem', provider_type: 'openedx', exam_type: 'proctored',
  org_key: 'edX', organization: 'edX', role: 'staff', roles: 'Learner', app_name: 'discussion', notification_type: 'new_comment',
  program_type: 'Professional Certificate', certificate_type: 'verified', thread_type: 'discussion', category_name: 'General',
  commentable_id: 'course', external_id: 'general', origin: 'openedx__course', fulfillment_type: 'learner_credit',
  state: 'committed', source_slug: 'enterprise-api', operation: 'assign', subject: 'user^jdoe', scope: 'lib:edX:demo-library',
  score_msg: '<p>Correct</p>', queue_name: 'demo-queue', course_version: '67c2031a8f1e4b2d9c6a7b10',
  user_course_roles: 'Student', user_forums_roles: 'Student', changes: 'tags', file_keys: 'demo-file-key',
  file_names: 'essay.pdf', file_descriptions: 'Essay draft',
  grading_policy_hash: 'k3+Zp1yOe2hB0mR7V9sQ0wCk4xE=', anonymous_user_id: '5c3b8f0e9d2a4e6b8c1d7f3a2b9e0c4d',
  // str-typed ids and keys that really hold keys, users or times
  id: '1a2b3c4d5e6f', uuid: UUID, user_id: '42', course_id: COURSE_KEY, context_id: COURSE_KEY, content_key: COURSE_KEY,
  parent_content_key: 'edX+DemoX', module_id: USAGE_KEY, location: USAGE_KEY, object_id: USAGE_KEY, subsidy_identifier: UUID,
  start: DATETIME, end: DATETIME, idempotency_key: 'demo-idempotency-key', queue_key: 'demo-queue-key', fulfillment_identifier: UUID,
  // integers, numbers and booleans (only when the field has that JSON type)
  '#id': 42, '#user_id': 42, '#lms_user_id': 42, '#actor_id': 42, '#attempt_id': 7, '#points_possible': 10, '#points_earned': 8,
  '#submission_id': 1001, '#user_ids': 42, '#file_sizes': 20480, '#quantity': -19900, '#max_students_allowed': 200, '#percent_grade': 0.87,
  '#is_active': true, '#active': true, '#enabled': true, '#enable_in_context': true, '#is_passing': true, '#linked': true,
};

function sampleValue(v: ValueDef, cls: string, field: string, depth: number): unknown {
  if (v.ref) return sampleClass(v.ref, depth + 1);
  if (v.jsonType === 'array') return v.items ? [sampleValue(v.items, cls, field, depth)] : [];
  if (v.jsonType === 'object') return {}; // dict[str, X]: empty is valid and honest
  if (v.jsonType === 'binary') return null; // file-like (signatory image), not JSON
  if (v.format && BY_FORMAT[v.format]) return BY_FORMAT[v.format];
  if (v.jsonType === 'string') {
    const hint = HINTS[`${cls}.${field}`] ?? HINTS[field];
    if (typeof hint === 'string') return hint;
    return /urls?$/.test(field) ? `${LMS}/courses/${COURSE_KEY}/` : field.replace(/_/g, '-');
  }
  const hint = HINTS[`#${field}`];
  if (v.jsonType === 'integer') return typeof hint === 'number' ? hint : 1;
  if (v.jsonType === 'number') return typeof hint === 'number' ? hint : 0.5;
  if (v.jsonType === 'boolean') return hint === true;
  return null;
}

function sampleClass(key: string, depth = 0): Record<string, unknown> {
  const cls = DATA_CLASSES[key];
  if (!cls || depth > 5) return {}; // no cycles today; the cap keeps a future one from looping
  const name = key.replace(/^.*\./, ''); // learning.CourseData -> CourseData
  return Object.fromEntries(cls.fields.map((f) => [f.name, sampleValue(f, name, f.name, depth)]));
}

export function sampleEventData(e: EventDef): Record<string, unknown> {
  const example = EVENT_EXAMPLES[e.eventType];
  if (example) return structuredClone(example);
  return Object.fromEntries(
    Object.entries(e.data).map(([arg, cls]) => {
      const schema = e.schemas?.[arg];
      // A platform's own event is sampled from the schema it sent, a built-in one from its data class.
      const builtin = !e.sources || e.sources.includes('builtin');
      return [arg, schema === undefined || (builtin && DATA_CLASSES[cls]) ? sampleClass(cls) : sampleFromSchema(schema)];
    }),
  );
}

type Schema = Record<string, unknown>;
const asSchema = (v: unknown): Schema => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Schema) : {});
const SCHEMA_FORMATS: Record<string, string> = { 'date-time': DATETIME, date: DATETIME.slice(0, 10), uuid: UUID, email: 'jane.doe@example.com', uri: `${LMS}/` };

/**
 * A value that fits a JSON Schema (as a platform's catalog sync sends for its events' attrs classes):
 * examples and defaults first, then the type, with the same field-name hints as the built-in samples.
 */
export function sampleFromSchema(schema: unknown, field = '', root: unknown = schema, depth = 0): unknown {
  let s = asSchema(schema);
  if (depth > 8) return null;
  if (typeof s.$ref === 'string') {
    // Local references only: #/$defs/X or #/definitions/X.
    const path = s.$ref.replace(/^#\//, '').split('/');
    s = asSchema(path.reduce<unknown>((node, k) => asSchema(node)[k], root));
  }
  if (Array.isArray(s.examples) && s.examples.length) return structuredClone(s.examples[0]);
  if ('default' in s && s.default !== undefined) return structuredClone(s.default);
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if ('const' in s) return s.const;
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    const options = Array.isArray(s[k]) ? (s[k] as unknown[]) : [];
    const pick = options.find((o) => asSchema(o).type !== 'null') ?? options[0];
    if (pick !== undefined) return sampleFromSchema(pick, field, root, depth + 1);
  }
  const types = Array.isArray(s.type) ? (s.type as unknown[]) : [s.type];
  const type = types.find((t) => t !== 'null') ?? types[0] ?? (s.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const props = asSchema(s.properties);
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sampleFromSchema(v, k, root, depth + 1)]));
    }
    case 'array':
      return s.items === undefined ? [] : [sampleFromSchema(s.items, field, root, depth + 1)];
    case 'string': {
      const byFormat = typeof s.format === 'string' ? (SCHEMA_FORMATS[s.format] ?? BY_FORMAT[s.format]) : undefined;
      return byFormat ?? sampleValue({ jsonType: 'string' }, '', field, depth);
    }
    case 'integer':
    case 'number':
    case 'boolean':
      return sampleValue({ jsonType: type as string }, '', field, depth);
    default:
      return null;
  }
}

// Filter arguments are Django objects the plugin sends as row dicts or strings (quirk F2).
const USER_ROW = FILTER_EXAMPLES['org.openedx.learning.student.login.requested.v1']?.user ?? { id: 42, username: 'jdoe', email: 'jane.doe@example.com' };
const FILTER_ARGS: Record<string, unknown> = {
  'AccountSettingsRenderStarted.template_name': 'student_account/account_settings.html',
  'CourseAboutRenderStarted.template_name': 'courseware/course_about.html',
  'InstructorDashboardRenderStarted.template_name': 'instructor/instructor_dashboard_2/instructor_dashboard_2.html',
  'ORASubmissionViewRenderStarted.template_name': 'openassessmentblock/response/oa_response.html',
  'IDVPageURLRequested.url': 'https://apps.example.com/account/id-verification',
  'CourseAboutPageURLRequested.url': `${LMS}/courses/${COURSE_KEY}/about`,
  user: USER_ROW, course_key: COURSE_KEY, course_id: COURSE_KEY, user_id: 42, org: 'edX', mode: 'verified',
  status: 'downloadable', grade: 0.87, generation_mode: 'batch', template_name: 'dashboard.html', custom_template: null,
  context: { course_id: COURSE_KEY, user_id: 42 }, student_view_context: {}, view: 'student_view', url: `${LMS}/dashboard`,
  enrollment: { id: 1234, user_id: 42, course_id: COURSE_KEY, created: DATETIME, is_active: true, mode: 'audit' },
  current_membership: { id: 7, user_id: 42, course_user_group_id: 3, course_id: COURSE_KEY },
  target_cohort: { id: 4, name: 'Cohort B', course_id: COURSE_KEY, group_type: 'cohort' },
  block: { block_type: 'problem', usage_id: USAGE_KEY, display_name: 'Checkpoint quiz' },
  fragment: '<div class="vert-mod">…</div>',
  enrollments: `<QuerySet [<CourseEnrollment: jdoe (${COURSE_KEY}); active: (True)>]>`,
  schedules: `<QuerySet [<Schedule: Schedule object (12)>]>`,
  course_home_url: `https://learning.example.com/course/${COURSE_KEY}/home`,
  serialized_enrollment: { isActive: true, mode: 'audit', isVerified: false, hasStarted: true },
  serialized_courserun: { courseId: COURSE_KEY, isStarted: true, startDate: DATETIME, homeUrl: `${LMS}/courses/${COURSE_KEY}/` },
  tabs: [{ tab_id: 'course_info', title: 'Course Info' }],
  readonly_fields: ['name'],
  form_data: { username: 'jdoe', email: 'jane.doe@example.com', name: 'Jane Doe', terms_of_service: 'true' },
};

export function sampleFilterData(f: FilterDef): Record<string, unknown> {
  const example = FILTER_EXAMPLES[f.filterType] ?? {};
  return structuredClone(Object.fromEntries(f.arguments.map((a) => [a, a in example ? example[a] : FILTER_ARGS[`${f.name}.${a}`] ?? FILTER_ARGS[a] ?? null])));
}
