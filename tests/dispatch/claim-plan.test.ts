// The claim on PostgreSQL walks the due index whatever the planner believed about the table (SPEC §4).
// Under load the queue grows from nothing to tens of thousands of rows in seconds, faster than ANALYZE
// follows (and PGlite never analyzes): a plan fixed while the table was small, or one planned from
// default selectivities, read and sorted the whole backlog for every claim (a bitmap heap scan plus an
// on-disk sort, ~20 ms at 50k pending; 56 ms at 54k under bench/load-events.ts), and delivery fell to a
// fraction of the ingest rate. Here the table is small while the claim runs ten times on one connection
// (a prepared statement gets its generic plan then), 30k due rows arrive without an ANALYZE, and
// auto_explain shows the plan the next claim actually ran: ordered scans of deliveries_target_due_idx that
// stop after the batch, not a scan of the backlog. The same holds when the webhook with the backlog is at
// its limit of calls in flight and skipped: its rows are jumped over, not read through.
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../lib/db/client';
import * as schema from '../../lib/db/schema';
import { claimDue, nextDueInMs } from '../../lib/dispatch/queue';
import { freshPostgres, type TestPostgres } from '../helpers/db';

let pg: TestPostgres;
let client: postgres.Sql;
let handle: DbHandle;
const notices: string[] = [];

beforeAll(async () => {
  pg = await freshPostgres({ max: 2 });
  // One connection, so the claim's prepared statement (if any) and the session settings below share it.
  client = postgres(pg.url, { max: 1, onnotice: (n) => notices.push(String(n.message)) });
  const db = drizzle(client, { schema }) as unknown as DbHandle['db'];
  handle = {
    db,
    kind: 'postgres',
    url: pg.url,
    rows: async (q) => (await db.execute(q)) as never,
    listen: async () => async () => {},
    notify: async () => {},
    close: () => client.end({ timeout: 5 }),
  };
});
afterAll(async () => {
  await client?.end({ timeout: 5 });
  await pg?.drop();
});

/** Inserts n deliveries straight into the table; `pending` of every 100 are due, the rest finished. */
async function seed(n: number, pendingPer100: number, target = '00000000-0000-4000-8000-000000000001') {
  await handle.rows(sql`
    insert into deliveries (kind, event_id, target_id, event_type, url, status, next_attempt_at, completed_at)
    select 'webhook', gen_random_uuid(), ${target}::uuid, 'x', 'http://127.0.0.1:9/x',
      case when i % 100 < ${pendingPer100}::int then 'pending' else 'succeeded' end,
      case when i % 100 < ${pendingPer100}::int then now() - interval '1 hour' + i * interval '1 millisecond' end,
      case when i % 100 < ${pendingPer100}::int then null else now() end
    from generate_series(1, ${n}::int) i`);
}

/** The plans auto_explain reported for the statements fn ran on our connection. */
async function plansOf(fn: () => Promise<unknown>): Promise<string[]> {
  notices.length = 0;
  await fn();
  return notices.filter((n) => /Query Text|duration:|Plan:|->/.test(n) || /\bon deliveries\b/.test(n));
}

/** The actual rows each scan of deliveries returned, from an auto_explain (analyze) plan. */
function scans(plan: string): { node: string; rows: number }[] {
  return [...plan.matchAll(/((?:Index|Bitmap Heap|Seq|Bitmap Index) Scan[^\n(]*)(?:\(cost=[^)]*\)\s*)?\(actual rows=(\d+)/g)].map((m) => ({
    node: m[1]!.trim(),
    rows: Number(m[2]),
  }));
}

describe('the claim query on a queue that grew faster than its statistics (PostgreSQL)', () => {
  it('claims from the due index in order, reading about a batch of rows, not the backlog', async () => {
    // A young installation: a few thousand deliveries, a few pending; the worker claims busily.
    await seed(5000, 5);
    for (let i = 0; i < 10; i++) await claimDue(handle, 'warm-up', 64, 60_000);
    await nextDueInMs(handle);

    // Then a burst: 30k due deliveries, and no ANALYZE since (autovacuum lags, or is off: PGlite, this server).
    await seed(30_000, 100, '00000000-0000-4000-8000-000000000002');
    await client.unsafe(`load 'auto_explain'`);
    await client.unsafe(`set auto_explain.log_min_duration = 0`);
    await client.unsafe(`set auto_explain.log_analyze = on`);
    await client.unsafe(`set auto_explain.log_timing = off`);
    await client.unsafe(`set auto_explain.log_level = notice`);

    let claimed = 0;
    const claimPlans = await plansOf(async () => (claimed = (await claimDue(handle, 'w', 64, 60_000)).length));
    expect(claimed).toBe(64);
    const claimPlan = claimPlans.find((p) => /Update on deliveries/.test(p));
    expect(claimPlan, notices.join('\n---\n')).toBeDefined();
    const claimScans = scans(claimPlan!);
    expect(claimScans.some((s) => s.node.startsWith('Index Scan using deliveries_target_due_idx on deliveries')), claimPlan).toBe(true);
    // Nothing reads the backlog: no bitmap or sequential scan, no sort of the due rows, no scan returning
    // more than a few batches' worth (64 claimed, 64 + a few skipped as leased).
    expect(claimPlan).not.toMatch(/Bitmap Heap Scan|Seq Scan/);
    expect(claimPlan).not.toMatch(/Sort Key: [\w.]*next_attempt_at\s*$/m);
    for (const s of claimScans) expect(s.rows, `${s.node}\n${claimPlan}`).toBeLessThan(1000);

    // The webhook with the backlog is at its limit; another one's delivery, due after all of those, is
    // claimed without reading through them (in the old due-order index it came after 30k rows).
    await seed(1, 100, '00000000-0000-4000-8000-000000000003');
    await handle.rows(sql`update deliveries set next_attempt_at = now() where target_id = '00000000-0000-4000-8000-000000000003'`);
    const limits = { inFlight: new Map([['00000000-0000-4000-8000-000000000002', 16]]), perTarget: 16 };
    let other: Awaited<ReturnType<typeof claimDue>> | null = null;
    const skipPlans = await plansOf(async () => (other = await claimDue(handle, 'w', 64, 60_000, limits)));
    expect(other!.map((d) => d.targetId)).toEqual(['00000000-0000-4000-8000-000000000003']);
    const skipPlan = skipPlans.find((p) => /Update on deliveries/.test(p))!;
    expect(skipPlan).not.toMatch(/Bitmap Heap Scan|Seq Scan/);
    for (const s of scans(skipPlan)) expect(s.rows, `${s.node}\n${skipPlan}`).toBeLessThan(1000);
    // And a webhook with room left gets no more than that room.
    const some = await claimDue(handle, 'w', 64, 60_000, { inFlight: new Map([['00000000-0000-4000-8000-000000000002', 10]]), perTarget: 16 });
    expect(some).toHaveLength(6);

    let due: number | null = null;
    const nextPlans = await plansOf(async () => (due = await nextDueInMs(handle)));
    expect(due).not.toBeNull();
    expect(due!).toBeLessThanOrEqual(0);
    const nextPlan = nextPlans.find((p) => /extract\(epoch/.test(p));
    expect(nextPlan, notices.join('\n---\n')).toBeDefined();
    expect(nextPlan).not.toMatch(/Bitmap Heap Scan|Seq Scan/);
    for (const s of scans(nextPlan!)) expect(s.rows, `${s.node}\n${nextPlan}`).toBeLessThan(1000);
  }, 60_000);
});
