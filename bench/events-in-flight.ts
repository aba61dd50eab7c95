// The 202 of POST /api/events while deliveries are in flight (issue 12.2), beside the idle case, on PGlite and
// PostgreSQL: five webhooks whose receivers answer after 200 ms, sixty events posted one after another on one
// keep-alive connection (as one LMS process does), ROUNDS times.
//   node --import tsx bench/events-in-flight.ts      (ROUNDS=5, EVENTS=60, DELAY_MS=200, DBS=pglite,postgres,
//   CASES=idle,in-flight; SERVER_FLAGS=--cpu-prof to profile the server)
// "idle": the same server and webhooks with no worker running, so nothing is in flight (the bare cost of the
// route); "in flight": the inline worker delivering to the slow receivers. The server runs in its own
// process (route handler behind the node:http adapter server.ts uses), the receivers in another.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { findEvent, sampleEventData } from '../lib/catalog';
import { freshPostgres } from '../tests/helpers/db';
import { startSink } from './lib/sink';
import { ms, printTable, summarize } from './lib/stats';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const EVENTS = Number(process.env.EVENTS ?? 60);
const DELAY_MS = Number(process.env.DELAY_MS ?? 200);
const DBS = (process.env.DBS ?? 'pglite,postgres').split(',');
const CASES = (process.env.CASES ?? 'idle,in-flight').split(',');
const EVENT = findEvent('COURSE_ENROLLMENT_CREATED')!;
const DATA = sampleEventData(EVENT);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function server(databaseUrl: string | undefined, sinkUrl: string, worker: boolean) {
  const flags = process.env.SERVER_FLAGS ? process.env.SERVER_FLAGS.split(' ') : []; // e.g. --cpu-prof
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', path.join(import.meta.dirname, 'lib/ingest-server.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, DATABASE_URL: databaseUrl ?? '', SINK_URL: sinkUrl, WEBHOOKS: '5', BENCH_WORKER: worker ? 'inline' : 'off', ALLOW_PRIVATE_TARGETS: '1' },
  });
  const { port, token } = await new Promise<{ port: number; token: string }>((resolve) => child.once('message', (m) => resolve(m as never)));
  return { child, port, token };
}

function post(agent: http.Agent, port: number, token: string): Promise<number> {
  const body = JSON.stringify({ event_type: EVENT.eventType, data: DATA, metadata: { id: randomUUID() } });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      { host: '127.0.0.1', port, path: '/api/events', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 202 ? resolve(performance.now() - t0) : reject(new Error(`answered ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const rows: (string | number)[][] = [['database', 'case', 'events', 'p50', 'p90', 'p99', 'max', 'deliveries made']];
for (const kind of DBS) {
  for (const inFlight of CASES.map((c) => c === 'in-flight')) {
    const pg = kind === 'postgres' ? await freshPostgres({ max: 2 }) : undefined;
    const sink = await startSink({ delayMs: DELAY_MS });
    const s = await server(pg?.url, sink.url, inFlight);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 20; i++) await post(agent, s.port, s.token); // warm-up: JIT, plans, caches
    await sleep(6000); // past the worker's first retention run (5 s after start; then hourly)
    const latencies: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < EVENTS; i++) latencies.push(await post(agent, s.port, s.token));
      await sleep(1500); // the round's deliveries end before the next round
    }
    agent.destroy();
    const made = await sink.count();
    s.child.kill('SIGTERM');
    await new Promise((r) => s.child.once('exit', r));
    sink.close();
    await pg?.drop();
    const t = summarize(latencies);
    const label = inFlight ? `in flight: 5 webhooks, receivers ${DELAY_MS} ms` : 'idle: same, no worker (nothing in flight)';
    rows.push([kind, label, latencies.length, ms(t.p50), ms(t.p90), ms(t.p99), ms(t.max), made]);
    console.error(`${kind} / ${inFlight ? 'in flight' : 'idle'}: done`);
  }
}
console.log(`\nPOST /api/events → 202, ${ROUNDS} rounds of ${EVENTS} events posted one after another on one keep-alive connection`);
console.log('(each event stores 5 deliveries; "in flight": the inline worker sends them meanwhile, each call held 200 ms)\n');
printTable(rows);
process.exit(0);
