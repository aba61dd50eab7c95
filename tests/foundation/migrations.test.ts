// The committed migrations apply on both engines, twice without harm, and give the whole product's tables.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../lib/db/migrate';
import { DB_KINDS, openTestDb } from '../helpers/db';
import type { DbHandle } from '../../lib/db/client';

describe.each(DB_KINDS)('migrations on %s', (kind) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, close } = await openTestDb(kind));
  });
  afterAll(() => close());

  it('creates every table the product needs', async () => {
    const rows = await handle.rows<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['api_keys', 'deliveries', 'delivery_attempts', 'events', 'users', 'webfilters', 'webhooks']),
    );
  });

  it('has the queue and log indexes', async () => {
    const rows = await handle.rows<{ indexname: string }>(sql`select indexname from pg_indexes where tablename = 'deliveries'`);
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining(['deliveries_target_due_idx', 'deliveries_status_id_idx', 'deliveries_webhook_once_idx']),
    );
  });

  it('is idempotent', async () => {
    await migrate(handle);
    const rows = await handle.rows<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(rows[0]!.n).toBeGreaterThan(0);
  });

  it('enforces one delivery per event and webhook', async () => {
    const insert = sql`insert into deliveries (kind, event_id, target_id, event_type, url)
      values ('webhook', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 't', 'http://x')`;
    await handle.rows(insert);
    await expect(handle.rows(insert)).rejects.toThrow();
  });
});
