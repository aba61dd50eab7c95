// `npm run worker` (scripts/worker.ts) under SIGTERM, as a container's PID 1 gets it: the attempts in flight
// finish and are stored, the process exits 0, and the next worker sends the rest, each delivery once. Past
// SHUTDOWN_TIMEOUT_MS it exits 0 anyway.
import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ingestEvent } from '../../lib/dispatch/ingest';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { ENROLLMENT, addWebhook, enrollmentData, waitUntil } from '../dispatch/harness';

let pg: TestPostgres;
let receiver: Receiver;
let delayMs = 1000;

beforeAll(async () => {
  pg = await freshPostgres({ max: 2 });
  receiver = await startReceiver(() => ({ status: 200, body: 'ok', delayMs }));
});
afterAll(async () => {
  await receiver.close();
  await pg.drop();
});

function runWorker(vars: Record<string, string>) {
  const env = { ...process.env, DATABASE_URL: pg.url, ALLOW_PRIVATE_TARGETS: '1', RETRY_SCHEDULE: '', LOG_LEVEL: 'info', ...vars };
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, exited, lines, output: () => out };
}

async function queue(events: number) {
  for (let i = 0; i < events; i++) {
    const r = await ingestEvent(pg.handle, { event_type: ENROLLMENT, data: enrollmentData() });
    if (!r.ok) throw new Error(r.error);
  }
}

const leased = async () =>
  Number((await pg.handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where locked_by is not null`))[0]!.n);
const succeeded = async () =>
  Number((await pg.handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where status = 'succeeded'`))[0]!.n);

it('finishes the attempts in flight on SIGTERM, exits 0, and the next worker sends the rest once each', async () => {
  await addWebhook(pg.handle, { url: `${receiver.url}/a` });
  await addWebhook(pg.handle, { url: `${receiver.url}/b` });
  await queue(40); // 80 deliveries; 32 in flight at once (16 per webhook)
  const w = runWorker({ SHUTDOWN_TIMEOUT_MS: '30000' });
  await receiver.waitFor(10, 30_000);
  w.child.kill('SIGTERM');
  expect(await w.exited).toBe(0);
  const arrived = receiver.requests.length;
  expect(arrived).toBeLessThan(80);
  expect(await leased()).toBe(0);
  expect(await succeeded()).toBe(arrived);
  const attempts = w.lines().filter((l) => l.msg === 'delivery attempt');
  expect(attempts).toHaveLength(arrived);
  expect(w.lines().map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping: finishing deliveries in flight', 'worker stopped']));

  const again = runWorker({ SHUTDOWN_TIMEOUT_MS: '30000' });
  try {
    await receiver.waitFor(80, 60_000);
    await waitUntil(async () => (await succeeded()) === 80, 20_000, 'all stored');
  } finally {
    again.child.kill('SIGTERM');
  }
  expect(await again.exited).toBe(0);
  const per = new Map<string, number>();
  for (const r of receiver.requests) per.set(`${r.url} ${r.headers['webhook-id']}`, (per.get(`${r.url} ${r.headers['webhook-id']}`) ?? 0) + 1);
  expect(receiver.requests).toHaveLength(80);
  expect([...per.values()].every((n) => n === 1)).toBe(true);
}, 180_000);

it('exits 0 once SHUTDOWN_TIMEOUT_MS has passed, even with a receiver that does not answer', async () => {
  delayMs = 20_000;
  await queue(2);
  const before = receiver.requests.length;
  const w = runWorker({ SHUTDOWN_TIMEOUT_MS: '500', DELIVERY_TIMEOUT_MS: '60000' });
  await receiver.waitFor(before + 1, 30_000);
  const t0 = Date.now();
  w.child.kill('SIGTERM');
  expect(await w.exited).toBe(0);
  expect(Date.now() - t0).toBeLessThan(10_000);
  expect(w.lines().some((l) => l.level === 40 && String(l.msg).includes('SHUTDOWN_TIMEOUT_MS passed'))).toBe(true);
}, 60_000);
