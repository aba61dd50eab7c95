// POST /api/events throughput and latency on PostgreSQL, beside a bare node:http server doing the same
// insert (the practical ceiling on this machine).
//   node --import tsx bench/events-ingest.ts      (SECONDS=8 per closed-loop run, CONNECTIONS=16, RATE=200)
// "app" runs the real route handler (API key check, zod, catalog, payload, one-statement insert) behind a
// plain node:http adapter; "next" runs the built app under `next start` (building it first if needed), and
// "prod" the way `npm start` runs it (server.ts: the LMS hot paths skip Next.js's router).
// Each server runs in its own process; the load generator runs here; PostgreSQL shares the same cores.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { createApiKey } from '../lib/auth/api-keys';
import { sampleEventData, findEvent } from '../lib/catalog';
import { webhooks } from '../lib/db/schema';
import { generateSecret } from '../lib/dispatch/sign';
import { freshPostgres } from '../tests/helpers/db';
import { eventsTarget, startEventsServer } from './lib/events-client';
import { closedLoop, openLoop, type LoadResult } from './lib/load';
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

/** The built app (WORKER=off): `next start` (every request through Next.js's router), or server.ts (`npm start`). */
async function nextServer(mode: 'next' | 'prod') {
  const distDir = process.env.NEXT_DIST_DIR || '.next';
  const next = path.join('node_modules', 'next', 'dist', 'bin', 'next');
  if (!fs.existsSync(path.join(distDir, 'BUILD_ID'))) spawnSync(process.execPath, [next, 'build'], { stdio: 'inherit' });
  const port = 3900 + Math.floor(Math.random() * 90);
  const args = mode === 'next' ? [next, 'start', '-p', String(port), '-H', '127.0.0.1'] : ['--import', 'tsx', 'server.ts', '-H', '127.0.0.1'];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: pg.url,
      ALLOW_PRIVATE_TARGETS: '1',
      WORKER: 'off',
      AUTH_SECRET: 'b'.repeat(40),
    },
  });
  for (let i = 0; i < 200; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
    if (up) return { child, port };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('next start did not answer /api/health');
}

async function server(mode: string) {
  if (mode === 'next' || mode === 'prod') return nextServer(mode);
  return startEventsServer(pg.url, mode, process.env.SERVER_FLAGS ? process.env.SERVER_FLAGS.split(' ') : []);
}

const target = (port: number) => eventsTarget(port, token, EVENT.eventType, DATA);

const results: { mode: string; closed: LoadResult; open: LoadResult }[] = [];
const MODES = (process.env.MODES ?? 'bare,app,next,prod,app-worker').split(',');
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
    const label = {
      bare: 'bare node:http + same insert',
      app: 'app route (worker off)',
      next: 'next start (worker off)',
      prod: 'npm start: server.ts (worker off)',
      'app-worker': 'app route + inline worker',
    }[mode]!;
    return [label, rps.toFixed(0), `${(rps / bare).toFixed(2)}×`, ms(c.p50), ms(c.p99), ms(o.p50), ms(o.p99), ms(o.max), closed.errors + open.errors];
  }),
]);
console.log(`\ndeliveries made by the inline worker during its run: ${await sink.count()}`);

sink.close();
await pg.drop();
process.exit(0);
