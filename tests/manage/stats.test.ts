// Delivery health for the lists: last delivery per target and the 24-hour success rate, on both engines.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries } from '../../lib/db/schema';
import { targetStats } from '../../lib/manage/stats';
import { DB_KINDS, openTestDb } from '../helpers/db';
import type { DbHandle } from '../../lib/db';

const A = randomUUID();
const B = randomUUID();
const F = randomUUID();
const NONE = randomUUID();
const hours = (h: number) => new Date(Date.now() - h * 3_600_000);

describe.each(DB_KINDS)('targetStats on %s', (kind) => {
  let handle: DbHandle;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ handle, close } = await openTestDb(kind));
    const row = (targetId: string, status: 'pending' | 'succeeded' | 'failed', createdAt: Date, code: number | null = null) => ({
      kind: targetId === F ? ('webfilter' as const) : ('webhook' as const),
      eventId: randomUUID(),
      targetId,
      eventType: 'org.openedx.learning.course.enrollment.created.v1',
      url: 'https://example.com',
      status,
      lastStatusCode: code,
      createdAt,
    });
    // Inserted oldest first, as the service does, so ids grow with time.
    await handle.db.insert(deliveries).values([
      row(A, 'failed', hours(30), 500), // older than 24 h: not counted
      row(A, 'succeeded', hours(10), 200),
      row(A, 'succeeded', hours(5), 200),
      row(A, 'succeeded', hours(4), 204),
      row(A, 'failed', hours(3), 503),
      row(A, 'pending', hours(0.1)),
      row(B, 'failed', hours(48), 410),
      row(F, 'succeeded', hours(1), 200),
    ]);
  });
  afterAll(() => close());

  it('gives the last delivery and the success rate of finished deliveries in the last 24 h', async () => {
    const stats = await targetStats(handle, 'webhook', [A, B, NONE]);
    const a = stats.get(A)!;
    expect(a.last?.status).toBe('pending');
    expect(a.day).toEqual({ succeeded: 3, failed: 1, pending: 1 });
    expect(a.successRate).toBe(0.75);

    const b = stats.get(B)!;
    expect(b.last).toMatchObject({ status: 'failed', statusCode: 410 });
    expect(b.day).toEqual({ succeeded: 0, failed: 0, pending: 0 });
    expect(b.successRate).toBeNull();

    expect(stats.get(NONE)).toEqual({ last: null, day: { succeeded: 0, failed: 0, pending: 0 }, successRate: null });
  });

  it('keeps webhook and webfilter deliveries apart', async () => {
    expect((await targetStats(handle, 'webhook', [F])).get(F)!.last).toBeNull();
    expect((await targetStats(handle, 'webfilter', [F])).get(F)!.successRate).toBe(1);
    expect((await targetStats(handle, 'webfilter', [])).size).toBe(0);
  });
});
