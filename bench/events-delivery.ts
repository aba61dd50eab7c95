// Delivery engine figures: deliveries/s to a loopback receiver with a backlog, and event-to-delivery
// latency when idle (POST /api/events handled → the receiver has the call), on PostgreSQL and PGlite.
//   node --import tsx bench/events-delivery.ts      (EVENTS=5000 backlog events × 2 webhooks, SAMPLES=200, DBS=postgres,pglite,
//   PER_TARGET=calls in flight per webhook, default the worker's 16)
// The worker runs in this process, as the inline worker does in the web server; the receiver runs in its own.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createApiKey } from '../lib/auth/api-keys';
import { findEvent, sampleEventData } from '../lib/catalog';
import { setDb, type DbHandle } from '../lib/db';
import { webhooks } from '../lib/db/schema';
import { ingestEvent } from '../lib/dispatch/ingest';
import { generateSecret } from '../lib/dispatch/sign';
import { invalidateTargets } from '../lib/dispatch/targets';
import { startWorker } from '../lib/dispatch/worker';
import { resetEnv } from '../lib/env';
import { freshPostgres, pgliteDb } from '../tests/helpers/db';
import { startSink } from './lib/sink';
import { ms, printTable, summarize } from './lib/stats';

const EVENTS = Number(process.env.EVENTS ?? 5000);
const SAMPLES = Number(process.env.SAMPLES ?? 200);
const DBS = (process.env.DBS ?? 'postgres,pglite').split(',');
const EVENT = findEvent('COURSE_ENROLLMENT_CREATED')!;
const DATA = sampleEventData(EVENT);
const now = () => performance.timeOrigin + performance.now();
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

process.env.ALLOW_PRIVATE_TARGETS = '1';
resetEnv();
const { POST } = await import('../app/api/events/route');

const PER_TARGET = process.env.PER_TARGET ? Number(process.env.PER_TARGET) : undefined;
const workerOpts = { perTargetConcurrency: PER_TARGET, deliveryTimeoutMs: 10_000, retrySchedule: [5], allowPrivate: true, retentionDays: 30, retentionEveryMs: 0 };

async function open(kind: string): Promise<{ handle: DbHandle; close(): Promise<void> }> {
  if (kind === 'pglite') {
    const handle = await pgliteDb();
    return { handle, close: () => handle.close() };
  }
  const pg = await freshPostgres({ max: 10 });
  return { handle: pg.handle, close: pg.drop };
}

async function succeeded(handle: DbHandle): Promise<number> {
  const [r] = await handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where status = 'succeeded'`);
  return Number(r?.n ?? 0);
}

const rows: (string | number)[][] = [];
for (const kind of DBS) {
  const db = await open(kind);
  setDb(db.handle);
  const { token } = await createApiKey(db.handle.db, { name: 'bench', scopes: ['events'] });

  // 1. Throughput: a backlog of EVENTS × 2 webhooks, then one worker drains it.
  const sink = await startSink();
  for (const path of ['a', 'b']) {
    await db.handle.db.insert(webhooks).values({ eventType: EVENT.eventType, url: `${sink.url}/${path}`, secret: generateSecret() });
  }
  await invalidateTargets(db.handle);
  for (let i = 0; i < EVENTS; i++) {
    const r = await ingestEvent(db.handle, { event_type: EVENT.eventType, data: DATA });
    if (!r.ok) throw new Error(r.error);
  }
  const total = EVENTS * 2;
  const t0 = performance.now();
  const worker = startWorker(db.handle, workerOpts);
  while ((await succeeded(db.handle)) < total) await sleep(50);
  const seconds = (performance.now() - t0) / 1000;
  await worker.stop();
  sink.close();
  console.error(`${kind}: ${total} deliveries in ${seconds.toFixed(2)} s (receiver counted ${total})`);

  // 2. Latency when idle: one event at a time through the route handler, worker waiting.
  await db.handle.db.delete(webhooks).where(sql`true`);
  const probe = await startSink({ report: true });
  await db.handle.db.insert(webhooks).values({ eventType: EVENT.eventType, url: probe.url, secret: generateSecret() });
  await invalidateTargets(db.handle);
  const idle = startWorker(db.handle, workerOpts);
  const arrivals = new Map<string, (at: number) => void>();
  probe.child.on('message', (m: { id?: string; at?: number }) => m.id && arrivals.get(m.id)?.(m.at!));
  const latencies: number[] = [];
  const acks: number[] = [];
  for (let i = 0; i < SAMPLES + 20; i++) {
    const id = randomUUID();
    const arrived = new Promise<number>((resolve) => arrivals.set(id, resolve));
    const start = now();
    const res = await POST(
      new Request('http://127.0.0.1/api/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ event_type: EVENT.eventType, data: DATA, metadata: { id } }),
      }),
      undefined,
    );
    const acked = now();
    if (res.status !== 202) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    const at = await arrived;
    if (i >= 20) {
      latencies.push(at - start);
      acks.push(acked - start);
    }
    await sleep(20);
  }
  await idle.stop();
  probe.close();
  const l = summarize(latencies);
  const a = summarize(acks);
  rows.push([kind === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL 15', (total / seconds).toFixed(0), ms(a.p50), ms(a.p99), ms(l.p50), ms(l.p99), ms(l.max)]);
  await db.close();
}

console.log(`\nDelivery engine: backlog of ${EVENTS} events × 2 webhooks drained by one worker (64 in flight, ${PER_TARGET ?? 16} per webhook) to a loopback`);
console.log(`receiver in another process; then ${SAMPLES} single events, 20 ms apart, through the route handler.\n`);
printTable([['database', 'deliveries/s', 'ingest p50', 'ingest p99', 'event→delivery p50', 'event→delivery p99', 'max'], ...rows]);
process.exit(0);
