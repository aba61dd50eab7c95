// The real server (server.ts on the built app, PostgreSQL) under SIGTERM (SPEC §11): it takes no new
// connections, finishes the request in flight and the delivery attempts in flight, stores their outcomes and
// exits 0; after a restart the rest are delivered, and no delivery reaches its receiver twice. Also: every
// answer carries x-request-id and every request is one JSON log line, with no key or header value in it.
import http from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startServer, type TestServer } from '../helpers/server';
import { ENROLLMENT, enrollmentData, waitUntil } from '../dispatch/harness';

const KEY = 'oewh_shutdown_test_key_0123456789abcdef';
const HEADER_VALUE = 'header-value-must-not-be-logged-41x';
const WEBHOOKS = 4;
const EVENTS = 50; // × 4 webhooks = 200 deliveries
const RECEIVER_DELAY_MS = 1500;

let pg: TestPostgres;
let receiver: Receiver;
let server: TestServer;

const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

function logLines(text: string): Record<string, any>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

async function statusCounts() {
  const rows = await pg.handle.rows<{ status: string; leased: boolean; n: number }>(
    sql`select status, locked_by is not null as leased, count(*)::int as n from deliveries group by 1, 2`,
  );
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

beforeAll(async () => {
  pg = await freshPostgres({ max: 2 });
  receiver = await startReceiver(() => ({ status: 200, body: 'ok', delayMs: RECEIVER_DELAY_MS }));
  server = await startServer({
    databaseUrl: pg.url,
    env: { ALLOW_PRIVATE_TARGETS: '1', INITIAL_API_KEY: KEY, SHUTDOWN_TIMEOUT_MS: '60000', DELIVERY_TIMEOUT_MS: '30000', LOG_LEVEL: 'info' },
  });
}, 900_000);

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  await pg?.drop();
});

it('answers with x-request-id, keeps a sane incoming one, and logs one JSON line per request', async () => {
  const mine = await fetch(`${server.url}/api/health`, { headers: { 'x-request-id': 'lb-7f3a-0001' } });
  expect(mine.headers.get('x-request-id')).toBe('lb-7f3a-0001');
  const odd = await fetch(`${server.url}/api/health`, { headers: { 'x-request-id': 'not sane <script>' } });
  expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  const refused = await fetch(`${server.url}/api/v1/webhooks?token=query-secret-9q`, { headers: { authorization: 'Bearer wrong-key-value-zz', 'x-custom': HEADER_VALUE } });
  expect(refused.status).toBe(401);
  const id = refused.headers.get('x-request-id');
  expect(id).toBeTruthy();
  const page = await fetch(`${server.url}/login`);
  expect(page.headers.get('x-request-id')).toBeTruthy();

  await waitUntil(async () => logLines(server.output()).some((l) => l.req_id === id), 5000, 'the request line');
  const lines = logLines(server.output());
  expect(lines.find((l) => l.req_id === 'lb-7f3a-0001')).toMatchObject({ msg: 'request', method: 'GET', path: '/api/health', status: 200 });
  const line = lines.find((l) => l.req_id === id)!;
  expect(line).toMatchObject({ msg: 'request', method: 'GET', path: '/api/v1/webhooks', status: 401, level: 30 });
  expect(typeof line.duration_ms).toBe('number');
  const out = server.output();
  for (const s of [KEY, 'wrong-key-value-zz', HEADER_VALUE, 'query-secret-9q']) expect(out, s).not.toContain(s);
  // /api/health says whether this process delivers and how old the queue is.
  expect(await (await fetch(`${server.url}/api/health`)).json()).toMatchObject({
    status: 'ok',
    worker: { mode: 'inline', running: true, alive: 1 },
    queue: { pending: 0, due: 0, oldest_due_age_seconds: 0 },
  });
});

it('on SIGTERM finishes the request and the 200 deliveries in flight, exits 0, and after a restart sends the rest once each', async () => {
  const ids: string[] = [];
  for (let i = 0; i < WEBHOOKS; i++) {
    const res = await fetch(`${server.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ event_type: ENROLLMENT, url: `${receiver.url}/hook-${i}` }),
    });
    expect(res.status).toBe(201);
    ids.push((await res.json()).id);
  }
  for (let i = 0; i < EVENTS; i++) {
    const res = await fetch(`${server.url}/api/events`, { method: 'POST', headers: auth, body: JSON.stringify({ event_type: ENROLLMENT, data: enrollmentData() }) });
    expect(res.status).toBe(202);
  }
  // Deliveries are in flight (the receiver holds each for 1.5 s), and an event request is half sent.
  await receiver.waitFor(20, 30_000);
  const body = JSON.stringify({ event_type: ENROLLMENT, data: enrollmentData() });
  const slow = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(`${server.url}/api/events`, { method: 'POST', headers: { ...auth, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.write(body.slice(0, 20));
    setTimeout(() => req.end(body.slice(20)), 700);
  });
  await new Promise((r) => setTimeout(r, 200));

  const arrivedBefore = receiver.requests.length;
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  server.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 150));
  // No new connections once stopping.
  await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  // The request in flight is answered and its event stored.
  const answered = await slow;
  expect(answered.status).toBe(202);
  expect(await exited).toBe(0);

  // Everything that reached a receiver was answered and stored: nothing is left leased or in doubt.
  const arrived = receiver.requests.length;
  expect(arrived).toBeGreaterThan(arrivedBefore - 1);
  expect(arrived).toBeLessThan(EVENTS * WEBHOOKS); // the test stopped it mid-way
  const counts = await statusCounts();
  expect(counts.filter((c) => c.leased)).toEqual([]);
  const succeeded = counts.find((c) => c.status === 'succeeded')?.n ?? 0;
  expect(succeeded).toBe(arrived);
  expect(logLines(server.output()).map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping: finishing requests and deliveries in flight', 'stopped']));

  // Started again, it sends the rest: every delivery once, 4 × 51 in all.
  await server.restart();
  const total = (EVENTS + 1) * WEBHOOKS;
  await receiver.waitFor(total, 60_000);
  await waitUntil(async () => (await statusCounts()).every((c) => c.status === 'succeeded' && !c.leased), 30_000, 'all deliveries stored');
  await new Promise((r) => setTimeout(r, RECEIVER_DELAY_MS + 500)); // a double send would arrive by now
  const perDelivery = new Map<string, number>();
  for (const r of receiver.requests) {
    const key = `${r.url} ${r.headers['webhook-id']}`;
    perDelivery.set(key, (perDelivery.get(key) ?? 0) + 1);
  }
  expect(receiver.requests).toHaveLength(total);
  expect(perDelivery.size).toBe(total);
  expect([...perDelivery.values()].every((n) => n === 1)).toBe(true);
}, 300_000);
