// Added latency of POST /api/filters over calling the same loopback webfilter directly, with 0, 1 and 5 webfilters.
//   node --import tsx bench/filters-latency.ts        (BENCH_DB=pglite for the embedded database; N=2000 rounds)
// The real route handler is served by a plain node:http adapter (IncomingMessage → Request), since
// `next start` needs a build; Next.js's own routing cost is therefore not included.
import { spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { createApiKey } from '../lib/auth/api-keys';
import { setDb, type DbHandle } from '../lib/db';
import { webfilters } from '../lib/db/schema';
import { flushFilterLogs } from '../lib/dispatch/filters/log';
import { invalidateTargets } from '../lib/dispatch/targets';
import { resetEnv } from '../lib/env';
import { serveRoute } from './lib/route-adapter';
import { freshPostgres, pgliteDb } from '../tests/helpers/db';

const ROUNDS = Number(process.env.N ?? 2000);
const WARMUP = 300;
const WEBFILTERS = 5;

Object.assign(process.env, { ALLOW_PRIVATE_TARGETS: '1', FILTER_TIMEOUT_MS: '5000' });
resetEnv();
const { POST } = await import('../app/api/filters/route');

// Webfilters in their own process, as they would be in real life; each answers a small data change at once.
const RECEIVER = `
const http = require('node:http');
const ports = [];
let open = ${WEBFILTERS};
for (let i = 0; i < ${WEBFILTERS}; i++) {
  const s = http.createServer((req, res) => {
    req.resume();
    const delay = Number(new URL(req.url, 'http://x').searchParams.get('delay') || 0);
    req.on('end', () => setTimeout(() => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"data":{"form_data":{"k${'${i}'}":"v"}}}'); }, delay));
  });
  s.keepAliveTimeout = 60000;
  s.listen(0, '127.0.0.1', () => { ports[i] = s.address().port; if (--open === 0) process.send(ports); });
}`;
const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
const ports = await new Promise<number[]>((resolve) => child.once('message', (m) => resolve(m as number[])));
const urls = ports.map((p, i) => `http://127.0.0.1:${p}/wf${i}`);

// The database and the route behind a node:http adapter.
let handle: DbHandle;
let drop = async () => {};
if (process.env.BENCH_DB === 'pglite') handle = await pgliteDb();
else {
  const pg = await freshPostgres({ max: 10 });
  handle = pg.handle;
  drop = pg.drop;
}
setDb(handle);
const { token } = await createApiKey(handle.db, { name: 'bench', scopes: ['filters'] });

const { server: appServer, port: appPort } = await serveRoute(POST);
const appUrl = `http://127.0.0.1:${appPort}/api/filters`;

// The "LMS": one keep-alive client, one request at a time.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function post(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FILTER = 'org.openedx.learning.student.registration.requested.v1';
const data = { form_data: { username: 'jdoe', email: 'jane.doe@example.com', name: 'Jane Doe', terms_of_service: 'true' } };
const lmsBody = JSON.stringify({ filter_type: FILTER, data });
// What the service sends a webfilter: the same size as a direct call from the LMS would be.
const directBody = JSON.stringify({ ...data, event_metadata: { id: crypto.randomUUID(), event_type: FILTER, filter: 'StudentRegistrationRequested', time: new Date().toISOString() } });
const auth = { authorization: `Bearer ${token}` };

async function setWebfilters(n: number, delayMs: number) {
  await handle.db.delete(webfilters).where(/* every row: a bench database of its own */ sql`true`);
  for (let i = 0; i < n; i++) await handle.db.insert(webfilters).values({ filterType: FILTER, url: `${urls[i]}?delay=${delayMs}`, position: i });
  await invalidateTargets(handle);
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: pct(s, 50), p99: pct(s, 99) };
};

/** Interleaves the direct call and the route call so drift and noise hit both alike. */
async function measure(n: number, delayMs = 0, rounds = ROUNDS) {
  await setWebfilters(n, delayMs);
  const direct: number[] = [];
  const route: number[] = [];
  for (let i = 0; i < WARMUP + rounds; i++) {
    const d = await post(`${urls[0]}?delay=${delayMs}`, directBody);
    const r = await post(appUrl, lmsBody, auth);
    if (i >= WARMUP) {
      direct.push(d);
      route.push(r);
    }
  }
  await flushFilterLogs();
  return { direct: stats(direct), route: stats(route) };
}

const f = (ms: number) => `${ms.toFixed(2)} ms`;
const line = (label: string, r: Awaited<ReturnType<typeof measure>>) =>
  console.log(
    `${label}: route p50 ${f(r.route.p50)} p99 ${f(r.route.p99)} | direct call p50 ${f(r.direct.p50)} p99 ${f(r.direct.p99)} | ` +
      `overhead p50 ${f(r.route.p50 - r.direct.p50)} p99 ${f(r.route.p99 - r.direct.p99)}`,
  );
console.log(`filters latency bench: ${ROUNDS} rounds after ${WARMUP} warm-up, database ${handle.kind}, Node ${process.version}`);
console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (p99 is sensitive to other load)`);
console.log('route served by a plain node:http adapter around app/api/filters/route.ts POST (not next start)');
console.log('the LMS client, the adapter and the service share this process; the webfilters run in a child process\n');

console.log('webfilters answering at once (overhead = route − the same call made directly):');
const none = await measure(0);
line('  no webfilter ', none);
const one = await measure(1);
line('  1 webfilter  ', one);
const five = await measure(WEBFILTERS);
line(`  ${WEBFILTERS} webfilters `, five);

// With instant answers the 5-vs-1 ratio only measures CPU per webfilter; a webfilter that takes
// some time to answer shows whether the calls really overlap.
const DELAY = 20;
console.log(`\nwebfilters answering after ${DELAY} ms:`);
const slowOne = await measure(1, DELAY, ROUNDS / 4);
line('  1 webfilter  ', slowOne);
const slowFive = await measure(WEBFILTERS, DELAY, ROUNDS / 4);
line(`  ${WEBFILTERS} webfilters `, slowFive);

console.log(`\ntargets: 1-webfilter p99 overhead ≤ 5 ms: ${f(one.route.p99 - one.direct.p99)} (p50 ${f(one.route.p50 - one.direct.p50)})`);
console.log(
  `         ${WEBFILTERS} concurrent ≤ 1.2× one: ${DELAY} ms webfilters p50 ${(slowFive.route.p50 / slowOne.route.p50).toFixed(2)}× ` +
    `p99 ${(slowFive.route.p99 / slowOne.route.p99).toFixed(2)}×; instant webfilters p50 ${(five.route.p50 / one.route.p50).toFixed(2)}× ` +
    `p99 ${(five.route.p99 / one.route.p99).toFixed(2)}×`,
);
console.log(`         none ≤ 2 ms p99 (whole round trip, client included): ${f(none.route.p99)} (p50 ${f(none.route.p50)}; a bare loopback call here: p99 ${f(none.direct.p99)})`);

agent.destroy();
appServer.close();
child.kill();
await drop();
process.exit(0);
