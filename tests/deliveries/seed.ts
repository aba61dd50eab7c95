// Delivery rows for the log's tests, inserted directly (the engine is tested on its own).
import { randomUUID } from 'node:crypto';
import type { Db } from '../../lib/db/client';
import { deliveries, deliveryAttempts, type Delivery } from '../../lib/db/schema';

export const HOOK_A = '11111111-1111-4111-8111-111111111111';
export const HOOK_B = '22222222-2222-4222-8222-222222222222';
export const FILTER_A = '33333333-3333-4333-8333-333333333333';
export const ENROLLED = 'org.openedx.learning.course.enrollment.created.v1';
export const REGISTERED = 'org.openedx.learning.student.registration.completed.v1';
export const REG_FILTER = 'org.openedx.learning.student.registration.requested.v1';

export type SeedRow = Partial<typeof deliveries.$inferInsert>;

export async function seedDeliveries(db: Db, rows: SeedRow[]): Promise<Delivery[]> {
  if (rows.length === 0) return [];
  return db
    .insert(deliveries)
    .values(
      rows.map((r) => ({
        kind: 'webhook' as const,
        eventId: randomUUID(),
        targetId: HOOK_A,
        eventType: ENROLLED,
        url: 'http://127.0.0.1:9/hook',
        status: 'succeeded' as const,
        attemptCount: 1,
        requestHeaders: { 'content-type': 'application/json' },
        requestBody: '{"enrollment":{"mode":"audit"}}',
        lastStatusCode: 200,
        lastDurationMs: 12,
        ...r,
      })),
    )
    .returning();
}

export async function seedAttempt(db: Db, deliveryId: number, a: Partial<typeof deliveryAttempts.$inferInsert> = {}) {
  await db.insert(deliveryAttempts).values({
    deliveryId,
    attemptNo: 1,
    startedAt: new Date(),
    durationMs: 12,
    responseStatus: 200,
    responseHeaders: { 'content-type': 'text/plain' },
    responseBody: 'ok',
    ...a,
  });
}
