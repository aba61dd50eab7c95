// Retirement (SPEC §13) on PostgreSQL: a store of EVENTS enrollment events of LEARNERS learners (each with a
// delivery whose body holds the learner's data, half of them answered), then one learner retired at a time,
// ROUNDS times. Beside it, in the same run, the bare floor: one scan of the events table for that learner's
// email (what any erasure must at least read). Prints the median and worst retirement beside the scan.
//   node --import tsx bench/retirement.ts          env: EVENTS=100000 LEARNERS=10000 ROUNDS=5
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { setDb } from '../lib/db';
import { resetEnv } from '../lib/env';
import { retire } from '../lib/personal/retire';
import { freshPostgres } from '../tests/helpers/db';
import { ms, printTable, summarize } from './lib/stats';

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const LEARNERS = Number(process.env.LEARNERS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

resetEnv();
const pg = await freshPostgres({ max: 4 });
setDb(pg.handle);
const h = pg.handle;
const t0 = performance.now();
const [hook] = await h.rows<{ id: string }>(sql`
  insert into webhooks (event_type, url, secret) values ('org.openedx.learning.course.enrollment.created.v1', 'https://hooks.example.org/in', 'whsec_x') returning id::text`);
// One statement each: the events, then one delivery per event (body = the event's data as sent), half answered.
await h.rows(sql`
  insert into events (id, event_type, signal, data, metadata, delivery_count)
  select gen_random_uuid(), 'org.openedx.learning.course.enrollment.created.v1', 'COURSE_ENROLLMENT_CREATED',
    jsonb_build_object('enrollment', jsonb_build_object(
      'user', jsonb_build_object('id', 1000 + i % ${LEARNERS}, 'is_active', true,
        'pii', jsonb_build_object('username', 'learner' || (i % ${LEARNERS}), 'email', 'learner' || (i % ${LEARNERS}) || '@example.org', 'name', 'Learner ' || (i % ${LEARNERS}))),
      'course', jsonb_build_object('course_key', 'course-v1:edX+C' || (i % 50) || '+2026', 'display_name', 'Course ' || (i % 50)),
      'mode', 'audit', 'is_active', true)),
    jsonb_build_object('time', now()), 1
  from generate_series(1, ${EVENTS}) as i`);
await h.rows(sql`
  insert into deliveries (kind, event_id, target_id, event_type, url, status, request_headers, request_body, next_attempt_at, attempt_count)
  select 'webhook', e.id, ${hook!.id}::uuid, e.event_type, 'https://hooks.example.org/in',
    case when row_number() over () % 2 = 0 then 'succeeded' else 'pending' end, '{}'::jsonb, e.data::text, now() + interval '1 hour', 0
  from events e`);
await h.rows(sql`analyze`);
const seeded = performance.now() - t0;

const retireMs: number[] = [];
const scanMs: number[] = [];
const ctx = { actor: { type: 'api_key' as const, id: 'bench', label: 'bench', role: 'owner' as const }, ip: null };
for (let i = 0; i < ROUNDS; i++) {
  const n = (i * 977) % LEARNERS;
  const email = `learner${n}@example.org`;
  const s0 = performance.now();
  await h.rows(sql`select count(*) from events where jsonb_path_exists(data, '$.** ? (@ == $v)', ${JSON.stringify({ v: email })}::jsonb)`);
  scanMs.push(performance.now() - s0);
  const r0 = performance.now();
  const done = await retire(h, { user_id: 1000 + n, username: `learner${n}`, email }, ctx);
  retireMs.push(performance.now() - r0);
  if (!done.ok) throw new Error(done.error);
  if (done.value.events !== EVENTS / LEARNERS) throw new Error(`expected ${EVENTS / LEARNERS} events erased, got ${done.value.events}`);
  console.error(`round ${i + 1}: retired in ${retireMs.at(-1)!.toFixed(0)} ms (scan ${scanMs.at(-1)!.toFixed(0)} ms): ${JSON.stringify(done.value)}`);
}
await pg.drop();

const r = summarize(retireMs);
const s = summarize(scanMs);
console.log(`\nRetiring one learner from ${EVENTS.toLocaleString('en')} events and as many deliveries (${LEARNERS.toLocaleString('en')} learners, ${EVENTS / LEARNERS} events each;`);
console.log(`seeded in ${(seeded / 1000).toFixed(1)} s), PostgreSQL 15, ${ROUNDS} learners one after another. Load average now: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')}.\n`);
printTable([
  ['what', 'median', 'worst'],
  ['retire (find, rewrite, cancel, audit, service event)', ms(r.p50), ms(r.max)],
  ['bare scan of events for the email (the floor)', ms(s.p50), ms(s.max)],
]);
process.exit(0);
