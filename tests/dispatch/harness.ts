// Shared set-up for event and delivery tests: the route on a real database, webhook rows, waiting helpers.
import { asc, count, eq, inArray } from 'drizzle-orm';
import { createApiKey } from '../../lib/auth/api-keys';
import { setDb, type DbHandle } from '../../lib/db';
import { deliveries, deliveryAttempts, events, webhooks, type Delivery, type DeliveryAttempt } from '../../lib/db/schema';
import { generateSecret } from '../../lib/dispatch/sign';
import { invalidateTargets } from '../../lib/dispatch/targets';
import { startWorker, type WorkerOptions } from '../../lib/dispatch/worker';
import { resetEnv } from '../../lib/env';
import { POST } from '../../app/api/events/route';

export const ENROLLMENT = 'org.openedx.learning.course.enrollment.created.v1';

/** Sets env variables for the route (empty string unsets) and forgets the cached env. */
export function eventEnv(vars: Record<string, string>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === '') delete process.env[k];
    else process.env[k] = v;
  }
  resetEnv();
}

export function post(body: unknown, init: { token?: string | null; contentType?: string; raw?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return POST(
    new Request('http://localhost/api/events', { method: 'POST', headers, body: init.raw ?? JSON.stringify(body) }),
    undefined,
  );
}

export async function eventsToken(handle: DbHandle): Promise<string> {
  setDb(handle);
  return (await createApiKey(handle.db, { name: 'lms', scopes: ['events'] })).token;
}

export async function addWebhook(
  handle: DbHandle,
  row: { url: string; eventType?: string; useWwwFormEncoding?: boolean; enabled?: boolean; secret?: string },
) {
  const [r] = await handle.db
    .insert(webhooks)
    .values({ eventType: ENROLLMENT, secret: generateSecret(), ...row })
    .returning();
  await invalidateTargets(handle);
  return r!;
}

export async function rowCounts(handle: DbHandle) {
  const [e] = await handle.db.select({ n: count() }).from(events);
  const [d] = await handle.db.select({ n: count() }).from(deliveries);
  const [a] = await handle.db.select({ n: count() }).from(deliveryAttempts);
  return { events: e!.n, deliveries: d!.n, attempts: a!.n };
}

export async function deliveriesOf(handle: DbHandle, eventId: string): Promise<(Delivery & { attempts: DeliveryAttempt[] })[]> {
  const rows = await handle.db.select().from(deliveries).where(eq(deliveries.eventId, eventId)).orderBy(asc(deliveries.id));
  if (!rows.length) return [];
  const attempts = await handle.db
    .select()
    .from(deliveryAttempts)
    .where(inArray(deliveryAttempts.deliveryId, rows.map((r) => r.id)))
    .orderBy(asc(deliveryAttempts.id));
  return rows.map((r) => ({ ...r, attempts: attempts.filter((a) => a.deliveryId === r.id) }));
}

/** Polls until fn returns a truthy value. */
export async function waitUntil<T>(fn: () => Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until a delivery of the event is no longer pending; returns them all. */
export function settled(handle: DbHandle, eventId: string, n = 1, timeoutMs = 10_000) {
  return waitUntil(
    async () => {
      const rows = await deliveriesOf(handle, eventId);
      return rows.length >= n && rows.every((r) => r.status !== 'pending') ? rows : null;
    },
    timeoutMs,
    `deliveries of ${eventId} to settle`,
  );
}

export const FAST: WorkerOptions = {
  deliveryTimeoutMs: 2_000,
  retrySchedule: [0.05, 0.05, 0.05],
  allowPrivate: true,
  retentionDays: 30,
  retentionEveryMs: 0,
  pollMs: 200,
};

export function worker(handle: DbHandle, opts: Partial<WorkerOptions> = {}) {
  return startWorker(handle, { ...FAST, ...opts });
}

export const enrollmentData = (over: Record<string, unknown> = {}) => ({
  enrollment: {
    user: { id: 42, is_active: true, pii: { username: 'jdoe', email: 'jane.doe@example.com', name: 'Jane Doe' } },
    course: {
      course_key: 'course-v1:edX+DemoX+Demo_Course',
      display_name: 'Demonstration Course',
      start: '2024-01-01T00:00:00Z',
      end: null,
    },
    mode: 'audit',
    is_active: true,
    creation_date: '2025-03-14T15:12:03.218934+00:00',
    created_by: null,
    ...over,
  },
});
