// First-run setup creates exactly one admin, even when two setups run at the same moment (PostgreSQL's
// READ COMMITTED would let both "insert … where not exists" see an empty table).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirstAdmin } from '../../lib/auth/users';
import type { DbHandle } from '../../lib/db/client';
import { DB_KINDS, openTestDb } from '../helpers/db';

describe.each(DB_KINDS)('first admin (%s)', (kind) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, close } = await openTestDb(kind));
    // A slow insert (as on a busy disk) widens the moment between one setup's check and its commit, so two
    // setups at once reliably overlap there.
    await handle.rows(sql.raw(`create function slow_insert() returns trigger language plpgsql as $$
      begin perform pg_sleep(0.1); return new; end $$`));
    await handle.rows(sql.raw('create trigger slow_insert before insert on users for each row execute function slow_insert()'));
  }, 60_000);
  afterAll(() => close?.());

  it('two parallel setups create one admin, five times over', async () => {
    for (let round = 0; round < 5; round++) {
      await handle.rows(sql`delete from users where true`);
      const made = await Promise.all(
        ['a', 'b', 'c'].map((who) => createFirstAdmin(handle.db, { email: `${who}${round}@example.org`, password: 'long enough password' })),
      );
      expect(made.filter(Boolean), `round ${round}`).toHaveLength(1);
      const [{ n }] = (await handle.rows<{ n: number }>(sql`select count(*)::int as n from users`)) as [{ n: number }];
      expect(n, `round ${round}`).toBe(1);
    }
  }, 120_000);
});
