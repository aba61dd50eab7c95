// POST /api/events with 20 webhooks on one event type, each with three conditions (SPEC §9), beside the same 20
// webhooks without conditions, on PostgreSQL through the real route handler (bench/lib/events-server.ts "app",
// worker off). Conditions all hold, so both runs store the same event and 20 deliveries: the difference is the
// evaluation. Runs alternate (ROUNDS times each) so drift on the shared machine hits both alike.
//   node --import tsx bench/ingest-conditions.ts      (RATE=50 events/s for SECONDS=10, ROUNDS=2)
import { sql } from 'drizzle-orm';
import { createApiKey } from '../lib/auth/api-keys';
import { findEvent, sampleEventData } from '../lib/catalog';
import { webhooks, type WebhookCondition } from '../lib/db/schema';
import { generateSecret } from '../lib/dispatch/sign';
import { conditionsFailure } from '../lib/dispatch/conditions';
import { freshPostgres } from '../tests/helpers/db';
import { eventsTarget, startEventsServer } from './lib/events-client';
import { closedLoop, openLoop, type LoadResult } from './lib/load';
import { startSink } from './lib/sink';
import { ms, printTable, summarize } from './lib/stats';

const SECONDS = Number(process.env.SECONDS ?? 10);
const RATE = Number(process.env.RATE ?? 50);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const HOOKS = 20;
const EVENT = findEvent('COURSE_ENROLLMENT_CREATED')!;
const DATA = sampleEventData(EVENT) as { enrollment: { course: { course_key: string }; mode: string } };
const CONDITIONS: WebhookCondition[] = [
  { path: 'enrollment.course.course_key', op: 'starts_with', value: DATA.enrollment.course.course_key.slice(0, 12) },
  { path: 'enrollment.mode', op: 'in', value: [DATA.enrollment.mode, 'verified', 'professional'] },
  { path: 'enrollment.user.pii.email', op: 'exists' },
];

const pg = await freshPostgres({ max: 2 });
const sink = await startSink();
const { token } = await createApiKey(pg.handle.db, { name: 'bench', scopes: ['events'] });
for (let i = 0; i < HOOKS; i++) {
  await pg.handle.db.insert(webhooks).values({ eventType: EVENT.eventType, url: `${sink.url}/${i}`, secret: generateSecret() });
}

const server = () => startEventsServer(pg.url, 'app');
const target = (port: number) => eventsTarget(port, token, EVENT.eventType, DATA);

const runs: Record<'plain' | 'conditions', LoadResult[]> = { plain: [], conditions: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of ['plain', 'conditions'] as const) {
    await pg.handle.rows(sql`truncate events, deliveries, delivery_attempts`);
    await pg.handle.db.update(webhooks).set({ conditions: kind === 'conditions' ? CONDITIONS : [] });
    const s = await server();
    const t = target(s.port);
    await closedLoop(t, 8, 2); // warm-up: JIT, pools, the webhooks cache
    const open = await openLoop(t, RATE, SECONDS);
    const [check] = await pg.handle.rows<{ n: number }>(sql`select (count(*) / greatest(1, (select count(*) from events)))::int as n from deliveries`);
    s.child.kill();
    await new Promise((r) => s.child.once('exit', r));
    if (Number(check?.n) !== HOOKS) throw new Error(`${kind}: expected ${HOOKS} deliveries per event, got ${check?.n}`);
    runs[kind].push(open);
    console.error(`round ${round + 1} ${kind}: ${JSON.stringify(open.statuses)}`);
  }
}

const all = (rs: LoadResult[]) => rs.flatMap((r) => r.latencies);
const p = summarize(all(runs.plain));
const c = summarize(all(runs.conditions));
console.log(`\nPOST /api/events on PostgreSQL, ${RATE} events/s for ${SECONDS} s × ${ROUNDS} rounds, ${HOOKS} webhooks on the event type`);
console.log('(every event stores the event and 20 deliveries; "app" = real route handler behind node:http, worker off)\n');
printTable([
  ['webhooks', 'p50', 'p90', 'p99', 'max', 'errors'],
  ['20, no conditions', ms(p.p50), ms(p.p90), ms(p.p99), ms(p.max), runs.plain.reduce((n, r) => n + r.errors, 0)],
  ['20, 3 conditions each', ms(c.p50), ms(c.p90), ms(c.p99), ms(c.max), runs.conditions.reduce((n, r) => n + r.errors, 0)],
]);
console.log(`\np99 with conditions / without: ${(c.p99 / p.p99).toFixed(2)}× (target ≤ 1.20×)`);

// The evaluation alone, in this process, free of the shared machine's noise: 20 webhooks × 3 conditions per event.
const N = 20_000;
let failed = 0;
const t0 = performance.now();
for (let i = 0; i < N; i++) for (let h = 0; h < HOOKS; h++) if (conditionsFailure(DATA, CONDITIONS)) failed++;
const perEvent = ((performance.now() - t0) * 1000) / N;
if (failed) throw new Error('the bench conditions should all hold');
console.log(`condition evaluation per event (20 webhooks × 3 conditions): ${perEvent.toFixed(2)} µs, against a ${ms(p.p50)} p50 ingest without conditions`);

sink.close();
await pg.drop();
process.exit(0);
