// Delivery engine figures, each beside a bare sender measured in the same run:
//   1. Throughput: a backlog of EVENTS events × WEBHOOKS webhooks drained by one worker, against a bare Node
//      sender posting the same bodies to the same loopback receiver (64 in flight, keep-alive, no database).
//      On PostgreSQL the worker is a separate `npm run worker` process (scripts/worker.ts); on PGlite it runs
//      inside this process, as the inline worker does in the web server. Rates are counted by the receiver,
//      from its first call to its last. Bare sender and worker alternate, ROUNDS times each.
//   2. The single-webhook case: one webhook's backlog of as many deliveries, against the bare sender at 64 and
//      at the per-webhook cap (16 in flight): the worker can at best match the latter. Then the same with a
//      receiver that answers in SLOW_MS (real ones take time): the cap, not the machine, is then the limit.
//   3. Latency when idle: one event at a time through the route handler (POST /api/events → the receiver).
//   node --import tsx bench/events-delivery.ts
//   In part 1 the worker runs once per outgoing HTTP client of CLIENTS each round (undici, the default, and the
//   lean built-in one, HTTP_CLIENT=lean): the two side by side, each beside the same round's bare sender.
//   env: EVENTS=2500 WEBHOOKS=4 ROUNDS=5 SAMPLES=200 DBS=postgres,pglite PER_TARGET=16 SINGLE=1 SLOW_MS=10 LATENCY=1
//        CLIENTS=undici,lean WORKER_CPU_PROF=dir (profile the worker process: node --cpu-prof)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

const EVENTS = Number(process.env.EVENTS ?? 2500);
const WEBHOOKS = Number(process.env.WEBHOOKS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SAMPLES = Number(process.env.SAMPLES ?? 200);
const DBS = (process.env.DBS ?? 'postgres,pglite').split(',');
const SINGLE = process.env.SINGLE !== '0';
const LATENCY = process.env.LATENCY !== '0';
const PROFILE_DIR = process.env.WORKER_CPU_PROF;
const PER_TARGET = Number(process.env.PER_TARGET ?? 16);
const SLOW_MS = Number(process.env.SLOW_MS ?? 10);
const CLIENTS = (process.env.CLIENTS ?? 'undici,lean').split(',') as ('undici' | 'lean')[];
const EVENT = findEvent('COURSE_ENROLLMENT_CREATED')!;
const DATA = sampleEventData(EVENT);
const now = () => performance.timeOrigin + performance.now();
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const ROOT = path.resolve(import.meta.dirname, '..');

process.env.ALLOW_PRIVATE_TARGETS = '1';
resetEnv();
const { POST } = await import('../app/api/events/route');

const workerOpts = {
  perTargetConcurrency: PER_TARGET,
  deliveryTimeoutMs: 10_000,
  retrySchedule: [5],
  allowPrivate: true,
  retentionDays: 30,
  retentionEveryMs: 0,
};

// The receiver: its own process, answers 200 at once, counts calls and keeps the first and last arrival.
const RECEIVER = `
const http = require('node:http');
let count = 0, first = 0, last = 0, delay = 0;
const answer = (res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
};
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    if (count++ === 0) first = at;
    last = at;
    if (delay > 0) setTimeout(answer, delay, res);
    else answer(res);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'reset') { count = 0; first = 0; last = 0; process.send({ reset: true }); }
  if (typeof m === 'object' && 'delay' in m) { delay = m.delay; process.send({ delaySet: delay }); }
  if (m === 'stats') process.send({ count, first, last });
});
`;

// The bare sender: the same bodies to the same URLs, IN_FLIGHT at once on keep-alive connections, nothing else.
const BARE = `
const http = require('node:http');
const fs = require('node:fs');
const jobs = JSON.parse(fs.readFileSync(process.env.BARE_JOBS, 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let next = 0;
const cpu0 = process.cpuUsage();
function one() {
  const j = jobs[next++];
  if (!j) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const req = http.request(j.url, { method: 'POST', agent, headers: { ...j.headers, 'content-length': Buffer.byteLength(j.body) } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(j.body);
  }).then(one);
}
Promise.all(Array.from({ length: Number(process.env.IN_FLIGHT) }, one)).then(() => {
  const c = process.cpuUsage(cpu0);
  process.send({ cpuMs: (c.user + c.system) / 1000 });
  process.exit(0);
});
`;

interface Receiver {
  url: string;
  pid: number;
  reset(): Promise<void>;
  /** Every answer from now on comes this long after the request. */
  delay(ms: number): Promise<void>;
  stats(): Promise<{ count: number; first: number; last: number }>;
  close(): void;
}

function ask<T>(child: ChildProcess, msg: string | { delay: number }, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      if (m && typeof m === 'object' && key in m) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    child.send(msg);
  });
}

async function startReceiver(): Promise<Receiver> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  process.on('exit', () => child.kill()); // also when the bench fails
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    reset: () => ask(child, 'reset', 'reset').then(() => {}),
    delay: (ms) => ask(child, { delay: ms }, 'delaySet').then(() => {}),
    stats: () => ask(child, 'stats', 'count'),
    close: () => void child.kill(),
  };
}

async function waitCount(r: Receiver, total: number, timeoutMs = 300_000, gone?: () => string | null) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await r.stats();
    if (s.count >= total) return s;
    const why = gone?.();
    if (why) throw new Error(`${why} after the receiver got ${s.count} of ${total} calls`);
    if (Date.now() > until) throw new Error(`the receiver got ${s.count} of ${total} calls`);
    await sleep(20);
  }
}

/** Deliveries per second, counted by the receiver from its first call to its last. */
const rate = (s: { count: number; first: number; last: number }) => (s.count - 1) / ((s.last - s.first) / 1000);

/**
 * CPU milliseconds per 1,000 deliveries, by part: [sender or worker process, database server, receiver], and
 * the share of the machine's CPU time in use meanwhile (all processes).
 */
const cpuPer1000: Record<string, number[][]> = {};
interface CpuMark {
  receiverMs: number;
  machine: { busy: number; all: number };
}
function noteCpu(key: string, processMs: number, dbMs: number, total: number, since: CpuMark, r: Receiver) {
  const now = cpuMark(r);
  const busy = (now.machine.busy - since.machine.busy) / Math.max(1, now.machine.all - since.machine.all);
  (cpuPer1000[key] ??= []).push([(processMs * 1000) / total, (dbMs * 1000) / total, ((now.receiverMs - since.receiverMs) * 1000) / total, busy]);
}

/** The machine's CPU time so far (/proc/stat, in ticks): busy, and all. */
function machineCpu(): { busy: number; all: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const all = f.reduce((a, b) => a + b, 0);
  return { busy: all - (f[3] ?? 0) - (f[4] ?? 0), all };
}
const cpuMark = (r: Receiver): CpuMark => ({ receiverMs: procCpuMs(r.pid), machine: machineCpu() });

/** CPU time of a process so far (Linux /proc), in ms; 0 when it is gone. */
const TICK_MS = 1000 / 100;
function procCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The database server's CPU for the backends serving connections opened since `since` (the worker's). */
async function backendsCpu(handle: DbHandle, since: Date): Promise<Map<number, number>> {
  const rows = await handle.rows<{ pid: number }>(
    sql`select pid from pg_stat_activity where datname = current_database() and backend_start >= ${since.toISOString()}::timestamptz`,
  );
  return new Map(rows.map((r) => [Number(r.pid), procCpuMs(Number(r.pid))]));
}

/** The database's own counters: updates of deliveries (all, and HOT ones). */
interface DbCounters {
  upd: number;
  hot: number;
}
const dbStats: Record<string, DbCounters[]> = {};
async function dbCounters(handle: DbHandle): Promise<DbCounters> {
  const [r] = await handle.rows<{ upd: string; hot: string }>(sql`select
    (select n_tup_upd from pg_stat_user_tables where relname = 'deliveries') as upd,
    (select n_tup_hot_upd from pg_stat_user_tables where relname = 'deliveries') as hot`);
  return { upd: Number(r?.upd ?? 0), hot: Number(r?.hot ?? 0) };
}

async function bare(r: Receiver, jobsFile: string, total: number, inFlight: number, key: string): Promise<number> {
  await r.reset();
  const child = spawn(process.execPath, ['-e', BARE], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BARE_JOBS: jobsFile, IN_FLIGHT: String(inFlight) },
  });
  const mark = cpuMark(r);
  let cpuMs = 0;
  child.on('message', (m) => (cpuMs = (m as { cpuMs: number }).cpuMs));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the bare sender exited with ${code}`);
  noteCpu(key, cpuMs, 0, total, mark, r);
  return rate(await waitCount(r, total));
}

/** Puts the backlog back as it was after ingest: every delivery pending, no attempts. */
async function restore(handle: DbHandle) {
  await handle.rows(sql`truncate delivery_attempts, deliveries`);
  await handle.rows(sql`insert into deliveries select * from bench_backlog`);
  await handle.rows(sql`analyze deliveries`);
}

async function succeeded(handle: DbHandle): Promise<number> {
  const [r] = await handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where status = 'succeeded'`);
  return Number(r?.n ?? 0);
}

async function workerRun(kind: string, handle: DbHandle, url: string | undefined, r: Receiver, total: number, key: string, client: 'undici' | 'lean' = CLIENTS[0]!): Promise<number> {
  // The in-process worker (PGlite) reads HTTP_CLIENT from the environment like the worker process does.
  process.env.HTTP_CLIENT = client;
  resetEnv();
  await restore(handle);
  await r.reset();
  const c0 = await dbCounters(handle);
  const noteDb = async () => {
    await sleep(kind === 'postgres' ? 1_100 : 0); // backends send their counters at most once a second, and on exit
    const c1 = await dbCounters(handle);
    (dbStats[key] ??= []).push({ upd: (c1.upd - c0.upd) * (1000 / total), hot: (c1.hot - c0.hot) * (1000 / total) });
  };
  if (kind === 'postgres') {
    const since = new Date(Date.now() - 1000);
    const prof = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [];
    const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'scripts/worker.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        DATABASE_URL: url,
        ALLOW_PRIVATE_TARGETS: '1',
        MAX_IN_FLIGHT_PER_TARGET: String(PER_TARGET),
        RETRY_SCHEDULE: '5',
        HTTP_CLIENT: client,
      },
    });
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
    const gone = () => (exitCode === undefined ? null : `the worker exited with ${exitCode}`);
    try {
      // CPU from the first delivery on (not the process's start-up), the worker's and its database backends'.
      await waitCount(r, 1, undefined, gone);
      const w0 = procCpuMs(child.pid!);
      const mark = cpuMark(r);
      const b0 = await backendsCpu(handle, since);
      const s = await waitCount(r, total, undefined, gone);
      await waitUntilStored(handle, total);
      const w1 = procCpuMs(child.pid!);
      let db = 0;
      for (const [pid, ms] of await backendsCpu(handle, since)) db += ms - (b0.get(pid) ?? 0);
      noteCpu(key, w1 - w0, db, total, mark, r);
      return rate(s);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await noteDb();
    }
  }
  const worker = startWorker(handle, workerOpts);
  try {
    await waitCount(r, 1);
    const mark = cpuMark(r);
    const c0 = process.cpuUsage();
    const s = await waitCount(r, total);
    await waitUntilStored(handle, total);
    const c = process.cpuUsage(c0);
    // PGlite runs in this process: its share is in the process's figure.
    noteCpu(key, (c.user + c.system) / 1000, 0, total, mark, r);
    return rate(s);
  } finally {
    await worker.stop();
    await noteDb();
  }
}

async function waitUntilStored(handle: DbHandle, total: number) {
  while ((await succeeded(handle)) < total) await sleep(50);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' / ');

async function open(kind: string): Promise<{ handle: DbHandle; url?: string; close(): Promise<void> }> {
  if (kind === 'pglite') {
    const handle = await pgliteDb();
    return { handle, close: () => handle.close() };
  }
  const pg = await freshPostgres({ max: 10 });
  return { handle: pg.handle, url: pg.url, close: pg.drop };
}

/** A backlog of `events` × `hooks` webhooks, kept in bench_backlog; the bare sender's jobs in a file. */
async function backlog(handle: DbHandle, r: Receiver, hooks: number, events: number): Promise<{ file: string; total: number }> {
  await handle.rows(sql`truncate delivery_attempts, deliveries, events`);
  await handle.db.delete(webhooks).where(sql`true`);
  for (let i = 0; i < hooks; i++) {
    await handle.db.insert(webhooks).values({ eventType: EVENT.eventType, url: `${r.url}/hook-${i}`, secret: generateSecret() });
  }
  await invalidateTargets(handle);
  for (let i = 0; i < events; i++) {
    const res = await ingestEvent(handle, { event_type: EVENT.eventType, data: DATA });
    if (!res.ok) throw new Error(res.error);
  }
  await handle.rows(sql`drop table if exists bench_backlog`);
  await handle.rows(sql`create table bench_backlog as select * from deliveries`);
  const jobs = await handle.rows<{ url: string; headers: Record<string, string> | string; body: string }>(
    sql`select url, request_headers as headers, request_body as body from deliveries order by id`,
  );
  const file = path.join(os.tmpdir(), `bench-delivery-${process.pid}-${hooks}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(jobs.map((j) => ({ url: j.url, headers: typeof j.headers === 'string' ? JSON.parse(j.headers) : j.headers, body: j.body }))),
  );
  return { file, total: jobs.length };
}

const label = (kind: string) => (kind === 'pglite' ? 'PGlite (embedded, worker in-process)' : 'PostgreSQL 15 (`npm run worker`)');
const throughput: (string | number)[][] = [];
const clients: (string | number)[][] = [];
const single: (string | number)[][] = [];
const latency: (string | number)[][] = [];

for (const kind of DBS) {
  const db = await open(kind);
  setDb(db.handle);
  const { token } = await createApiKey(db.handle.db, { name: 'bench', scopes: ['events'] });
  const r = await startReceiver();

  // 1. Throughput with WEBHOOKS webhooks: bare and worker alternate.
  {
    const { file, total } = await backlog(db.handle, r, WEBHOOKS, EVENTS);
    const bares: number[] = [];
    const workers: Record<string, number[]> = {};
    for (let i = 0; i < ROUNDS; i++) {
      bares.push(await bare(r, file, total, 64, `${kind} bare`));
      for (const client of CLIENTS) {
        const who = CLIENTS.length > 1 ? `${kind} worker (${client})` : `${kind} worker`;
        (workers[client] ??= []).push(await workerRun(kind, db.handle, db.url, r, total, who, client));
      }
      const line = CLIENTS.map((c) => `worker (${c}) ${workers[c]!.at(-1)!.toFixed(0)}/s`).join(', ');
      console.error(`${kind}, ${WEBHOOKS} webhooks, round ${i + 1}: bare ${bares.at(-1)!.toFixed(0)}/s, ${line} (load ${os.loadavg()[0]!.toFixed(1)})`);
    }
    for (const client of CLIENTS) {
      const ratios = workers[client]!.map((w, i) => w / bares[i]!);
      throughput.push([label(kind), client, `${EVENTS} × ${WEBHOOKS}`, fmt(bares), fmt(workers[client]!), ratios.map((x) => x.toFixed(2)).join(' / '), `${median(ratios).toFixed(2)}×`]);
    }
    if (CLIENTS.length === 2) {
      const [a, b] = CLIENTS as [string, string];
      const per = workers[a]!.map((w, i) => w / workers[b]![i]!);
      clients.push([label(kind), per.map((x) => x.toFixed(2)).join(' / '), `${median(per).toFixed(2)}×`]);
    }
    fs.rmSync(file, { force: true });
  }

  // 2. One webhook: the per-webhook cap is the limit.
  if (SINGLE) {
    // As many deliveries as part 1 (a process that has just started runs slower until V8 has compiled
    // its hot paths; both senders start fresh each round, so the backlogs are the same size).
    const { file, total } = await backlog(db.handle, r, 1, EVENTS * WEBHOOKS);
    const b64: number[] = [];
    const bcap: number[] = [];
    const workers: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      b64.push(await bare(r, file, total, 64, `${kind} 1 bare`));
      bcap.push(await bare(r, file, total, PER_TARGET, `${kind} 1 bare`));
      workers.push(await workerRun(kind, db.handle, db.url, r, total, `${kind} 1 worker`));
      console.error(`${kind}, 1 webhook, round ${i + 1}: bare(64) ${b64.at(-1)!.toFixed(0)}/s, bare(${PER_TARGET}) ${bcap.at(-1)!.toFixed(0)}/s, worker ${workers.at(-1)!.toFixed(0)}/s`);
    }
    const vs64 = median(workers.map((w, i) => w / b64[i]!));
    const vsCap = median(workers.map((w, i) => w / bcap[i]!));
    single.push([label(kind), 'at once', fmt(b64), fmt(bcap), fmt(workers), `${vs64.toFixed(2)}×`, `${vsCap.toFixed(2)}×`]);
    // A receiver that takes SLOW_MS to answer, as real ones do: the cap, not the machine, is then the limit.
    if (SLOW_MS > 0) {
      await r.delay(SLOW_MS);
      const s64: number[] = [];
      const scap: number[] = [];
      const sw: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        s64.push(await bare(r, file, total, 64, `${kind} 1 slow bare`));
        scap.push(await bare(r, file, total, PER_TARGET, `${kind} 1 slow bare`));
        sw.push(await workerRun(kind, db.handle, db.url, r, total, `${kind} 1 slow worker`));
        console.error(`${kind}, 1 webhook answering in ${SLOW_MS} ms, round ${i + 1}: bare(64) ${s64.at(-1)!.toFixed(0)}/s, bare(${PER_TARGET}) ${scap.at(-1)!.toFixed(0)}/s, worker ${sw.at(-1)!.toFixed(0)}/s`);
      }
      await r.delay(0);
      single.push([label(kind), `in ${SLOW_MS} ms`, fmt(s64), fmt(scap), fmt(sw), `${median(sw.map((w, i) => w / s64[i]!)).toFixed(2)}×`, `${median(sw.map((w, i) => w / scap[i]!)).toFixed(2)}×`]);
    }
    fs.rmSync(file, { force: true });
  }
  r.close();
  await db.handle.rows(sql`drop table if exists bench_backlog`);

  // 3. Latency when idle: one event at a time through the route handler, worker waiting.
  if (LATENCY) {
    await db.handle.rows(sql`truncate delivery_attempts, deliveries, events`);
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
    latency.push([kind === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL 15', ms(a.p50), ms(a.p99), ms(l.p50), ms(l.p99), ms(l.max)]);
  }
  await db.close();
}

console.log(`\nDelivery throughput: a backlog of ${EVENTS} events × ${WEBHOOKS} webhooks drained by one worker (64 in flight, ${PER_TARGET} per`);
console.log(`webhook), beside a bare Node sender posting the same bodies to the same loopback receiver (64 in flight), alternating,`);
console.log(`${ROUNDS} rounds; rates counted by the receiver (another process) from its first call to its last. Load average now: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')}.\n`);
printTable([['database', 'HTTP client', 'backlog', 'bare sender/s', 'worker/s', 'ratio per round', 'median ratio'], ...throughput]);
if (clients.length) {
  console.log(`\nThe worker with ${CLIENTS[0]} against the worker with ${CLIENTS[1]}, round by round (same backlog, same round):\n`);
  printTable([['database', `${CLIENTS[0]} / ${CLIENTS[1]} per round`, 'median'], ...clients]);
}
console.log(`\nCPU per 1,000 deliveries (median over rounds, from the first delivery on; ${WEBHOOKS} webhooks): the sending process, the`);
console.log('database server processes serving it (PostgreSQL backends; PGlite runs inside the process) and the receiver; and how');
console.log(`much of the machine's CPU (${os.cpus().length} cores, every process) was in use meanwhile (the bare sender's from its start).\n`);
const med = (xs: number[]) => (xs.length ? median(xs) : 0);
printTable([
  ['who', 'process ms', 'database ms', 'receiver ms', 'machine busy'],
  ...Object.entries(cpuPer1000)
    .filter(([k]) => !k.includes(' 1 '))
    .map(([k, v]) => [
      k,
      ...[0, 1, 2].map((i) => med(v.map((x) => x[i]!)).toFixed(0)),
      `${(100 * med(v.map((x) => x[3]!))).toFixed(0)} %`,
    ]),
]);
console.log(`\nUpdates of deliveries per 1,000 deliveries (the database's own counters, median over rounds), and the share of them`);
console.log('that were HOT (written in place, no new index entry): the claims.\n');
printTable([
  ['who', 'row updates', 'HOT'],
  ...Object.entries(dbStats).map(([k, v]) => {
    const upd = med(v.map((x) => x.upd));
    return [k, upd.toFixed(0), `${upd ? ((100 * med(v.map((x) => x.hot))) / upd).toFixed(0) : 0} %`];
  }),
]);
if (single.length) {
  console.log(`\nOne webhook (${EVENTS * WEBHOOKS} deliveries): at most ${PER_TARGET} calls in flight to it, so the best the worker can do is the bare sender at ${PER_TARGET}.\n`);
  printTable([['database', 'receiver answers', 'bare (64)/s', `bare (${PER_TARGET})/s`, 'worker/s', 'vs bare 64', `vs bare ${PER_TARGET}`], ...single]);
}
if (latency.length) {
  console.log(`\n${SAMPLES} single events, 20 ms apart, through the route handler, worker idle:\n`);
  printTable([['database', 'ingest p50', 'ingest p99', 'event→delivery p50', 'event→delivery p99', 'max'], ...latency]);
}
process.exit(0);
