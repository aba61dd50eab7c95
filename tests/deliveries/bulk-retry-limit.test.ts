// Bulk "Retry failed…" (issue 12.7) on both databases: one run queues at most BULK_RETRY_LIMIT deliveries,
// newest first, and the next run takes the rest; on PostgreSQL its count by event type reads the partial
// index of failed webhook deliveries instead of every delivery of that type.
import { desc, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../lib/db';
import { deliveries } from '../../lib/db/schema';
import { bulkRetryLimit, countRetryable, countRetryableQuery, retryFailed } from '../../lib/deliveries/bulk-retry';
import { parseEnv, resetEnv } from '../../lib/env';
import { DB_KINDS, openTestDb } from '../helpers/db';
import { ENROLLED, HOOK_A, REGISTERED, seedDeliveries } from './seed';

describe.each(DB_KINDS)('bulk retry on %s', (kind) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, close } = await openTestDb(kind));
  });
  afterAll(() => close());
  afterEach(async () => {
    delete process.env.BULK_RETRY_LIMIT;
    resetEnv();
    await handle.rows(sql`delete from deliveries where true`);
  });

  it('queues at most the limit, newest first; the next run takes the rest', async () => {
    const rows = await seedDeliveries(handle.db, Array.from({ length: 25 }, () => ({ status: 'failed' as const, targetId: HOOK_A })));
    const newest = rows.map((r) => r.id).sort((a, b) => b - a);
    expect(await countRetryable(handle.db, {})).toBe(25);

    expect(await retryFailed(handle, {}, 10)).toBe(10);
    const pending = await handle.db.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.status, 'pending')).orderBy(desc(deliveries.id));
    expect(pending.map((r) => r.id)).toEqual(newest.slice(0, 10));
    expect(await countRetryable(handle.db, {})).toBe(15);

    expect(await retryFailed(handle, {}, 10)).toBe(10);
    expect(await retryFailed(handle, {}, 10)).toBe(5);
    expect(await countRetryable(handle.db, {})).toBe(0);
  });

  it('takes its default limit from BULK_RETRY_LIMIT (10,000 unless set)', async () => {
    expect(parseEnv({}).BULK_RETRY_LIMIT).toBe(10_000);
    expect(() => parseEnv({ BULK_RETRY_LIMIT: '0' })).toThrow(/^Invalid environment variable BULK_RETRY_LIMIT: /);
    process.env.BULK_RETRY_LIMIT = '3';
    resetEnv();
    expect(bulkRetryLimit()).toBe(3);
    await seedDeliveries(handle.db, [
      ...Array.from({ length: 5 }, () => ({ status: 'failed' as const, eventType: REGISTERED })),
      ...Array.from({ length: 5 }, () => ({ status: 'failed' as const, eventType: ENROLLED })),
    ]);
    expect(await retryFailed(handle, { eventType: REGISTERED })).toBe(3);
    expect(await countRetryable(handle.db, { eventType: REGISTERED })).toBe(2);
    expect(await countRetryable(handle.db, { eventType: ENROLLED })).toBe(5);
  });

  it.runIf(kind === 'postgres')('counts by event type through the index of failed webhook deliveries', async () => {
    // Many deliveries of the type, few of them failed: the index of the type alone would read them all.
    await handle.rows(sql`
      insert into deliveries (kind, event_id, target_id, event_type, url, status, created_at, updated_at)
      select case when i % 7 = 0 then 'webfilter' else 'webhook' end, gen_random_uuid(), ${HOOK_A}::uuid,
        case when i % 2 = 0 then ${ENROLLED} else ${REGISTERED} end, 'https://hooks.example.org/in',
        case when i % 50 = 0 then 'failed' else 'succeeded' end, now(), now()
      from generate_series(1, 20000) i`);
    await handle.rows(sql`analyze deliveries`);
    const expected = await handle.rows<{ n: number }>(
      sql`select count(*)::int as n from deliveries where kind = 'webhook' and status = 'failed' and event_type = ${ENROLLED}`,
    );
    expect(await countRetryable(handle.db, { eventType: ENROLLED })).toBe(Number(expected[0]!.n));
    // The plan of the very query countRetryable sends, with its parameters in place (as a custom plan has them).
    const query = countRetryableQuery(handle.db, { eventType: ENROLLED })!.toSQL();
    const inline = query.sql.replace(/\$(\d+)/g, (_, i) => `'${String(query.params[Number(i) - 1])}'`);
    const plan = await handle.rows<{ 'QUERY PLAN': string }>(sql.raw(`explain ${inline}`));
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/deliveries_failed_webhook_idx/);
  });
});
