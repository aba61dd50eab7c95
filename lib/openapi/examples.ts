// Examples for the OpenAPI document, taken from the catalog (its recorded Open edX payloads).
import { findEvent, findFilter, sampleEventData, sampleFilterData } from '../catalog';
import { eventJson, filterJson } from '../manage/catalog-json';

const ENROLLMENT = 'org.openedx.learning.course.enrollment.created.v1';
const REGISTRATION = 'org.openedx.learning.student.registration.requested.v1';
const EVENT_ID = '0b7a3c62-1f7e-4f0e-9d7e-2b6f4c1a9e10';

export function eventRequest() {
  const event = findEvent(ENROLLMENT)!;
  return {
    event_type: event.eventType,
    data: sampleEventData(event),
    metadata: { id: EVENT_ID, time: '2025-03-14T15:12:03.402Z', source: 'openedx/lms/web', sourcehost: 'lms.example.com', minorversion: 0 },
  };
}

export const eventAccepted = () => ({ id: EVENT_ID, event_type: ENROLLMENT, deliveries: 2 });

export function filterRequest() {
  const filter = findFilter(REGISTRATION)!;
  return { filter_type: filter.filterType, data: sampleFilterData(filter) };
}

export function filterResult() {
  const { filter_type, data } = filterRequest();
  return { filter_type, data, changes: {}, exception: null };
}

export const webhook = () => ({
  id: '5a1f7c3e-8d2b-4e6a-9c1f-3b7e2d4a6c8e',
  description: 'CRM enrolments',
  event_type: ENROLLMENT,
  url: 'https://crm.example.com/hooks/enrollment',
  enabled: true,
  use_www_form_encoding: false,
  created_at: '2025-03-14T15:00:00.000Z',
  updated_at: '2025-03-14T15:00:00.000Z',
});

export const catalogEvent = () => eventJson(findEvent(ENROLLMENT)!);
export const catalogFilter = () => filterJson(findFilter(REGISTRATION)!);
