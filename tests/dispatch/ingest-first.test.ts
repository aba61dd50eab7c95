// Accepting events comes before the worker's bookkeeping (issue 12.2), on the embedded PGlite, where every
// statement runs on the event loop: a stream of events is claimed in a few claims, not one claim and one
// next-due query per event, and a worker statement issued while an event is being accepted waits for it.
// (The 202's latency itself is measured in bench/events-in-flight.ts.)
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../lib/db';
import { foreground } from '../../lib/dispatch/foreground';
import { queueRows } from '../../lib/dispatch/hot-sql';
import type { Worker } from '../../lib/dispatch/worker';
import { pgliteDb } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import http from 'node:http';
import { toRequest, writeResponse } from '../../lib/http/node-adapter';
import { POST } from '../../app/api/events/route';
import { ENROLLMENT, addWebhook, enrollmentData, eventEnv, eventsToken, waitUntil, worker } from './harness';

const EVENTS = 40;

let handle: DbHandle;
let receiver: Receiver;
let token: string;
let w: Worker;
/** The route over real HTTP (as server.ts serves it), so requests arrive as I/O between the worker's turns. */
let server: http.Server;
let base: string;
/** Queue statements (claims and next-due checks: each a transaction) run on the handle. */
let queueStatements = 0;

beforeAll(async () => {
  eventEnv({ ALLOW_PRIVATE_TARGETS: '1' });
  handle = await pgliteDb();
  token = await eventsToken(handle);
  const client = (handle.db as unknown as { $client: { transaction: (...a: unknown[]) => Promise<unknown> } }).$client;
  const transaction = client.transaction.bind(client);
  client.transaction = (...args: unknown[]) => {
    queueStatements++;
    return transaction(...args);
  };
  receiver = await startReceiver(() => ({ status: 200, delayMs: 200 }));
  for (let i = 0; i < 5; i++) await addWebhook(handle, { url: `${receiver.url}/${i}` });
  w = worker(handle, { pollMs: 60_000 });
  server = http.createServer((req, res) => void POST(toRequest(req)!, undefined).then((r) => writeResponse(res, r, req)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await w.stop();
  await new Promise((r) => server.close(r));
  await receiver.close();
  await handle.close();
  eventEnv({ ALLOW_PRIVATE_TARGETS: '' });
});

describe('a stream of events with deliveries in flight', () => {
  it('is claimed in a few statements, not two per event, and every delivery is made', async () => {
    await new Promise((r) => setTimeout(r, 300)); // the worker's start-up claim and check
    queueStatements = 0;
    for (let i = 0; i < EVENTS; i++) {
      const res = await fetch(`${base}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ event_type: ENROLLMENT, data: enrollmentData({ n: i }) }),
      });
      expect(res.status).toBe(202);
      await res.arrayBuffer();
    }
    const duringStream = queueStatements;
    await receiver.waitFor(EVENTS * 5, 30_000);
    await waitUntil(async () => {
      const [r] = await handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where status = 'succeeded'`);
      return Number(r!.n) === EVENTS * 5;
    }, 30_000, 'every delivery to succeed');
    // Each event cost a claim and a next-due check (2 per event) before; now at most one claim per event
    // (one per burst when they come closer than 10 ms) and a next-due check every 50 ms at most.
    expect(duringStream).toBeLessThan(1.5 * EVENTS);
    console.log(`[ingest-first] ${EVENTS} events accepted with ${duringStream} queue statements meanwhile`);
  });

  it('holds a worker statement issued while an event is being accepted until the event is stored', async () => {
    const order: string[] = [];
    let release!: () => void;
    const accepting = foreground(async () => {
      order.push('accept: start');
      await new Promise<void>((r) => (release = r));
      order.push('accept: stored');
    });
    const claim = queueRows(handle, 'select 1 as one', []).then(() => order.push('worker statement'));
    await new Promise((r) => setTimeout(r, 20));
    release();
    await Promise.all([accepting, claim]);
    expect(order).toEqual(['accept: start', 'accept: stored', 'worker statement']);
  });
});
