// Sustained load on the BUILT server with PostgreSQL: POST /api/events at a fixed rate, three webhooks per
// event, loopback receivers in their own process. Checks that nothing errs, that the queue drains, and that
// memory stays flat; reports the 202 latency (p50/p99, measured from the scheduled send time) and RSS.
//   node --import tsx bench/load-events.ts
//   LOAD_SECONDS=120 LOAD_RATE=500 (defaults) · LOAD_WORKER=inline|external (external: WORKER=off plus
//   `npm run worker`) · LOAD_DRAIN_SECONDS=300 (how long the queue may take to empty after the load)
// Exits 1 when a request fails, a delivery fails, or the queue does not drain.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { findEvent, sampleEventData } from '../lib/catalog';
import { freshPostgres } from '../tests/helpers/db';
import { rssKiB, startServer } from '../tests/helpers/server';
import http from 'node:http';
import { startSink } from './lib/sink';
import { ms, printTable, summarize } from './lib/stats';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 120);
const RATE = Number(process.env.LOAD_RATE ?? 500);
const WORKER = process.env.LOAD_WORKER === 'external' ? 'external' : 'inline';
const DRAIN_SECONDS = Number(process.env.LOAD_DRAIN_SECONDS ?? 300);
const KEY = 'load-test-initial-key-0123456789abcdef';
const EVENT = findEvent('COURSE_ENROLLMENT_CREATED')!;
const DATA = sampleEventData(EVENT);
const WEBHOOKS = 3;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

interface Target {
  url: string;
  headers: Record<string, string>;
  body: () => string;
  expect: number;
}
interface LoadResult {
  ok: number;
  errors: number;
  seconds: number;
  latencies: number[];
  /** Status codes, and connection errors by code ("ECONNRESET"…). */
  statuses: Record<string, number>;
}

/** Open loop: requests at a fixed rate, latency from the scheduled send time (a stall is not hidden). */
async function openLoop(t: Target, rate: number, seconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const r: LoadResult = { ok: 0, errors: 0, seconds, latencies: [], statuses: {} };
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  const once = () =>
    new Promise<string>((resolve) => {
      const req = http.request(t.url, { method: 'POST', agent, headers: t.headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
        res.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
      // A reset on a reused keep-alive socket is the classic idle-close race (the server closed it as we sent).
      req.on('error', (err: NodeJS.ErrnoException) => resolve(`${err.code ?? err.message}${req.reusedSocket ? ' (reused socket)' : ''}`));
      req.end(t.body());
    });
  for (let i = 0; i < total; i++) {
    const scheduled = t0 + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(
      once().then((status) => {
        r.latencies.push(performance.now() - scheduled);
        r.statuses[status] = (r.statuses[status] ?? 0) + 1;
        if (status === String(t.expect)) r.ok++;
        else r.errors++;
      }),
    );
  }
  await Promise.all(pending);
  r.seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return r;
}

const pg = await freshPostgres({ max: 2 });
const sink = await startSink();
const server = await startServer({
  databaseUrl: pg.url,
  env: { INITIAL_API_KEY: KEY, ALLOW_PRIVATE_TARGETS: '1', WORKER: WORKER === 'inline' ? 'inline' : 'off' },
});
let worker: ChildProcess | null = null;
if (WORKER === 'external') {
  worker = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'scripts', 'worker.ts')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: pg.url, ALLOW_PRIVATE_TARGETS: '1' },
  });
}
const memory = () => rssKiB(server.pid) + (worker?.pid ? rssKiB(worker.pid) : 0);

async function counts() {
  const [r] = await pg.handle.rows<{ pending: number; succeeded: number; failed: number }>(sql`
    select count(*) filter (where status = 'pending')::int as pending,
           count(*) filter (where status = 'succeeded')::int as succeeded,
           count(*) filter (where status = 'failed')::int as failed
    from deliveries`);
  return r!;
}

let exitCode = 0;
try {
  for (let i = 0; i < WEBHOOKS; i++) {
    const res = await fetch(`${server.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: EVENT.eventType, url: `${sink.url}/${i}`, description: `load ${i}` }),
    });
    if (res.status !== 201) throw new Error(`creating a webhook answered ${res.status}: ${await res.text()}`);
  }
  const target: Target = {
    url: `${server.url}/api/events`,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: () => JSON.stringify({ event_type: EVENT.eventType, data: DATA, metadata: { id: randomUUID(), source: 'openedx/lms/web' } }),
    expect: 202,
  };

  // Warm up (JIT, pools, caches), let it drain, then take the starting memory.
  const warm = await openLoop(target, Math.min(RATE, 200), 5);
  if (warm.errors) throw new Error(`warm-up: ${warm.errors} requests failed (${JSON.stringify(warm.statuses)})`);
  for (let i = 0; i < 120 && (await counts()).pending > 0; i++) await sleep(500);
  const rssStart = memory();
  const before = await counts();
  console.log(`[load] ${RATE} events/s for ${SECONDS} s, ${WEBHOOKS} webhooks each, worker ${WORKER}; server RSS ${mib(rssStart)}`);

  const samples: { t: number; rss: number; pending: number }[] = [];
  const t0 = Date.now();
  const sampler = setInterval(async () => {
    const c = await counts().catch(() => null);
    const s = { t: Math.round((Date.now() - t0) / 1000), rss: memory(), pending: c?.pending ?? -1 };
    samples.push(s);
    console.log(`[load] t=${s.t}s rss=${mib(s.rss)} pending=${s.pending} succeeded=${c?.succeeded}`);
  }, 10_000);
  const load = await openLoop(target, RATE, SECONDS);
  clearInterval(sampler);
  const rssEndOfLoad = memory();
  const loadDone = Date.now();

  let drained = false;
  let after = await counts();
  while (Date.now() - loadDone < DRAIN_SECONDS * 1000) {
    after = await counts();
    if (after.pending === 0) {
      drained = true;
      break;
    }
    await sleep(500);
  }
  const drainSeconds = (Date.now() - loadDone) / 1000;
  await sleep(2000);
  const rssEnd = memory();
  const delivered = (await sink.count()) - before.succeeded;
  const expected = load.ok * WEBHOOKS;
  const lat = summarize(load.latencies);
  const peak = Math.max(rssStart, rssEndOfLoad, ...samples.map((s) => s.rss));
  const maxPending = Math.max(0, ...samples.map((s) => s.pending));

  printTable([
    ['figure', 'value'],
    ['events offered / accepted (202)', `${Math.round(RATE * SECONDS)} / ${load.ok}`],
    ['request errors (non-202 or connection)', `${load.errors} ${JSON.stringify(load.statuses)}`],
    ['achieved rate', `${(load.ok / load.seconds).toFixed(0)} events/s`],
    ['202 latency p50 / p90 / p99 / max', `${ms(lat.p50)} / ${ms(lat.p90)} / ${ms(lat.p99)} / ${ms(lat.max)}`],
    ['deliveries expected / succeeded / failed', `${expected} / ${after.succeeded - before.succeeded} / ${after.failed - before.failed}`],
    ['calls at the receivers', delivered],
    ['largest backlog seen (pending)', maxPending],
    ['queue drained', drained ? `yes, ${drainSeconds.toFixed(1)} s after the load` : `NO: ${after.pending} pending after ${DRAIN_SECONDS} s`],
    ['server RSS start / peak / end of load / drained', `${mib(rssStart)} / ${mib(peak)} / ${mib(rssEndOfLoad)} / ${mib(rssEnd)}`],
  ]);
  console.log(
    `[load] JSON ${JSON.stringify({ seconds: SECONDS, rate: RATE, worker: WORKER, accepted: load.ok, errors: load.errors, p50: lat.p50, p99: lat.p99, drained, drainSeconds, failed: after.failed - before.failed, rssStartKiB: rssStart, rssPeakKiB: peak, rssEndKiB: rssEnd })}`,
  );
  if (load.errors || !drained || after.failed > before.failed || after.succeeded - before.succeeded !== expected) exitCode = 1;
} catch (err) {
  console.error('[load] failed:', err);
  console.error(server.output().slice(-3000));
  exitCode = 1;
} finally {
  worker?.kill('SIGTERM');
  await server.stop();
  sink.close();
  await pg.drop();
}
process.exit(exitCode);
