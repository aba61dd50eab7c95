// A claim writes only the lease, which no index covers, on pages the table leaves half empty (migration
// 0009): PostgreSQL then writes each claimed row's new version in place, a HOT update with no index entry
// (issue 16). An index on locked_until or locked_by, or full pages, would make every claim write an entry in
// each of the table's ten indexes again; this counts the HOT updates in PostgreSQL's own statistics.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../../lib/db/client';
import { ingestEvent } from '../../lib/dispatch/ingest';
import { claimDue } from '../../lib/dispatch/queue';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { ENROLLMENT, addWebhook, enrollmentData, waitUntil } from './harness';

let pg: TestPostgres;
/** One connection: the statistics it has not sent yet are sent when asked (pg_stat_force_next_flush). */
let one: DbHandle;

beforeAll(async () => {
  pg = await freshPostgres({ max: 2 });
  one = await openDb({ databaseUrl: pg.url, max: 1 });
});
afterAll(async () => {
  await one?.close();
  await pg?.drop();
});

async function updates(): Promise<{ upd: number; hot: number }> {
  const [r] = await pg.handle.rows<{ upd: string; hot: string }>(
    sql`select n_tup_upd as upd, n_tup_hot_upd as hot from pg_stat_user_tables where relname = 'deliveries'`,
  );
  return { upd: Number(r!.upd), hot: Number(r!.hot) };
}

it('claims are HOT updates: the lease is written in place, with no new index entry', async () => {
  for (let i = 0; i < 4; i++) await addWebhook(pg.handle, { url: `http://127.0.0.1:9/hook-${i}` });
  for (let i = 0; i < 40; i++) {
    const r = await ingestEvent(pg.handle, { event_type: ENROLLMENT, data: enrollmentData({ n: i }) });
    if (!r.ok) throw new Error(r.error);
  }
  const before = await updates();
  const batch = await claimDue(one, 'w', 128, 60_000, { perTarget: 64 });
  expect(batch).toHaveLength(128);
  await one.rows(sql`select pg_stat_force_next_flush()`);
  const after = await waitUntil(
    async () => {
      const u = await updates();
      return u.upd - before.upd >= 128 ? u : null;
    },
    5_000,
    'the claim to reach the statistics',
  );
  expect(after.upd - before.upd).toBe(128);
  expect(after.hot - before.hot, 'claimed rows updated in place').toBe(128);
});
