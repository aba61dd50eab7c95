// The log's queries on both engines: keyset pages both ways, hourly stats, and bulk retry under filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import type { DbHandle } from '../../lib/db';
import { deliveries } from '../../lib/db/schema';
import { countRetryable, retryFailed } from '../../lib/deliveries/bulk-retry';
import { listDeliveries } from '../../lib/deliveries/list';
import { hourlyStats, HOUR_MS } from '../../lib/deliveries/stats';
import { DB_KINDS, openTestDb } from '../helpers/db';
import { FILTER_A, HOOK_A, HOOK_B, REG_FILTER, REGISTERED, seedDeliveries } from './seed';

describe.each(DB_KINDS)('delivery log on %s', (kind) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, close } = await openTestDb(kind));
  });
  afterAll(() => close());

  it('pages older with cursor and back newer with before', async () => {
    const rows = await seedDeliveries(handle.db, Array.from({ length: 12 }, () => ({ targetId: HOOK_B })));
    const ids = rows.map((r) => r.id).sort((a, b) => b - a);
    const f = { targetId: HOOK_B };
    const p1 = await listDeliveries(handle.db, f, { limit: 5 });
    expect(p1.items.map((d) => d.id)).toEqual(ids.slice(0, 5));
    expect(p1.prevCursor).toBeNull();
    const p2 = await listDeliveries(handle.db, f, { limit: 5, cursor: p1.nextCursor! });
    expect(p2.items.map((d) => d.id)).toEqual(ids.slice(5, 10));
    const p3 = await listDeliveries(handle.db, f, { limit: 5, cursor: p2.nextCursor! });
    expect(p3.items.map((d) => d.id)).toEqual(ids.slice(10));
    expect(p3.nextCursor).toBeNull();
    const back = await listDeliveries(handle.db, f, { limit: 5, before: p3.prevCursor! });
    expect(back.items.map((d) => d.id)).toEqual(ids.slice(5, 10));
    const first = await listDeliveries(handle.db, f, { limit: 5, before: back.prevCursor! });
    expect(first.items.map((d) => d.id)).toEqual(ids.slice(0, 5));
    expect(first.prevCursor).toBeNull();
  });

  it('counts deliveries per hour by status over 24 hours', async () => {
    const now = new Date();
    const hourStart = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
    await handle.db.delete(deliveries).where(eq(deliveries.targetId, HOOK_A));
    await seedDeliveries(handle.db, [
      { targetId: HOOK_A, status: 'succeeded', createdAt: new Date(hourStart + 1000) },
      { targetId: HOOK_A, status: 'failed', createdAt: new Date(hourStart + 2000) },
      { targetId: HOOK_A, status: 'pending', createdAt: new Date(hourStart - 5 * HOUR_MS + 10) },
      { targetId: HOOK_A, status: 'failed', createdAt: new Date(hourStart - 30 * HOUR_MS) },
    ]);
    await handle.db.delete(deliveries).where(eq(deliveries.targetId, HOOK_B));
    const stats = await hourlyStats(handle.db, now);
    expect(stats).toHaveLength(24);
    expect(stats[23]).toMatchObject({ hour: new Date(hourStart).toISOString(), succeeded: 1, failed: 1, pending: 0 });
    expect(stats[18]).toMatchObject({ pending: 1, failed: 0 });
    expect(stats.reduce((n, b) => n + b.failed + b.pending + b.succeeded, 0)).toBe(3);
  });

  it('retries only failed webhook deliveries matching the filters', async () => {
    const rows = await seedDeliveries(handle.db, [
      { targetId: HOOK_B, status: 'failed', eventType: REGISTERED },
      { targetId: HOOK_B, status: 'failed', eventType: REGISTERED },
      { targetId: HOOK_B, status: 'failed' },
      { targetId: HOOK_B, status: 'succeeded', eventType: REGISTERED },
      { targetId: FILTER_A, kind: 'webfilter', status: 'failed', eventType: REG_FILTER },
    ]);
    const f = { targetId: HOOK_B, eventType: REGISTERED };
    expect(await countRetryable(handle.db, f)).toBe(2);
    expect(await countRetryable(handle.db, { ...f, status: 'succeeded' })).toBe(0);
    expect(await countRetryable(handle.db, { kind: 'webfilter' })).toBe(0);
    expect(await retryFailed(handle, f)).toBe(2);
    const after = await handle.db.select().from(deliveries).where(inArray(deliveries.id, rows.map((r) => r.id)));
    const byId = new Map(after.map((r) => [r.id, r]));
    expect(byId.get(rows[0]!.id)!.status).toBe('pending');
    expect(byId.get(rows[0]!.id)!.nextAttemptAt).not.toBeNull();
    expect(byId.get(rows[1]!.id)!.status).toBe('pending');
    expect(byId.get(rows[2]!.id)!.status).toBe('failed');
    expect(byId.get(rows[4]!.id)!.status).toBe('failed');
    expect(await countRetryable(handle.db, f)).toBe(0);
  });
});
