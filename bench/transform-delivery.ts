// Transformations (SPEC §14) against none, in the same run: EVENTS events × WEBHOOKS webhooks, accepted by
// ingest (CONCURRENCY at a time, as the LMS's requests arrive at a web server) while a worker delivers them to a
// loopback receiver. A transformation runs when each delivery is created, so its cost lands on ingest: the
// figures are events accepted per second and deliveries per second end to end (the receiver's count from the
// first event accepted to the last call), for webhooks with the Slack template and for plain ones, alternating,
// ROUNDS times each. Target (issue 31): transformed ≥ 0.5× untransformed on PostgreSQL.
//   On PostgreSQL the worker is a separate `npm run worker` process (scripts/worker.ts); on PGlite it runs in
//   this process, as the inline worker does in the web server.
//   node --import tsx bench/transform-delivery.ts
//   env: EVENTS=2000 WEBHOOKS=2 ROUNDS=5 CONCURRENCY=16 DBS=postgres (or postgres,pglite) TEMPLATE=slack
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { findEvent, sampleEventData } from '../lib/catalog';
import { setDb, type DbHandle } from '../lib/db';
import { webhooks } from '../lib/db/schema';
import { ingestEvent } from '../lib/dispatch/ingest';
import { generateSecret } from '../lib/dispatch/sign';
import { invalidateTargets } from '../lib/dispatch/targets';
import { startWorker } from '../lib/dispatch/worker';
import { resetEnv } from '../lib/env';
import { TEMPLATE_IDS, templateSource, type TemplateId } from '../lib/transform/templates';
import { freshPostgres, pgliteDb } from '../tests/helpers/db';
import { printTable } from './lib/stats';

const EVENTS = Number(process.env.EVENTS ?? 2000);
const WEBHOOKS = Number(process.env.WEBHOOKS ?? 2);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const DBS = (process.env.DBS ?? 'postgres').split(',');
const TEMPLATE = (process.env.TEMPLATE ?? 'slack') as TemplateId;
if (!TEMPLATE_IDS.includes(TEMPLATE)) throw new Error(`TEMPLATE must be one of ${TEMPLATE_IDS.join(', ')}`);
const EVENT = findEvent('COURSE_ENROLLMENT_CREATED')!;
const DATA = sampleEventData(EVENT);
const SOURCE = templateSource(TEMPLATE, EVENT);
const ROOT = path.resolve(import.meta.dirname, '..');
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const now = () => performance.timeOrigin + performance.now();

process.env.ALLOW_PRIVATE_TARGETS = '1';
process.env.LOG_LEVEL ??= 'warn'; // no line per delivery attempt
resetEnv();

// The receiver: its own process, answers 200 at once, counts calls and keeps the last arrival.
const RECEIVER = `
const http = require('node:http');
let count = 0, last = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    count++;
    last = performance.timeOrigin + performance.now();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'reset') { count = 0; last = 0; process.send({ reset: true }); }
  if (m === 'stats') process.send({ count, last });
});
`;

interface Receiver {
  url: string;
  reset(): Promise<void>;
  stats(): Promise<{ count: number; last: number }>;
  close(): void;
}

async function startReceiver(): Promise<Receiver> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  process.on('exit', () => child.kill());
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
  const ask = <T>(msg: string, key: string) =>
    new Promise<T>((resolve) => {
      const on = (m: unknown) => {
        if (m && typeof m === 'object' && key in m) {
          child.off('message', on);
          resolve(m as T);
        }
      };
      child.on('message', on);
      child.send(msg);
    });
  return {
    url: `http://127.0.0.1:${port}`,
    reset: () => ask('reset', 'reset').then(() => {}),
    stats: () => ask('stats', 'count'),
    close: () => void child.kill(),
  };
}

async function open(kind: string): Promise<{ handle: DbHandle; url?: string; close(): Promise<void> }> {
  if (kind === 'pglite') {
    const handle = await pgliteDb();
    return { handle, close: () => handle.close() };
  }
  const pg = await freshPostgres({ max: 10 });
  return { handle: pg.handle, url: pg.url, close: pg.drop };
}

/** A worker for the run: `npm run worker` on PostgreSQL, in this process on PGlite. */
async function startDeliveries(kind: string, handle: DbHandle, url: string | undefined): Promise<() => Promise<void>> {
  if (kind === 'pglite') {
    const w = startWorker(handle, { deliveryTimeoutMs: 10_000, retrySchedule: [5], allowPrivate: true, retentionDays: 30, retentionEveryMs: 0 });
    return () => w.stop();
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DATABASE_URL: url, ALLOW_PRIVATE_TARGETS: '1', RETRY_SCHEDULE: '5', LOG_LEVEL: 'warn' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Started (migrated, listening) before the clock starts: a worker's start-up is not part of the figure.
  await sleep(1_500);
  return async () => {
    child.kill('SIGTERM');
    await exited;
  };
}

/** Webhooks for the event, all with the template or none with it. */
async function setWebhooks(handle: DbHandle, r: Receiver, transformed: boolean) {
  await handle.db.delete(webhooks).where(sql`true`);
  for (let i = 0; i < WEBHOOKS; i++) {
    const [row] = await handle.db
      .insert(webhooks)
      .values({ eventType: EVENT.eventType, url: `${r.url}/hook-${i}`, secret: generateSecret() })
      .returning();
    if (transformed) await handle.db.update(webhooks).set({ transformation: { source: SOURCE } }).where(eq(webhooks.id, row!.id));
  }
  await invalidateTargets(handle);
}

interface Round {
  eventsPerSecond: number;
  deliveriesPerSecond: number;
}

async function round(kind: string, db: { handle: DbHandle; url?: string }, r: Receiver, transformed: boolean): Promise<Round> {
  await db.handle.rows(sql`truncate delivery_attempts, deliveries, events`);
  await setWebhooks(db.handle, r, transformed);
  // One event first (not counted): compiles the transformation and warms the paths, as a running service has.
  const warm = await ingestEvent(db.handle, { event_type: EVENT.eventType, data: DATA });
  if (!warm.ok) throw new Error(warm.error);
  const stop = await startDeliveries(kind, db.handle, db.url);
  try {
    while ((await r.stats()).count < WEBHOOKS) await sleep(20);
    await r.reset();
    const t0 = now();
    let next = 0;
    const one = async (): Promise<void> => {
      if (next++ >= EVENTS) return;
      const res = await ingestEvent(db.handle, { event_type: EVENT.eventType, data: DATA });
      if (!res.ok || res.body.deliveries !== WEBHOOKS) throw new Error(`ingest: ${JSON.stringify(res)}`);
      return one();
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, one));
    const accepted = now();
    const total = EVENTS * WEBHOOKS;
    const until = Date.now() + 300_000;
    let s = await r.stats();
    while (s.count < total) {
      if (Date.now() > until) throw new Error(`the receiver got ${s.count} of ${total} calls`);
      await sleep(20);
      s = await r.stats();
    }
    return { eventsPerSecond: EVENTS / ((accepted - t0) / 1000), deliveriesPerSecond: total / ((s.last - t0) / 1000) };
  } finally {
    await stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' / ');
const rows: (string | number)[][] = [];

for (const kind of DBS) {
  const db = await open(kind);
  setDb(db.handle);
  const r = await startReceiver();
  const plain: Round[] = [];
  const slack: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternating, the order swapped each round, so drift in the machine's load hits both alike.
    for (const transformed of i % 2 ? [true, false] : [false, true]) {
      const res = await round(kind, db, r, transformed);
      (transformed ? slack : plain).push(res);
    }
    console.error(
      `${kind}, round ${i + 1}: none ${plain.at(-1)!.deliveriesPerSecond.toFixed(0)} deliveries/s (${plain.at(-1)!.eventsPerSecond.toFixed(0)} events/s), ` +
        `${TEMPLATE} ${slack.at(-1)!.deliveriesPerSecond.toFixed(0)} deliveries/s (${slack.at(-1)!.eventsPerSecond.toFixed(0)} events/s) (load ${os.loadavg()[0]!.toFixed(1)})`,
    );
  }
  const dRatio = slack.map((s, i) => s.deliveriesPerSecond / plain[i]!.deliveriesPerSecond);
  const eRatio = slack.map((s, i) => s.eventsPerSecond / plain[i]!.eventsPerSecond);
  const name = kind === 'pglite' ? 'PGlite (worker in-process)' : 'PostgreSQL (`npm run worker`)';
  rows.push([name, 'deliveries/s', fmt(plain.map((x) => x.deliveriesPerSecond)), fmt(slack.map((x) => x.deliveriesPerSecond)), `${median(dRatio).toFixed(2)}×`]);
  rows.push([name, 'events accepted/s', fmt(plain.map((x) => x.eventsPerSecond)), fmt(slack.map((x) => x.eventsPerSecond)), `${median(eRatio).toFixed(2)}×`]);
  r.close();
  await db.close();
}

console.log(`\n${EVENTS} events × ${WEBHOOKS} webhooks, ${CONCURRENCY} events accepted at a time while a worker delivers them to a loopback`);
console.log(`receiver; webhooks without a transformation against the ${TEMPLATE} template, alternating, ${ROUNDS} rounds each.`);
console.log(`Load average now: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')} (${os.cpus().length} cores).\n`);
printTable([['database', 'figure', 'none (per round)', `${TEMPLATE} (per round)`, 'median ratio'], ...rows]);
process.exit(0);
