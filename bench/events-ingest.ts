// POST /api/events throughput and latency on PostgreSQL, beside a bare node:http server doing the same
// insert (the practical ceiling on this machine).
//   node --import tsx bench/events-ingest.ts      (SECONDS=8 per closed-loop run, CONNECTIONS=16, RATE=200)
// "app" runs the real route handler (API key check, zod, catalog, payload, one-statement insert) behind a
// plain node:http adapter, since `next start` needs a build; Next.js's own routing cost is not included.
// Each server runs in its own process; the load generator runs here; PostgreSQL shares the same cores.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { createApiKey } from '../lib/auth/api-keys';
import { sampleEventData, findEvent } from '../lib/catalog';
import { webhooks } from '../lib/db/schema';
import { generateSecret } from '../lib/dispatch/sign';
import { freshPostgres } from '../tests/helpers/db';
import { closedLoop, openLoop, type LoadResult, type LoadTarget } from './lib/load';
import { startSink } from './lib/sink';
import { ms, printTable, summarize } from './lib/stats';

const SECONDS = Number(process.env.SECONDS ?? 8);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const RATE = Number(process.env.RATE ?? 200);
const EVENT = findEvent('COURSE_ENROLLMENT_CREATED')!;
const DATA = sampleEventData(EVENT);

const pg = await freshPostgres({ max: 2 });
const sink = await startSink();
const { token } = await createApiKey(pg.handle.db, { name: 'bench', scopes: ['events'] });
await pg.handle.db.insert(webhooks).values({ eventType: EVENT.eventType, url: sink.url, secret: generateSecret() });

async function server(mode: string) {
  const flags = process.env.SERVER_FLAGS ? process.env.SERVER_FLAGS.split(' ') : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', path.join(import.meta.dirname, 'lib/events-server.ts'), mode], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, DATABASE_URL: pg.url, ALLOW_PRIVATE_TARGETS: '1' },
  });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  return { child, port };
}

const target = (port: number): LoadTarget => ({
  url: `http://127.0.0.1:${port}/api/events`,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: () => JSON.stringify({ event_type: EVENT.eventType, data: DATA, metadata: { id: randomUUID(), source: 'openedx/lms/web' } }),
  expect: 202,
});

const results: { mode: string; closed: LoadResult; open: LoadResult }[] = [];
const MODES = (process.env.MODES ?? 'bare,app,app-worker').split(',');
for (const mode of MODES) {
  await pg.handle.rows(sql`truncate events, deliveries, delivery_attempts`);
  const s = await server(mode);
  const t = target(s.port);
  await closedLoop(t, CONNECTIONS, 2); // warm-up: JIT, pools, caches
  const closed = await closedLoop(t, CONNECTIONS, SECONDS);
  await new Promise((r) => setTimeout(r, 1000));
  const open = await openLoop(t, RATE, 10);
  s.child.kill();
  await new Promise((r) => s.child.once('exit', r));
  results.push({ mode, closed, open });
  console.error(`${mode}: done (${JSON.stringify(closed.statuses)} / ${JSON.stringify(open.statuses)})`);
}

const baseline = results.find((r) => r.mode === 'bare');
const bare = baseline ? baseline.closed.ok / baseline.closed.seconds : NaN;
console.log(`\nPOST /api/events on PostgreSQL 15, ${CONNECTIONS} keep-alive connections for ${SECONDS} s, then ${RATE} events/s for 10 s`);
console.log('(1 enabled webhook: each event stores the event and 1 delivery; "app" = real route handler behind node:http)\n');
printTable([
  ['server', 'events/s', 'vs bare', 'p50', 'p99', `p50 @${RATE}/s`, `p99 @${RATE}/s`, `max @${RATE}/s`, 'errors'],
  ...results.map(({ mode, closed, open }) => {
    const c = summarize(closed.latencies);
    const o = summarize(open.latencies);
    const rps = closed.ok / closed.seconds;
    const label = { bare: 'bare node:http + same insert', app: 'app route (worker off)', 'app-worker': 'app route + inline worker' }[mode]!;
    return [label, rps.toFixed(0), `${(rps / bare).toFixed(2)}×`, ms(c.p50), ms(c.p99), ms(o.p50), ms(o.p99), ms(o.max), closed.errors + open.errors];
  }),
]);
console.log(`\ndeliveries made by the inline worker during its run: ${await sink.count()}`);

sink.close();
await pg.drop();
process.exit(0);
